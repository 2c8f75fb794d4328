/*
 * links.c - path_symlink, path_readlink, path_link, symlink following in
 * path_open/path_filestat_get, dangling symlinks, loops (ELOOP), 40+ link
 * chains, O_NOFOLLOW, trailing slashes, hard link counts. Scratch: /lk_*.
 */
#include "check.h"

static int root;

static int32_t ropen(const char *p, int follow, int oflags, int32_t *fd) {
    return rp_open(root, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, p, oflags, RIGHTS_FILE, 0, 0, fd);
}
static int32_t rstat(const char *p, int follow, __wasi_filestat_t *st) {
    return raw_path_filestat_get(root, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, S(p), P(st));
}

static void test_symlink_basic(void) {
    char buf[128];
    struct stat sb;
    CHECK_EQ(put_str("/lk_target", "target data"), 0, "create lk_target");
    CHECK_EQ(ERRNO_OF(symlink("lk_target", "/lk_s1")), 0, "symlink lk_s1 -> lk_target");
    CHECK_EQ(get_file("/lk_s1", buf, sizeof buf), 11, "read through symlink");
    CHECK_STR(buf, "target data", "content through symlink");
    ssize_t n = readlink("/lk_s1", buf, sizeof buf);
    CHECK_EQ(n, 9, "readlink length");
    buf[n > 0 ? n : 0] = 0;
    CHECK_STR(buf, "lk_target", "readlink content");
    CHECK_EQ(lstat("/lk_s1", &sb), 0, "lstat symlink");
    CHECK(S_ISLNK(sb.st_mode), "lstat reports S_IFLNK");
    CHECK_EQ(sb.st_size, 9, "symlink st_size is the target length");
    CHECK_EQ(stat("/lk_s1", &sb), 0, "stat follows symlink");
    CHECK(S_ISREG(sb.st_mode) && sb.st_size == 11, "stat through symlink sees the regular file");
    __wasi_filestat_t st;
    CHECK_OK(rstat("lk_s1", 0, &st), "path_filestat_get without SYMLINK_FOLLOW");
    CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK, "no-follow filestat filetype SYMBOLIC_LINK");
    CHECK_OK(rstat("lk_s1", 1, &st), "path_filestat_get with SYMLINK_FOLLOW");
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE, "follow filestat filetype REGULAR_FILE");

    /* raw readlink: exact length, short buffer truncates, buffer untouched past bufused */
    memset(buf, '#', sizeof buf);
    uint32_t used = 0;
    CHECK_OK(raw_path_readlink(root, S("lk_s1"), P(buf), 20, P(&used)), "path_readlink into 20-byte buffer");
    CHECK_EQ(used, 9, "path_readlink bufused 9");
    CHECK_MEM(buf, "lk_target", 9, "path_readlink content");
    CHECK_MEM(buf + 20, "####", 4, "path_readlink writes nothing past buf_len");
    memset(buf, '#', sizeof buf);
    CHECK_OK(raw_path_readlink(root, S("lk_s1"), P(buf), 4, P(&used)), "path_readlink into 4-byte buffer succeeds");
    CHECK_EQ(used, 4, "short buffer: bufused == buf_len (truncated)");
    CHECK_MEM(buf, "lk_t#", 5, "short buffer holds the first 4 bytes, nothing beyond");
    n = readlink("/lk_s1", buf, 3);
    CHECK_EQ(n, 3, "libc readlink with 3-byte buffer truncates to 3");
    CHECK_ERR(raw_path_readlink(root, S("lk_target"), P(buf), 20, P(&used)), __WASI_ERRNO_INVAL, "readlink on a regular file -> EINVAL");
    CHECK_ERR(raw_path_readlink(root, S("lk_missing"), P(buf), 20, P(&used)), __WASI_ERRNO_NOENT, "readlink on a missing path -> ENOENT");
    mkdir("/lk_dir", 0755);
    CHECK_ERR(raw_path_readlink(root, S("lk_dir"), P(buf), 20, P(&used)), __WASI_ERRNO_INVAL, "readlink on a directory -> EINVAL");

    /* existing names */
    CHECK_ERR(ERRNO_OF(symlink("x", "/lk_s1")), EEXIST, "symlink over an existing symlink -> EEXIST");
    CHECK_ERR(ERRNO_OF(symlink("x", "/lk_target")), EEXIST, "symlink over an existing file -> EEXIST");
    CHECK_ERR(ERRNO_OF(symlink("x", "/lk_dir")), EEXIST, "symlink over an existing dir -> EEXIST");
    CHECK_ERR(ERRNO_OF(symlink("x", "/lk_nodir/s")), ENOENT, "symlink in a missing directory -> ENOENT");

    /* trailing slashes on the link name */
    CHECK_ERR(raw_path_symlink(S("lk_target"), root, S("lk_new/")), __WASI_ERRNO_NOENT, "symlink to 'new/' (trailing slash, no such entry) -> ENOENT");
    CHECK_ERR(raw_path_symlink(S("lk_target"), root, S("lk_dir/")), __WASI_ERRNO_EXIST, "symlink to 'existingdir/' -> EEXIST");
    CHECK_ERR_ANY(raw_path_symlink(S("lk_target"), root, S("lk_target/")), ERRS(__WASI_ERRNO_NOTDIR, __WASI_ERRNO_EXIST),
                  "symlink to 'existingfile/' -> ENOTDIR/EEXIST");
    CHECK_ERR(ERRNO_OF(lstat("/lk_new", &sb)), ENOENT, "failed trailing-slash symlink created nothing");

    /* symlink whose target has a trailing slash to a file */
    CHECK_EQ(ERRNO_OF(symlink("lk_target/", "/lk_ts")), 0, "symlink with target 'file/'");
    CHECK_ERR(ERRNO_OF(stat("/lk_ts", &sb)), ENOTDIR, "following a symlink to 'file/' -> ENOTDIR");

    /* symlink to a directory: traversal and O_DIRECTORY */
    put_str("/lk_dir/inner", "inner");
    CHECK_EQ(ERRNO_OF(symlink("lk_dir", "/lk_dlink")), 0, "symlink to a directory");
    CHECK_EQ(get_file("/lk_dlink/inner", buf, sizeof buf), 5, "path through a directory symlink");
    int32_t fd = -1;
    CHECK_OK(ropen("lk_dlink/inner", 0, 0, &fd), "no-follow open of dirlink/inner (symlink not last) succeeds");
    raw_fd_close(fd);
    CHECK_OK(rp_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "lk_dlink", __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, &fd),
             "O_DIRECTORY open through a dir symlink with SYMLINK_FOLLOW");
    raw_fd_close(fd);
    CHECK_ERR_ANY(rp_open(root, 0, "lk_dlink", __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, &fd),
                  ERRS(__WASI_ERRNO_LOOP, __WASI_ERRNO_NOTDIR), "O_DIRECTORY no-follow open of a dir symlink -> ELOOP/ENOTDIR");
    CHECK_ERR(ERRNO_OF(rmdir("/lk_dlink")), ENOTDIR, "rmdir on a symlink to a dir -> ENOTDIR");
    CHECK_ERR_ANY(raw_path_unlink_file(root, S("lk_dlink/")), ERRS(__WASI_ERRNO_ISDIR, __WASI_ERRNO_NOTDIR, __WASI_ERRNO_PERM),
                  "unlink 'dirsymlink/' (follows to a dir) fails");
    CHECK_EQ(ERRNO_OF(unlink("/lk_dlink")), 0, "unlink a symlink to a dir removes the link");
    CHECK(stat("/lk_dir/inner", &sb) == 0, "target dir untouched by unlinking its symlink");
    /* symlink going up and back down inside the sandbox */
    CHECK_EQ(ERRNO_OF(symlink("../lk_target", "/lk_dir/up")), 0, "relative symlink '../lk_target' inside a subdir");
    CHECK_EQ(get_file("/lk_dir/up", buf, sizeof buf), 11, "'..' symlink resolves within the sandbox");
    mkdir("/lk_dir/sub", 0755);
    CHECK_EQ(ERRNO_OF(symlink("lk_dir/sub", "/lk_sublink")), 0, "symlink lk_sublink -> lk_dir/sub");
    CHECK_OK(ropen("lk_sublink/../inner", 1, 0, &fd), "'link/..' resolves physically: lk_sublink/../inner is lk_dir/inner");
    if (fd > 2) raw_fd_close(fd);
    CHECK_EQ(ERRNO_OF(symlink(".", "/lk_dot")), 0, "symlink to '.'");
    CHECK_EQ(get_file("/lk_dot/lk_dot/lk_dot/lk_target", buf, sizeof buf), 11, "path through a '.' symlink three times");
}

