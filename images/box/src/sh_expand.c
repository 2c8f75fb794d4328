/* sh: word expansion (tilde, parameters, command substitution, arithmetic, field splitting, pathnames,
   quote removal), the per-command arena and pattern matching. A word expands into characters that each
   carry where they came from (quoted, or from an unquoted expansion), which is all that field splitting
   and pathname expansion need to know. */
#include "sh.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ arena */

struct block {
  struct block *prev;
  size_t size, used;
  char data[];
};
static struct block *cur;

void *st_alloc(size_t n) {
  n = (n + 7) & ~(size_t)7;
  if (!cur || cur->used + n > cur->size) {
    size_t size = n > 65536 ? n : 65536;
    struct block *b = malloc(sizeof *b + size);
    if (!b) {
      fputs("sh: out of memory\n", stderr);
      exit(2);
    }
    b->prev = cur;
    b->size = size;
    b->used = 0;
    cur = b;
  }
  void *p = cur->data + cur->used;
  cur->used += n;
  return p;
}
char *st_strndup(const char *s, size_t n) {
  char *p = st_alloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}
char *st_strdup(const char *s) { return st_strndup(s, strlen(s)); }
stmark st_mark(void) {
  stmark m = {cur, cur ? cur->used : 0};
  return m;
}
void st_release(stmark m) {
  while (cur && cur != m.block) {
    struct block *p = cur->prev;
    free(cur);
    cur = p;
  }
  if (cur) cur->used = m.used;
}

