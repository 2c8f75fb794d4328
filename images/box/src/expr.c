/* expr: evaluate an expression: | & < <= = == != >= > + - * / % and STRING : REGEX (anchored BRE; the
   \(group\) or the match length), match, substr, index, length, + TOKEN, ( ). Exit 0 if the result is
   neither null nor 0, 1 if it is, 2 for an invalid expression, 3 for other errors. Integers are 64-bit. */
#include "lib.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static char **A;
static int N, P;

struct val {
  char *s; /* always set */
};

static struct val mkstr(const char *s) {
  struct val v = {strdup(s)};
  return v;
}

static struct val mkint(long long n) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", n);
  return mkstr(buf);
}

static int as_int(const char *s, long long *out) {
  const char *p = s;
  if (*p == '-') p++;
  if (!*p) return 0;
  for (const char *k = p; *k; k++)
    if (!isdigit((unsigned char)*k)) return 0;
  errno = 0;
  *out = strtoll(s, NULL, 10);
  if (errno == ERANGE) die(2, "integer is too large: %s", q(s));
  return 1;
}

static int is_null(const struct val *v) {
  long long n;
  return !*v->s || (as_int(v->s, &n) && n == 0);
}

static _Noreturn void syntax(void) {
  if (P < N) die(2, "syntax error: unexpected argument %s", q(A[P]));
  die(2, "syntax error: missing argument after %s", q(A[N - 1]));
}

static int at(const char *tok) {
  return P < N && !strcmp(A[P], tok);
}

static struct val e_or(void);

static struct val do_match(const char *s, const char *re_src) {
  regex_t re;
  /* anchored at the start, like GNU expr */
  size_t n = strlen(re_src);
  char *anch = malloc(n + 2);
  anch[0] = '^';
  memcpy(anch + 1, re_src, n + 1);
  int r = regcomp(&re, anch, 0);
  free(anch);
  if (r) {
    char msg[200];
    regerror(r, &re, msg, sizeof msg);
    die(2, "%s", msg);
  }
  regmatch_t m[2];
  struct val out;
  if (regexec(&re, s, 2, m, 0) == 0) {
    if (re.re_nsub > 0) {
      out.s = m[1].rm_so >= 0 ? strndup(s + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so)) : strdup("");
    } else {
      out = mkint(m[0].rm_eo);
    }
  } else {
    out = re.re_nsub > 0 ? mkstr("") : mkint(0);
  }
  regfree(&re);
  return out;
}

static struct val primary(void) {
  if (P >= N) syntax();
  if (at("(")) {
    P++;
    struct val v = e_or();
    if (!at(")")) {
      if (P >= N) die(2, "syntax error: expecting ')' after %s", q(A[N - 1]));
      die(2, "syntax error: expecting ')' instead of %s", q(A[P]));
    }
    P++;
    return v;
  }
  if (at(")")) syntax();
  if (at("+") && P + 1 < N) {
    P++;
    return mkstr(A[P++]);
  }
  if (at("length") && P + 1 < N) {
    P++;
    struct val s = primary();
    return mkint((long long)strlen(s.s));
  }
  if (at("match") && P + 2 < N) {
    P++;
    struct val s = primary(), r = primary();
    return do_match(s.s, r.s);
  }
  if (at("index") && P + 2 < N) {
    P++;
    struct val s = primary(), chars = primary();
    size_t k = strcspn(s.s, chars.s);
    return mkint(s.s[k] ? (long long)k + 1 : 0);
  }
  if (at("substr") && P + 3 < N) {
    P++;
    struct val s = primary(), pos = primary(), len = primary();
    long long p, l;
    size_t sl = strlen(s.s);
    if (!as_int(pos.s, &p) || !as_int(len.s, &l) || p < 1 || l < 1 || (size_t)p > sl) return mkstr("");
    size_t take = (size_t)l;
    if (take > sl - (size_t)(p - 1)) take = sl - (size_t)(p - 1);
    struct val out = {strndup(s.s + p - 1, take)};
    return out;
  }
  return mkstr(A[P++]);
}

static struct val e_match(void) {
  struct val v = primary();
  while (at(":")) {
    P++;
    struct val r = primary();
    v = do_match(v.s, r.s);
  }
  return v;
}

static long long num(const struct val *v) {
  long long n;
  if (!as_int(v->s, &n)) die(2, "non-integer argument");
  return n;
}

static struct val e_mul(void) {
  struct val v = e_match();
  while (at("*") || at("/") || at("%")) {
    char op = A[P++][0];
    struct val r = e_match();
    long long a = num(&v), b = num(&r);
    if (op != '*' && b == 0) die(2, "division by zero");
    long long res;
    if (op == '*') {
      if (__builtin_mul_overflow(a, b, &res)) die(2, "%s", errstr(ERANGE));
    } else {
      res = op == '/' ? a / b : a % b;
    }
    v = mkint(res);
  }
  return v;
}

static struct val e_add(void) {
  struct val v = e_mul();
  while (at("+") || at("-")) {
    char op = A[P++][0];
    struct val r = e_mul();
    long long a = num(&v), b = num(&r), res;
    if (op == '+' ? __builtin_add_overflow(a, b, &res) : __builtin_sub_overflow(a, b, &res))
      die(2, "%s", errstr(ERANGE));
    v = mkint(res);
  }
  return v;
}

static struct val e_cmp(void) {
  struct val v = e_add();
  for (;;) {
    const char *ops[] = {"<", "<=", "=", "==", "!=", ">=", ">", NULL};
    int k = -1;
    for (int i = 0; ops[i]; i++)
      if (at(ops[i])) k = i;
    if (k < 0) return v;
    P++;
    struct val r = e_add();
    long long a, b;
    int c;
    if (as_int(v.s, &a) && as_int(r.s, &b)) c = a < b ? -1 : a > b;
    else c = strcmp(v.s, r.s);
    int res;
    switch (k) {
    case 0: res = c < 0; break;
    case 1: res = c <= 0; break;
    case 2: case 3: res = c == 0; break;
    case 4: res = c != 0; break;
    case 5: res = c >= 0; break;
    default: res = c > 0;
    }
    v = mkint(res);
  }
}

static struct val e_and(void) {
  struct val v = e_cmp();
  while (at("&")) {
    P++;
    struct val r = e_cmp();
    if (is_null(&v) || is_null(&r)) v = mkint(0);
  }
  return v;
}

static struct val e_or(void) {
  struct val v = e_and();
  while (at("|")) {
    P++;
    struct val r = e_and();
    if (is_null(&v)) v = is_null(&r) ? mkint(0) : r;
  }
  return v;
}

int expr_main(int argc, char **argv) {
  A = argv + 1;
  N = argc - 1;
  P = 0;
  if (N > 0 && !strcmp(A[0], "--")) {
    A++;
    N--;
  }
  if (N == 0) {
    warnx_("missing operand");
    usage_exit(2);
  }
  struct val v = e_or();
  if (P < N) syntax();
  puts(v.s);
  return is_null(&v) ? 1 : 0;
}
