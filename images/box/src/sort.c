/* sort: sort lines in the C locale (bytes). Keys (-k POS1[,POS2] with GNU's field and character
   rules, -t separator), -n numeric, -g general numeric, -h human numeric, -f fold case, -d dictionary,
   -b ignore leading blanks, -r reverse, -u unique, -s stable, -c check, -o output, -z NUL lines. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct key {
  size_t sword, schar, eword, echar; /* eword == (size_t)-1: to the end of the line */
  int skipsblanks, skipeblanks, numeric, general, humanf, fold, dict, reverse, month;
};

struct line {
  char *text;
  size_t len;
  size_t index;
};

static struct {
  struct key *keys;
  int nkeys;
  int tab; /* -1: blanks */
  int unique, stable, reverse;
} S;

static int blank(int c) {
  return c == ' ' || c == '\t';
}

static const char *begfield(const struct line *l, const struct key *k) {
  const char *p = l->text, *lim = l->text + l->len;
  size_t sword = k->sword;
  if (S.tab >= 0) {
    while (p < lim && sword--) {
      while (p < lim && *p != S.tab) p++;
      if (p < lim) p++;
    }
  } else {
    while (p < lim && sword--) {
      while (p < lim && blank((unsigned char)*p)) p++;
      while (p < lim && !blank((unsigned char)*p)) p++;
    }
  }
  if (k->skipsblanks)
    while (p < lim && blank((unsigned char)*p)) p++;
  p = (size_t)(lim - p) < k->schar ? lim : p + k->schar;
  return p;
}

static const char *limfield(const struct line *l, const struct key *k) {
  const char *p = l->text, *lim = l->text + l->len;
  if (k->eword == (size_t)-1) return lim;
  size_t eword = k->eword, echar = k->echar;
  if (echar == 0) eword++;
  if (S.tab >= 0) {
    while (p < lim && eword--) {
      while (p < lim && *p != S.tab) p++;
      if (p < lim && (eword || echar)) p++;
    }
  } else {
    while (p < lim && eword--) {
      while (p < lim && blank((unsigned char)*p)) p++;
      while (p < lim && !blank((unsigned char)*p)) p++;
    }
  }
  if (echar != 0) {
    if (k->skipeblanks)
      while (p < lim && blank((unsigned char)*p)) p++;
    p = (size_t)(lim - p) < echar ? lim : p + echar;
  }
  return p;
}

/* GNU -n: optional blanks, optional '-', digits, optional fraction. Anything else is 0. */
static long double numval(const char *p, const char *lim) {
  while (p < lim && blank((unsigned char)*p)) p++;
  int neg = 0;
  if (p < lim && *p == '-') neg = 1, p++;
  long double v = 0;
  while (p < lim && isdigit((unsigned char)*p)) v = v * 10 + (*p++ - '0');
  if (p < lim && *p == '.') {
    long double scale = 0.1L;
    for (p++; p < lim && isdigit((unsigned char)*p); p++, scale /= 10) v += (*p - '0') * scale;
  }
  return neg ? -v : v;
}

static long double humanval(const char *p, const char *lim) {
  long double v = numval(p, lim);
  while (p < lim && blank((unsigned char)*p)) p++;
  if (p < lim && *p == '-') p++;
  while (p < lim && (isdigit((unsigned char)*p) || *p == '.')) p++;
  if (p < lim) {
    const char *u = strchr("KMGTPEZY", *p == 'k' ? 'K' : *p);
    if (u && *p) {
      for (long i = 0; i <= u - "KMGTPEZY"; i++) v *= 1024;
    }
  }
  return v;
}

static long double generalval(const char *p, const char *lim, int *isnum) {
  char buf[128];
  size_t n = (size_t)(lim - p) < sizeof buf - 1 ? (size_t)(lim - p) : sizeof buf - 1;
  memcpy(buf, p, n);
  buf[n] = 0;
  char *end;
  long double v = strtold(buf, &end);
  *isnum = end != buf;
  return v;
}

