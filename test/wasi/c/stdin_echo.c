/*
 * stdin_echo.c - reads stdin until EOF with raw fd_read and writes every chunk
 * back to stdout with raw fd_write (handling short writes), counting bytes.
 * Used for streaming-stdin tests: stdout must equal stdin byte for byte.
 * The byte count goes to stderr as "# stdin_echo bytes N reads R".
 * Optional argv[1]: read chunk size (default 4096, 1..1048576).
 * Exit 0 on EOF, 1 on any read/write error (reported on stderr).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    size_t chunk = 4096;
    if (argc > 1) {
        long v = atol(argv[1]);
        if (v >= 1 && v <= 1048576) chunk = (size_t)v;
    }
    uint8_t *buf = malloc(chunk);
    if (!buf) return 1;
    uint64_t total = 0, reads = 0;
    for (;;) {
        __wasi_iovec_t iov = {buf, chunk};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_read(0, &iov, 1, &n);
        if (e == __WASI_ERRNO_AGAIN || e == __WASI_ERRNO_INTR) continue;
        if (e) {
            fprintf(stderr, "# stdin_echo read error %d after %llu bytes\n", e, (unsigned long long)total);
            return 1;
        }
        reads++;
        if (n == 0) break;
        size_t off = 0;
        while (off < n) {
            __wasi_ciovec_t c = {buf + off, n - off};
            __wasi_size_t w = 0;
            e = __wasi_fd_write(1, &c, 1, &w);
            if (e == __WASI_ERRNO_AGAIN || e == __WASI_ERRNO_INTR) continue;
            if (e || w == 0) {
                fprintf(stderr, "# stdin_echo write error %d after %llu bytes\n", e, (unsigned long long)total);
                return 1;
            }
            off += w;
        }
        total += n;
    }
    fprintf(stderr, "# stdin_echo bytes %llu reads %llu\n", (unsigned long long)total, (unsigned long long)reads);
    return 0;
}
