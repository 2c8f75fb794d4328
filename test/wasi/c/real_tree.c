/*
 * real_tree.c - builds a small directory tree, walks it recursively with
 * opendir/readdir/lstat (like `find -printf` | sort), compares with the
 * expected listing, cross-checks with nftw(), sums sizes (du), then removes
 * it recursively (rm -rf) and checks it is gone. Scratch: /rt.
 */
#include "check.h"
#include <dirent.h>
#include <ftw.h>

static char *lines[256];
static int nlines;
static long total_size;

static void walk(const char *path, const char *rel) {
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char full[512], r[512], line[600];
        snprintf(full, sizeof full, "%s/%s", path, de->d_name);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        struct stat sb;
        if (lstat(full, &sb) != 0) continue;
        char t = S_ISDIR(sb.st_mode) ? 'd' : S_ISLNK(sb.st_mode) ? 'l' : S_ISREG(sb.st_mode) ? 'f' : '?';
        if (t == 'l') {
            char target[256] = {0};
            readlink(full, target, sizeof target - 1);
            snprintf(line, sizeof line, "%c %s -> %s", t, r, target);
        } else if (t == 'f') {
            snprintf(line, sizeof line, "%c %s %lld", t, r, (long long)sb.st_size);
            total_size += (long)sb.st_size;
        } else {
            snprintf(line, sizeof line, "%c %s", t, r);
        }
        if (nlines < 256) lines[nlines++] = strdup(line);
        if (t == 'd') walk(full, r);
    }
    closedir(d);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int nftw_count, nftw_files;
static int nftw_cb(const char *p, const struct stat *sb, int type, struct FTW *ftw) {
    (void)p; (void)sb; (void)ftw;
    nftw_count++;
    if (type == FTW_F) nftw_files++;
    return 0;
}

static int rm_rf(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return -1;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d) return -1;
        struct dirent *de;
        char *names[256];
        int n = 0;
        while ((de = readdir(d)) && n < 256)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) names[n++] = strdup(de->d_name);
        closedir(d);
        for (int i = 0; i < n; i++) {
            char full[512];
            snprintf(full, sizeof full, "%s/%s", path, names[i]);
            rm_rf(full);
            free(names[i]);
        }
        return rmdir(path);
    }
    return unlink(path);
}

int main(void) {
    int ok = 1;
    ok &= mkdir("/rt", 0755) == 0;
    ok &= mkdir("/rt/b", 0755) == 0;
    ok &= mkdir("/rt/b/d", 0755) == 0;
    ok &= mkdir("/rt/b/d/f", 0755) == 0;
    ok &= mkdir("/rt/empty", 0755) == 0;
    ok &= put_str("/rt/a.txt", "hello") == 0;
    ok &= put_str("/rt/b/c.txt", "sea") == 0;
    ok &= put_str("/rt/b/.hidden", "") == 0;
    ok &= put_str("/rt/b/d/e.txt", "eeeeeeeeee") == 0;
    char big[1000];
    memset(big, 'z', sizeof big);
    ok &= put_file("/rt/z.bin", big, sizeof big) == 0;
    ok &= symlink("b/c.txt", "/rt/link") == 0;
    ok &= symlink("nowhere", "/rt/b/dangling") == 0;
    ok &= link("/rt/a.txt", "/rt/b/d/hard.txt") == 0;
    CHECK(ok, "built the tree");

    walk("/rt", "");
    qsort(lines, (size_t)nlines, sizeof *lines, cmp);
    char got[4096] = "";
    for (int i = 0; i < nlines; i++) { strcat(got, lines[i]); strcat(got, "\n"); }
    const char *expected =
        "d b\n"
        "d b/d\n"
        "d b/d/f\n"
        "d empty\n"
        "f a.txt 5\n"
        "f b/.hidden 0\n"
        "f b/c.txt 3\n"
        "f b/d/e.txt 10\n"
        "f b/d/hard.txt 5\n"
        "f z.bin 1000\n"
        "l b/dangling -> nowhere\n"
        "l link -> b/c.txt\n";
    CHECK_STR(got, expected, "sorted recursive listing");
    fputs(got, stdout);
    CHECK_EQ(total_size, 1023, "du: total size of regular files");

    CHECK_EQ(nftw("/rt", nftw_cb, 16, FTW_PHYS), 0, "nftw(FTW_PHYS) succeeds");
    CHECK_EQ(nftw_count, nlines + 1, "nftw visits every entry plus the root");
    CHECK_EQ(nftw_files, 6, "nftw sees 6 regular files");

    struct stat sa, sb;
    CHECK(stat("/rt/a.txt", &sa) == 0 && stat("/rt/b/d/hard.txt", &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_nlink == 2,
          "hard link inside the tree shares the inode (nlink 2)");

    CHECK_EQ(rm_rf("/rt"), 0, "rm -rf /rt");
    CHECK(lstat("/rt", &sa) != 0 && errno == ENOENT, "/rt is gone");
    DIR *d = opendir("/");
    int leftovers = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) if (!strcmp(de->d_name, "rt")) leftovers++;
    if (d) closedir(d);
    CHECK_EQ(leftovers, 0, "root listing no longer shows rt");
    return finish();
}
