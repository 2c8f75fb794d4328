/*
 * fd_basic.c - fd_* functions on regular files, directories, stdio and bad fds:
 * read/write/seek/tell/pread/pwrite, append, sparse writes, allocate, advise,
 * sync/datasync, filestat get/set_size/set_times, fdstat get/set_flags/
 * set_rights, renumber, close, prestat_get/prestat_dir_name.
 * Scratch files: /fdb_*.
 */
#include "check.h"
#include <sys/uio.h>

static int root;

static int32_t wr(int fd, const void *p, size_t n, uint32_t *nw) {
    __wasi_ciovec_t iov = {(const uint8_t *)p, n};
    return raw_fd_write(fd, P(&iov), 1, P(nw));
}
static int32_t rd(int fd, void *p, size_t n, uint32_t *nr) {
    __wasi_iovec_t iov = {(uint8_t *)p, n};
    return raw_fd_read(fd, P(&iov), 1, P(nr));
}
static int32_t seek(int fd, int64_t off, int whence, uint64_t *pos) {
    return raw_fd_seek(fd, off, whence, P(pos));
}
static uint64_t tell(int fd) {
    uint64_t t = ~0ull;
    if (raw_fd_tell(fd, P(&t)) != 0) return ~0ull;
    return t;
}
static __wasi_filestat_t fstat_fd(int fd) {
    __wasi_filestat_t st;
    memset(&st, 0xff, sizeof st);
    raw_fd_filestat_get(fd, P(&st));
    return st;
}
static int32_t open_file(const char *name, int oflags, uint64_t rights, int fdflags, int32_t *fd) {
    return rp_open(root, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, name, oflags, rights, rights, fdflags, fd);
}

static void test_prestat(void) {
    __wasi_prestat_t ps;
    memset(&ps, 0xff, sizeof ps);
    CHECK_OK(raw_fd_prestat_get(root, P(&ps)), "fd_prestat_get on the '/' preopen");
    CHECK_EQ(ps.tag, __WASI_PREOPENTYPE_DIR, "prestat tag is PREOPENTYPE_DIR");
    CHECK_EQ(ps.u.dir.pr_name_len, 1, "prestat name length of '/' is 1");
    char name[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_OK(raw_fd_prestat_dir_name(root, P(name), 1), "fd_prestat_dir_name succeeds");
    CHECK_STR(name, "/", "fd_prestat_dir_name is '/'");
    char big[8];
    memset(big, 'x', sizeof big);
    CHECK_OK(raw_fd_prestat_dir_name(root, P(big), 8), "fd_prestat_dir_name with a larger buffer succeeds");
    CHECK_EQ(big[0], '/', "fd_prestat_dir_name larger buffer starts with '/'");
    CHECK_ERR_ANY(raw_fd_prestat_dir_name(root, P(name), 0), ERRS(__WASI_ERRNO_INVAL, __WASI_ERRNO_NAMETOOLONG),
                  "fd_prestat_dir_name with a 0-byte buffer -> EINVAL/ENAMETOOLONG");
    CHECK_ERR(raw_fd_prestat_get(0, P(&ps)), __WASI_ERRNO_BADF, "fd_prestat_get(stdin) -> EBADF");
    CHECK_ERR(raw_fd_prestat_get(2, P(&ps)), __WASI_ERRNO_BADF, "fd_prestat_get(stderr) -> EBADF");
    CHECK_ERR(raw_fd_prestat_get(9999, P(&ps)), __WASI_ERRNO_BADF, "fd_prestat_get(9999) -> EBADF");
    CHECK_ERR(raw_fd_prestat_dir_name(9999, P(name), 1), __WASI_ERRNO_BADF, "fd_prestat_dir_name(9999) -> EBADF");
    /* a directory opened by path is not a preopen */
    int32_t dfd = -1;
    CHECK_OK(rp_open(root, 0, ".", __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, &dfd), "path_open '.' of the preopen");
    CHECK_ERR(raw_fd_prestat_get(dfd, P(&ps)), __WASI_ERRNO_BADF, "fd_prestat_get on a path_open'ed dir -> EBADF");
    __wasi_filestat_t st = fstat_fd(dfd);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY, "'.' is a directory");
    __wasi_filestat_t rst = fstat_fd(root);
    CHECK_EQ(rst.filetype, __WASI_FILETYPE_DIRECTORY, "preopen fd_filestat_get is a directory");
    CHECK(st.ino == rst.ino && st.dev == rst.dev, "'.' has the same dev/ino as the preopen");
    raw_fd_close(dfd);
}

