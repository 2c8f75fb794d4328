/* dirname: strip the last component from names. */
#include "lib.h"

#include <string.h>

int dirname_main(int argc, char **argv) {
  struct opts o;
  int zero = 0, c;
  static const struct lopt longs[] = {{"zero", ARG_NONE, 'z'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "z", longs)) != -1) {
    if (c == 'z') zero = 1;
    else usage_exit(1);
  }
  if (o.nops < 1) {
    warnx_("missing operand");
    usage_exit(1);
  }
  for (int i = 0; i < o.nops; i++) {
    const char *p = o.ops[i];
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;        /* trailing slashes */
    while (n > 0 && p[n - 1] != '/') n--;        /* the last component */
    while (n > 1 && p[n - 1] == '/') n--;        /* the slashes before it */
    if (n == 0) fputs(".", stdout);
    else fwrite(p, 1, n, stdout);
    putchar(zero ? 0 : '\n');
  }
  return 0;
}