static void test_dangling_nofollow(void) {
    struct stat sb;
    char buf[64];
    CHECK_EQ(ERRNO_OF(symlink("lk_nothing", "/lk_dang")), 0, "create dangling symlink");
    CHECK_ERR(ERRNO_OF(stat("/lk_dang", &sb)), ENOENT, "stat dangling -> ENOENT");
    CHECK_EQ(ERRNO_OF(lstat("/lk_dang", &sb)), 0, "lstat dangling succeeds");
    CHECK(S_ISLNK(sb.st_mode), "lstat dangling is a link");
    CHECK_ERR(ERRNO_OF(open("/lk_dang", O_RDONLY)), ENOENT, "open dangling -> ENOENT");
    CHECK_ERR(ERRNO_OF(open("/lk_dang", O_RDWR | O_CREAT | O_EXCL, 0644)), EEXIST, "O_CREAT|O_EXCL on a dangling symlink -> EEXIST");
    CHECK_ERR(ERRNO_OF(lstat("/lk_nothing", &sb)), ENOENT, "O_EXCL did not create the link target");
    int32_t fd;
    CHECK_ERR(ropen("lk_dang", 0, 0, &fd), __WASI_ERRNO_LOOP, "no-follow path_open of a dangling symlink -> ELOOP");
    CHECK_ERR_ANY(ropen("lk_dang", 0, __WASI_OFLAGS_DIRECTORY, &fd), ERRS(__WASI_ERRNO_LOOP, __WASI_ERRNO_NOTDIR),
                  "no-follow O_DIRECTORY open of a dangling symlink -> ELOOP/ENOTDIR");
    CHECK_ERR(ropen("lk_s1", 0, 0, &fd), __WASI_ERRNO_LOOP, "no-follow path_open of a symlink to a file -> ELOOP");
    CHECK_ERR(ERRNO_OF(open("/lk_s1", O_RDONLY | O_NOFOLLOW)), ELOOP, "libc O_NOFOLLOW on a symlink -> ELOOP");
    int lfd = open("/lk_target", O_RDONLY | O_NOFOLLOW);
    CHECK(lfd >= 0, "O_NOFOLLOW on a regular file works");
    close(lfd);
    CHECK_EQ(ERRNO_OF(unlink("/lk_dang")), 0, "unlink dangling symlink");
    CHECK_ERR(ERRNO_OF(lstat("/lk_dang", &sb)), ENOENT, "dangling symlink removed");
    /* a dangling link becomes live once the target appears */
    CHECK_EQ(ERRNO_OF(symlink("lk_later", "/lk_dang2")), 0, "another dangling symlink");
    put_str("/lk_later", "later");
    CHECK_EQ(get_file("/lk_dang2", buf, sizeof buf), 5, "dangling link resolves after the target is created");
}

