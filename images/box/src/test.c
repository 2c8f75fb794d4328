/* test and [: evaluate a conditional expression (POSIX's rules by argument count, then GNU's grammar
   with ! -a -o and parentheses). Exit 0 true, 1 false, 2 error. File permission tests see box's
   made-up modes (README): -r and -w hold for every existing file, -x for directories and wasm modules. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **T;
static int TN, TP;
/* Set by test_error: the expression is bad (exit 2). Errors return instead of exiting, so that sh can run
   test in-process; TP = TN then ends every loop of the parser. */
static int terr;

static void test_error(const char *fmt, const char *arg) {
  if (terr) return;
  fflush(stdout);
  fprintf(stderr, "%s: ", applet);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  terr = 1;
  TP = TN;
}
#define FAIL(fmt, arg) \
  do { \
    test_error(fmt, arg); \
    return 0; \
  } while (0)

static long long to_int(const char *s) {
  const char *p = s;
  while (isspace((unsigned char)*p)) p++;
  const char *start = p;
  if (*p == '-' || *p == '+') p++;
  if (!isdigit((unsigned char)*p)) FAIL("invalid integer %s", q(s));
  while (isdigit((unsigned char)*p)) p++;
  while (isspace((unsigned char)*p)) p++;
  if (*p) FAIL("invalid integer %s", q(s));
  return strtoll(start, NULL, 10);
}

static int is_unary(const char *op) {
  return op[0] == '-' && op[1] && !op[2] && strchr("efdLhsrwxbcpSnztgukOGN", op[1]);
}

static int is_binary(const char *op) {
  static const char *ops[] = {"=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", NULL};
  for (int i = 0; ops[i]; i++)
    if (!strcmp(op, ops[i])) return 1;
  return 0;
}

static int unary(const char *op, const char *arg) {
  struct stat st;
  char c = op[1];
  if (c == 'n') return *arg != 0;
  if (c == 'z') return *arg == 0;
  if (c == 't') return isatty((int)to_int(arg));
  if (c == 'L' || c == 'h') return lstat(arg, &st) == 0 && S_ISLNK(st.st_mode);
  if (stat(arg, &st) != 0) return 0;
  mode_t m = full_mode(arg, &st);
  switch (c) {
  case 'e': return 1;
  case 'f': return S_ISREG(st.st_mode);
  case 'd': return S_ISDIR(st.st_mode);
  case 's': return st.st_size > 0;
  case 'r': case 'w': case 'O': case 'G': return 1;
  case 'x': return (m & 0111) != 0;
  case 'b': return S_ISBLK(st.st_mode);
  case 'c': return S_ISCHR(st.st_mode);
  case 'S': return S_ISSOCK(st.st_mode);
  case 'p': case 'g': case 'u': case 'k': return 0;
  case 'N': return st.st_mtim.tv_sec > st.st_atim.tv_sec;
  }
  return 0;
}

static int binary(const char *a, const char *op, const char *b) {
  if (!strcmp(op, "=") || !strcmp(op, "==")) return strcmp(a, b) == 0;
  if (!strcmp(op, "!=")) return strcmp(a, b) != 0;
  if (!strcmp(op, "<")) return strcmp(a, b) < 0;
  if (!strcmp(op, ">")) return strcmp(a, b) > 0;
  if (op[0] == '-' && (op[1] == 'n' || op[1] == 'o') && op[2] == 't') {
    struct stat sa, sb;
    int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
    if (op[1] == 'n') {
      if (!ha) return 0;
      if (!hb) return 1;
      return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec ||
             (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec);
    }
    if (!hb) return 0;
    if (!ha) return 1;
    return sa.st_mtim.tv_sec < sb.st_mtim.tv_sec ||
           (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec < sb.st_mtim.tv_nsec);
  }
  if (!strcmp(op, "-ef")) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
  }
  long long x = to_int(a), y = to_int(b);
  if (!strcmp(op, "-eq")) return x == y;
  if (!strcmp(op, "-ne")) return x != y;
  if (!strcmp(op, "-lt")) return x < y;
  if (!strcmp(op, "-le")) return x <= y;
  if (!strcmp(op, "-gt")) return x > y;
  return x >= y;
}

static int expr_or(void);

static int primary(void) {
  if (TP >= TN) FAIL("%s", "argument expected");
  const char *a = T[TP];
  if (!strcmp(a, "!")) {
    TP++;
    return !primary();
  }
  if (!strcmp(a, "(")) {
    TP++;
    int v = expr_or();
    if (TP >= TN || strcmp(T[TP], ")")) FAIL("%s", "')' expected");
    TP++;
    return v;
  }
  if (TP + 2 < TN && is_binary(T[TP + 1])) {
    int v = binary(T[TP], T[TP + 1], T[TP + 2]);
    TP += 3;
    return v;
  }
  if (is_unary(a)) {
    if (TP + 1 >= TN) FAIL("%s: unary operator expected", q(a));
    int v = unary(a, T[TP + 1]);
    TP += 2;
    return v;
  }
  TP++;
  return *a != 0;
}

static int expr_and(void) {
  int v = primary();
  while (TP < TN && !strcmp(T[TP], "-a")) {
    TP++;
    int r = primary();
    v = v && r;
  }
  return v;
}

static int expr_or(void) {
  int v = expr_and();
  while (TP < TN && !strcmp(T[TP], "-o")) {
    TP++;
    int r = expr_and();
    v = v || r;
  }
  return v;
}

static int eval_n(char **a, int n);

static int two(char **a) {
  if (!strcmp(a[0], "!")) return !(*a[1] != 0);
  if (a[0][0] == '-' && a[0][1] && !a[0][2]) {
    if (is_unary(a[0])) return unary(a[0], a[1]);
    FAIL("%s: unary operator expected", q(a[0]));
  }
  FAIL("missing argument after %s", q(a[1]));
}

static int three(char **a) {
  if (is_binary(a[1])) return binary(a[0], a[1], a[2]);
  if (!strcmp(a[1], "-a")) return *a[0] && *a[2];
  if (!strcmp(a[1], "-o")) return *a[0] || *a[2];
  if (!strcmp(a[0], "!")) return !two(a + 1);
  if (!strcmp(a[0], "(") && !strcmp(a[2], ")")) return *a[1] != 0;
  FAIL("%s: binary operator expected", q(a[1]));
}

static int eval_n(char **a, int n) {
  switch (n) {
  case 0: return 0;
  case 1: return *a[0] != 0;
  case 2: return two(a);
  case 3: return three(a);
  case 4:
    if (!strcmp(a[0], "!")) return !three(a + 1);
    if (!strcmp(a[0], "(") && !strcmp(a[3], ")")) return two(a + 1);
  }
  T = a;
  TN = n;
  TP = 0;
  int v = expr_or();
  if (TP < TN) test_error("extra argument %s", q(T[TP]));
  return v;
}

int test_main(int argc, char **argv) {
  terr = 0;
  int v = eval_n(argv + 1, argc - 1);
  return terr ? 2 : v ? 0 : 1;
}

int bracket_main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--help")) {
    puts("Usage: [ EXPRESSION ]");
    return 0;
  }
  terr = 0;
  if (argc < 2 || strcmp(argv[argc - 1], "]")) {
    test_error("%s", "missing ']'");
    return 2;
  }
  int v = eval_n(argv + 1, argc - 2);
  return terr ? 2 : v ? 0 : 1;
}
