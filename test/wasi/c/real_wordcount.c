/*
 * real_wordcount.c - "wc" over a generated file, exercising stdio buffering:
 * writes 20,000 pseudo-random lines through a fully buffered FILE*, then
 * counts lines/words/bytes with getc(), again with fgets() into a small
 * buffer, with fread() blocks, and compares against the counts recorded while
 * generating. Also checks word frequencies and an unbuffered copy.
 * Scratch: /rw_*.
 */
#include "check.h"

static const char *vocab[] = {"berth", "wasm", "docker", "container", "image", "layer", "runtime", "memory",
                              "file", "system", "preview", "snapshot", "socket", "clock", "random", "poll",
                              "directory", "symlink", "inode", "cookie", "rights", "errno", "fault", "sandbox"};
#define NV ((int)(sizeof vocab / sizeof *vocab))

static uint32_t rng = 12345;
static uint32_t next(void) { rng = rng * 1103515245u + 12345u; return (rng >> 16) & 0x7fff; }

int main(int argc, char **argv) {
    long nlines = argc > 1 ? atol(argv[1]) : 20000;
    long exp_lines = 0, exp_words = 0, exp_bytes = 0, freq[NV] = {0};

    FILE *f = fopen("/rw_words.txt", "w");
    CHECK(f != NULL, "fopen for writing");
    if (!f) return finish();
    CHECK_EQ(setvbuf(f, NULL, _IOFBF, 8192), 0, "setvbuf 8 KiB full buffering");
    for (long i = 0; i < nlines; i++) {
        int nw = 1 + (int)(next() % 12);
        for (int w = 0; w < nw; w++) {
            int k = (int)(next() % NV);
            freq[k]++;
            int sp = (int)(next() % 3) + 1; /* 1-3 separators */
            int n = fprintf(f, "%s", vocab[k]);
            exp_bytes += n;
            for (int s = 0; s < sp && w + 1 < nw; s++) { fputc(s == 1 ? '\t' : ' ', f); exp_bytes++; }
            exp_words++;
        }
        fputc('\n', f);
        exp_bytes++;
        exp_lines++;
    }
    CHECK_EQ(ftell(f), exp_bytes, "ftell on the write stream equals bytes written");
    CHECK_EQ(fclose(f), 0, "fclose flushes");

    /* 1: getc */
    f = fopen("/rw_words.txt", "r");
    CHECK(f != NULL, "fopen for reading");
    if (!f) return finish();
    long lines = 0, words = 0, bytes = 0;
    int c, inword = 0;
    while ((c = getc(f)) != EOF) {
        bytes++;
        if (c == '\n') lines++;
        if (c == ' ' || c == '\t' || c == '\n') inword = 0;
        else if (!inword) { inword = 1; words++; }
    }
    CHECK(feof(f) && !ferror(f), "getc loop ended at EOF without error");
    CHECK_EQ(lines, exp_lines, "getc: line count");
    CHECK_EQ(words, exp_words, "getc: word count");
    CHECK_EQ(bytes, exp_bytes, "getc: byte count");
    CHECK_EQ(fseek(f, 0, SEEK_END), 0, "fseek SEEK_END");
    CHECK_EQ(ftell(f), exp_bytes, "ftell at end equals file size");

    /* 2: fgets with a small buffer (lines longer than the buffer get split) */
    rewind(f);
    char small[40];
    long l2 = 0, chunks = 0;
    while (fgets(small, sizeof small, f)) {
        chunks++;
        if (strchr(small, '\n')) l2++;
    }
    CHECK_EQ(l2, exp_lines, "fgets(40): line count");
    CHECK(chunks > l2, "fgets(40) had to split long lines (%ld chunks)", chunks);

    /* 3: fread blocks + word frequencies via strtok_r */
    rewind(f);
    char *all = malloc((size_t)exp_bytes + 1);
    size_t got = fread(all, 1, (size_t)exp_bytes + 1, f);
    CHECK_EQ(got, exp_bytes, "fread of the whole file");
    all[got] = 0;
    fclose(f);
    long freq2[NV] = {0};
    char *save = NULL;
    for (char *t = strtok_r(all, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
        for (int k = 0; k < NV; k++) if (!strcmp(t, vocab[k])) { freq2[k]++; break; }
    int freq_ok = 1;
    for (int k = 0; k < NV; k++) if (freq[k] != freq2[k]) freq_ok = 0;
    CHECK(freq_ok, "per-word frequencies match what was generated");
    free(all);

    /* 4: unbuffered copy is byte-identical */
    FILE *in = fopen("/rw_words.txt", "r"), *out = fopen("/rw_copy.txt", "w");
    CHECK(in && out, "open source and copy");
    if (in && out) {
        setvbuf(out, NULL, _IONBF, 0);
        char blk[777];
        size_t n;
        while ((n = fread(blk, 1, sizeof blk, in)) > 0) fwrite(blk, 1, n, out);
        fclose(in);
        fclose(out);
        struct stat a, b;
        stat("/rw_words.txt", &a);
        stat("/rw_copy.txt", &b);
        CHECK_EQ(b.st_size, a.st_size, "unbuffered copy has the same size");
        FILE *x = fopen("/rw_words.txt", "r"), *y = fopen("/rw_copy.txt", "r");
        int same = 1, cx, cy;
        do { cx = getc(x); cy = getc(y); if (cx != cy) { same = 0; break; } } while (cx != EOF);
        fclose(x);
        fclose(y);
        CHECK(same, "copy is byte-identical");
    }
    /* 5: append mode keeps existing content */
    f = fopen("/rw_words.txt", "a");
    fputs("berth berth\n", f);
    fclose(f);
    struct stat sa;
    stat("/rw_words.txt", &sa);
    CHECK_EQ(sa.st_size, exp_bytes + 12, "fopen(\"a\") appended 12 bytes");
    printf("# wc %ld %ld %ld\n", exp_lines, exp_words, exp_bytes);
    return finish();
}
