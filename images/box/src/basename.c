/* basename: strip directory and suffix from names. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

static void print_base(const char *name, const char *suffix, int zero) {
  size_t n = strlen(name);
  while (n > 1 && name[n - 1] == '/') n--;
  const char *start = name;
  if (!(n == 1 && name[0] == '/')) {
    for (size_t i = 0; i < n; i++)
      if (name[i] == '/') start = name + i + 1;
  }
  size_t len = n - (size_t)(start - name);
  if (n == 0) len = 0;
  if (suffix && !(len == 1 && start[0] == '/')) {
    size_t s = strlen(suffix);
    if (s < len && memcmp(start + len - s, suffix, s) == 0) len -= s;
  }
  fwrite(start, 1, len, stdout);
  putchar(zero ? 0 : '\n');
}

int basename_main(int argc, char **argv) {
  struct opts o;
  int multiple = 0, zero = 0, c;
  const char *suffix = NULL;
  static const struct lopt longs[] = {
      {"multiple", ARG_NONE, 'a'}, {"suffix", ARG_REQ, 's'}, {"zero", ARG_NONE, 'z'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "as:z", longs)) != -1) {
    if (c == 'a') multiple = 1;
    else if (c == 's') multiple = 1, suffix = o.arg;
    else if (c == 'z') zero = 1;
    else usage_exit(1);
  }
  if (o.nops < 1) {
    warnx_("missing operand");
    usage_exit(1);
  }
  if (!multiple) {
    if (o.nops > 2) {
      warnx_("extra operand %s", q(o.ops[2]));
      usage_exit(1);
    }
    print_base(o.ops[0], o.nops == 2 ? o.ops[1] : NULL, zero);
    return 0;
  }
  for (int i = 0; i < o.nops; i++) print_base(o.ops[i], suffix, zero);
  return 0;
}
