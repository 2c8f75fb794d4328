/*
 * dirs.c - path_create_directory, path_remove_directory, path_unlink_file,
 * path_rename, fd_readdir (cookies, small buffers, "." and "..", d_ino,
 * d_type), libc opendir/readdir/telldir/seekdir/rewinddir/scandir, and
 * POSIX semantics of unlinking/renaming open files. Scratch: /dirs_*.
 */
#include "check.h"
#include <dirent.h>

static int root;

typedef struct {
    char name[300];
    uint64_t next, ino;
    uint8_t type;
} ent_t;

/* Parse complete entries out of a readdir buffer. Returns count; *last_cookie
 * is the d_next of the last complete entry; *truncated set when a partial
 * entry ends the buffer. */
static int parse_dirents(const uint8_t *buf, size_t used, ent_t *out, int max, uint64_t *last_cookie, int *truncated) {
    size_t off = 0;
    int n = 0;
    *truncated = 0;
    while (off < used) {
        if (off + sizeof(__wasi_dirent_t) > used) { *truncated = 1; break; }
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof d);
        if (off + sizeof d + d.d_namlen > used) { *truncated = 1; break; }
        if (n < max) {
            size_t l = d.d_namlen < sizeof out[n].name - 1 ? d.d_namlen : sizeof out[n].name - 1;
            memcpy(out[n].name, buf + off + sizeof d, l);
            out[n].name[l] = 0;
            out[n].next = d.d_next;
            out[n].ino = d.d_ino;
            out[n].type = d.d_type;
        }
        n++;
        *last_cookie = d.d_next;
        off += sizeof d + d.d_namlen;
    }
    return n;
}

/* Read a whole directory using buffers of `bufsz` bytes and cookies. Returns
 * number of entries or -errno; -1000 if the iteration made no progress. */
static int list_dir(int fd, size_t bufsz, ent_t *out, int max, int *calls) {
    uint8_t *buf = malloc(bufsz);
    uint64_t cookie = 0;
    int total = 0;
    *calls = 0;
    for (;;) {
        uint32_t used = 0;
        int32_t e = raw_fd_readdir(fd, P(buf), (int32_t)bufsz, (int64_t)cookie, P(&used));
        (*calls)++;
        if (e) { free(buf); return -e; }
        int trunc;
        uint64_t last = cookie;
        int n = parse_dirents(buf, used, out ? out + total : NULL, out ? max - total : 0, &last, &trunc);
        total += n;
        if (used < bufsz) break;          /* end of directory */
        if (n == 0) { free(buf); return -1000; } /* buffer too small for one entry */
        cookie = last;
        if (*calls > 100000) { free(buf); return -1001; }
    }
    free(buf);
    return total;
}

static int find_ent(ent_t *e, int n, const char *name) {
    for (int i = 0; i < n; i++) if (strcmp(e[i].name, name) == 0) return i;
    return -1;
}

static uint64_t ino_of(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return 0;
    return sb.st_ino;
}

static int32_t open_dir(const char *rel, int32_t *fd) {
    return rp_open(root, 0, rel, __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, fd);
}