void sl_add(strlist *l, char *s) {
  if (l->n + 1 >= l->cap) {
    int cap = l->cap ? l->cap * 2 : 16;
    char **v = st_alloc(sizeof *v * (size_t)cap);
    if (l->n) memcpy(v, l->v, sizeof *v * (size_t)l->n);
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
}

int pmatch(const char *pattern, const char *s) { return fnmatch(pattern, s, 0) == 0; }

/* ------------------------------------------------------------------ expansion buffer */

enum { XQ = 1, XS = 2, XBRK = 4, XEQ = 8 };
typedef struct xb {
  char *c;
  unsigned char *f;
  size_t n, cap;
} xb;

static void xput(xb *b, char c, int f) {
  if (b->n + 1 >= b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->c = realloc(b->c, b->cap);
    b->f = realloc(b->f, b->cap);
  }
  b->c[b->n] = c;
  b->f[b->n++] = (unsigned char)f;
}
static void xputs(xb *b, const char *s, size_t n, int f) {
  for (size_t i = 0; i < n; i++) xput(b, s[i], f);
}

static int expand_text(xb *b, const char *s, size_t n, int flags, int dq, int lit);

static const char *ifs(void) {
  const char *v = var_get("IFS");
  return v ? v : " \t\n";
}

/* ------------------------------------------------------------------ parameters */

static char numbuf[4][32];
static int numi;
static const char *num(long long v) {
  char *b = numbuf[numi++ & 3];
  snprintf(b, 32, "%lld", v);
  return b;
}

static const char *opt_string(void) {
  static char b[16];
  char *p = b;
  if (sh.opt_e) *p++ = 'e';
  if (sh.opt_f) *p++ = 'f';
  if (sh.interactive) *p++ = 'i';
  if (sh.opt_n) *p++ = 'n';
  if (sh.opt_s) *p++ = 's';
  if (sh.opt_u) *p++ = 'u';
  if (sh.opt_v) *p++ = 'v';
  if (sh.opt_x) *p++ = 'x';
  if (sh.opt_C) *p++ = 'C';
  *p = 0;
  return b;
}

/* The value of a parameter other than @ and *; NULL when unset. */
static const char *param(const char *name, size_t n) {
  if (n == 1) {
    switch (name[0]) {
    case '?': return num(sh.status);
    case '#': return num(sh.nparams);
    case '$': return num(sh.rootpid);
    case '!': return sh.lastbg ? num(sh.lastbg) : NULL;
    case '-': return opt_string();
    case '0': return sh.arg0;
    }
  }
  if (isdigit((unsigned char)name[0])) {
    long k = 0;
    for (size_t i = 0; i < n && k < 100000; i++) k = k * 10 + (name[i] - '0');
    return k >= 1 && k <= sh.nparams ? sh.params[k - 1] : NULL;
  }
  char tmp[256];
  if (n >= sizeof tmp) return NULL;
  memcpy(tmp, name, n);
  tmp[n] = 0;
  return var_get(tmp);
}

static char *join_params(void) {
  const char *f = ifs();
  size_t total = 1;
  for (int i = 0; i < sh.nparams; i++) total += strlen(sh.params[i]) + 1;
  char *out = st_alloc(total), *o = out;
  for (int i = 0; i < sh.nparams; i++) {
    if (i && *f) *o++ = *f;
    size_t l = strlen(sh.params[i]);
    memcpy(o, sh.params[i], l);
    o += l;
  }
  *o = 0;
  return out;
}

static void put_value(xb *b, const char *v, int dq) { xputs(b, v, strlen(v), dq ? XQ : XS); }

/* "$@" with no parameters: the quotes around it make no empty field */
static int empty_at;

static void put_at(xb *b, int dq, int star) {
  if (dq && !star && sh.nparams == 0) empty_at++;
  if (dq && star) {
    put_value(b, join_params(), 1);
    xput(b, 0, XEQ);
    return;
  }
  for (int i = 0; i < sh.nparams; i++) {
    if (i) xput(b, 0, XBRK);
    put_value(b, sh.params[i], dq);
    if (dq) xput(b, 0, XEQ);
  }
}

/* Removes the shortest/longest prefix/suffix matching pattern. */
static char *trim(const char *v, const char *pat, int suffix, int longest) {
  size_t n = strlen(v);
  char *tmp = st_strdup(v);
  if (!suffix) {
    for (size_t k = 0; k <= n; k++) {
      size_t i = longest ? n - k : k;
      char c = tmp[i];
      tmp[i] = 0;
      int m = pmatch(pat, tmp);
      tmp[i] = c;
      if (m) return st_strdup(v + i);
    }
  } else {
    for (size_t k = 0; k <= n; k++) {
      size_t i = longest ? k : n - k;
      if (pmatch(pat, v + i)) return st_strndup(v, i);
    }
  }
  return (char *)v;
}

static int param_expand(xb *b, const char *e, size_t n, int flags, int dq) {
  size_t i = 0;
  int length = 0;
  if (n > 1 && e[0] == '#' && !(n == 2 && strchr("-=?+", e[1])) ) {
    length = 1;
    i = 1;
  }
  size_t ns = i;
  if (i < n && (strchr("@*#?-$!", e[i]) )) i++;
  else if (i < n && isdigit((unsigned char)e[i]))
    while (i < n && isdigit((unsigned char)e[i])) i++;
  else
    while (i < n && (isalnum((unsigned char)e[i]) || e[i] == '_')) i++;
  const char *name = e + ns;
  size_t nl = i - ns;
  if (nl == 0) {
    sh_error("${%.*s}: Bad substitution", (int)n, e);
    return -1;
  }
  int at = nl == 1 && (name[0] == '@' || name[0] == '*');
  const char *val = at ? (sh.nparams ? join_params() : NULL) : param(name, nl);
  if (at && sh.nparams == 0) val = NULL;
  if (length) {
    if (i != n) {
      sh_error("${%.*s}: Bad substitution", (int)n, e);
      return -1;
    }
    if (!val && sh.opt_u && !at) {
      sh_error("%.*s: parameter not set", (int)nl, name);
      return -1;
    }
    put_value(b, num(at ? sh.nparams : val ? (long long)strlen(val) : 0), dq);
    return 0;
  }
  if (i == n) {
    if (at) {
      put_at(b, dq, name[0] == '*');
      return 0;
    }
    if (!val) {
      if (sh.opt_u) {
        sh_error("%.*s: parameter not set", (int)nl, name);
        return -1;
      }
      return 0;
    }
    put_value(b, val, dq);
    return 0;
  }
  int colon = 0;
  if (e[i] == ':') colon = 1, i++;
  if (i >= n) {
    sh_error("${%.*s}: Bad substitution", (int)n, e);
    return -1;
  }
  char op = e[i++];
  int longest = 0;
  if ((op == '%' || op == '#') && !colon && i < n && e[i] == op) longest = 1, i++;
  const char *w = e + i;
  size_t wl = n - i;
  int empty = !val || (colon && !*val);
  int lit = dq ? 0 : XS;
  switch (op) {
  case '-':
    if (empty) return expand_text(b, w, wl, flags | (dq ? EX_INNER : 0), dq, lit);
    if (at) put_at(b, dq, name[0] == '*');
    else put_value(b, val, dq);
    return 0;
  case '+':
    if (!empty) return expand_text(b, w, wl, flags | (dq ? EX_INNER : 0), dq, lit);
    return 0;
  case '=':
    if (empty) {
      char *nv = expand_one(st_strndup(w, wl), 0);
      if (!nv) return -1;
      char tmp[256];
      if (!is_name(name, nl) || nl >= sizeof tmp) {
        sh_error("%.*s: bad variable name", (int)nl, name);
        return -1;
      }
      memcpy(tmp, name, nl);
      tmp[nl] = 0;
      if (var_set(tmp, nv, 0) < 0) return -1;
      val = nv;
    }
    put_value(b, val, dq);
    return 0;
  case '?':
    if (empty) {
      char *msg = wl ? expand_one(st_strndup(w, wl), 0) : NULL;
      sh_error("%.*s: %s", (int)nl, name, msg ? msg : colon ? "parameter null or not set" : "parameter not set");
      return -1;
    }
    put_value(b, val, dq);
    return 0;
  case '%':
  case '#': {
    if (colon) break;
    if (!val) {
      if (sh.opt_u && !at) {
        sh_error("%.*s: parameter not set", (int)nl, name);
        return -1;
      }
      val = "";
    }
    char *pat = expand_one(st_strndup(w, wl), EX_PATTERN);
    if (!pat) return -1;
    put_value(b, trim(val, pat, op == '%', longest), dq);
    return 0;
  }
  }
  sh_error("${%.*s}: Bad substitution", (int)n, e);
  return -1;
}

/* ------------------------------------------------------------------ $( ), ` `, $(( )) */

static int put_cmdsubst(xb *b, const char *text, size_t len, int dq) {
  char *out;
  size_t olen;
  cmdsubst(text, len, sh.lineno, &out, &olen);
  while (olen > 0 && out[olen - 1] == '\n') olen--;
  for (size_t i = 0; i < olen; i++)
    if (out[i]) xput(b, out[i], dq ? XQ : XS);
  free(out);
  return sh.skip == SKIP_ERROR ? -1 : 0;
}

static int put_backquote(xb *b, const char *s, size_t n, int dq) {
  /* inside ` `, a backslash quotes $ ` \ (and " within double quotes) */
  char *t = st_alloc(n + 1), *o = t;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '$' || s[i + 1] == '`' || s[i + 1] == '\\' || (dq && s[i + 1] == '"')))
      i++;
    *o++ = s[i];
  }
  *o = 0;
  /* the text runs as $( ): give it a closing parenthesis */
  size_t tl = (size_t)(o - t);
  char *u = st_alloc(tl + 3);
  memcpy(u, t, tl);
  memcpy(u + tl, "\n)", 3);
  return put_cmdsubst(b, u, tl + 2, dq);
}

