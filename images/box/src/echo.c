/* echo: GNU's (the standalone binary): -n, -e, -E, only when every leading option letter is one of them. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

int echo_main(int argc, char **argv) {
  int newline = 1, escapes = 0, i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == 0) break;
    if (strspn(a + 1, "neE") != strlen(a + 1)) break;
    for (const char *p = a + 1; *p; p++) {
      if (*p == 'n') newline = 0;
      else if (*p == 'e') escapes = 1;
      else escapes = 0;
    }
  }
  for (int first = 1; i < argc; i++, first = 0) {
    if (!first) putchar(' ');
    if (!escapes) {
      fputs(argv[i], stdout);
      continue;
    }
    size_t n = strlen(argv[i]);
    char *out = malloc(n * 4 + 1);
    size_t len;
    int stop = unescape(argv[i], out, &len, 0);
    fwrite(out, 1, len, stdout);
    free(out);
    if (stop) return 0;
  }
  if (newline) putchar('\n');
  return 0;
}