static void test_mkdir_rmdir_unlink(void) {
    CHECK_EQ(ERRNO_OF(mkdir("/dirs_a", 0755)), 0, "mkdir /dirs_a");
    CHECK_ERR(ERRNO_OF(mkdir("/dirs_a", 0755)), EEXIST, "mkdir existing dir -> EEXIST");
    CHECK_EQ(put_str("/dirs_file", "x"), 0, "create /dirs_file");
    CHECK_ERR(ERRNO_OF(mkdir("/dirs_file", 0755)), EEXIST, "mkdir over a file -> EEXIST");
    CHECK_ERR(ERRNO_OF(mkdir("/dirs_missing/sub", 0755)), ENOENT, "mkdir with missing parent -> ENOENT");
    CHECK_ERR(ERRNO_OF(mkdir("/dirs_file/sub", 0755)), ENOTDIR, "mkdir under a file -> ENOTDIR");
    CHECK_OK(raw_path_create_directory(root, S("dirs_b/")), "path_create_directory with a trailing slash");
    struct stat sb;
    CHECK(stat("/dirs_b", &sb) == 0 && S_ISDIR(sb.st_mode), "trailing-slash mkdir made a directory");
    CHECK_EQ(ERRNO_OF(mkdir("/dirs_a/nested", 0755)), 0, "mkdir nested");
    CHECK_OK(raw_path_create_directory(root, S("dirs_a/nested/../n2")), "path_create_directory through '..'");
    CHECK(stat("/dirs_a/n2", &sb) == 0 && S_ISDIR(sb.st_mode), "'..' in mkdir path resolved inside the sandbox");
    CHECK_ERR(raw_path_create_directory(root, S("")), __WASI_ERRNO_NOENT, "path_create_directory(\"\") -> ENOENT");
    CHECK_ERR_ANY(raw_path_create_directory(root, S(".")), ERRS(__WASI_ERRNO_EXIST), "path_create_directory(\".\") -> EEXIST");

    CHECK_ERR(ERRNO_OF(rmdir("/dirs_a")), ENOTEMPTY, "rmdir non-empty dir -> ENOTEMPTY");
    CHECK_ERR(ERRNO_OF(rmdir("/dirs_nope")), ENOENT, "rmdir missing -> ENOENT");
    CHECK_ERR(ERRNO_OF(rmdir("/dirs_file")), ENOTDIR, "rmdir a file -> ENOTDIR");
    CHECK_ERR(raw_path_remove_directory(root, S("dirs_file/")), __WASI_ERRNO_NOTDIR, "path_remove_directory('file/') -> ENOTDIR");
    CHECK_OK(raw_path_remove_directory(root, S("dirs_b/")), "path_remove_directory with trailing slash");
    CHECK_ERR(ERRNO_OF(stat("/dirs_b", &sb)), ENOENT, "removed dir is gone");
    CHECK(raw_path_remove_directory(root, S(".")) != 0, "path_remove_directory(\".\") on the preopen fails");
    CHECK(stat("/", &sb) == 0 && S_ISDIR(sb.st_mode), "root still exists after rmdir('.') attempt");

    CHECK_ERR_ANY(raw_path_unlink_file(root, S("dirs_a")), ERRS(__WASI_ERRNO_ISDIR, __WASI_ERRNO_PERM),
                  "path_unlink_file on a directory -> EISDIR/EPERM");
    CHECK_ERR_ANY(raw_path_unlink_file(root, S("dirs_a/")), ERRS(__WASI_ERRNO_ISDIR, __WASI_ERRNO_PERM),
                  "path_unlink_file on 'dir/' -> EISDIR/EPERM");
    CHECK_ERR_ANY(ERRNO_OF(unlink("/dirs_a")), ERRS(EISDIR, EPERM), "libc unlink(dir) -> EISDIR/EPERM");
    CHECK_ERR(raw_path_unlink_file(root, S("dirs_file/")), __WASI_ERRNO_NOTDIR, "path_unlink_file('file/') -> ENOTDIR");
    CHECK_ERR(raw_path_unlink_file(root, S("dirs_nope")), __WASI_ERRNO_NOENT, "path_unlink_file missing -> ENOENT");
    CHECK_ERR(raw_path_unlink_file(root, S("dirs_file/x")), __WASI_ERRNO_NOTDIR, "path_unlink_file('file/x') -> ENOTDIR");
    CHECK_EQ(ERRNO_OF(unlink("/dirs_file")), 0, "unlink file");
    CHECK_ERR(ERRNO_OF(stat("/dirs_file", &sb)), ENOENT, "unlinked file is gone");
    CHECK_EQ(ERRNO_OF(rmdir("/dirs_a/nested")), 0, "rmdir empty nested dir");
    CHECK_EQ(ERRNO_OF(rmdir("/dirs_a/n2")), 0, "rmdir n2");
    CHECK_EQ(ERRNO_OF(rmdir("/dirs_a")), 0, "rmdir now-empty dir");
    CHECK_EQ(ERRNO_OF(remove("/dirs_nope2")), ENOENT, "remove() missing -> ENOENT");
}

