/* ln: make links; -s symbolic, -f replaces existing destinations, -n treats a link to a directory as a
   file, -T never treats the last operand as a directory. */
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ln_main(int argc, char **argv) {
  struct opts o;
  int sym = 0, force = 0, noderef = 0, verbose = 0, notarget = 0, c, rc = 0;
  const char *target_dir = NULL;
  static const struct lopt longs[] = {{"symbolic", ARG_NONE, 's'},
                                      {"force", ARG_NONE, 'f'},
                                      {"no-dereference", ARG_NONE, 'n'},
                                      {"verbose", ARG_NONE, 'v'},
                                      {"no-target-directory", ARG_NONE, 'T'},
                                      {"target-directory", ARG_REQ, 't'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "sfnvTt:", longs)) != -1) {
    switch (c) {
    case 's': sym = 1; break;
    case 'f': force = 1; break;
    case 'n': noderef = 1; break;
    case 'v': verbose = 1; break;
    case 'T': notarget = 1; break;
    case 't': target_dir = o.arg; break;
    default: usage_exit(1);
    }
  }
  if (o.nops == 0) {
    warnx_("missing file operand");
    usage_exit(1);
  }
  int nsrc = o.nops;
  const char *dir = target_dir;
  if (!dir && !notarget && o.nops >= 2) {
    const char *last = o.ops[o.nops - 1];
    struct stat st;
    int isdir = noderef ? (lstat(last, &st) == 0 && S_ISDIR(st.st_mode)) : is_dir(last);
    if (isdir) {
      dir = last;
      nsrc--;
    } else if (o.nops > 2) {
      struct stat st;
      if (stat(last, &st) != 0) warne("target %s", q(last));
      else warnx_("target %s is not a directory", q(last));
      box_exit(1);
    }
  }
  if (notarget && o.nops > 2) {
    warnx_("extra operand %s", q(o.ops[2]));
    usage_exit(1);
  }
  for (int i = 0; i < nsrc; i++) {
    const char *src = o.ops[i];
    char *dest;
    if (dir) dest = path_join(dir, base_name(src));
    else if (o.nops == 1) dest = strdup(base_name(src));
    else {
      dest = strdup(o.ops[1]);
      i = nsrc; /* SOURCE DEST form: one link */
    }
    if (force) {
      struct stat st;
      if (lstat(dest, &st) == 0 && !S_ISDIR(st.st_mode)) unlink(dest);
    }
    int r = sym ? symlink(src, dest) : link(src, dest);
    if (r != 0) {
      int err = errno;
      if (!sym && err == ENOENT && access(src, F_OK) != 0) {
        errno = err;
        warne("failed to access %s", q(src));
      } else {
        errno = err;
        warne(sym ? "failed to create symbolic link %s" : "failed to create hard link %s", q(dest));
      }
      rc = 1;
    } else if (verbose) {
      printf("%s %s %s\n", q(dest), sym ? "->" : "=>", q2(src));
    }
    free(dest);
  }
  return rc;
}
