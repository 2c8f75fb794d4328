/* hello.c - prints "hello" (startup-cost benchmark and smoke test). */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