static int put_arith(xb *b, const char *s, size_t n, int dq) {
  xb t = {0};
  int rc = expand_text(&t, s, n, 0, 1, 0);
  char *expr = st_alloc(t.n + 1);
  size_t k = 0;
  for (size_t i = 0; i < t.n; i++)
    if (!(t.f[i] & (XBRK | XEQ))) expr[k++] = t.c[i];
  expr[k] = 0;
  free(t.c);
  free(t.f);
  if (rc < 0) return -1;
  int err = 0;
  long long v = arith_eval(expr, &err);
  if (err) return -1;
  put_value(b, num(v), dq);
  return 0;
}

/* ------------------------------------------------------------------ the scanner */

static size_t dq_end(const char *s, size_t n, size_t i) {
  size_t j = i + 1;
  while (j < n) {
    if (s[j] == '\\') j += 2;
    else if (s[j] == '"') return j;
    else if (s[j] == '$' || s[j] == '`') j = skip_dollar(s, n, j);
    else j++;
  }
  return n;
}

static int expand_dollar(xb *b, const char *s, size_t n, size_t *ip, int flags, int dq) {
  size_t i = *ip;
  char c1 = i + 1 < n ? s[i + 1] : 0;
  if (c1 == '(' || c1 == '{') {
    size_t end = skip_dollar(s, n, i);
    *ip = end;
    if (c1 == '(' && i + 2 < n && s[i + 2] == '(') return put_arith(b, s + i + 3, end - i - 5, dq);
    if (c1 == '(') return put_cmdsubst(b, s + i + 2, end - i - 2, dq);
    return param_expand(b, s + i + 2, end - i - 3, flags, dq);
  }
  if (c1 && (strchr("@*#?-$!", c1) || isdigit((unsigned char)c1))) {
    *ip = i + 2;
    if (c1 == '@' || c1 == '*') {
      put_at(b, dq, c1 == '*');
      return 0;
    }
    const char *v = param(s + i + 1, 1);
    if (!v) {
      if (sh.opt_u && c1 != '!') {
        sh_error("%c: parameter not set", c1);
        return -1;
      }
      return 0;
    }
    put_value(b, v, dq);
    return 0;
  }
  if (c1 && (isalpha((unsigned char)c1) || c1 == '_')) {
    size_t j = i + 1;
    while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_')) j++;
    *ip = j;
    return param_expand(b, s + i + 1, j - i - 1, flags, dq);
  }
  xput(b, '$', dq ? XQ : 0);
  *ip = i + 1;
  return 0;
}