static void test_loops(void) {
    struct stat sb;
    char p[64], t[64];
    CHECK_EQ(ERRNO_OF(symlink("lk_self", "/lk_self")), 0, "self-referencing symlink");
    CHECK_ERR(ERRNO_OF(stat("/lk_self", &sb)), ELOOP, "stat self loop -> ELOOP");
    CHECK_ERR(ERRNO_OF(open("/lk_self", O_RDONLY)), ELOOP, "open self loop -> ELOOP");
    CHECK_EQ(ERRNO_OF(lstat("/lk_self", &sb)), 0, "lstat self loop succeeds");
    CHECK_EQ(ERRNO_OF(symlink("lk_loopB", "/lk_loopA")), 0, "loop A -> B");
    CHECK_EQ(ERRNO_OF(symlink("lk_loopA", "/lk_loopB")), 0, "loop B -> A");
    CHECK_ERR(ERRNO_OF(stat("/lk_loopA", &sb)), ELOOP, "stat two-link loop -> ELOOP");
    CHECK_ERR(ERRNO_OF(open("/lk_loopA/x", O_RDONLY)), ELOOP, "loop in a middle component -> ELOOP");
    CHECK_ERR(ERRNO_OF(open("/lk_loopB", O_RDWR | O_CREAT, 0644)), ELOOP, "O_CREAT through a loop -> ELOOP");
    /* chain of 45 links ending in a real file */
    int ok = 1;
    for (int i = 0; i < 45; i++) {
        snprintf(p, sizeof p, "/lk_c%02d", i);
        if (i == 44) snprintf(t, sizeof t, "lk_target");
        else snprintf(t, sizeof t, "lk_c%02d", i + 1);
        if (symlink(t, p) != 0) ok = 0;
    }
    CHECK(ok, "created a chain of 45 symlinks");
    CHECK_ERR(ERRNO_OF(stat("/lk_c00", &sb)), ELOOP, "following 45 chained symlinks -> ELOOP");
    CHECK_ERR(ERRNO_OF(open("/lk_c00", O_RDONLY)), ELOOP, "open through 45 chained symlinks -> ELOOP");
    CHECK_EQ(ERRNO_OF(stat("/lk_c40", &sb)), 0, "a chain of 5 symlinks resolves");
    CHECK_EQ(ERRNO_OF(stat("/lk_c36", &sb)), 0, "a chain of 9 symlinks resolves");
    CHECK_EQ(ERRNO_OF(lstat("/lk_c00", &sb)), 0, "lstat on the chain head succeeds");
    /* path_link on a loop (no follow) links the symlink itself */
    CHECK_EQ(ERRNO_OF(link("/lk_self", "/lk_selfhard")), 0, "hard link to a looping symlink (not followed)");
    CHECK(lstat("/lk_selfhard", &sb) == 0 && S_ISLNK(sb.st_mode), "hard link of a symlink is a symlink");
}