/* -M: JAN < ... < DEC; anything else sorts before them */
static int monthval(const char *p, const char *lim) {
  static const char names[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";
  while (p < lim && blank((unsigned char)*p)) p++;
  if (lim - p < 3) return 0;
  for (int m = 0; m < 12; m++)
    if (toupper((unsigned char)p[0]) == names[3 * m] && toupper((unsigned char)p[1]) == names[3 * m + 1] &&
        toupper((unsigned char)p[2]) == names[3 * m + 2])
      return m + 1;
  return 0;
}

static int cmp_text(const struct key *k, const char *a, const char *alim, const char *b, const char *blim) {
  if (!k->fold && !k->dict) {
    size_t la = (size_t)(alim - a), lb = (size_t)(blim - b);
    int r = memcmp(a, b, la < lb ? la : lb);
    if (r) return r;
    return la < lb ? -1 : la > lb;
  }
  for (;;) {
    if (k->dict) {
      while (a < alim && !(isalnum((unsigned char)*a) || blank((unsigned char)*a))) a++;
      while (b < blim && !(isalnum((unsigned char)*b) || blank((unsigned char)*b))) b++;
    }
    if (a >= alim || b >= blim) return (a < alim) - (b < blim);
    int ca = (unsigned char)*a++, cb = (unsigned char)*b++;
    if (k->fold) ca = toupper(ca), cb = toupper(cb);
    if (ca != cb) return ca - cb;
  }
}

static int cmp_key(const struct key *k, const struct line *x, const struct line *y) {
  const char *a = begfield(x, k), *alim = limfield(x, k);
  const char *b = begfield(y, k), *blim = limfield(y, k);
  if (alim < a) alim = a;
  if (blim < b) blim = b;
  int r;
  if (k->month) {
    int ma = monthval(a, alim), mb = monthval(b, blim);
    r = ma < mb ? -1 : ma > mb;
  } else if (k->numeric || k->humanf) {
    long double va = k->numeric ? numval(a, alim) : humanval(a, alim);
    long double vb = k->numeric ? numval(b, blim) : humanval(b, blim);
    r = va < vb ? -1 : va > vb;
  } else if (k->general) {
    int na, nb;
    long double va = generalval(a, alim, &na), vb = generalval(b, blim, &nb);
    if (na != nb) r = na - nb;
    else r = va < vb ? -1 : va > vb;
  } else {
    r = cmp_text(k, a, alim, b, blim);
  }
  return k->reverse ? -r : r;
}

static int cmp_lines(const void *pa, const void *pb) {
  const struct line *x = pa, *y = pb;
  for (int i = 0; i < S.nkeys; i++) {
    int r = cmp_key(&S.keys[i], x, y);
    if (r) return r;
  }
  if (!S.unique && !S.stable) {
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->text, y->text, n);
    if (!r) r = x->len < y->len ? -1 : x->len > y->len;
    if (r) return S.reverse ? -r : r;
  }
  return 0;
}

static int cmp_stable(const void *pa, const void *pb) {
  int r = cmp_lines(pa, pb);
  if (r) return r;
  const struct line *x = pa, *y = pb;
  return x->index < y->index ? -1 : x->index > y->index;
}

static const char *set_ordering(const char *s, struct key *k, int end) {
  for (; *s; s++) {
    switch (*s) {
    case 'b':
      if (end) k->skipeblanks = 1;
      else k->skipsblanks = 1;
      break;
    case 'n': k->numeric = 1; break;
    case 'g': k->general = 1; break;
    case 'h': k->humanf = 1; break;
    case 'f': k->fold = 1; break;
    case 'd': k->dict = 1; break;
    case 'r': k->reverse = 1; break;
    case 'M': k->month = 1; break;
    case 'i': case 'V': case 'R': break;
    default: return s;
    }
  }
  return s;
}

static size_t field_count(const char **s, const char *spec, const char *what) {
  if (!isdigit((unsigned char)**s)) die(2, "invalid number %s: %s", what, q(spec));
  size_t v = 0;
  while (isdigit((unsigned char)**s)) v = v * 10 + (size_t)(*(*s)++ - '0');
  return v;
}

static void parse_key(const char *spec, struct key *k) {
  memset(k, 0, sizeof *k);
  k->eword = (size_t)-1;
  const char *s = spec;
  size_t f = field_count(&s, spec, "at field start");
  if (f == 0) die(2, "invalid number at field start: invalid count at start of %s", q(spec));
  k->sword = f - 1;
  if (*s == '.') {
    s++;
    size_t c = field_count(&s, spec, "after '.'");
    if (c == 0) die(2, "character offset is zero: invalid field specification %s", q(spec));
    k->schar = c - 1;
  }
  s = set_ordering(s, k, 0);
  if (*s == ',') {
    s++;
    size_t e = field_count(&s, spec, "after ','");
    if (e == 0) die(2, "field number is zero: invalid field specification %s", q(spec));
    k->eword = e - 1;
    if (*s == '.') {
      s++;
      k->echar = field_count(&s, spec, "after '.'");
    }
    s = set_ordering(s, k, 1);
  }
  if (*s) die(2, "stray character in field spec: invalid field specification %s", q(spec));
}

static int has_ordering(const struct key *k) {
  return k->skipsblanks || k->skipeblanks || k->numeric || k->general || k->humanf || k->fold || k->dict ||
         k->reverse || k->month;
}

