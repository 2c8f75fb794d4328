/* env: print the environment, or run a box applet in a changed one (-i empties it, -u removes a name,
   NAME=VALUE sets one). WASI cannot start processes: the command must be one of box's applets. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int env_main(int argc, char **argv) {
  struct opts o;
  int c, zero = 0;
  static const struct lopt longs[] = {{"ignore-environment", ARG_NONE, 'i'},
                                      {"unset", ARG_REQ, 'u'},
                                      {"null", ARG_NONE, '0'},
                                      {"chdir", ARG_REQ, 'C'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 0);
  /* a lone "-" means -i */
  while ((c = opts_next(&o, "iu:0C:", longs)) != -1) {
    switch (c) {
    case 'i': clearenv(); break;
    case 'u': unsetenv(o.arg); break;
    case '0': zero = 1; break;
    case 'C':
      if (chdir(o.arg) != 0) die_e(125, "cannot change directory to %s", q(o.arg));
      break;
    default: usage_exit(125);
    }
  }
  int i = 0;
  if (i < o.nops && !strcmp(o.ops[i], "-")) {
    clearenv();
    i++;
  }
  for (; i < o.nops && strchr(o.ops[i], '='); i++) {
    char *eq = strchr(o.ops[i], '=');
    if (eq == o.ops[i]) die(125, "cannot set %s: %s", q(o.ops[i]), errstr(22));
    *eq = 0;
    setenv(o.ops[i], eq + 1, 1);
    *eq = '=';
  }
  if (i >= o.nops) {
    for (char **e = environ; e && *e; e++) {
      fputs(*e, stdout);
      putchar(zero ? 0 : '\n');
    }
    return 0;
  }
  if (zero) die(125, "cannot specify --null (-0) with command");
  return run_command(o.nops - i, o.ops + i);
}
