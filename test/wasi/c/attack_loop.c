/*
 * attack_loop.c - spins forever without making any WASI call.
 * A runtime must be able to stop it (time limit / CPU limit / kill).
 */
#include <stdio.h>

int main(void) {
    printf("# spinning forever\n");
    fflush(stdout);
    volatile unsigned long long n = 0;
    for (;;) { n++; }
    return 0;
}