static void test_read_write_seek(void) {
    int32_t fd = -1;
    CHECK_OK(open_file("fdb_rw", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_FILE, 0, &fd), "create fdb_rw");
    CHECK(fd > 3, "new fd is above stdio and the preopen (fd %d)", fd);
    uint32_t n = 0;
    CHECK_OK(wr(fd, "hello world", 11, &n), "fd_write 11 bytes");
    CHECK_EQ(n, 11, "fd_write nwritten");
    CHECK_EQ(tell(fd), 11, "fd_tell after write");
    uint64_t pos = 77;
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "fd_seek SET 0");
    CHECK_EQ(pos, 0, "fd_seek SET returns new offset 0");
    char buf[64] = {0};
    CHECK_OK(rd(fd, buf, sizeof buf, &n), "fd_read whole file");
    CHECK_EQ(n, 11, "fd_read returns 11 bytes");
    CHECK_MEM(buf, "hello world", 11, "fd_read data matches");
    CHECK_OK(rd(fd, buf, sizeof buf, &n), "fd_read at EOF succeeds");
    CHECK_EQ(n, 0, "fd_read at EOF returns 0 bytes");
    CHECK_OK(seek(fd, -5, __WASI_WHENCE_END, &pos), "fd_seek END -5");
    CHECK_EQ(pos, 6, "fd_seek END -5 -> 6");
    CHECK_OK(seek(fd, 2, __WASI_WHENCE_CUR, &pos), "fd_seek CUR +2");
    CHECK_EQ(pos, 8, "fd_seek CUR +2 -> 8");
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_CUR, &pos), "fd_seek CUR 0");
    CHECK_EQ(pos, 8, "fd_seek CUR 0 reports the position");
    CHECK_OK(rd(fd, buf, 3, &n), "fd_read 3 at offset 8");
    CHECK_MEM(buf, "rld", 3, "fd_read at offset 8 gives 'rld'");
    /* overwrite in the middle */
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "fd_seek SET 0 again");
    CHECK_OK(wr(fd, "J", 1, &n), "overwrite first byte");
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "rewind");
    CHECK_OK(rd(fd, buf, 11, &n), "read back");
    CHECK_MEM(buf, "Jello world", 11, "overwrite in place keeps the rest");
    CHECK_EQ(fstat_fd(fd).size, 11, "size unchanged by in-place overwrite");

    /* negative and invalid seeks */
    CHECK_ERR(seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL, "fd_seek SET -1 -> EINVAL");
    CHECK_ERR(seek(fd, -12, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL, "fd_seek END -(size+1) -> EINVAL");
    CHECK_OK(seek(fd, 4, __WASI_WHENCE_SET, &pos), "fd_seek SET 4");
    CHECK_ERR(seek(fd, -5, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL, "fd_seek CUR -(pos+1) -> EINVAL");
    CHECK_EQ(tell(fd), 4, "failed seeks leave the offset alone");
    CHECK_ERR(seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL, "fd_seek whence 3 -> EINVAL");
    CHECK_ERR(seek(fd, 0, 255, &pos), __WASI_ERRNO_INVAL, "fd_seek whence 255 -> EINVAL");

    /* seek beyond the end is allowed; writing there zero-fills (sparse) */
    CHECK_OK(seek(fd, 100000, __WASI_WHENCE_SET, &pos), "fd_seek beyond end succeeds");
    CHECK_EQ(pos, 100000, "fd_seek beyond end returns that offset");
    CHECK_EQ(fstat_fd(fd).size, 11, "seeking past EOF does not change the size");
    CHECK_OK(rd(fd, buf, 10, &n), "fd_read past EOF");
    CHECK_EQ(n, 0, "fd_read past EOF returns 0");
    CHECK_OK(wr(fd, "END", 3, &n), "fd_write past EOF");
    CHECK_EQ(fstat_fd(fd).size, 100003, "write past EOF extends the size");
    char *gap = malloc(100003);
    uint32_t total = 0;
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "rewind sparse file");
    while (total < 100003) {
        if (rd(fd, gap + total, 100003 - total, &n) != 0 || n == 0) break;
        total += n;
    }
    CHECK_EQ(total, 100003, "read back whole sparse file");
    int zero = 1;
    for (int i = 11; i < 100000; i++) if (gap[i] != 0) { zero = 0; break; }
    CHECK(zero, "the hole between old EOF and the write reads as zeros");
    CHECK_MEM(gap + 100000, "END", 3, "bytes written past the hole");
    free(gap);

    /* scatter/gather */
    CHECK_OK(raw_fd_filestat_set_size(fd, 0), "truncate to 0");
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "rewind");
    __wasi_ciovec_t civ[4] = {{(const uint8_t *)"abc", 3}, {(const uint8_t *)"", 0}, {(const uint8_t *)"defg", 4}, {(const uint8_t *)"h", 1}};
    CHECK_OK(raw_fd_write(fd, P(civ), 4, P(&n)), "fd_write with 4 iovecs (one empty)");
    CHECK_EQ(n, 8, "gathered write wrote 8 bytes");
    CHECK_OK(raw_fd_write(fd, P(civ), 0, P(&n)), "fd_write with 0 iovecs");
    CHECK_EQ(n, 0, "fd_write with 0 iovecs writes nothing");
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "rewind");
    char a[2], b[0 + 1], c[10];
    __wasi_iovec_t iv[3] = {{(uint8_t *)a, 2}, {(uint8_t *)b, 0}, {(uint8_t *)c, 10}};
    CHECK_OK(raw_fd_read(fd, P(iv), 3, P(&n)), "fd_read with 3 iovecs");
    CHECK_EQ(n, 8, "scattered read got 8 bytes");
    CHECK_MEM(a, "ab", 2, "first iovec filled first");
    CHECK_MEM(c, "cdefgh", 6, "remaining bytes in third iovec");
    /* libc readv/writev */
    struct iovec lv[2] = {{"12", 2}, {"345", 3}};
    CHECK_EQ(writev(fd, lv, 2), 5, "libc writev");
    CHECK_EQ(fstat_fd(fd).size, 13, "size after writev");

    /* pread / pwrite do not move the offset */
    CHECK_OK(seek(fd, 3, __WASI_WHENCE_SET, &pos), "seek to 3");
    __wasi_iovec_t piov = {(uint8_t *)buf, 4};
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 8, P(&n)), "fd_pread 4 at offset 8");
    CHECK_EQ(n, 4, "fd_pread count");
    CHECK_MEM(buf, "1234", 4, "fd_pread data");
    CHECK_EQ(tell(fd), 3, "fd_pread does not move the offset");
    __wasi_ciovec_t pw = {(const uint8_t *)"XY", 2};
    CHECK_OK(raw_fd_pwrite(fd, P(&pw), 1, 1, P(&n)), "fd_pwrite 2 at offset 1");
    CHECK_EQ(n, 2, "fd_pwrite count");
    CHECK_EQ(tell(fd), 3, "fd_pwrite does not move the offset");
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 0, P(&n)), "fd_pread at 0");
    CHECK_MEM(buf, "aXYd", 4, "fd_pwrite data visible");
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 1000, P(&n)), "fd_pread beyond EOF succeeds");
    CHECK_EQ(n, 0, "fd_pread beyond EOF returns 0 bytes");
    CHECK_OK(raw_fd_pwrite(fd, P(&pw), 1, 20, P(&n)), "fd_pwrite beyond EOF");
    CHECK_EQ(fstat_fd(fd).size, 22, "fd_pwrite beyond EOF extends file");
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 12, P(&n)), "fd_pread across the pwrite hole");
    CHECK_MEM(buf, "5\0\0\0", 4, "fd_pwrite hole is zero-filled");
    CHECK_EQ(pread(fd, buf, 2, 20), 2, "libc pread");
    CHECK_MEM(buf, "XY", 2, "libc pread data");
    CHECK_EQ(pwrite(fd, "Q", 1, 0), 1, "libc pwrite");
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3, "libc lseek SEEK_CUR after pread/pwrite");
    CHECK_EQ(lseek(fd, -1, SEEK_SET), -1, "libc lseek to -1 fails");
    CHECK_ERR(errno, EINVAL, "libc lseek to -1 sets EINVAL");

    /* fd_allocate / fd_advise / fd_sync / fd_datasync */
    CHECK_OK(raw_fd_allocate(fd, 0, 4096), "fd_allocate(0, 4096)");
    CHECK_EQ(fstat_fd(fd).size, 4096, "fd_allocate grows the size to offset+len");
    CHECK_OK(raw_fd_allocate(fd, 10, 10), "fd_allocate inside the file");
    CHECK_EQ(fstat_fd(fd).size, 4096, "fd_allocate inside the file does not shrink it");
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 4000, P(&n)), "read allocated area");
    CHECK_MEM(buf, "\0\0\0\0", 4, "allocated area reads as zeros");
    CHECK_EQ(posix_fallocate(fd, 4000, 200), 0, "libc posix_fallocate");
    CHECK_EQ(fstat_fd(fd).size, 4200, "posix_fallocate grows the size");
    for (int adv = 0; adv <= 5; adv++)
        CHECK_OK(raw_fd_advise(fd, 0, 100, adv), "fd_advise advice %d", adv);
    CHECK_ERR(raw_fd_advise(fd, 0, 100, 6), __WASI_ERRNO_INVAL, "fd_advise advice 6 -> EINVAL");
    CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0, "libc posix_fadvise");
    CHECK_OK(raw_fd_sync(fd), "fd_sync");
    CHECK_OK(raw_fd_datasync(fd), "fd_datasync");
    CHECK_EQ(fsync(fd), 0, "libc fsync");
    CHECK_EQ(fdatasync(fd), 0, "libc fdatasync");

    /* set_size shrink/grow */
    CHECK_OK(raw_fd_filestat_set_size(fd, 5), "fd_filestat_set_size shrink to 5");
    CHECK_EQ(fstat_fd(fd).size, 5, "size is 5");
    CHECK_OK(raw_fd_filestat_set_size(fd, 9), "fd_filestat_set_size grow to 9");
    CHECK_OK(raw_fd_pread(fd, P(&piov), 1, 4, P(&n)), "read across the grown area");
    CHECK_EQ(n, 4, "4 bytes after grow");
    CHECK_MEM(buf, "e\0\0\0", 4, "growing with set_size zero-fills (old data past 5 is gone)");
    CHECK_EQ(ftruncate(fd, 2), 0, "libc ftruncate");
    CHECK_EQ(fstat_fd(fd).size, 2, "ftruncate size");
    raw_fd_close(fd);
}

