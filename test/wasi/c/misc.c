/*
 * misc.c - sched_yield, proc_raise, sock_* on bad / non-socket fds, and
 * process exit codes.
 *
 * Modes (argv[1]):
 *   (none)               self-checking run, exit 0
 *   proc_exit N          print "# about to proc_exit N", flush, proc_exit(N) directly
 *                        (atexit handlers must NOT run: "# atexit ran" must not appear)
 *   exit N               leave "# buffered line" in the stdio buffer (no fflush) and
 *                        call exit(N): libc flushes it and runs the atexit handler,
 *                        which prints "# atexit ran"
 */
#include "check.h"
#include <sched.h>

static void on_exit_handler(void) { printf("# atexit ran\n"); }

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "proc_exit") == 0) {
        atexit(on_exit_handler);
        int code = atoi(argv[2]);
        printf("# about to proc_exit %d\n", code);
        fflush(stdout);
        raw_proc_exit(code);
    }
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        atexit(on_exit_handler);
        setvbuf(stdout, NULL, _IOFBF, 4096);
        printf("# buffered line\n");
        exit(atoi(argv[2]));
    }

    int root = find_preopen("/");
    CHECK(root >= 3, "found the '/' preopen");

    CHECK_OK(raw_sched_yield(), "sched_yield");
    int ok = 1;
    for (int i = 0; i < 1000; i++) if (raw_sched_yield() != 0) ok = 0;
    CHECK(ok, "sched_yield 1000 times");
    CHECK_EQ(sched_yield(), 0, "libc sched_yield");

    /* proc_raise is deprecated; signal 0 ("none") must not kill us */
    CHECK_ERR_ANY(raw_proc_raise(0), ERRS(0, __WASI_ERRNO_NOSYS, __WASI_ERRNO_NOTSUP), "proc_raise(0) is harmless (0 / ENOSYS / ENOTSUP)");
    CHECK_ERR_ANY(raw_proc_raise(200), ERRS(__WASI_ERRNO_INVAL, __WASI_ERRNO_NOSYS, __WASI_ERRNO_NOTSUP),
                  "proc_raise(200) (no such signal) -> EINVAL / ENOSYS / ENOTSUP");

    /* sockets: bad fd */
    int32_t newfd = -1;
    uint32_t n = 0, roflags = 0;
    char buf[16] = "data";
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    CHECK_ERR(raw_sock_accept(9999, 0, P(&newfd)), __WASI_ERRNO_BADF, "sock_accept(9999) -> EBADF");
    CHECK_ERR(raw_sock_recv(9999, P(&iov), 1, 0, P(&n), P(&roflags)), __WASI_ERRNO_BADF, "sock_recv(9999) -> EBADF");
    CHECK_ERR(raw_sock_send(9999, P(&iov), 1, 0, P(&n)), __WASI_ERRNO_BADF, "sock_send(9999) -> EBADF");
    CHECK_ERR(raw_sock_shutdown(9999, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF, "sock_shutdown(9999) -> EBADF");

    /* sockets: regular file and directory */
    put_str("/misc_file", "not a socket");
    int fd = open("/misc_file", O_RDWR);
    CHECK(fd >= 0, "open misc_file");
    const int *notsock = ERRS(__WASI_ERRNO_NOTSOCK, __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERR_ANY(raw_sock_accept(fd, 0, P(&newfd)), notsock, "sock_accept(file) -> ENOTSOCK (or ENOTCAPABLE)");
    CHECK_ERR_ANY(raw_sock_recv(fd, P(&iov), 1, 0, P(&n), P(&roflags)), notsock, "sock_recv(file) -> ENOTSOCK (or ENOTCAPABLE)");
    CHECK_ERR_ANY(raw_sock_send(fd, P(&iov), 1, 0, P(&n)), notsock, "sock_send(file) -> ENOTSOCK (or ENOTCAPABLE)");
    CHECK_ERR_ANY(raw_sock_shutdown(fd, __WASI_SDFLAGS_WR), notsock, "sock_shutdown(file) -> ENOTSOCK (or ENOTCAPABLE)");
    CHECK_ERR_ANY(raw_sock_accept(root, 0, P(&newfd)), notsock, "sock_accept(directory) -> ENOTSOCK (or ENOTCAPABLE)");
    CHECK_ERR_ANY(raw_sock_shutdown(root, __WASI_SDFLAGS_RD), notsock, "sock_shutdown(directory) -> ENOTSOCK (or ENOTCAPABLE)");
    char chk[32] = {0};
    CHECK_EQ(pread(fd, chk, sizeof chk - 1, 0), 12, "file still intact after socket calls");
    CHECK_STR(chk, "not a socket", "file content unchanged (sock_send did not write)");
    close(fd);
    return finish();
}
