/*
 * real_grep.c - a tiny grep/tail over a generated log: getline() with ftell()
 * offsets, fseek() back to each match, regcomp/regexec, tail -n via backwards
 * fseek from SEEK_END, ungetc. Scratch: /rg_*.
 */
#include "check.h"
#include <regex.h>

#define N 5000

int main(void) {
    FILE *f = fopen("/rg_app.log", "w");
    CHECK(f != NULL, "create the log");
    if (!f) return finish();
    long exp_err = 0, exp_regex = 0;
    static const char *lv[] = {"INFO", "WARN", "ERROR", "DEBUG"};
    for (int i = 0; i < N; i++) {
        const char *l = lv[(i * 7 + i / 13) % 4];
        if (!strcmp(l, "ERROR")) exp_err++;
        if (!strcmp(l, "ERROR") && i % 10 == 7) exp_regex++;
        fprintf(f, "2024-01-%02d 12:%02d:%02d [%s] request id=%d took %dms\n", 1 + i % 28, i % 60, (i * 17) % 60, l, i, (i * 31) % 997);
    }
    long size = ftell(f);
    fclose(f);

    f = fopen("/rg_app.log", "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long offs[N], nm = 0, nlines = 0;
    char first_match[128] = "", last_line[128] = "";
    long pos = ftell(f);
    while ((len = getline(&line, &cap, f)) > 0) {
        nlines++;
        if (strstr(line, "[ERROR]")) {
            if (nm == 0) snprintf(first_match, sizeof first_match, "%s", line);
            offs[nm++] = pos;
        }
        snprintf(last_line, sizeof last_line, "%s", line);
        pos = ftell(f);
    }
    CHECK_EQ(nlines, N, "getline read every line");
    CHECK_EQ(nm, exp_err, "grep [ERROR] match count");
    CHECK_EQ(pos, size, "final ftell equals the file size");
    int all_ok = 1;
    for (long i = 0; i < nm; i += 37) {
        if (fseek(f, offs[i], SEEK_SET) != 0) { all_ok = 0; break; }
        if (getline(&line, &cap, f) <= 0 || !strstr(line, "[ERROR]")) { all_ok = 0; break; }
    }
    CHECK(all_ok, "fseek to recorded offsets re-reads matching lines");
    fseek(f, offs[0], SEEK_SET);
    getline(&line, &cap, f);
    CHECK_STR(line, first_match, "first match re-read via fseek is identical");

    regex_t re;
    CHECK_EQ(regcomp(&re, "\\[ERROR\\] request id=[0-9]*7 ", REG_NOSUB), 0, "regcomp");
    rewind(f);
    long nre = 0;
    while (getline(&line, &cap, f) > 0) if (regexec(&re, line, 0, NULL, 0) == 0) nre++;
    regfree(&re);
    CHECK_EQ(nre, exp_regex, "regex match count");

    /* tail -n 3: read backwards in 256-byte blocks */
    long end = (fseek(f, 0, SEEK_END), ftell(f));
    char tailbuf[4096];
    long start = end, newlines = 0;
    while (start > 0 && newlines <= 3) {
        long blk = start >= 256 ? 256 : start;
        start -= blk;
        fseek(f, start, SEEK_SET);
        char tmp[256];
        fread(tmp, 1, (size_t)blk, f);
        newlines = 0;
        fseek(f, start, SEEK_SET);
        size_t n = fread(tailbuf, 1, (size_t)(end - start) < sizeof tailbuf ? (size_t)(end - start) : sizeof tailbuf - 1, f);
        tailbuf[n] = 0;
        for (size_t k = 0; k < n; k++) if (tailbuf[k] == '\n') newlines++;
    }
    char *p = tailbuf + strlen(tailbuf);
    int seen = 0;
    while (p > tailbuf) { if (p[-1] == '\n' && ++seen == 4) break; p--; }
    char *nl = strchr(p, '\n');
    int cnt = 0;
    for (char *q = p; *q; q++) if (*q == '\n') cnt++;
    CHECK_EQ(cnt, 3, "tail -n 3 found three lines");
    char *last = p;
    for (int k = 0; k < 2 && nl; k++) { last = nl + 1; nl = strchr(last, '\n'); }
    CHECK_STR(last, last_line, "last tail line equals the last getline line");

    rewind(f);
    int c = getc(f);
    CHECK_EQ(ungetc(c, f), c, "ungetc");
    CHECK_EQ(getc(f), '2', "getc after ungetc returns the same byte");
    CHECK_EQ(ftell(f), 1, "ftell after ungetc+getc is 1");
    free(line);
    fclose(f);
    return finish();
}