static void test_append(void) {
    CHECK_EQ(put_str("/fdb_app", "0123456789"), 0, "create fdb_app");
    int32_t fd = -1;
    CHECK_OK(open_file("fdb_app", 0, RIGHTS_FILE, __WASI_FDFLAGS_APPEND, &fd), "open fdb_app with FDFLAGS_APPEND");
    __wasi_fdstat_t fs;
    CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)), "fdstat of append fd");
    CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND, "fdstat reports FDFLAGS_APPEND");
    uint64_t pos;
    uint32_t n;
    CHECK_OK(seek(fd, 2, __WASI_WHENCE_SET, &pos), "seek to 2 on append fd");
    CHECK_OK(wr(fd, "ab", 2, &n), "write on append fd");
    CHECK_EQ(fstat_fd(fd).size, 12, "append write goes to the end");
    CHECK_EQ(tell(fd), 12, "offset is at the end after an append write");
    char buf[32] = {0};
    __wasi_iovec_t iv = {(uint8_t *)buf, sizeof buf};
    CHECK_OK(raw_fd_pread(fd, P(&iv), 1, 0, P(&n)), "pread on append fd");
    CHECK_MEM(buf, "0123456789ab", 12, "append data at end, original intact");
    /* pwrite on an O_APPEND fd: POSIX says write at offset; Linux (and wasmtime
       since 2024) append. Either is accepted; the offset must not move. */
    __wasi_ciovec_t pw = {(const uint8_t *)"PW", 2};
    CHECK_OK(seek(fd, 1, __WASI_WHENCE_SET, &pos), "seek to 1");
    CHECK_OK(raw_fd_pwrite(fd, P(&pw), 1, 0, P(&n)), "fd_pwrite on append fd succeeds");
    memset(buf, 0, sizeof buf);
    CHECK_OK(raw_fd_pread(fd, P(&iv), 1, 0, P(&n)), "pread after pwrite");
    int posix = n == 12 && memcmp(buf, "PW23456789ab", 12) == 0;
    int linux_ = n == 14 && memcmp(buf, "0123456789abPW", 14) == 0;
    CHECK(posix || linux_, "fd_pwrite on append fd writes at offset 0 (POSIX) or at the end (Linux)");
    NOTE("fd_pwrite on an append fd behaved like %s", posix ? "POSIX (at offset)" : linux_ ? "Linux (appended)" : "neither");
    CHECK_EQ(tell(fd), 1, "fd_pwrite on append fd leaves the offset alone");
    raw_fd_close(fd);

    /* fd_fdstat_set_flags toggles APPEND */
    CHECK_EQ(put_str("/fdb_app2", "abc"), 0, "create fdb_app2");
    CHECK_OK(open_file("fdb_app2", 0, RIGHTS_FILE, 0, &fd), "open fdb_app2 without append");
    CHECK_OK(raw_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), "fd_fdstat_set_flags(APPEND)");
    CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)), "fdstat after set_flags");
    CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND, "fdstat shows APPEND after set_flags");
    CHECK_OK(wr(fd, "D", 1, &n), "write after set_flags(APPEND)");
    CHECK_OK(raw_fd_pread(fd, P(&iv), 1, 0, P(&n)), "read back");
    CHECK_EQ(n, 4, "append via set_flags grew file to 4");
    CHECK_MEM(buf, "abcD", 4, "set_flags(APPEND) write landed at the end");
    CHECK_OK(raw_fd_fdstat_set_flags(fd, 0), "fd_fdstat_set_flags(0) clears APPEND");
    CHECK_OK(seek(fd, 0, __WASI_WHENCE_SET, &pos), "seek 0");
    CHECK_OK(wr(fd, "Z", 1, &n), "write at 0 after clearing APPEND");
    CHECK_OK(raw_fd_pread(fd, P(&iv), 1, 0, P(&n)), "read back");
    CHECK_MEM(buf, "ZbcD", 4, "write after clearing APPEND lands at the offset");
    CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND), 0, "libc fcntl F_SETFL O_APPEND");
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0, "libc fcntl F_GETFL shows O_APPEND");
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR, "fcntl F_GETFL access mode derived from rights is O_RDWR");
    raw_fd_close(fd);

    /* libc O_APPEND */
    int lfd = open("/fdb_app3", O_WRONLY | O_CREAT | O_APPEND, 0644);
    CHECK(lfd >= 0, "libc open O_APPEND|O_CREAT");
    CHECK_EQ(write(lfd, "one", 3), 3, "libc write 1");
    CHECK_EQ(lseek(lfd, 0, SEEK_SET), 0, "libc lseek 0");
    CHECK_EQ(write(lfd, "two", 3), 3, "libc write 2");
    close(lfd);
    CHECK_EQ(get_file("/fdb_app3", buf, sizeof buf), 6, "O_APPEND file length");
    CHECK_STR(buf, "onetwo", "O_APPEND writes both at the end");
}

