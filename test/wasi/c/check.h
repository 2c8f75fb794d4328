/*
 * check.h - tiny self-checking harness shared by the Berth WASI test programs.
 *
 * Every check prints exactly one line:
 *     ok - <what>
 *     not ok - <what>: got X, expected Y
 * and finish() prints "# passed N failed M" and returns the exit status
 * (0 when M == 0, 1 otherwise).
 *
 * It also declares every wasi_snapshot_preview1 import under a raw_ name with
 * plain integer parameters (pointers are u32 offsets into linear memory) so
 * tests can pass out-of-bounds pointers, explicit path lengths, NUL bytes
 * inside paths and so on, which the typed __wasi_* wrappers do not allow.
 */
#ifndef BERTH_CHECK_H
#define BERTH_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int g_passed, g_failed;

/* ---------------------------------------------------------------- errnos */

static const char *const g_errno_names[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT",
    "AGAIN", "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD",
    "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM",
    "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ",
    "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE",
    "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET",
    "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK",
    "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN",
    "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
    "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO", "PROTONOSUPPORT",
    "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT",
    "TXTBSY", "XDEV", "NOTCAPABLE",
};

static const char *errname(int e) {
    static char buf[4][24];
    static int slot;
    if (e >= 0 && e < (int)(sizeof g_errno_names / sizeof *g_errno_names))
        return g_errno_names[e];
    slot = (slot + 1) & 3;
    snprintf(buf[slot], sizeof buf[slot], "errno-%d", e);
    return buf[slot];
}

/* -------------------------------------------------------------- reporting */

static void report(int ok, const char *detail, const char *fmt, va_list ap) {
    fputs(ok ? "ok - " : "not ok - ", stdout);
    vprintf(fmt, ap);
    if (!ok && detail && *detail) printf(": %s", detail);
    putchar('\n');
    fflush(stdout);
    if (ok) g_passed++; else g_failed++;
}

/* CHECK(cond, fmt, ...) */
static int check_true(int cond, const char *condtext, const char *fmt, ...) {
    char detail[256];
    snprintf(detail, sizeof detail, "got false, expected true (%s)", condtext);
    va_list ap; va_start(ap, fmt); report(cond, detail, fmt, ap); va_end(ap);
    return cond;
}
#define CHECK(cond, ...) check_true(!!(cond), #cond, __VA_ARGS__)

/* CHECK_EQ(got, expected, fmt, ...) on 64-bit integers */
static int check_eq(long long got, long long exp, const char *fmt, ...) {
    char detail[160];
    snprintf(detail, sizeof detail, "got %lld, expected %lld", got, exp);
    va_list ap; va_start(ap, fmt); report(got == exp, detail, fmt, ap); va_end(ap);
    return got == exp;
}
#define CHECK_EQ(got, exp, ...) check_eq((long long)(got), (long long)(exp), __VA_ARGS__)

static int check_ueq(unsigned long long got, unsigned long long exp, const char *fmt, ...) {
    char detail[160];
    snprintf(detail, sizeof detail, "got %llu (0x%llx), expected %llu (0x%llx)", got, got, exp, exp);
    va_list ap; va_start(ap, fmt); report(got == exp, detail, fmt, ap); va_end(ap);
    return got == exp;
}
#define CHECK_UEQ(got, exp, ...) check_ueq((unsigned long long)(got), (unsigned long long)(exp), __VA_ARGS__)

/* CHECK_ERR(got_errno, expected_errno, fmt, ...): WASI errno values */
static int check_err(int got, int exp, const char *fmt, ...) {
    char detail[160];
    snprintf(detail, sizeof detail, "got %d (%s), expected %d (%s)", got, errname(got), exp, errname(exp));
    va_list ap; va_start(ap, fmt); report(got == exp, detail, fmt, ap); va_end(ap);
    return got == exp;
}
#define CHECK_ERR(got, exp, ...) check_err((int)(got), (int)(exp), __VA_ARGS__)
#define CHECK_OK(got, ...) check_err((int)(got), 0, __VA_ARGS__)