static void tilde(xb *b, const char *s, size_t n, size_t *ip, int flags) {
  size_t i = *ip + 1, j = i;
  while (j < n && s[j] != '/' && !((flags & EX_ASSIGN) && s[j] == ':')) {
    if (!(isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.')) {
      xput(b, '~', 0);
      *ip = i;
      return;
    }
    j++;
  }
  const char *home = NULL;
  if (j == i) home = var_get("HOME");
  else if (j - i == 4 && !memcmp(s + i, "root", 4)) home = "/root";
  if (!home) {
    xput(b, '~', 0);
    *ip = i;
    return;
  }
  xputs(b, home, strlen(home), XQ);
  *ip = j;
}

static int expand_text(xb *b, const char *s, size_t n, int flags, int dq, int lit) {
  size_t i = 0;
  int heredoc = flags & EX_HEREDOC;
  int qf = dq ? XQ : lit;
  while (i < n) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 < n && s[i + 1] == '\n') {
        i += 2;
        continue;
      }
      if (i + 1 >= n) {
        xput(b, '\\', qf | (dq ? 0 : XQ));
        i++;
        continue;
      }
      char d = s[i + 1];
      if (!dq || d == '$' || d == '`' || d == '\\' || (d == '"' && !heredoc)) {
        xput(b, d, XQ);
        i += 2;
      } else {
        xput(b, '\\', XQ);
        i++;
      }
      continue;
    }
    if (c == '\'' && !dq) {
      size_t j = i + 1;
      while (j < n && s[j] != '\'') j++;
      xputs(b, s + i + 1, j - i - 1, XQ);
      xput(b, 0, XEQ);
      i = j + 1;
      continue;
    }
    if (c == '"' && (!dq || (flags & EX_INNER))) {
      size_t j = dq_end(s, n, i);
      int before = empty_at;
      size_t len_before = b->n;
      if (expand_text(b, s + i + 1, j - i - 1, flags & ~(EX_ASSIGN | EX_INNER), 1, 0) < 0) return -1;
      if (!(empty_at != before && b->n == len_before)) xput(b, 0, XEQ);
      i = j + 1;
      continue;
    }
    if (c == '$') {
      if (expand_dollar(b, s, n, &i, flags, dq) < 0) return -1;
      continue;
    }
    if (c == '`') {
      size_t end = skip_dollar(s, n, i);
      if (put_backquote(b, s + i + 1, end - i - 2, dq) < 0) return -1;
      i = end;
      continue;
    }
    if (c == '~' && !dq && !heredoc &&
        (i == 0 || ((flags & EX_ASSIGN) && (s[i - 1] == ':' || s[i - 1] == '=')))) {
      tilde(b, s, n, &i, flags);
      continue;
    }
    xput(b, c, qf);
    i++;
  }
  return 0;
}