static void test_filestat_times(void) {
    int32_t fd = -1;
    CHECK_OK(open_file("fdb_times", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd), "create fdb_times");
    __wasi_filestat_t st = fstat_fd(fd);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE, "filestat filetype REGULAR_FILE");
    CHECK_EQ(st.nlink, 1, "filestat nlink 1");
    CHECK_EQ(st.size, 0, "filestat size 0");
    uint64_t now = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK(st.mtim > now - 600ull * 1000000000ull && st.mtim < now + 600ull * 1000000000ull,
          "new file mtim is close to now");
    /* exact nanosecond timestamps */
    const uint64_t A = 1600000000123456789ull, M = 1500000000987654321ull;
    CHECK_OK(raw_fd_filestat_set_times(fd, (int64_t)A, (int64_t)M, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
             "fd_filestat_set_times(ATIM|MTIM)");
    st = fstat_fd(fd);
    CHECK_UEQ(st.atim, A, "atim stored with nanosecond precision");
    CHECK_UEQ(st.mtim, M, "mtim stored with nanosecond precision");
    __wasi_filestat_t before = st;
    CHECK_OK(raw_fd_filestat_set_times(fd, 1, 2, 0), "fd_filestat_set_times with no flags");
    st = fstat_fd(fd);
    CHECK_UEQ(st.mtim, before.mtim, "no flags: mtim unchanged");
    CHECK_UEQ(st.atim, before.atim, "no flags: atim unchanged");
    CHECK_OK(raw_fd_filestat_set_times(fd, 0, 1000000000ull, __WASI_FSTFLAGS_MTIM), "set only MTIM");
    st = fstat_fd(fd);
    CHECK_UEQ(st.mtim, 1000000000ull, "MTIM only: mtim set");
    CHECK_UEQ(st.atim, before.atim, "MTIM only: atim untouched");
    uint64_t t0 = now_ns(__WASI_CLOCKID_REALTIME);
    CHECK_OK(raw_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW), "set ATIM_NOW|MTIM_NOW");
    uint64_t t1 = now_ns(__WASI_CLOCKID_REALTIME);
    st = fstat_fd(fd);
    /* allow 10ms slack for coarse host clocks */
    CHECK(st.mtim + 10000000ull >= t0 && st.mtim <= t1 + 10000000ull, "MTIM_NOW sets mtim to now");
    CHECK(st.atim + 10000000ull >= t0 && st.atim <= t1 + 10000000ull, "ATIM_NOW sets atim to now");
    CHECK_ERR(raw_fd_filestat_set_times(fd, 5, 5, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL,
              "fd_filestat_set_times ATIM|ATIM_NOW -> EINVAL");
    CHECK_ERR(raw_fd_filestat_set_times(fd, 5, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_INVAL,
              "fd_filestat_set_times MTIM|MTIM_NOW -> EINVAL");
    /* writing updates mtim */
    CHECK_OK(raw_fd_filestat_set_times(fd, 0, 1000000000ull, __WASI_FSTFLAGS_MTIM), "set old mtim");
    uint32_t n;
    CHECK_OK(wr(fd, "x", 1, &n), "write 1 byte");
    st = fstat_fd(fd);
    CHECK(st.mtim > 1000000000ull * 1000, "fd_write updates mtim");
    /* libc futimens */
    struct timespec ts[2] = {{100, 5}, {200, 7}};
    CHECK_EQ(futimens(fd, ts), 0, "libc futimens");
    struct stat sb;
    CHECK_EQ(fstat(fd, &sb), 0, "libc fstat");
    CHECK(sb.st_mtim.tv_sec == 200 && sb.st_mtim.tv_nsec == 7, "futimens mtime 200.000000007 (got %lld.%09ld)",
          (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
    CHECK(sb.st_atim.tv_sec == 100 && sb.st_atim.tv_nsec == 5, "futimens atime 100.000000005");
    CHECK(S_ISREG(sb.st_mode), "fstat S_ISREG");
    CHECK_EQ(sb.st_size, 1, "fstat st_size");
    /* two fds on the same file share dev/ino; another file differs */
    int32_t fd2 = -1, fd3 = -1;
    CHECK_OK(open_file("fdb_times", 0, RIGHTS_FILE, 0, &fd2), "reopen fdb_times");
    CHECK_OK(open_file("fdb_other", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd3), "create fdb_other");
    __wasi_filestat_t s1 = fstat_fd(fd), s2 = fstat_fd(fd2), s3 = fstat_fd(fd3);
    CHECK(s1.ino == s2.ino && s1.dev == s2.dev, "same file -> same dev and ino");
    CHECK(s1.ino != s3.ino, "different files -> different ino");
    CHECK_OK(wr(fd2, "yz", 2, &n), "write through second fd");
    CHECK_EQ(fstat_fd(fd).size, 2, "size change visible through first fd");
    raw_fd_close(fd);
    raw_fd_close(fd2);
    raw_fd_close(fd3);
}

static void test_fdstat_rights(void) {
    int32_t fd = -1;
    CHECK_OK(open_file("fdb_rights", __WASI_OFLAGS_CREAT, RIGHTS_FILE, 0, &fd), "create fdb_rights");
    __wasi_fdstat_t fs;
    CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)), "fd_fdstat_get on file");
    CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_REGULAR_FILE, "fdstat filetype REGULAR_FILE");
    CHECK_EQ(fs.fs_flags, 0, "fdstat flags 0");
    uint64_t need = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
    CHECK_UEQ(fs.fs_rights_base & need, need, "file fd has read/write/seek/tell rights");
    /* drop FD_WRITE */
    uint64_t reduced = fs.fs_rights_base & ~(uint64_t)__WASI_RIGHTS_FD_WRITE;
    CHECK_OK(raw_fd_fdstat_set_rights(fd, (int64_t)reduced, (int64_t)fs.fs_rights_inheriting), "fd_fdstat_set_rights drops FD_WRITE");
    __wasi_fdstat_t fs2;
    CHECK_OK(raw_fd_fdstat_get(fd, P(&fs2)), "fdstat after set_rights");
    CHECK_UEQ(fs2.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0, "FD_WRITE is gone from fdstat");
    uint32_t n;
    CHECK_ERR_ANY(wr(fd, "x", 1, &n), ERRS(__WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF), "fd_write without FD_WRITE -> ENOTCAPABLE/EBADF");
    CHECK_ERR(raw_fd_fdstat_set_rights(fd, (int64_t)fs.fs_rights_base, (int64_t)fs.fs_rights_inheriting), __WASI_ERRNO_NOTCAPABLE,
              "fd_fdstat_set_rights cannot add rights back -> ENOTCAPABLE");
    /* drop FD_SEEK too; fd_seek and fd_tell must then be refused */
    uint64_t noseek = reduced & ~(uint64_t)(__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL);
    CHECK_OK(raw_fd_fdstat_set_rights(fd, (int64_t)noseek, 0), "drop FD_SEEK|FD_TELL");
    uint64_t pos;
    CHECK_ERR(seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE, "fd_seek without FD_SEEK -> ENOTCAPABLE");
    CHECK_ERR(raw_fd_tell(fd, P(&pos)), __WASI_ERRNO_NOTCAPABLE, "fd_tell without FD_TELL -> ENOTCAPABLE");
    char buf[4];
    CHECK_OK(rd(fd, buf, 4, &n), "fd_read still allowed");
    raw_fd_close(fd);

    /* read-only open via libc has no FD_WRITE right */
    int lfd = open("/fdb_rights", O_RDONLY);
    CHECK(lfd >= 0, "libc open O_RDONLY");
    CHECK_OK(raw_fd_fdstat_get(lfd, P(&fs)), "fdstat of O_RDONLY fd");
    CHECK_UEQ(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0, "O_RDONLY fd lacks FD_WRITE");
    CHECK_EQ(write(lfd, "x", 1), -1, "libc write on O_RDONLY fd fails");
    CHECK_ERR_ANY(errno, ERRS(EBADF, ENOTCAPABLE), "write on O_RDONLY fd errno EBADF/ENOTCAPABLE");
    CHECK_EQ(fcntl(lfd, F_GETFL) & O_ACCMODE, O_RDONLY, "fcntl F_GETFL reports O_RDONLY");
    close(lfd);
    lfd = open("/fdb_rights", O_WRONLY);
    CHECK(lfd >= 0, "libc open O_WRONLY");
    CHECK_EQ(read(lfd, buf, 1), -1, "libc read on O_WRONLY fd fails");
    CHECK_ERR_ANY(errno, ERRS(EBADF, ENOTCAPABLE), "read on O_WRONLY fd errno EBADF/ENOTCAPABLE");
    close(lfd);
}

