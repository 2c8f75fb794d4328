/*
 * bench_write.c - open one file, N x write(16 bytes), close (default N=200000).
 * argv[1] = N. Prints "# bench_write iterations N elapsed_ms X" and self-checks
 * the final file size.
 */
#include "check.h"
#include <time.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n < 1) n = 1;
    static const char rec[16] = "0123456789abcde\n";
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int fd = open("/bench_write.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "open bench_write.dat");
    long ok = 0;
    for (long i = 0; i < n; i++) if (write(fd, rec, 16) == 16) ok++;
    CHECK_EQ(close(fd), 0, "close");
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    CHECK_EQ(ok, n, "every write wrote 16 bytes");
    struct stat sb;
    CHECK(stat("/bench_write.dat", &sb) == 0 && sb.st_size == (off_t)n * 16, "file size is N*16");
    printf("# bench_write iterations %ld elapsed_ms %.1f\n", n, ms);
    return finish();
}
