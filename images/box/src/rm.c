/* rm: remove files; -r directories recursively, -f ignores missing files, -d empty directories. */
#include "lib.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int rm_main(int argc, char **argv) {
  struct opts o;
  int recursive = 0, force = 0, dirs = 0, verbose = 0, c, rc = 0;
  static const struct lopt longs[] = {{"recursive", ARG_NONE, 'r'}, {"force", ARG_NONE, 'f'},
                                      {"dir", ARG_NONE, 'd'},       {"verbose", ARG_NONE, 'v'},
                                      {"interactive", ARG_OPT, 'i'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "rRfdvi", longs)) != -1) {
    if (c == 'r' || c == 'R') recursive = 1;
    else if (c == 'f') force = 1;
    else if (c == 'd') dirs = 1;
    else if (c == 'v') verbose = 1;
    else if (c == 'i') force = 0; /* no terminal to ask: -i is accepted, nothing is asked */
    else usage_exit(1);
  }
  if (o.nops == 0) {
    if (force) return 0;
    warnx_("missing operand");
    usage_exit(1);
  }
  for (int i = 0; i < o.nops; i++) {
    const char *p = o.ops[i];
    const char *b = base_name(p);
    size_t n = strlen(p);
    /* a trailing "/." or "/.." or "." alone */
    if (!strcmp(b, ".") || !strcmp(b, "..") || (n && p[n - 1] == '/' && (!strcmp(p, "./") || !strcmp(p, "../")))) {
      warnx_("refusing to remove '.' or '..' directory: skipping %s", q(p));
      rc = 1;
      continue;
    }
    if (!strcmp(p, "/") ) {
      warnx_("it is dangerous to operate recursively on '/'");
      warnx_("use --no-preserve-root to override this failsafe");
      rc = 1;
      continue;
    }
    struct stat st;
    if (lstat(p, &st) != 0) {
      if (!(force && errno == ENOENT)) {
        warne("cannot remove %s", q(p));
        rc = 1;
      }
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (recursive) {
        if (remove_tree(p, force, verbose)) rc = 1;
      } else if (dirs) {
        if (rmdir(p) != 0) {
          warne("cannot remove %s", q(p));
          rc = 1;
        } else if (verbose) {
          printf("removed directory %s\n", q(p));
        }
      } else {
        errno = EISDIR;
        warne("cannot remove %s", q(p));
        rc = 1;
      }
      continue;
    }
    if (unlink(p) != 0) {
      warne("cannot remove %s", q(p));
      rc = 1;
    } else if (verbose) {
      printf("removed %s\n", q(p));
    }
  }
  return rc;
}