/* CHECK_ERR_ANY(got, ((int[]){E1, E2, ..., -1}), fmt, ...): any listed errno is accepted */
static int check_err_any(int got, const int *accepted, const char *fmt, ...) {
    char detail[256];
    int ok = 0, n = 0;
    n += snprintf(detail + n, sizeof detail - n, "got %d (%s), expected one of", got, errname(got));
    for (const int *p = accepted; *p >= 0; p++) {
        if (*p == got) ok = 1;
        if (n < (int)sizeof detail)
            n += snprintf(detail + n, sizeof detail - n, " %d (%s)", *p, errname(*p));
    }
    va_list ap; va_start(ap, fmt); report(ok, detail, fmt, ap); va_end(ap);
    return ok;
}
#define ERRS(...) ((const int[]){__VA_ARGS__, -1})
#define CHECK_ERR_ANY(got, list, ...) check_err_any((int)(got), list, __VA_ARGS__)

/* CHECK_STR(got, expected, fmt, ...) */
static int check_str(const char *got, const char *exp, const char *fmt, ...) {
    char detail[512];
    int ok = got && exp && strcmp(got, exp) == 0;
    snprintf(detail, sizeof detail, "got \"%.200s\", expected \"%.200s\"", got ? got : "(null)", exp ? exp : "(null)");
    va_list ap; va_start(ap, fmt); report(ok, detail, fmt, ap); va_end(ap);
    return ok;
}
#define CHECK_STR(got, exp, ...) check_str((got), (exp), __VA_ARGS__)

/* CHECK_MEM(got, expected, n, fmt, ...) */
static int check_mem(const void *got, const void *exp, size_t n, const char *fmt, ...) {
    char detail[160] = "";
    int ok = memcmp(got, exp, n) == 0;
    if (!ok) {
        size_t i = 0;
        while (((const unsigned char *)got)[i] == ((const unsigned char *)exp)[i]) i++;
        snprintf(detail, sizeof detail, "got byte 0x%02x at offset %zu, expected 0x%02x",
                 ((const unsigned char *)got)[i], i, ((const unsigned char *)exp)[i]);
    }
    va_list ap; va_start(ap, fmt); report(ok, detail, fmt, ap); va_end(ap);
    return ok;
}
#define CHECK_MEM(got, exp, n, ...) check_mem((got), (exp), (n), __VA_ARGS__)

/* informational line that is not a check */
#define NOTE(...) do { printf("# "); printf(__VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

static int finish(void) {
    printf("# passed %d failed %d\n", g_passed, g_failed);
    fflush(stdout);
    return g_failed == 0 ? 0 : 1;
}

/* ------------------------------------------------------- raw WASI imports */

#define WASI_IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

typedef uint32_t wptr; /* a guest pointer as a plain linear-memory offset */
#define P(x) ((wptr)(uintptr_t)(x))
#define BADPTR ((wptr)0xFFFFFFF0u)

