/* readlink: print a symlink's target; -f/-e/-m canonicalize (all but the last / all / no components
   need exist). */
#include "lib.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int readlink_main(int argc, char **argv) {
  struct opts o;
  int c, mode = -1, no_newline = 0, verbose = 0, zero = 0, rc = 0;
  static const struct lopt longs[] = {{"canonicalize", ARG_NONE, 'f'},
                                      {"canonicalize-existing", ARG_NONE, 'e'},
                                      {"canonicalize-missing", ARG_NONE, 'm'},
                                      {"no-newline", ARG_NONE, 'n'},
                                      {"quiet", ARG_NONE, 'q'},
                                      {"silent", ARG_NONE, 's'},
                                      {"verbose", ARG_NONE, 'v'},
                                      {"zero", ARG_NONE, 'z'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "femnqsvz", longs)) != -1) {
    switch (c) {
    case 'f': mode = 0; break;
    case 'e': mode = 1; break;
    case 'm': mode = 2; break;
    case 'n': no_newline = 1; break;
    case 'q': case 's': verbose = 0; break;
    case 'v': verbose = 1; break;
    case 'z': zero = 1; break;
    default: usage_exit(1);
    }
  }
  if (o.nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  if (no_newline && o.nops > 1) {
    warnx_("ignoring --no-newline with multiple arguments");
    no_newline = 0;
  }
  for (int i = 0; i < o.nops; i++) {
    char *out;
    if (mode >= 0) {
      out = canonicalize(o.ops[i], mode);
    } else {
      char buf[PATH_MAX + 1];
      ssize_t n = readlink(o.ops[i], buf, PATH_MAX);
      if (n >= 0) {
        buf[n] = 0;
        out = strdup(buf);
      } else {
        out = NULL;
      }
    }
    if (!out) {
      if (verbose) warne("%s", o.ops[i]);
      rc = 1;
      continue;
    }
    fputs(out, stdout);
    if (!no_newline) putchar(zero ? 0 : '\n');
    free(out);
  }
  return rc;
}