static void test_readdir_raw(void) {
    mkdir("/dirs_rd", 0755);
    put_str("/dirs_rd/a", "1");
    put_str("/dirs_rd/bb", "22");
    put_str("/dirs_rd/a_much_longer_file_name_here", "333");
    mkdir("/dirs_rd/subdir", 0755);
    CHECK_EQ(ERRNO_OF(symlink("a", "/dirs_rd/lnk")), 0, "symlink in readdir dir");
    int32_t d = -1;
    CHECK_OK(open_dir("dirs_rd", &d), "open dirs_rd");

    ent_t all[64];
    int calls;
    int n = list_dir(d, 4096, all, 64, &calls);
    CHECK(n >= 5, "fd_readdir with a 4 KiB buffer lists the directory (%d entries)", n);
    int dot = find_ent(all, n, "."), dotdot = find_ent(all, n, "..");
    CHECK(dot >= 0, "fd_readdir lists \".\"");
    CHECK(dotdot >= 0, "fd_readdir lists \"..\"");
    if (dot >= 0) CHECK_EQ(all[dot].type, __WASI_FILETYPE_DIRECTORY, "\".\" has d_type DIRECTORY");
    if (dotdot >= 0) CHECK_EQ(all[dotdot].type, __WASI_FILETYPE_DIRECTORY, "\"..\" has d_type DIRECTORY");
    __wasi_filestat_t dst;
    raw_fd_filestat_get(d, P(&dst));
    if (dot >= 0) CHECK_UEQ(all[dot].ino, dst.ino, "\".\" d_ino equals the directory's inode");
    int real = n - (dot >= 0) - (dotdot >= 0);
    CHECK_EQ(real, 5, "5 entries besides . and ..");
    int ia = find_ent(all, n, "a"), ib = find_ent(all, n, "bb"), il = find_ent(all, n, "lnk"),
        is = find_ent(all, n, "subdir"), ilong = find_ent(all, n, "a_much_longer_file_name_here");
    CHECK(ia >= 0 && ib >= 0 && il >= 0 && is >= 0 && ilong >= 0, "all created names are listed");
    if (ia >= 0) CHECK_EQ(all[ia].type, __WASI_FILETYPE_REGULAR_FILE, "file d_type REGULAR_FILE");
    if (is >= 0) CHECK_EQ(all[is].type, __WASI_FILETYPE_DIRECTORY, "subdir d_type DIRECTORY");
    if (il >= 0) CHECK_EQ(all[il].type, __WASI_FILETYPE_SYMBOLIC_LINK, "symlink d_type SYMBOLIC_LINK (not followed)");
    if (ia >= 0) CHECK_UEQ(all[ia].ino, ino_of("/dirs_rd/a"), "file d_ino equals stat st_ino");
    if (il >= 0) CHECK_UEQ(all[il].ino, ino_of("/dirs_rd/lnk"), "symlink d_ino equals lstat st_ino");
    int uniq = 1;
    for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (all[i].next == all[j].next) uniq = 0;
    CHECK(uniq, "d_next cookies are unique");

    /* cookie resume: reading from entry k's d_next starts at entry k+1 */
    int resume_ok = 1;
    for (int k = 0; k + 1 < n; k++) {
        uint8_t buf[512];
        uint32_t used = 0;
        if (raw_fd_readdir(d, P(buf), sizeof buf, (int64_t)all[k].next, P(&used)) != 0) { resume_ok = 0; break; }
        ent_t one[16];
        uint64_t lc;
        int tr;
        int m = parse_dirents(buf, used, one, 16, &lc, &tr);
        if (m != n - k - 1 || strcmp(one[0].name, all[k + 1].name) != 0) resume_ok = 0;
    }
    CHECK(resume_ok, "resuming fd_readdir at each entry's d_next yields exactly the remaining entries");
    uint8_t buf[256];
    uint32_t used = 77;
    CHECK_OK(raw_fd_readdir(d, P(buf), sizeof buf, (int64_t)all[n - 1].next, P(&used)), "fd_readdir at the last cookie");
    CHECK_EQ(used, 0, "fd_readdir at the last entry's d_next returns 0 bytes (end)");

    /* small buffers: every entry still seen exactly once */
    ent_t small[64];
    int m = list_dir(d, 64, small, 64, &calls);
    CHECK_EQ(m, n, "64-byte buffer iteration sees the same number of entries");
    int same = m == n;
    for (int i = 0; same && i < n; i++) if (find_ent(small, m, all[i].name) < 0) same = 0;
    CHECK(same, "64-byte buffer iteration sees the same names");
    CHECK(calls > 2, "64-byte buffer needed several fd_readdir calls (%d)", calls);
    /* buffer smaller than one dirent header: the buffer is filled completely */
    used = 0;
    memset(buf, 0xEE, sizeof buf);
    CHECK_OK(raw_fd_readdir(d, P(buf), 10, 0, P(&used)), "fd_readdir with a 10-byte buffer succeeds");
    CHECK_EQ(used, 10, "10-byte buffer: bufused == buf_len (truncated entry means 'more')");
    CHECK_EQ(buf[10], 0xEE, "10-byte buffer: nothing written past buf_len");
    /* a buffer that cuts through a name */
    used = 0;
    CHECK_OK(raw_fd_readdir(d, P(buf), 26, 0, P(&used)), "fd_readdir with a 26-byte buffer");
    CHECK_EQ(used, 26, "26-byte buffer: bufused == 26");
    CHECK_OK(raw_fd_readdir(d, P(buf), 0, 0, P(&used)), "fd_readdir with a 0-byte buffer succeeds");
    CHECK_EQ(used, 0, "0-byte buffer: bufused 0");

    /* readdir on a file fd */
    int32_t f = -1;
    rp_open(root, 0, "dirs_rd/a", 0, RIGHTS_FILE | __WASI_RIGHTS_FD_READDIR, 0, 0, &f);
    CHECK_ERR_ANY(raw_fd_readdir(f, P(buf), sizeof buf, 0, P(&used)), ERRS(__WASI_ERRNO_NOTDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE),
                  "fd_readdir on a regular file fails (ENOTDIR)");
    raw_fd_close(f);

    /* a new entry shows up on re-read from cookie 0 */
    put_str("/dirs_rd/new", "n");
    int n2 = list_dir(d, 4096, all, 64, &calls);
    CHECK_EQ(n2, n + 1, "new file visible to fd_readdir from cookie 0");
    raw_fd_close(d);

    /* many entries */
    mkdir("/dirs_many", 0755);
    char p[64];
    int made = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(p, sizeof p, "/dirs_many/file_%03d", i);
        if (put_str(p, "") == 0) made++;
    }
    CHECK_EQ(made, 300, "created 300 files");
    CHECK_OK(open_dir("dirs_many", &d), "open dirs_many");
    static ent_t many[400];
    n = list_dir(d, 256, many, 400, &calls);
    int dots = (find_ent(many, n, ".") >= 0) + (find_ent(many, n, "..") >= 0);
    CHECK_EQ(n - dots, 300, "256-byte buffer iteration lists all 300 files");
    int seen_all = 1;
    for (int i = 0; i < 300; i++) {
        snprintf(p, sizeof p, "file_%03d", i);
        if (find_ent(many, n, p) < 0) { seen_all = 0; break; }
    }
    CHECK(seen_all, "every one of the 300 names is listed");
    raw_fd_close(d);
}

