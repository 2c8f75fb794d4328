/* pwd: the working directory (wasi-libc's, which box starts at $PWD). -P (the default, as in GNU's
   standalone pwd) resolves symlinks; -L prints $PWD when it names the same directory. */
#include "lib.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pwd_main(int argc, char **argv) {
  struct opts o;
  int logical = 0, c;
  static const struct lopt longs[] = {{"logical", ARG_NONE, 'L'}, {"physical", ARG_NONE, 'P'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "LP", longs)) != -1) {
    if (c == 'L') logical = 1;
    else if (c == 'P') logical = 0;
    else usage_exit(1);
  }
  if (o.nops > 0) warnx_("ignoring non-option arguments");
  if (logical) {
    const char *pwd = getenv("PWD");
    struct stat a, b;
    if (pwd && pwd[0] == '/' && !strstr(pwd, "/./") && !strstr(pwd, "/../") && stat(pwd, &a) == 0 &&
        stat(".", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
      puts(pwd);
      return 0;
    }
  }
  char *p = canonicalize(".", 1);
  if (!p) die_e(1, "cannot determine current directory");
  puts(p);
  free(p);
  return 0;
}