static void test_renumber_close(void) {
    int32_t a = -1, b = -1;
    CHECK_EQ(put_str("/fdb_ren_a", "AAAA"), 0, "create fdb_ren_a");
    CHECK_EQ(put_str("/fdb_ren_b", "BBBB"), 0, "create fdb_ren_b");
    CHECK_OK(open_file("fdb_ren_a", 0, RIGHTS_FILE, 0, &a), "open a");
    CHECK_OK(open_file("fdb_ren_b", 0, RIGHTS_FILE, 0, &b), "open b");
    uint64_t pos;
    CHECK_OK(seek(a, 2, __WASI_WHENCE_SET, &pos), "seek a to 2");
    CHECK_OK(raw_fd_renumber(a, b), "fd_renumber(a, b)");
    char buf[8] = {0};
    uint32_t n;
    CHECK_OK(rd(b, buf, 8, &n), "read via b after renumber");
    CHECK_EQ(n, 2, "b now has a's offset (2 bytes left)");
    CHECK_MEM(buf, "AA", 2, "b now refers to fdb_ren_a");
    CHECK_ERR(rd(a, buf, 1, &n), __WASI_ERRNO_BADF, "old fd a is closed after renumber");
    CHECK_ERR(raw_fd_close(a), __WASI_ERRNO_BADF, "closing renumbered-away fd -> EBADF");
    CHECK_ERR(raw_fd_renumber(9999, b), __WASI_ERRNO_BADF, "fd_renumber from bad fd -> EBADF");
    CHECK_OK(raw_fd_renumber(b, b), "fd_renumber(b, b) is a no-op");
    CHECK_OK(rd(b, buf, 1, &n), "b still usable after self-renumber");
    CHECK_OK(raw_fd_close(b), "fd_close");
    CHECK_ERR(raw_fd_close(b), __WASI_ERRNO_BADF, "double fd_close -> EBADF");
    CHECK_ERR(raw_fd_close(9999), __WASI_ERRNO_BADF, "fd_close(9999) -> EBADF");
    CHECK_ERR(raw_fd_close(-1), __WASI_ERRNO_BADF, "fd_close(0xffffffff) -> EBADF");
    /* many fds open at once are all distinct; closing frees them */
    int fds[100], distinct = 1, opened = 0;
    for (int i = 0; i < 100; i++) {
        int32_t f = -1;
        if (open_file("fdb_ren_a", 0, RIGHTS_FILE, 0, &f) == 0) { fds[opened++] = f; }
    }
    CHECK_EQ(opened, 100, "100 simultaneous opens of one file succeed");
    for (int i = 0; i < opened; i++) for (int j = i + 1; j < opened; j++) if (fds[i] == fds[j]) distinct = 0;
    CHECK(distinct, "100 open fds are distinct");
    int closed = 0;
    for (int i = 0; i < opened; i++) if (raw_fd_close(fds[i]) == 0) closed++;
    CHECK_EQ(closed, 100, "all 100 close");
}

