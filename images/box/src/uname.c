/* uname: WASI has no uname(2); box reports the sandbox: kernel name "WASI", release "preview1",
   machine "wasm32", the host name from $HOSTNAME (Berth sets it per container) or "localhost". */
#include "lib.h"

#include <stdlib.h>

int uname_main(int argc, char **argv) {
  struct opts o;
  int c;
  enum { S = 1, N = 2, R = 4, V = 8, M = 16, P = 32, I = 64, O = 128 };
  int want = 0, all = 0;
  static const struct lopt longs[] = {{"all", ARG_NONE, 'a'},
                                      {"kernel-name", ARG_NONE, 's'},
                                      {"nodename", ARG_NONE, 'n'},
                                      {"kernel-release", ARG_NONE, 'r'},
                                      {"kernel-version", ARG_NONE, 'v'},
                                      {"machine", ARG_NONE, 'm'},
                                      {"processor", ARG_NONE, 'p'},
                                      {"hardware-platform", ARG_NONE, 'i'},
                                      {"operating-system", ARG_NONE, 'o'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "asnrvmpio", longs)) != -1) {
    switch (c) {
    case 'a': all = 1; want |= S | N | R | V | M | O; break;
    case 's': want |= S; break;
    case 'n': want |= N; break;
    case 'r': want |= R; break;
    case 'v': want |= V; break;
    case 'm': want |= M; break;
    case 'p': want |= P; break;
    case 'i': want |= I; break;
    case 'o': want |= O; break;
    default: usage_exit(1);
    }
  }
  if (o.nops > 0) {
    warnx_("extra operand %s", q(o.ops[0]));
    usage_exit(1);
  }
  if (!want) want = S;
  const char *host = getenv("HOSTNAME");
  if (!host || !*host) host = "localhost";
  const char *vals[] = {"WASI", host, "preview1", "#1 box 0.1.0", "wasm32", "unknown", "unknown", "WASI"};
  int first = 1;
  for (int b = 0; b < 8; b++) {
    if (!(want & (1 << b))) continue;
    if (all && (b == 5 || b == 6) && !(want & (1 << b))) continue;
    if (!first) putchar(' ');
    fputs(vals[b], stdout);
    first = 0;
  }
  putchar('\n');
  return 0;
}