/* ------------------------------------------------------------------ fields */

static char *field_string(xb *b, size_t from, size_t to, int pattern) {
  char *out = st_alloc((to - from) * 2 + 1), *o = out;
  for (size_t i = from; i < to; i++) {
    if (b->f[i] & (XEQ | XBRK)) continue;
    if (pattern && (b->f[i] & XQ) && strchr("*?[]\\", b->c[i])) *o++ = '\\';
    *o++ = b->c[i];
  }
  *o = 0;
  return out;
}

static void add_field(xb *b, size_t from, size_t to, strlist *out, int flags) {
  int glob_it = 0;
  if ((flags & EX_FIELDS) && !sh.opt_f)
    for (size_t i = from; i < to; i++)
      if (!(b->f[i] & (XQ | XEQ | XBRK)) && strchr("*?[", b->c[i])) glob_it = 1;
  if (glob_it) {
    char *pat = field_string(b, from, to, 1);
    glob_t g;
    if (glob(pat, 0, NULL, &g) == 0) {
      for (size_t k = 0; k < g.gl_pathc; k++) sl_add(out, st_strdup(g.gl_pathv[k]));
      globfree(&g);
      return;
    }
  }
  sl_add(out, field_string(b, from, to, 0));
}

/* Splits at unquoted IFS characters that came from expansions; markers force or keep fields. */
static void split(xb *b, strlist *out, int flags) {
  const char *f = ifs();
  size_t start = 0, i = 0;
  int valid = 0;
  /* a field's characters are copied into a second buffer so that split pieces stay contiguous */
  xb cur = {0};
  while (i < b->n) {
    char c = b->c[i];
    int fl = b->f[i];
    if (fl & XBRK) {
      if (valid) add_field(&cur, 0, cur.n, out, flags);
      cur.n = 0;
      valid = 0;
      i++;
      continue;
    }
    if ((fl & XS) && !(fl & XQ) && c && strchr(f, c)) {
      /* one delimiter: IFS white space, at most one other IFS character, IFS white space */
      int nonws = 0;
      while (i < b->n && (b->f[i] & XS) && !(b->f[i] & XQ) && b->c[i] && strchr(f, b->c[i])) {
        if (!isspace((unsigned char)b->c[i])) {
          if (nonws) break;
          nonws = 1;
        }
        i++;
      }
      if (valid || nonws) add_field(&cur, 0, cur.n, out, flags);
      cur.n = 0;
      valid = 0;
      continue;
    }
    xput(&cur, c, fl);
    valid = 1;
    i++;
  }
  if (valid) add_field(&cur, 0, cur.n, out, flags);
  free(cur.c);
  free(cur.f);
  (void)start;
}

