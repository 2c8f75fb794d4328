/*
 * real_paths.c - getcwd/chdir/relative paths: wasi-libc keeps the cwd itself
 * and turns every relative path into cwd + path, so '..' and symlinked
 * directories are resolved by the runtime. A home-made realpath() walks
 * components with lstat/readlink. Scratch: /rp.
 */
#include "check.h"

/* canonicalize an absolute path by resolving '.', '..' and symlinks
   (buffers on the heap: the wasm stack is small and this recurses) */
static int my_realpath(const char *in, char *out, size_t cap, int depth) {
    if (depth > 40) { errno = ELOOP; return -1; }
    enum { SZ = 1024 };
    char *work = malloc(SZ), *res = malloc(SZ), *next = malloc(SZ), *t = malloc(SZ), *joined = malloc(SZ), *sub = malloc(SZ);
    int rc = 0;
    snprintf(work, SZ, "%s", in);
    res[0] = 0;
    char *save = NULL;
    for (char *c = strtok_r(work, "/", &save); c && rc == 0; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".")) continue;
        if (!strcmp(c, "..")) { char *s = strrchr(res, '/'); if (s) *s = 0; continue; }
        snprintf(next, SZ, "%s/%s", res, c);
        struct stat sb;
        if (lstat(next, &sb) != 0) { rc = -1; break; }
        if (S_ISLNK(sb.st_mode)) {
            memset(t, 0, SZ);
            if (readlink(next, t, SZ - 1) < 0) { rc = -1; break; }
            if (t[0] == '/') snprintf(joined, SZ, "%s", t);
            else snprintf(joined, SZ, "%s/%s", res, t);
            if (my_realpath(joined, sub, SZ, depth + 1) != 0) { rc = -1; break; }
            snprintf(res, SZ, "%s", strcmp(sub, "/") ? sub : "");
        } else {
            snprintf(res, SZ, "%s", next);
        }
    }
    if (rc == 0) snprintf(out, cap, "%s", *res ? res : "/");
    int e = errno;
    free(work); free(res); free(next); free(t); free(joined); free(sub);
    errno = e;
    return rc;
}

static long ino(const char *p) { struct stat sb; return stat(p, &sb) == 0 ? (long)sb.st_ino : -1; }

int main(void) {
    char cwd[512], buf[64], rp[1024];
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    CHECK_STR(cwd, "/", "initial cwd is /");
    CHECK_EQ(mkdir("/rp", 0755), 0, "mkdir /rp");
    CHECK_EQ(mkdir("/rp/a", 0755), 0, "mkdir /rp/a");
    CHECK_EQ(mkdir("/rp/a/b", 0755), 0, "mkdir /rp/a/b");
    CHECK_EQ(chdir("/rp"), 0, "chdir /rp");
    getcwd(cwd, sizeof cwd);
    CHECK_STR(cwd, "/rp", "getcwd after chdir /rp");
    CHECK_EQ(put_str("x.txt", "relative"), 0, "create x.txt relative to cwd");
    CHECK_EQ(get_file("/rp/x.txt", buf, sizeof buf), 8, "it landed in /rp/x.txt");
    CHECK_EQ(access("x.txt", R_OK), 0, "access(x.txt, R_OK)");
    CHECK(access("nope.txt", F_OK) != 0 && errno == ENOENT, "access(missing) -> ENOENT");
    CHECK_EQ(chdir("a/b"), 0, "chdir a/b (relative)");
    getcwd(cwd, sizeof cwd);
    CHECK_STR(cwd, "/rp/a/b", "getcwd after relative chdir");
    CHECK_EQ(get_file("../../x.txt", buf, sizeof buf), 8, "read ../../x.txt");
    CHECK_EQ(get_file("./../.././x.txt", buf, sizeof buf), 8, "read ./../.././x.txt");
    CHECK_EQ(chdir(".."), 0, "chdir ..");
    CHECK_EQ(ino("."), ino("/rp/a"), "after chdir .. the cwd is /rp/a");
    CHECK_EQ(put_str("y.txt", "why"), 0, "create y.txt after chdir ..");
    CHECK_EQ(get_file("/rp/a/y.txt", buf, sizeof buf), 3, "y.txt is in /rp/a");
    CHECK(chdir("/rp/nope") != 0 && errno == ENOENT, "chdir to a missing dir -> ENOENT");
    CHECK(chdir("/rp/x.txt") != 0 && errno == ENOTDIR, "chdir to a file -> ENOTDIR");
    CHECK_EQ(symlink("a", "/rp/alink"), 0, "symlink /rp/alink -> a");
    CHECK_EQ(chdir("/rp/alink/b"), 0, "chdir through a directory symlink");
    CHECK_EQ(ino("."), ino("/rp/a/b"), "cwd is /rp/a/b via the symlink");
    CHECK_EQ(get_file("../y.txt", buf, sizeof buf), 3, "'..' from a symlinked cwd: y.txt found in /rp/a");
    CHECK_EQ(symlink("a/b", "/rp/blink"), 0, "symlink /rp/blink -> a/b");
    CHECK_EQ(chdir("/rp/blink"), 0, "chdir /rp/blink");
    CHECK_EQ(get_file("../y.txt", buf, sizeof buf), 3,
             "'..' after a symlink is the physical parent (/rp/a), not the lexical one (/rp)");
    CHECK_EQ(chdir("/"), 0, "chdir /");
    CHECK_EQ(my_realpath("/rp/alink/b/../b/./", rp, sizeof rp, 0), 0, "realpath of /rp/alink/b/../b/./");
    CHECK_STR(rp, "/rp/a/b", "realpath resolves the symlink and dots");
    CHECK_EQ(symlink("../rp/a", "/rp/uplink"), 0, "symlink /rp/uplink -> ../rp/a");
    CHECK_EQ(my_realpath("/rp/uplink/../x.txt", rp, sizeof rp, 0), 0, "realpath through a symlink that climbs and descends");
    CHECK_STR(rp, "/rp/x.txt", "realpath result");
    CHECK_EQ(symlink("loop2", "/rp/loop1"), 0, "loop1");
    CHECK_EQ(symlink("loop1", "/rp/loop2"), 0, "loop2");
    CHECK(my_realpath("/rp/loop1", rp, sizeof rp, 0) != 0 && errno == ELOOP, "realpath of a loop fails with ELOOP");
    CHECK_EQ(chdir("rp"), 0, "chdir rp from /");
    CHECK_EQ(rename("x.txt", "a/x2.txt"), 0, "rename with relative paths");
    CHECK_EQ(get_file("/rp/a/x2.txt", buf, sizeof buf), 8, "renamed file readable by absolute path");
    FILE *f = fopen("a/b/rel.txt", "w");
    CHECK(f != NULL, "fopen relative path for writing");
    if (f) { fputs("rel", f); fclose(f); }
    CHECK_EQ(get_file("/rp/a/b/rel.txt", buf, sizeof buf), 3, "fopen relative wrote the right file");
    return finish();
}