static void test_hardlinks(void) {
    struct stat sa, sb;
    char buf[64];
    CHECK_EQ(put_str("/lk_h1", "hard"), 0, "create lk_h1");
    CHECK_EQ(ERRNO_OF(link("/lk_h1", "/lk_h2")), 0, "link lk_h1 -> lk_h2");
    CHECK_EQ(stat("/lk_h1", &sa), 0, "stat h1");
    CHECK_EQ(stat("/lk_h2", &sb), 0, "stat h2");
    CHECK_EQ(sa.st_nlink, 2, "h1 nlink 2");
    CHECK_EQ(sb.st_nlink, 2, "h2 nlink 2");
    CHECK_UEQ(sa.st_ino, sb.st_ino, "hard links share the inode");
    mkdir("/lk_hd", 0755);
    CHECK_EQ(ERRNO_OF(link("/lk_h1", "/lk_hd/h3")), 0, "hard link into a subdirectory");
    CHECK(stat("/lk_h1", &sa) == 0 && sa.st_nlink == 3, "nlink 3 after third link");
    int fd = open("/lk_h2", O_WRONLY | O_APPEND);
    CHECK_EQ(write(fd, "ened", 4), 4, "write through h2");
    close(fd);
    CHECK_EQ(get_file("/lk_hd/h3", buf, sizeof buf), 8, "write visible through h3");
    CHECK_STR(buf, "hardened", "shared content");
    CHECK_EQ(ERRNO_OF(unlink("/lk_h1")), 0, "unlink h1");
    CHECK(stat("/lk_h2", &sb) == 0 && sb.st_nlink == 2, "nlink drops to 2");
    CHECK_EQ(get_file("/lk_h2", buf, sizeof buf), 8, "content survives unlinking one name");
    CHECK_ERR(ERRNO_OF(link("/lk_h2", "/lk_hd/h3")), EEXIST, "link onto an existing name -> EEXIST");
    CHECK_ERR(ERRNO_OF(link("/lk_h2", "/lk_h2")), EEXIST, "link onto itself -> EEXIST");
    CHECK_ERR(ERRNO_OF(link("/lk_h2", "/lk_hd")), EEXIST, "link onto an existing dir -> EEXIST");
    CHECK_ERR_ANY(ERRNO_OF(link("/lk_hd", "/lk_hdlink")), ERRS(EPERM, EACCES), "hard link of a directory -> EPERM");
    CHECK_ERR(ERRNO_OF(link("/lk_nope", "/lk_x")), ENOENT, "link from a missing source -> ENOENT");
    CHECK_ERR(ERRNO_OF(link("/lk_h2", "/lk_nodir/x")), ENOENT, "link into a missing dir -> ENOENT");
    CHECK_ERR(raw_path_link(root, 0, S("lk_h2"), root, S("lk_hnew/")), __WASI_ERRNO_NOENT, "path_link to 'new/' (trailing slash) -> ENOENT");
    CHECK_ERR_ANY(raw_path_link(root, 0, S("lk_h2/"), root, S("lk_hnew")), ERRS(__WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOENT),
                  "path_link from 'file/' -> ENOTDIR");
    /* link of a dangling symlink without follow succeeds and copies the link */
    symlink("lk_nowhere", "/lk_dl");
    CHECK_EQ(ERRNO_OF(link("/lk_dl", "/lk_dl_hard")), 0, "hard link to a dangling symlink (no follow)");
    char t[32] = {0};
    CHECK_EQ(readlink("/lk_dl_hard", t, sizeof t - 1), 10, "the new name is the same symlink");
    /* link through a symlink source with SYMLINK_FOLLOW links the target */
    symlink("lk_h2", "/lk_toh2");
    int32_t le = raw_path_link(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("lk_toh2"), root, S("lk_hfollow"));
    CHECK_ERR_ANY(le, ERRS(0, __WASI_ERRNO_INVAL), "path_link with SYMLINK_FOLLOW: links the target, or EINVAL if unsupported");
    if (le == 0)
        CHECK(lstat("/lk_hfollow", &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_ino == sa.st_ino,
              "SYMLINK_FOLLOW hard link points at the target file, not the symlink");
    else
        link("/lk_h2", "/lk_hfollow");
    /* unlinking removes names; directory listing no longer has them */
    unlink("/lk_h2");
    unlink("/lk_hd/h3");
    CHECK(stat("/lk_hfollow", &sb) == 0 && sb.st_nlink == 1, "last remaining name has nlink 1");
}

int main(void) {
    root = find_preopen("/");
    CHECK(root >= 3, "found the '/' preopen");
    if (root < 0) return finish();
    test_symlink_basic();
    test_dangling_nofollow();
    test_loops();
    test_hardlinks();
    return finish();
}