int expand_word(const char *text, int flags, strlist *out) {
  xb b = {0};
  int rc = expand_text(&b, text, strlen(text), flags, (flags & EX_HEREDOC) != 0, 0);
  if (rc == 0) {
    if (flags & EX_FIELDS) split(&b, out, flags);
    else {
      /* one string: "$@" fields join with spaces */
      for (size_t i = 0; i < b.n; i++)
        if (b.f[i] & XBRK) b.c[i] = ' ', b.f[i] = XQ;
      sl_add(out, field_string(&b, 0, b.n, (flags & EX_PATTERN) != 0));
    }
  }
  free(b.c);
  free(b.f);
  return rc;
}

char *expand_one(const char *text, int flags) {
  strlist l = {0};
  if (expand_word(text, flags & ~EX_FIELDS, &l) < 0) return NULL;
  return l.n ? l.v[0] : st_strdup("");
}

/* ------------------------------------------------------------------ arithmetic */

static const char *ap;
static int aerr, noeval;

static void askip(void) {
  while (*ap == ' ' || *ap == '\t' || *ap == '\n') ap++;
}
static void afail(const char *msg) {
  if (!aerr) sh_error("arithmetic expression: %s", msg);
  aerr = 1;
}
static long long a_assign(void);

static long long var_num(const char *name) {
  const char *v = var_get(name);
  if (!v || !*v) {
    if (!v && sh.opt_u) {
      if (!aerr) sh_error("%s: parameter not set", name);
      aerr = 1;
    }
    return 0;
  }
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 0);
  while (*end == ' ' || *end == '\t' || *end == '\n') end++;
  if (*end) afail("expecting primary");
  return x;
}

static void set_num(const char *name, long long v) {
  if (!noeval) var_set(name, num(v), 0);
}

static long long a_unary(void);
static long long a_primary(void) {
  askip();
  if (*ap == '(') {
    ap++;
    long long v = a_assign();
    askip();
    if (*ap != ')') afail("expecting ')'");
    else ap++;
    return v;
  }
  if (isdigit((unsigned char)*ap)) {
    char *end;
    long long v = strtoll(ap, &end, 0);
    if (isalnum((unsigned char)*end) || *end == '_') afail("expecting EOF");
    ap = end;
    return v;
  }
  if (isalpha((unsigned char)*ap) || *ap == '_') {
    const char *s = ap;
    while (isalnum((unsigned char)*ap) || *ap == '_') ap++;
    char name[256];
    size_t nl = (size_t)(ap - s) < sizeof name - 1 ? (size_t)(ap - s) : sizeof name - 1;
    memcpy(name, s, nl);
    name[nl] = 0;
    askip();
    if ((ap[0] == '+' && ap[1] == '+') || (ap[0] == '-' && ap[1] == '-')) {
      long long v = var_num(name);
      set_num(name, ap[0] == '+' ? v + 1 : v - 1);
      ap += 2;
      return v;
    }
    static const char *ops[] = {"<<=", ">>=", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "=", NULL};
    for (int k = 0; ops[k]; k++) {
      size_t ol = strlen(ops[k]);
      if (strncmp(ap, ops[k], ol) || (ol == 1 && ap[1] == '=')) continue;
      ap += ol;
      long long r = a_assign(), v = ol == 1 ? 0 : var_num(name);
      switch (ops[k][0]) {
      case '=': v = r; break;
      case '*': v *= r; break;
      case '/':
      case '%':
        if (r == 0) {
          if (!noeval) afail("division by zero");
          return 0;
        }
        v = ops[k][0] == '/' ? v / r : v % r;
        break;
      case '+': v += r; break;
      case '-': v -= r; break;
      case '&': v &= r; break;
      case '^': v ^= r; break;
      case '|': v |= r; break;
      case '<': v <<= r; break;
      case '>': v >>= r; break;
      }
      set_num(name, v);
      return v;
    }
    return var_num(name);
  }
  afail(*ap ? "expecting primary" : "expecting primary");
  return 0;
}