static void test_readdir_libc(void) {
    DIR *dir = opendir("/dirs_rd");
    CHECK(dir != NULL, "opendir /dirs_rd");
    if (!dir) return;
    char names[32][64];
    long pos[32];
    int n = 0, have_dot = 0, have_dotdot = 0, types_ok = 1, ino_ok = 1;
    struct dirent *de;
    for (;;) {
        long here = telldir(dir);
        de = readdir(dir);
        if (!de || n >= 32) break;
        pos[n] = here;
        snprintf(names[n], sizeof names[n], "%s", de->d_name);
        if (!strcmp(de->d_name, ".")) have_dot = 1;
        else if (!strcmp(de->d_name, "..")) have_dotdot = 1;
        else {
            char full[128];
            snprintf(full, sizeof full, "/dirs_rd/%s", de->d_name);
            struct stat sb;
            if (lstat(full, &sb) != 0) { types_ok = 0; continue; }
            if (S_ISDIR(sb.st_mode) && de->d_type != DT_DIR) types_ok = 0;
            if (S_ISREG(sb.st_mode) && de->d_type != DT_REG) types_ok = 0;
            if (S_ISLNK(sb.st_mode) && de->d_type != DT_LNK) types_ok = 0;
            if (sb.st_ino != de->d_ino) ino_ok = 0;
        }
        n++;
    }
    CHECK(have_dot && have_dotdot, "libc readdir returns \".\" and \"..\"");
    CHECK_EQ(n - have_dot - have_dotdot, 6, "libc readdir returns the 6 entries");
    CHECK(types_ok, "libc readdir d_type matches lstat for every entry");
    CHECK(ino_ok, "libc readdir d_ino matches lstat st_ino for every entry");
    /* seekdir back to entry 3 and read on */
    if (n > 4) {
        seekdir(dir, pos[3]);
        de = readdir(dir);
        CHECK(de && !strcmp(de->d_name, names[3]), "seekdir(telldir before entry 3) re-reads entry 3");
        de = readdir(dir);
        CHECK(de && !strcmp(de->d_name, names[4]), "and then entry 4");
        seekdir(dir, pos[1]);
        de = readdir(dir);
        CHECK(de && !strcmp(de->d_name, names[1]), "seekdir backwards to entry 1");
    }
    rewinddir(dir);
    de = readdir(dir);
    CHECK(de && !strcmp(de->d_name, names[0]), "rewinddir restarts at the first entry");
    CHECK_EQ(closedir(dir), 0, "closedir");
    struct dirent **list;
    int sn = scandir("/dirs_rd", &list, NULL, alphasort);
    CHECK(sn >= 6, "scandir with alphasort");
    int sorted = 1;
    for (int i = 1; i < sn; i++) if (strcmp(list[i - 1]->d_name, list[i]->d_name) > 0) sorted = 0;
    CHECK(sorted, "scandir result is sorted");
    for (int i = 0; i < sn; i++) free(list[i]);
    if (sn >= 0) free(list);
    CHECK(opendir("/dirs_rd/a") == NULL && errno == ENOTDIR, "opendir on a file -> ENOTDIR");
    CHECK(opendir("/dirs_nope") == NULL && errno == ENOENT, "opendir missing -> ENOENT");
}

