/* sleep: pause for the sum of the intervals (s, m, h, d suffixes; fractions allowed). */
#include "lib.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

int sleep_main(int argc, char **argv) {
  struct opts o;
  int c;
  opts_init(&o, argc, argv, 1);
  o.numeric = 0;
  while ((c = opts_next(&o, "", NULL)) != -1) usage_exit(1);
  if (o.nops < 1) {
    warnx_("missing operand");
    usage_exit(1);
  }
  double total = 0;
  int bad = 0;
  for (int i = 0; i < o.nops; i++) {
    char *end;
    double v = strtod(o.ops[i], &end);
    double mult = 1;
    if (end != o.ops[i] && *end && !end[1]) {
      switch (*end) {
      case 's': mult = 1; end++; break;
      case 'm': mult = 60; end++; break;
      case 'h': mult = 3600; end++; break;
      case 'd': mult = 86400; end++; break;
      }
    }
    if (end == o.ops[i] || *end || v < 0 || isnan(v)) {
      warnx_("invalid time interval %s", q(o.ops[i]));
      bad = 1;
      continue;
    }
    total += v * mult;
  }
  if (bad) usage_exit(1);
  fflush(stdout);
  struct timespec ts;
  ts.tv_sec = (time_t)total;
  ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
  nanosleep(&ts, NULL);
  return 0;
}
