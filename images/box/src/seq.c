/* seq: print a sequence of numbers. Integers are printed exactly; otherwise with as many decimals as
   FIRST or INCREMENT has (GNU's default format). -s separator, -w equal width, -f printf format. */
#include "lib.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct num {
  long double v;
  int prec;  /* digits after the point */
  int width; /* characters in its printed form */
  int integer;
};

static int parse_num(const char *s, struct num *n) {
  char *end;
  if (!*s || !s[strspn(s, " \t")]) return -1;
  n->v = strtold(s, &end);
  if (end == s || *end || isnan((double)n->v)) return -1;
  const char *dot = strchr(s, '.');
  const char *exp = strpbrk(s, "eE");
  n->integer = !dot && !exp && !strpbrk(s, "xXpPiInN");
  n->prec = 0;
  if (dot && !exp) n->prec = (int)strcspn(dot + 1, "eE");
  n->width = (int)strlen(s);
  if (s[0] == '+') n->width--;
  return 0;
}

int seq_main(int argc, char **argv) {
  struct opts o;
  int c, equal = 0;
  const char *sep = "\n", *fmt = NULL;
  static const struct lopt longs[] = {{"separator", ARG_REQ, 's'},
                                      {"equal-width", ARG_NONE, 'w'},
                                      {"format", ARG_REQ, 'f'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  /* negative numbers are operands, not options */
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && (isdigit((unsigned char)argv[i][1]) || argv[i][1] == '.')) {
      /* stop option parsing before the first negative number */
      argc = i;
      break;
    }
  }
  o.argc = argc;
  while ((c = opts_next(&o, "s:wf:", longs)) != -1) {
    if (c == 's') sep = o.arg;
    else if (c == 'w') equal = 1;
    else if (c == 'f') fmt = o.arg;
    else usage_exit(1);
  }
  /* the operands: those collected, then everything from the first negative number on */
  char *ops[8];
  int nops = 0;
  for (int i = 0; i < o.nops && nops < 8; i++) ops[nops++] = o.ops[i];
  for (int i = argc; argv[i] && nops < 8; i++) ops[nops++] = argv[i];
  if (nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  if (nops > 3) {
    warnx_("extra operand %s", q(ops[3]));
    usage_exit(1);
  }
  struct num first = {1, 0, 1, 1}, step = {1, 0, 1, 1}, last;
  for (int i = 0; i < nops; i++) {
    struct num n;
    if (parse_num(ops[i], &n) != 0) {
      warnx_("invalid floating point argument: %s", q(ops[i]));
      usage_exit(1);
    }
    if (nops == 1) last = n;
    else if (nops == 2) {
      if (i == 0) first = n;
      else last = n;
    } else {
      if (i == 0) first = n;
      else if (i == 1) step = n;
      else last = n;
    }
  }
  if (step.v == 0) {
    warnx_("invalid Zero increment value: %s", q(ops[1]));
    usage_exit(1);
  }
  if (fmt && equal) {
    warnx_("format string may not be specified when printing equal width strings");
    usage_exit(1);
  }
  int prec = first.prec > step.prec ? first.prec : step.prec;
  char deffmt[32];
  if (!fmt) {
    if (equal) {
      /* width: the widest of first and last as printed with this precision */
      char a[128], b[128];
      snprintf(a, sizeof a, "%.*Lf", prec, first.v);
      long double lastv = last.v;
      snprintf(b, sizeof b, "%.*Lf", prec, lastv);
      int w = (int)(strlen(a) > strlen(b) ? strlen(a) : strlen(b));
      snprintf(deffmt, sizeof deffmt, "%%0%d.%dLf", w, prec);
    } else {
      snprintf(deffmt, sizeof deffmt, "%%.%dLf", prec);
    }
    fmt = deffmt;
  } else {
    /* a user format holds one floating-point conversion; widen it to long double */
    static char user[256];
    const char *pc = fmt;
    int found = 0;
    size_t k = 0;
    for (; *pc && k < sizeof user - 3; pc++) {
      user[k++] = *pc;
      if (*pc == '%') {
        if (pc[1] == '%') {
          user[k++] = *++pc;
          continue;
        }
        pc++;
        while (*pc && strchr("-+ #0'123456789.", *pc)) user[k++] = *pc++;
        if (!*pc || !strchr("eEfFgGaA", *pc) || found) {
          warnx_("format %s has unknown %%%c directive", q(fmt), *pc ? *pc : ' ');
          box_exit(1);
        }
        user[k++] = 'L';
        user[k++] = *pc;
        found = 1;
      }
    }
    user[k] = 0;
    if (!found) {
      warnx_("format %s has no %% directive", q(fmt));
      box_exit(1);
    }
    fmt = user;
  }
  for (long long i = 0;; i++) {
    long double x = first.v + (long double)i * step.v;
    if (step.v > 0 ? x > last.v : x < last.v) {
      if (i > 0) putchar('\n');
      break;
    }
    if (i > 0) fputs(sep, stdout);
    printf(fmt, x);
  }
  return 0;
}
