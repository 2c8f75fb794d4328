/* rmdir: remove empty directories; -p removes the emptied parents too. */
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rmdir_main(int argc, char **argv) {
  struct opts o;
  int parents = 0, verbose = 0, ignore = 0, c, rc = 0;
  enum { IGNORE = 256 };
  static const struct lopt longs[] = {{"parents", ARG_NONE, 'p'},
                                      {"verbose", ARG_NONE, 'v'},
                                      {"ignore-fail-on-non-empty", ARG_NONE, IGNORE},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "pv", longs)) != -1) {
    if (c == 'p') parents = 1;
    else if (c == 'v') verbose = 1;
    else if (c == IGNORE) ignore = 1;
    else usage_exit(1);
  }
  if (o.nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  for (int i = 0; i < o.nops; i++) {
    char *p = strdup(o.ops[i]);
    for (;;) {
      size_t n = strlen(p);
      while (n > 1 && p[n - 1] == '/') p[--n] = 0;
      if (verbose) printf("rmdir: removing directory, %s\n", q(p));
      if (rmdir(p) != 0) {
        if (!(ignore && (errno == ENOTEMPTY || errno == EEXIST))) {
          warne("failed to remove %s", q(p));
          rc = 1;
        }
        break;
      }
      if (!parents) break;
      char *slash = strrchr(p, '/');
      if (!slash) break;
      while (slash > p && slash[-1] == '/') slash--;
      if (slash == p) break;
      *slash = 0;
    }
    free(p);
  }
  return rc;
}
