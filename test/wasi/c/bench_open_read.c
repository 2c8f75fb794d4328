/*
 * bench_open_read.c - create a 1 KiB file, then N x (open + read 1 KiB + close)
 * (default N=20000). argv[1] = N. Prints "# bench_open_read iterations N elapsed_ms X".
 */
#include "check.h"
#include <time.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000;
    if (n < 1) n = 1;
    char data[1024], buf[1024];
    for (int i = 0; i < 1024; i++) data[i] = (char)('a' + i % 26);
    CHECK_EQ(put_file("/bench_open_read.dat", data, sizeof data), 0, "create the 1 KiB file");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long ok = 0;
    for (long i = 0; i < n; i++) {
        int fd = open("/bench_open_read.dat", O_RDONLY);
        if (fd < 0) continue;
        if (read(fd, buf, sizeof buf) == (ssize_t)sizeof buf) ok++;
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    CHECK_EQ(ok, n, "every open+read returned 1 KiB");
    CHECK_MEM(buf, data, sizeof data, "last read returned the file content");
    printf("# bench_open_read iterations %ld elapsed_ms %.1f\n", n, ms);
    return finish();
}