static void test_rename(void) {
    char buf[64];
    struct stat sb;
    mkdir("/dirs_rn", 0755);
    put_str("/dirs_rn/f1", "one");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/f1", "/dirs_rn/f2")), 0, "rename file to new name");
    CHECK_ERR(ERRNO_OF(stat("/dirs_rn/f1", &sb)), ENOENT, "old name gone after rename");
    CHECK_EQ(get_file("/dirs_rn/f2", buf, sizeof buf), 3, "new name has the content");
    put_str("/dirs_rn/f3", "three");
    uint64_t ino3 = ino_of("/dirs_rn/f3");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/f3", "/dirs_rn/f2")), 0, "rename file over an existing file");
    CHECK_EQ(get_file("/dirs_rn/f2", buf, sizeof buf), 5, "target replaced");
    CHECK_STR(buf, "three", "target has the source content");
    CHECK_UEQ(ino_of("/dirs_rn/f2"), ino3, "target now has the source inode");
    mkdir("/dirs_rn/d_empty", 0755);
    CHECK_ERR(ERRNO_OF(rename("/dirs_rn/f2", "/dirs_rn/d_empty")), EISDIR, "rename file over a directory -> EISDIR");
    CHECK_ERR(ERRNO_OF(rename("/dirs_rn/d_empty", "/dirs_rn/f2")), ENOTDIR, "rename directory over a file -> ENOTDIR");
    mkdir("/dirs_rn/d1", 0755);
    put_str("/dirs_rn/d1/inner", "in");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/d1", "/dirs_rn/d_empty")), 0, "rename dir over an empty dir");
    CHECK_EQ(get_file("/dirs_rn/d_empty/inner", buf, sizeof buf), 2, "contents moved with the directory");
    mkdir("/dirs_rn/d2", 0755);
    CHECK_ERR_ANY(ERRNO_OF(rename("/dirs_rn/d2", "/dirs_rn/d_empty")), ERRS(ENOTEMPTY, EEXIST),
                  "rename dir over a non-empty dir -> ENOTEMPTY");
    CHECK_ERR(ERRNO_OF(rename("/dirs_rn/d_empty", "/dirs_rn/d_empty/sub")), EINVAL, "rename dir into its own subdirectory -> EINVAL");
    CHECK_ERR(ERRNO_OF(rename("/dirs_rn/nope", "/dirs_rn/x")), ENOENT, "rename missing source -> ENOENT");
    CHECK_ERR(ERRNO_OF(rename("/dirs_rn/f2", "/dirs_rn/nodir/x")), ENOENT, "rename into missing directory -> ENOENT");
    CHECK_ERR(raw_path_rename(root, S("dirs_rn/f2/"), root, S("dirs_rn/f9")), __WASI_ERRNO_NOTDIR,
              "path_rename 'file/' (trailing slash on a file) -> ENOTDIR");
    CHECK_ERR_ANY(raw_path_rename(root, S("dirs_rn/f2"), root, S("dirs_rn/f9/")), ERRS(__WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOENT),
                  "path_rename file to 'new/' (trailing slash) -> ENOTDIR/ENOENT");
    CHECK_OK(raw_path_rename(root, S("dirs_rn/d2/"), root, S("dirs_rn/d3/")), "path_rename dir with trailing slashes on both");
    CHECK(stat("/dirs_rn/d3", &sb) == 0 && S_ISDIR(sb.st_mode), "renamed dir exists");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/f2", "/dirs_rn/f2")), 0, "rename a file onto itself succeeds");
    CHECK_EQ(get_file("/dirs_rn/f2", buf, sizeof buf), 5, "file intact after self-rename");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/f2", "/dirs_rn/d3/moved")), 0, "rename across directories");
    CHECK_EQ(get_file("/dirs_rn/d3/moved", buf, sizeof buf), 5, "moved file readable");
    /* hard links to the same inode: rename is a no-op and both names stay */
    CHECK_EQ(ERRNO_OF(link("/dirs_rn/d3/moved", "/dirs_rn/hl")), 0, "hard link for rename test");
    CHECK_EQ(ERRNO_OF(rename("/dirs_rn/d3/moved", "/dirs_rn/hl")), 0, "rename onto a hard link of itself succeeds");
    CHECK(stat("/dirs_rn/d3/moved", &sb) == 0, "both names still exist after rename onto own hard link");
    CHECK(stat("/dirs_rn/hl", &sb) == 0 && sb.st_nlink == 2, "nlink still 2");

    /* rename / unlink of open files (POSIX: the fd keeps working) */
    put_str("/dirs_open", "still here");
    int fd = open("/dirs_open", O_RDWR);
    CHECK(fd >= 0, "open file for rename-while-open");
    CHECK_EQ(ERRNO_OF(rename("/dirs_open", "/dirs_open2")), 0, "rename an open file");
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf - 1, 0), 10, "fd still reads after rename");
    CHECK_EQ(write(fd, "!", 1), 1, "fd still writes after rename");
    CHECK_EQ(ERRNO_OF(unlink("/dirs_open2")), 0, "unlink an open file");
    CHECK_ERR(ERRNO_OF(stat("/dirs_open2", &sb)), ENOENT, "unlinked name is gone");
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf - 1, 0), 10, "fd still reads after unlink");
    CHECK_STR(buf, "!till here", "data intact after unlink");
    CHECK_EQ(fstat(fd, &sb), 0, "fstat on unlinked file");
    CHECK_EQ(sb.st_nlink, 0, "unlinked open file has nlink 0");
    CHECK_EQ(ftruncate(fd, 3), 0, "ftruncate an unlinked file");
    close(fd);
    /* a new file with the old name is a different file */
    put_str("/dirs_open2", "fresh");
    CHECK_EQ(get_file("/dirs_open2", buf, sizeof buf), 5, "re-created name is a fresh file");
}

int main(void) {
    root = find_preopen("/");
    CHECK(root >= 3, "found the '/' preopen");
    if (root < 0) return finish();
    test_mkdir_rmdir_unlink();
    test_readdir_raw();
    test_readdir_libc();
    test_rename();
    return finish();
}