WASI_IMPORT(args_get) int32_t raw_args_get(wptr argv, wptr argv_buf);
WASI_IMPORT(args_sizes_get) int32_t raw_args_sizes_get(wptr argc, wptr argv_buf_size);
WASI_IMPORT(environ_get) int32_t raw_environ_get(wptr environ, wptr environ_buf);
WASI_IMPORT(environ_sizes_get) int32_t raw_environ_sizes_get(wptr count, wptr buf_size);
WASI_IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t id, wptr res);
WASI_IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, wptr time);
WASI_IMPORT(fd_advise) int32_t raw_fd_advise(int32_t fd, int64_t offset, int64_t len, int32_t advice);
WASI_IMPORT(fd_allocate) int32_t raw_fd_allocate(int32_t fd, int64_t offset, int64_t len);
WASI_IMPORT(fd_close) int32_t raw_fd_close(int32_t fd);
WASI_IMPORT(fd_datasync) int32_t raw_fd_datasync(int32_t fd);
WASI_IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, wptr stat);
WASI_IMPORT(fd_fdstat_set_flags) int32_t raw_fd_fdstat_set_flags(int32_t fd, int32_t flags);
WASI_IMPORT(fd_fdstat_set_rights) int32_t raw_fd_fdstat_set_rights(int32_t fd, int64_t base, int64_t inheriting);
WASI_IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t fd, wptr stat);
WASI_IMPORT(fd_filestat_set_size) int32_t raw_fd_filestat_set_size(int32_t fd, int64_t size);
WASI_IMPORT(fd_filestat_set_times) int32_t raw_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t fst_flags);
WASI_IMPORT(fd_pread) int32_t raw_fd_pread(int32_t fd, wptr iovs, int32_t iovs_len, int64_t offset, wptr nread);
WASI_IMPORT(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t fd, wptr prestat);
WASI_IMPORT(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t fd, wptr path, int32_t path_len);
WASI_IMPORT(fd_pwrite) int32_t raw_fd_pwrite(int32_t fd, wptr iovs, int32_t iovs_len, int64_t offset, wptr nwritten);
WASI_IMPORT(fd_read) int32_t raw_fd_read(int32_t fd, wptr iovs, int32_t iovs_len, wptr nread);
WASI_IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t fd, wptr buf, int32_t buf_len, int64_t cookie, wptr bufused);
WASI_IMPORT(fd_renumber) int32_t raw_fd_renumber(int32_t fd, int32_t to);
WASI_IMPORT(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t offset, int32_t whence, wptr newoffset);
WASI_IMPORT(fd_sync) int32_t raw_fd_sync(int32_t fd);
WASI_IMPORT(fd_tell) int32_t raw_fd_tell(int32_t fd, wptr offset);
WASI_IMPORT(fd_write) int32_t raw_fd_write(int32_t fd, wptr iovs, int32_t iovs_len, wptr nwritten);
WASI_IMPORT(path_create_directory) int32_t raw_path_create_directory(int32_t fd, wptr path, int32_t path_len);
WASI_IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t fd, int32_t flags, wptr path, int32_t path_len, wptr stat);
WASI_IMPORT(path_filestat_set_times) int32_t raw_path_filestat_set_times(int32_t fd, int32_t flags, wptr path, int32_t path_len, int64_t atim, int64_t mtim, int32_t fst_flags);
WASI_IMPORT(path_link) int32_t raw_path_link(int32_t old_fd, int32_t old_flags, wptr old_path, int32_t old_len, int32_t new_fd, wptr new_path, int32_t new_len);
WASI_IMPORT(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, wptr path, int32_t path_len, int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags, wptr opened_fd);
WASI_IMPORT(path_readlink) int32_t raw_path_readlink(int32_t fd, wptr path, int32_t path_len, wptr buf, int32_t buf_len, wptr bufused);
WASI_IMPORT(path_remove_directory) int32_t raw_path_remove_directory(int32_t fd, wptr path, int32_t path_len);
WASI_IMPORT(path_rename) int32_t raw_path_rename(int32_t fd, wptr old_path, int32_t old_len, int32_t new_fd, wptr new_path, int32_t new_len);
WASI_IMPORT(path_symlink) int32_t raw_path_symlink(wptr old_path, int32_t old_len, int32_t fd, wptr new_path, int32_t new_len);
WASI_IMPORT(path_unlink_file) int32_t raw_path_unlink_file(int32_t fd, wptr path, int32_t path_len);
WASI_IMPORT(poll_oneoff) int32_t raw_poll_oneoff(wptr in, wptr out, int32_t nsubscriptions, wptr nevents);
WASI_IMPORT(proc_exit) _Noreturn void raw_proc_exit(int32_t code);
WASI_IMPORT(proc_raise) int32_t raw_proc_raise(int32_t sig);
WASI_IMPORT(sched_yield) int32_t raw_sched_yield(void);
WASI_IMPORT(random_get) int32_t raw_random_get(wptr buf, int32_t buf_len);
WASI_IMPORT(sock_accept) int32_t raw_sock_accept(int32_t fd, int32_t flags, wptr new_fd);
WASI_IMPORT(sock_recv) int32_t raw_sock_recv(int32_t fd, wptr ri_data, int32_t ri_data_len, int32_t ri_flags, wptr ro_datalen, wptr ro_flags);
WASI_IMPORT(sock_send) int32_t raw_sock_send(int32_t fd, wptr si_data, int32_t si_data_len, int32_t si_flags, wptr so_datalen);
WASI_IMPORT(sock_shutdown) int32_t raw_sock_shutdown(int32_t fd, int32_t how);

