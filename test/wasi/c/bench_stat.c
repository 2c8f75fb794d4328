/*
 * bench_stat.c - N x stat() of one file (default N=20000). argv[1] = N.
 * Prints "# bench_stat iterations N elapsed_ms X".
 */
#include "check.h"
#include <time.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000;
    if (n < 1) n = 1;
    CHECK_EQ(put_str("/bench_stat.dat", "stat me"), 0, "create the file");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long ok = 0;
    struct stat sb;
    for (long i = 0; i < n; i++) if (stat("/bench_stat.dat", &sb) == 0 && sb.st_size == 7) ok++;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    CHECK_EQ(ok, n, "every stat succeeded with size 7");
    printf("# bench_stat iterations %ld elapsed_ms %.1f\n", n, ms);
    return finish();
}
