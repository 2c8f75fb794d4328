/*
 * attack_memory.c - grows memory in 16 MiB steps (malloc + touch every page)
 * until allocation fails, then prints "alloc failed after N MiB" and exits 0.
 * A runtime with a memory cap makes memory.grow fail, so malloc returns NULL.
 * (Without a cap it stops at the wasm32 limit of 4 GiB.)
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    const size_t chunk = 16u << 20;
    size_t total_mib = 0;
    for (;;) {
        volatile unsigned char *p = malloc(chunk);
        if (!p) break;
        for (size_t i = 0; i < chunk; i += 4096) p[i] = (unsigned char)i;
        p[chunk - 1] = 1;
        total_mib += 16;
        if (total_mib % 256 == 0) { printf("# allocated %zu MiB\n", total_mib); fflush(stdout); }
    }
    printf("alloc failed after %zu MiB\n", total_mib);
    fflush(stdout);
    return 0;
}