static void test_stdio_and_bad(void) {
    __wasi_fdstat_t fs;
    for (int fd = 0; fd <= 2; fd++) {
        CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)), "fd_fdstat_get(%d)", fd);
        CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_CHARACTER_DEVICE, "stdio fd %d is a CHARACTER_DEVICE", fd);
        CHECK_UEQ(fs.fs_rights_base & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL), 0,
                  "stdio fd %d has neither FD_SEEK nor FD_TELL", fd);
    }
    CHECK_UEQ(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE, __WASI_RIGHTS_FD_WRITE, "stderr has FD_WRITE");
    uint64_t pos;
    CHECK_ERR_ANY(seek(1, 0, __WASI_WHENCE_CUR, &pos), ERRS(__WASI_ERRNO_SPIPE, __WASI_ERRNO_NOTCAPABLE),
                  "fd_seek(stdout) -> ESPIPE (or ENOTCAPABLE: no FD_SEEK right)");
    CHECK_ERR_ANY(raw_fd_tell(1, P(&pos)), ERRS(__WASI_ERRNO_SPIPE, __WASI_ERRNO_NOTCAPABLE),
                  "fd_tell(stdout) -> ESPIPE (or ENOTCAPABLE)");
    CHECK_EQ(lseek(1, 0, SEEK_CUR), -1, "libc lseek(stdout) fails");
    NOTE("isatty(stdout) = %d", isatty(1));
    uint32_t n;
    CHECK_OK(wr(2, "", 0, &n), "zero-length write to stderr");
    CHECK_EQ(n, 0, "zero-length write to stderr wrote 0");

    /* bad fd on every fd_* function */
    char buf[8];
    __wasi_filestat_t st;
    CHECK_ERR(rd(9999, buf, 1, &n), __WASI_ERRNO_BADF, "fd_read(9999) -> EBADF");
    CHECK_ERR(wr(9999, "x", 1, &n), __WASI_ERRNO_BADF, "fd_write(9999) -> EBADF");
    __wasi_iovec_t iv = {(uint8_t *)buf, 1};
    CHECK_ERR(raw_fd_pread(9999, P(&iv), 1, 0, P(&n)), __WASI_ERRNO_BADF, "fd_pread(9999) -> EBADF");
    CHECK_ERR(raw_fd_pwrite(9999, P(&iv), 1, 0, P(&n)), __WASI_ERRNO_BADF, "fd_pwrite(9999) -> EBADF");
    CHECK_ERR(seek(9999, 0, 0, &pos), __WASI_ERRNO_BADF, "fd_seek(9999) -> EBADF");
    CHECK_ERR(raw_fd_tell(9999, P(&pos)), __WASI_ERRNO_BADF, "fd_tell(9999) -> EBADF");
    CHECK_ERR(raw_fd_fdstat_get(9999, P(&fs)), __WASI_ERRNO_BADF, "fd_fdstat_get(9999) -> EBADF");
    CHECK_ERR(raw_fd_fdstat_set_flags(9999, 0), __WASI_ERRNO_BADF, "fd_fdstat_set_flags(9999) -> EBADF");
    CHECK_ERR(raw_fd_fdstat_set_rights(9999, 0, 0), __WASI_ERRNO_BADF, "fd_fdstat_set_rights(9999) -> EBADF");
    CHECK_ERR(raw_fd_filestat_get(9999, P(&st)), __WASI_ERRNO_BADF, "fd_filestat_get(9999) -> EBADF");
    CHECK_ERR(raw_fd_filestat_set_size(9999, 0), __WASI_ERRNO_BADF, "fd_filestat_set_size(9999) -> EBADF");
    CHECK_ERR(raw_fd_filestat_set_times(9999, 0, 0, 0), __WASI_ERRNO_BADF, "fd_filestat_set_times(9999) -> EBADF");
    CHECK_ERR(raw_fd_advise(9999, 0, 0, 0), __WASI_ERRNO_BADF, "fd_advise(9999) -> EBADF");
    CHECK_ERR(raw_fd_allocate(9999, 0, 1), __WASI_ERRNO_BADF, "fd_allocate(9999) -> EBADF");
    CHECK_ERR(raw_fd_sync(9999), __WASI_ERRNO_BADF, "fd_sync(9999) -> EBADF");
    CHECK_ERR(raw_fd_datasync(9999), __WASI_ERRNO_BADF, "fd_datasync(9999) -> EBADF");
    CHECK_ERR(raw_fd_readdir(9999, P(buf), 8, 0, P(&n)), __WASI_ERRNO_BADF, "fd_readdir(9999) -> EBADF");
}

