/*
 * faults.c - every WASI function that takes a pointer is called with
 * out-of-bounds pointers, huge lengths, giant iovec counts, lengths chosen so
 * that 32-bit arithmetic would wrap, and structs straddling the end of linear
 * memory. Each must fail with EFAULT (21) and the program must keep running.
 * Also checks that exactly-in-bounds accesses at the very end of memory work.
 * (attack_pointers is this program.) Scratch: /faults_*.
 */
#include "check.h"

#define EF __WASI_ERRNO_FAULT
#define HUGE_LEN 0x7FFFFFFF
#define WRAP_IOVS 0x20000001      /* * 8 bytes  = 2^32 + 8  */
#define WRAP_SUBS 0x05555556      /* * 48 bytes = 2^32 + 32 */

static wptr mem_end; /* first byte past linear memory */

int main(void) {
    /* reserve one fresh page at the end of memory for the boundary tests */
    __builtin_wasm_memory_grow(0, 1);
    mem_end = (wptr)(__builtin_wasm_memory_size(0) * 65536u);
    NOTE("linear memory is %u bytes", mem_end);

    int root = find_preopen("/");
    CHECK(root >= 3, "found the '/' preopen");
    put_str("/faults_file", "0123456789abcdef");
    put_str("/faults_file2", "x");
    symlink("faults_file", "/faults_link");
    int fd = open("/faults_file", O_RDWR);
    CHECK(fd >= 0, "open faults_file");

    uint32_t u32a = 0, u32b = 0;
    uint64_t u64 = 0;
    char buf[64];
    char canary[32];
    memset(canary, 0x3C, sizeof canary);
    memset(buf, 'Z', sizeof buf);
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_iovec_t iov_bad_buf = {(uint8_t *)(uintptr_t)BADPTR, 10};
    __wasi_iovec_t iov_huge = {(uint8_t *)buf, HUGE_LEN};
    __wasi_iovec_t iov_wrap = {(uint8_t *)buf, 0xFFFFFFF0u};
    __wasi_iovec_t iov_straddle = {(uint8_t *)(uintptr_t)(mem_end - 8), 16};
    __wasi_filestat_t fst;

    /* ---- args / environ ---- */
    CHECK_ERR(raw_args_sizes_get(BADPTR, P(&u32b)), EF, "args_sizes_get(argc=bad) -> EFAULT");
    CHECK_ERR(raw_args_sizes_get(P(&u32a), BADPTR), EF, "args_sizes_get(bufsize=bad) -> EFAULT");
    CHECK_ERR(raw_args_get(BADPTR, BADPTR), EF, "args_get(bad, bad) -> EFAULT");
    CHECK_ERR(raw_args_get(P(buf), BADPTR), EF, "args_get(argv ok, buf=bad) -> EFAULT");
    CHECK_ERR(raw_environ_sizes_get(BADPTR, P(&u32b)), EF, "environ_sizes_get(count=bad) -> EFAULT");
    CHECK_ERR(raw_environ_get(BADPTR, BADPTR), EF, "environ_get(bad, bad) -> EFAULT");
    CHECK_ERR(raw_environ_get(BADPTR, P(buf)), EF, "environ_get(environ=bad) -> EFAULT");

    /* ---- clocks / random ---- */
    CHECK_ERR(raw_clock_res_get(0, BADPTR), EF, "clock_res_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_clock_time_get(1, 0, BADPTR), EF, "clock_time_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_clock_time_get(1, 0, mem_end - 4), EF, "clock_time_get(out straddles end of memory) -> EFAULT");
    CHECK_OK(raw_clock_time_get(1, 0, mem_end - 8), "clock_time_get(out = last 8 bytes of memory) succeeds");
    CHECK_ERR(raw_random_get(BADPTR, 16), EF, "random_get(buf=bad) -> EFAULT");
    CHECK_ERR(raw_random_get(P(buf), HUGE_LEN), EF, "random_get(len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_random_get(P(buf), (int32_t)0xFFFFFFF0u), EF, "random_get(ptr+len wraps 32 bits) -> EFAULT");
    CHECK_ERR(raw_random_get(mem_end - 16, 17), EF, "random_get one byte past the end -> EFAULT");
    CHECK_OK(raw_random_get(mem_end - 16, 16), "random_get into the last 16 bytes succeeds");
    CHECK_OK(raw_random_get(mem_end, 0), "random_get(ptr = end of memory, len 0) succeeds");

    /* ---- fd_* ---- */
    CHECK_ERR(raw_fd_fdstat_get(1, BADPTR), EF, "fd_fdstat_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_fd_fdstat_get(1, mem_end - 8), EF, "fd_fdstat_get(out straddles end) -> EFAULT");
    CHECK_ERR(raw_fd_filestat_get(fd, BADPTR), EF, "fd_filestat_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_fd_filestat_get(fd, mem_end - 32), EF, "fd_filestat_get(out straddles end) -> EFAULT");
    CHECK_ERR(raw_fd_prestat_get(root, BADPTR), EF, "fd_prestat_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_fd_prestat_dir_name(root, BADPTR, 1), EF, "fd_prestat_dir_name(buf=bad) -> EFAULT");
    CHECK_ERR(raw_fd_seek(fd, 0, 0, BADPTR), EF, "fd_seek(out=bad) -> EFAULT");
    CHECK_ERR(raw_fd_tell(fd, BADPTR), EF, "fd_tell(out=bad) -> EFAULT");

    CHECK_ERR(raw_fd_write(fd, BADPTR, 1, P(&u32a)), EF, "fd_write(iovs=bad) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, P(&iov_bad_buf), 1, P(&u32a)), EF, "fd_write(iov.buf=bad) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, P(&iov_huge), 1, P(&u32a)), EF, "fd_write(iov.len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, P(&iov_wrap), 1, P(&u32a)), EF, "fd_write(iov buf+len wraps) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, P(&iov_straddle), 1, P(&u32a)), EF, "fd_write(iov straddles end of memory) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, P(&iov), HUGE_LEN, P(&u32a)), EF, "fd_write(iovs_len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_fd_write(fd, mem_end - 4, 1, P(&u32a)), EF, "fd_write(iovec struct straddles end) -> EFAULT");
    __wasi_iovec_t two[2] = {{(uint8_t *)buf, 4}, {(uint8_t *)(uintptr_t)BADPTR, 4}};
    CHECK_ERR(raw_fd_write(fd, P(two), 2, P(&u32a)), EF, "fd_write(second iovec bad) -> EFAULT");
    CHECK_ERR(raw_fd_write(1, BADPTR, 1, P(&u32a)), EF, "fd_write(stdout, iovs=bad) -> EFAULT");
    __wasi_iovec_t endiov = {(uint8_t *)(uintptr_t)(mem_end - 16), 16};
    __wasi_iovec_t endiov17 = {(uint8_t *)(uintptr_t)(mem_end - 16), 17};
    __wasi_iovec_t endiov0 = {(uint8_t *)(uintptr_t)mem_end, 0};
    raw_fd_seek(fd, 0, __WASI_WHENCE_END, P(&u64));
    CHECK_ERR(raw_fd_write(fd, P(&endiov17), 1, P(&u32a)), EF, "fd_write of the last 16 bytes + 1 -> EFAULT");
    CHECK_OK(raw_fd_write(fd, P(&endiov), 1, P(&u32a)), "fd_write of exactly the last 16 bytes of memory succeeds");
    CHECK_EQ(u32a, 16, "wrote 16 bytes from the end of memory");
    CHECK_OK(raw_fd_write(fd, P(&endiov0), 1, P(&u32a)), "fd_write(buf = end of memory, len 0) succeeds");

    raw_fd_seek(fd, 0, 0, P(&u64));
    CHECK_ERR(raw_fd_read(fd, BADPTR, 1, P(&u32a)), EF, "fd_read(iovs=bad) -> EFAULT");
    CHECK_ERR(raw_fd_read(fd, P(&iov_bad_buf), 1, P(&u32a)), EF, "fd_read(iov.buf=bad) -> EFAULT");
    CHECK_ERR(raw_fd_read(fd, P(&iov_huge), 1, P(&u32a)), EF, "fd_read(iov.len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_fd_read(fd, P(&iov_wrap), 1, P(&u32a)), EF, "fd_read(iov buf+len wraps) -> EFAULT");
    CHECK_ERR(raw_fd_read(fd, P(&iov), 1, BADPTR), EF, "fd_read(nread=bad) -> EFAULT");
    CHECK_ERR(raw_fd_pread(fd, BADPTR, 1, 0, P(&u32a)), EF, "fd_pread(iovs=bad) -> EFAULT");
    CHECK_ERR(raw_fd_pread(fd, P(&iov_bad_buf), 1, 0, P(&u32a)), EF, "fd_pread(iov.buf=bad) -> EFAULT");
    CHECK_ERR(raw_fd_pread(fd, P(&iov), 1, 0, BADPTR), EF, "fd_pread(nread=bad) -> EFAULT");
    CHECK_ERR(raw_fd_pwrite(fd, BADPTR, 1, 0, P(&u32a)), EF, "fd_pwrite(iovs=bad) -> EFAULT");
    CHECK_ERR(raw_fd_pwrite(fd, P(&iov_huge), 1, 0, P(&u32a)), EF, "fd_pwrite(iov.len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_fd_pwrite(fd, P(&iov), 1, 0, BADPTR), EF, "fd_pwrite(nwritten=bad) -> EFAULT");

    CHECK_ERR(raw_fd_readdir(root, BADPTR, 100, 0, P(&u32a)), EF, "fd_readdir(buf=bad) -> EFAULT");
    CHECK_ERR(raw_fd_readdir(root, P(buf), HUGE_LEN, 0, P(&u32a)), EF, "fd_readdir(buf_len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_fd_readdir(root, P(buf), (int32_t)0xFFFFFFF0u, 0, P(&u32a)), EF, "fd_readdir(buf+len wraps) -> EFAULT");
    CHECK_ERR(raw_fd_readdir(root, P(buf), sizeof buf, 0, BADPTR), EF, "fd_readdir(bufused=bad) -> EFAULT");

    /* ---- path_* ---- */
    int32_t nfd = -1;
    CHECK_ERR(raw_path_open(root, 0, BADPTR, 5, 0, RIGHTS_FILE, 0, 0, P(&nfd)), EF, "path_open(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_open(root, 0, P("faults_file"), HUGE_LEN, 0, RIGHTS_FILE, 0, 0, P(&nfd)), EF, "path_open(path_len=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_path_open(root, 0, mem_end - 3, 6, 0, RIGHTS_FILE, 0, 0, P(&nfd)), EF, "path_open(path straddles end) -> EFAULT");
    CHECK_ERR(raw_path_open(root, 0, S("faults_file"), 0, RIGHTS_FILE, 0, 0, BADPTR), EF, "path_open(fd out=bad) -> EFAULT");
    CHECK_ERR(raw_path_create_directory(root, BADPTR, 4), EF, "path_create_directory(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_remove_directory(root, BADPTR, 4), EF, "path_remove_directory(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_unlink_file(root, BADPTR, 4), EF, "path_unlink_file(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_unlink_file(root, P("faults_file2"), HUGE_LEN), EF, "path_unlink_file(path_len huge) -> EFAULT");
    CHECK_ERR(raw_path_filestat_get(root, 0, BADPTR, 4, P(&fst)), EF, "path_filestat_get(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_filestat_get(root, 0, S("faults_file"), BADPTR), EF, "path_filestat_get(out=bad) -> EFAULT");
    CHECK_ERR(raw_path_filestat_set_times(root, 0, BADPTR, 4, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), EF, "path_filestat_set_times(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_readlink(root, BADPTR, 4, P(buf), sizeof buf, P(&u32a)), EF, "path_readlink(path=bad) -> EFAULT");
    CHECK_ERR(raw_path_readlink(root, S("faults_link"), BADPTR, 16, P(&u32a)), EF, "path_readlink(buf=bad) -> EFAULT");
    CHECK_ERR(raw_path_readlink(root, S("faults_link"), P(buf), HUGE_LEN, P(&u32a)), EF, "path_readlink(buf_len huge) -> EFAULT");
    CHECK_ERR(raw_path_readlink(root, S("faults_link"), P(buf), sizeof buf, BADPTR), EF, "path_readlink(bufused=bad) -> EFAULT");
    CHECK_ERR(raw_path_symlink(BADPTR, 4, root, S("faults_sl")), EF, "path_symlink(old=bad) -> EFAULT");
    CHECK_ERR(raw_path_symlink(S("faults_file"), root, BADPTR, 4), EF, "path_symlink(new=bad) -> EFAULT");
    CHECK_ERR(raw_path_link(root, 0, BADPTR, 4, root, S("faults_hl")), EF, "path_link(old=bad) -> EFAULT");
    CHECK_ERR(raw_path_link(root, 0, S("faults_file"), root, BADPTR, 4), EF, "path_link(new=bad) -> EFAULT");
    CHECK_ERR(raw_path_rename(root, BADPTR, 4, root, S("faults_rn")), EF, "path_rename(old=bad) -> EFAULT");
    CHECK_ERR(raw_path_rename(root, S("faults_file2"), root, BADPTR, 4), EF, "path_rename(new=bad) -> EFAULT");

    /* ---- poll_oneoff ---- */
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 1000;
    __wasi_event_t evs[2];
    CHECK_ERR(raw_poll_oneoff(BADPTR, P(evs), 1, P(&u32a)), EF, "poll_oneoff(in=bad) -> EFAULT");
    CHECK_ERR(raw_poll_oneoff(P(&sub), BADPTR, 1, P(&u32a)), EF, "poll_oneoff(out=bad) -> EFAULT");
    CHECK_ERR(raw_poll_oneoff(P(&sub), P(evs), 1, BADPTR), EF, "poll_oneoff(nevents=bad) -> EFAULT");
    CHECK_ERR(raw_poll_oneoff(P(&sub), P(evs), HUGE_LEN, P(&u32a)), EF, "poll_oneoff(nsubscriptions=0x7fffffff) -> EFAULT");
    CHECK_ERR(raw_poll_oneoff(mem_end - 24, P(evs), 1, P(&u32a)), EF, "poll_oneoff(subscription straddles end) -> EFAULT");

    /* ---- sockets: bad fd and bad pointers (either error is fine) ---- */
    const int *badf_or_fault = ERRS(__WASI_ERRNO_BADF, EF);
    CHECK_ERR_ANY(raw_sock_recv(9999, BADPTR, 1, 0, BADPTR, BADPTR), badf_or_fault, "sock_recv(bad fd, bad ptrs) -> EBADF/EFAULT");
    CHECK_ERR_ANY(raw_sock_send(9999, BADPTR, 1, 0, BADPTR), badf_or_fault, "sock_send(bad fd, bad ptrs) -> EBADF/EFAULT");
    CHECK_ERR_ANY(raw_sock_accept(9999, 0, BADPTR), badf_or_fault, "sock_accept(bad fd, bad ptr) -> EBADF/EFAULT");

    /* ---- still alive and consistent ---- */
    int intact = 1;
    for (unsigned i = 0; i < sizeof canary; i++) if (canary[i] != 0x3C) intact = 0;
    CHECK(intact, "stack canary untouched");
    char rb[64] = {0};
    CHECK_EQ(pread(fd, rb, 16, 0), 16, "file still readable after all the faults");
    CHECK_MEM(rb, "0123456789abcdef", 16, "file content was not changed by the faulting writes");
    struct stat sb;
    CHECK_EQ(stat("/faults_file2", &sb), 0, "faults_file2 was not renamed or unlinked by faulting calls");
    CHECK(lstat("/faults_sl", &sb) != 0 && lstat("/faults_hl", &sb) != 0 && lstat("/faults_rn", &sb) != 0,
          "no link/rename target was created by faulting calls");
    CHECK_EQ(put_str("/faults_after", "alive"), 0, "can still create files");
    CHECK_EQ(get_file("/faults_after", rb, sizeof rb), 5, "and read them back");
    /* ---- counts whose byte size wraps 32-bit arithmetic (last: node:wasi hangs here) ---- */
    raw_fd_seek(fd, 0, __WASI_WHENCE_END, P(&u64));
    CHECK_ERR(raw_fd_write(fd, P(&iov), WRAP_IOVS, P(&u32a)), EF, "fd_write(iovs_len*8 wraps 32 bits) -> EFAULT");
    CHECK_ERR(raw_fd_read(fd, P(&iov), WRAP_IOVS, P(&u32a)), EF, "fd_read(iovs_len*8 wraps 32 bits) -> EFAULT");
    CHECK_ERR(raw_poll_oneoff(P(&sub), P(evs), WRAP_SUBS, P(&u32a)), EF, "poll_oneoff(nsubscriptions*48 wraps 32 bits) -> EFAULT");
    close(fd);
    return finish();
}