int sort_main(int argc, char **argv) {
  struct opts o;
  struct key global;
  memset(&global, 0, sizeof global);
  memset(&S, 0, sizeof S);
  S.tab = -1;
  int c, check = 0, zero = 0;
  const char *outfile = NULL;
  struct key keys[64];
  int nkeys = 0;
  static const struct lopt longs[] = {{"numeric-sort", ARG_NONE, 'n'},
                                      {"general-numeric-sort", ARG_NONE, 'g'},
                                      {"human-numeric-sort", ARG_NONE, 'h'},
                                      {"month-sort", ARG_NONE, 'M'},
                                      {"reverse", ARG_NONE, 'r'},
                                      {"unique", ARG_NONE, 'u'},
                                      {"key", ARG_REQ, 'k'},
                                      {"field-separator", ARG_REQ, 't'},
                                      {"ignore-case", ARG_NONE, 'f'},
                                      {"dictionary-order", ARG_NONE, 'd'},
                                      {"ignore-leading-blanks", ARG_NONE, 'b'},
                                      {"stable", ARG_NONE, 's'},
                                      {"check", ARG_OPT, 'c'},
                                      {"output", ARG_REQ, 'o'},
                                      {"zero-terminated", ARG_NONE, 'z'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "nghMrufdbsk:t:co:zCS:T:", longs)) != -1) {
    switch (c) {
    case 'n': global.numeric = 1; break;
    case 'g': global.general = 1; break;
    case 'h': global.humanf = 1; break;
    case 'M': global.month = 1; break;
    case 'r': global.reverse = 1; break;
    case 'f': global.fold = 1; break;
    case 'd': global.dict = 1; break;
    case 'b': global.skipsblanks = global.skipeblanks = 1; break;
    case 'u': S.unique = 1; break;
    case 's': S.stable = 1; break;
    case 'c': case 'C': check = 1; break;
    case 'z': zero = 1; break;
    case 'o': outfile = o.arg; break;
    case 'S': case 'T': break;
    case 'k':
      if (nkeys == 64) die(2, "too many keys");
      parse_key(o.arg, &keys[nkeys++]);
      break;
    case 't':
      if (!o.arg[0]) die(2, "empty tab");
      if (o.arg[1] && strcmp(o.arg, "\\0")) die(2, "multi-character tab %s", q(o.arg));
      S.tab = strcmp(o.arg, "\\0") ? (unsigned char)o.arg[0] : 0;
      break;
    default: usage_exit(2);
    }
  }
  S.reverse = global.reverse;
  for (int i = 0; i < nkeys; i++) {
    if (!has_ordering(&keys[i])) {
      keys[i].skipsblanks = global.skipsblanks;
      keys[i].skipeblanks = global.skipeblanks;
      keys[i].numeric = global.numeric;
      keys[i].general = global.general;
      keys[i].humanf = global.humanf;
      keys[i].fold = global.fold;
      keys[i].dict = global.dict;
      keys[i].reverse = global.reverse;
      keys[i].month = global.month;
    }
  }
  if (nkeys == 0) {
    global.eword = (size_t)-1;
    keys[nkeys++] = global;
  }
  S.keys = keys;
  S.nkeys = nkeys;
  /* read every input */
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int nfiles = o.nops ? o.nops : 1;
  struct line *lines = NULL;
  size_t n = 0, cap = 0;
  int sep = zero ? 0 : '\n';
  for (int i = 0; i < nfiles; i++) {
    FILE *f = strcmp(files[i], "-") ? fopen(files[i], "r") : stdin;
    if (!f) die_e(2, "cannot read: %s", files[i]);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) die(2, "read failed: %s: Is a directory", files[i]);
    size_t len;
    char *data = read_all(f, &len);
    close_input(f);
    size_t start = 0;
    for (size_t k = 0; k <= len; k++) {
      if (k == len && start == len) break;
      if (k < len && data[k] != sep) continue;
      if (n == cap) lines = realloc(lines, (cap = cap ? cap * 2 : 1024) * sizeof *lines);
      lines[n].text = data + start;
      lines[n].len = k - start;
      lines[n].index = n;
      n++;
      start = k + 1;
    }
  }
  if (check) {
    for (size_t i = 1; i < n; i++) {
      int r = cmp_lines(&lines[i - 1], &lines[i]);
      if (r > 0 || (S.unique && r == 0)) {
        fprintf(stderr, "%s: %s:%zu: disorder: ", applet, nfiles == 1 && o.nops == 0 ? "-" : files[0], i + 1);
        fwrite(lines[i].text, 1, lines[i].len, stderr);
        fputc('\n', stderr);
        return 1;
      }
    }
    return 0;
  }
  qsort(lines, n, sizeof *lines, cmp_stable);
  FILE *out = stdout;
  if (outfile && strcmp(outfile, "-")) {
    out = fopen(outfile, "w");
    if (!out) die_e(2, "open failed: %s", outfile);
  }
  for (size_t i = 0; i < n; i++) {
    if (S.unique && i > 0 && cmp_lines(&lines[i - 1], &lines[i]) == 0) continue;
    fwrite(lines[i].text, 1, lines[i].len, out);
    putc(sep, out);
  }
  if (out != stdout) fclose(out);
  return 0;
}