static void test_dir_fd_ops(void) {
    mkdir("/fdb_dir", 0755);
    int32_t d = -1;
    CHECK_OK(rp_open(root, 0, "fdb_dir", __WASI_OFLAGS_DIRECTORY, dir_rights(root), inh_rights(root), 0, &d), "open fdb_dir");
    char buf[16];
    uint32_t n;
    uint64_t pos;
    const int *direrr = ERRS(__WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERR_ANY(rd(d, buf, 16, &n), direrr, "fd_read on a directory fails");
    CHECK_ERR_ANY(wr(d, "x", 1, &n), direrr, "fd_write on a directory fails");
    __wasi_iovec_t iv = {(uint8_t *)buf, 16};
    CHECK_ERR_ANY(raw_fd_pread(d, P(&iv), 1, 0, P(&n)), direrr, "fd_pread on a directory fails");
    CHECK_ERR_ANY(raw_fd_pwrite(d, P(&iv), 1, 0, P(&n)), direrr, "fd_pwrite on a directory fails");
    CHECK_ERR_ANY(seek(d, 0, __WASI_WHENCE_SET, &pos), direrr, "fd_seek on a directory fails");
    CHECK_ERR_ANY(raw_fd_filestat_set_size(d, 0), ERRS(__WASI_ERRNO_ISDIR, __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_INVAL),
                  "fd_filestat_set_size on a directory fails");
    __wasi_fdstat_t fs;
    CHECK_OK(raw_fd_fdstat_get(d, P(&fs)), "fdstat on a directory");
    CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_DIRECTORY, "directory fdstat filetype DIRECTORY");
    CHECK_UEQ(fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK, 0, "directory fd has no FD_SEEK right even when requested");
    CHECK_OK(raw_fd_sync(d), "fd_sync on a directory");
    raw_fd_close(d);
}

int main(void) {
    root = find_preopen("/");
    CHECK(root >= 3, "found the '/' preopen (fd %d)", root);
    if (root < 0) return finish();
    test_prestat();
    test_read_write_seek();
    test_append();
    test_filestat_times();
    test_fdstat_rights();
    test_renumber_close();
    test_stdio_and_bad();
    test_dir_fd_ops();
    return finish();
}
