/*
 * attack_flood.c - writes 64 KiB chunks to stdout forever (raw fd_write, no
 * stdio buffering). A runtime must be able to cap or drop output and stop it.
 * Exits 1 if a write ever fails (e.g. the runtime closed stdout).
 */
#include <string.h>
#include <wasi/api.h>

static unsigned char chunk[65536];

int main(void) {
    for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (unsigned char)('A' + i % 26);
    chunk[sizeof chunk - 1] = '\n';
    for (;;) {
        __wasi_ciovec_t iov = {chunk, sizeof chunk};
        __wasi_size_t n;
        if (__wasi_fd_write(1, &iov, 1, &n) != 0) return 1;
    }
}