/* Convenience wrappers taking C strings. */
#define S(str) P(str), (int32_t)strlen(str)

static int32_t rp_open(int fd, int dirflags, const char *path, int oflags,
                       uint64_t base, uint64_t inh, int fdflags, int32_t *out) {
    return raw_path_open(fd, dirflags, S(path), oflags, (int64_t)base, (int64_t)inh, fdflags, P(out));
}

#define RIGHTS_ALL ((uint64_t)0x1FFFFFFFull) /* every right defined by preview1 */
#define RIGHTS_FILE (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | \
    __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL |        \
    __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |             \
    __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |                       \
    __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE)

/* ------------------------------------------------------------- utilities */

/* The inheriting rights of a directory fd: the most a path_open through it may ask for. */
static uint64_t inh_rights(int dirfd) {
    __wasi_fdstat_t fs;
    if (__wasi_fd_fdstat_get(dirfd, &fs) != 0) return 0;
    return fs.fs_rights_inheriting;
}

/* Rights to ask for when opening a directory (what wasi-libc asks for with
 * O_RDONLY|O_DIRECTORY): everything inheritable except file-data rights. */
static uint64_t dir_rights(int dirfd) {
    return inh_rights(dirfd) & ~(uint64_t)(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
        __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
}

/* Find the preopened directory whose name is exactly `name` (e.g. "/" or "/mnt"). */
static int find_preopen(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
        char buf[256];
        size_t n = ps.u.dir.pr_name_len;
        if (n >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, n) != 0) continue;
        buf[n] = 0;
        /* some hosts report "/" as "." or with a trailing NUL; accept those too */
        if (strcmp(buf, name) == 0) return fd;
        if (strcmp(name, "/") == 0 && (strcmp(buf, ".") == 0)) return fd;
    }
    return -1;
}

/* Write a whole file with libc; returns 0 or errno. */
static int put_file(const char *path, const void *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return errno;
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) { int e = n < 0 ? errno : EIO; close(fd); return e; }
        p += n; len -= (size_t)n;
    }
    return close(fd) == 0 ? 0 : errno;
}
#define put_str(path, s) put_file((path), (s), strlen(s))

/* Read up to cap-1 bytes into buf (NUL terminated). Returns length or -errno. */
static long get_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -errno;
    size_t got = 0;
    while (got + 1 < cap) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0) { int e = errno; close(fd); return -e; }
        if (n == 0) break;
        got += (size_t)n;
    }
    buf[got] = 0;
    close(fd);
    return (long)got;
}

/* libc call helper: run expr, return 0 on success or errno on failure. */
#define ERRNO_OF(expr) ((expr) < 0 ? errno : 0)

static uint64_t now_ns(int clock) {
    uint64_t t = 0;
    if (__wasi_clock_time_get((__wasi_clockid_t)clock, 1, &t) != 0) return 0;
    return t;
}

#endif /* BERTH_CHECK_H */