static long long a_unary(void) {
  askip();
  if ((ap[0] == '+' && ap[1] == '+') || (ap[0] == '-' && ap[1] == '-')) {
    char op = ap[0];
    ap += 2;
    askip();
    const char *s = ap;
    while (isalnum((unsigned char)*ap) || *ap == '_') ap++;
    char name[256];
    size_t nl = (size_t)(ap - s) < sizeof name - 1 ? (size_t)(ap - s) : sizeof name - 1;
    memcpy(name, s, nl);
    name[nl] = 0;
    if (!nl) {
      afail("expecting primary");
      return 0;
    }
    long long v = var_num(name) + (op == '+' ? 1 : -1);
    set_num(name, v);
    return v;
  }
  switch (*ap) {
  case '-': ap++; return -a_unary();
  case '+': ap++; return a_unary();
  case '!': ap++; return !a_unary();
  case '~': ap++; return ~a_unary();
  }
  return a_primary();
}

/* binary operators by precedence (higher binds tighter) */
static int binop(const char **len_out) {
  static const struct {
    const char *op;
    int prec;
  } t[] = {{"||", 1}, {"&&", 2}, {"<<", 9}, {">>", 9}, {"<=", 8}, {">=", 8}, {"==", 7}, {"!=", 7},
           {"|", 3},  {"^", 4},  {"&", 5},  {"<", 8},  {">", 8},  {"+", 10}, {"-", 10}, {"*", 11},
           {"/", 11}, {"%", 11}, {NULL, 0}};
  askip();
  for (int i = 0; t[i].op; i++) {
    size_t l = strlen(t[i].op);
    if (strncmp(ap, t[i].op, l)) continue;
    if (ap[l] == '=' && l == 1 && t[i].op[0] != '<' && t[i].op[0] != '>') return 0; /* op= */
    if (ap[l] == '=' && l == 2 && (t[i].op[0] == '<' || t[i].op[0] == '>') && t[i].op[1] == t[i].op[0]) return 0;
    if (l == 1 && (ap[0] == '&' || ap[0] == '|') && ap[1] == ap[0]) continue;
    *len_out = t[i].op;
    return t[i].prec;
  }
  return 0;
}

static long long a_bin(int minprec) {
  long long v = a_unary();
  for (;;) {
    const char *op;
    int p = binop(&op);
    if (!p || p < minprec) return v;
    ap += strlen(op);
    if (p == 1 || p == 2) {
      int skip = p == 1 ? v != 0 : v == 0;
      noeval += skip;
      long long r = a_bin(p + 1);
      noeval -= skip;
      v = p == 1 ? (v || r) : (v && r);
      continue;
    }
    long long r = a_bin(p + 1);
    switch (op[0]) {
    case '|': v |= r; break;
    case '^': v ^= r; break;
    case '&': v &= r; break;
    case '=': v = v == r; break;
    case '!': v = v != r; break;
    case '<': v = op[1] == '<' ? v << r : op[1] == '=' ? v <= r : v < r; break;
    case '>': v = op[1] == '>' ? v >> r : op[1] == '=' ? v >= r : v > r; break;
    case '+': v += r; break;
    case '-': v -= r; break;
    case '*': v *= r; break;
    case '/':
    case '%':
      if (r == 0) {
        if (!noeval) afail("division by zero");
        v = 0;
      } else v = op[0] == '/' ? v / r : v % r;
      break;
    }
  }
}

static long long a_assign(void) {
  long long c = a_bin(1);
  askip();
  if (*ap == '?') {
    ap++;
    noeval += !c;
    long long a = a_assign();
    noeval -= !c;
    askip();
    if (*ap != ':') {
      afail("expecting ':'");
      return 0;
    }
    ap++;
    noeval += !!c;
    long long b = a_assign();
    noeval -= !!c;
    return c ? a : b;
  }
  return c;
}

long long arith_eval(const char *expr, int *err) {
  ap = expr;
  aerr = 0;
  noeval = 0;
  askip();
  long long v = *ap ? a_assign() : 0;
  askip();
  if (!aerr && *ap) afail("expecting EOF");
  *err = aerr;
  return v;
}
