/* mkdir: make directories; -p makes parents and accepts existing ones; -m is accepted (WASI has no
   permission bits). */
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int make_parents(const char *path, int verbose) {
  char *p = strdup(path);
  size_t n = strlen(p);
  for (size_t i = 1; i <= n; i++) {
    if (p[i] != '/' && p[i] != 0) continue;
    if (p[i - 1] == '/') continue;
    char save = p[i];
    p[i] = 0;
    struct stat st;
    if (stat(p, &st) != 0) {
      if (mkdir(p, 0777) != 0 && !(errno == EEXIST && is_dir(p))) {
        warne("cannot create directory %s", q(p));
        free(p);
        return 1;
      }
      if (verbose) printf("mkdir: created directory %s\n", q(p));
    } else if (!S_ISDIR(st.st_mode)) {
      errno = save ? ENOTDIR : EEXIST;
      warne("cannot create directory %s", q(p));
      free(p);
      return 1;
    }
    p[i] = save;
  }
  free(p);
  return 0;
}

int mkdir_main(int argc, char **argv) {
  struct opts o;
  int parents = 0, verbose = 0, c, rc = 0;
  static const struct lopt longs[] = {
      {"parents", ARG_NONE, 'p'}, {"verbose", ARG_NONE, 'v'}, {"mode", ARG_REQ, 'm'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "pvm:", longs)) != -1) {
    if (c == 'p') parents = 1;
    else if (c == 'v') verbose = 1;
    else if (c == 'm') continue;
    else usage_exit(1);
  }
  if (o.nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  for (int i = 0; i < o.nops; i++) {
    if (parents) {
      rc |= make_parents(o.ops[i], verbose);
      continue;
    }
    if (mkdir(o.ops[i], 0777) != 0) {
      warne("cannot create directory %s", q(o.ops[i]));
      rc = 1;
    } else if (verbose) {
      printf("mkdir: created directory %s\n", q(o.ops[i]));
    }
  }
  return rc;
}
