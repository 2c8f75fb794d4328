/* tr: translate, squeeze (-s) or delete (-d) bytes. Sets take ranges (a-z), escapes (\n \\ \NNN),
   classes ([:alpha:] ...), repeats ([c*N], [c*]) and equivalence classes ([=c=]); -c complements SET1. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct set {
  unsigned char c[4096];
  int n;
  int fill_at; /* index of a [c*] to stretch in SET2, or -1 */
  int has_class_upper, has_class_lower;
};

static int esc_char(const char **pp) {
  const char *p = *pp;
  int v;
  switch (*p) {
  case 'a': v = '\a'; break;
  case 'b': v = '\b'; break;
  case 'f': v = '\f'; break;
  case 'n': v = '\n'; break;
  case 'r': v = '\r'; break;
  case 't': v = '\t'; break;
  case 'v': v = '\v'; break;
  case 0: v = '\\'; *pp = p; return v;
  default:
    if (*p >= '0' && *p <= '7') {
      v = 0;
      for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; k++) v = v * 8 + (*p++ - '0');
      *pp = p;
      return v & 255;
    }
    v = (unsigned char)*p;
  }
  *pp = p + 1;
  return v;
}

static int next_char(const char **pp) {
  const char *p = *pp;
  if (*p == '\\') {
    p++;
    int v = esc_char(&p);
    *pp = p;
    return v;
  }
  *pp = p + 1;
  return (unsigned char)*p;
}

static void add(struct set *s, int c) {
  if (s->n < (int)sizeof s->c) s->c[s->n++] = (unsigned char)c;
}

static int parse_set(const char *str, struct set *s, int is_set2) {
  memset(s, 0, sizeof *s);
  s->fill_at = -1;
  const char *p = str;
  while (*p) {
    if (p[0] == '[' && p[1] == ':') {
      const char *e = strstr(p + 2, ":]");
      if (e) {
        size_t n = (size_t)(e - p - 2);
        char name[16] = {0};
        if (n < sizeof name) memcpy(name, p + 2, n);
        int (*fn)(int) = NULL;
        if (!strcmp(name, "alpha")) fn = isalpha;
        else if (!strcmp(name, "digit")) fn = isdigit;
        else if (!strcmp(name, "alnum")) fn = isalnum;
        else if (!strcmp(name, "upper")) fn = isupper, s->has_class_upper = 1;
        else if (!strcmp(name, "lower")) fn = islower, s->has_class_lower = 1;
        else if (!strcmp(name, "space")) fn = isspace;
        else if (!strcmp(name, "blank")) fn = isblank;
        else if (!strcmp(name, "punct")) fn = ispunct;
        else if (!strcmp(name, "print")) fn = isprint;
        else if (!strcmp(name, "graph")) fn = isgraph;
        else if (!strcmp(name, "cntrl")) fn = iscntrl;
        else if (!strcmp(name, "xdigit")) fn = isxdigit;
        if (!fn) die(1, "invalid character class %s", q(name));
        for (int c = 0; c < 256; c++)
          if (fn(c)) add(s, c);
        p = e + 2;
        continue;
      }
    }
    if (p[0] == '[' && p[1] == '=' && p[2] && p[3] == '=' && p[4] == ']') {
      add(s, (unsigned char)p[2]);
      p += 5;
      continue;
    }
    if (p[0] == '[' && p[1] && p[1] != '\\' && p[2] == '*') {
      const char *q2p = p + 3;
      char *end;
      long count = strtol(q2p, &end, q2p[0] == '0' ? 8 : 10);
      if (*end == ']') {
        int c = (unsigned char)p[1];
        if (end == q2p || count == 0) {
          if (!is_set2) die(1, "the [c*] repeat construct may not appear in string1");
          s->fill_at = s->n;
          add(s, c);
        } else {
          for (long k = 0; k < count; k++) add(s, c);
        }
        p = end + 1;
        continue;
      }
    }
    int c = next_char(&p);
    if (*p == '-' && p[1]) {
      const char *save = p;
      p++;
      int hi = next_char(&p);
      if (hi < c) {
        warnx_("range-endpoints of '%c-%c' are in reverse collating sequence order", c, hi);
        box_exit(1);
      }
      for (int k = c; k <= hi; k++) add(s, k);
      (void)save;
      continue;
    }
    add(s, c);
  }
  return 0;
}

int tr_main(int argc, char **argv) {
  struct opts o;
  int c, complement = 0, del = 0, squeeze = 0, truncate = 0;
  static const struct lopt longs[] = {{"complement", ARG_NONE, 'c'},    {"delete", ARG_NONE, 'd'},
                                      {"squeeze-repeats", ARG_NONE, 's'}, {"truncate-set1", ARG_NONE, 't'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "cCdst", longs)) != -1) {
    switch (c) {
    case 'c': case 'C': complement = 1; break;
    case 'd': del = 1; break;
    case 's': squeeze = 1; break;
    case 't': truncate = 1; break;
    default: usage_exit(1);
    }
  }
  int need = (del && squeeze) || (!del && !squeeze) ? 2 : 1;
  if (o.nops < 1) {
    warnx_("missing operand");
    usage_exit(1);
  }
  if (o.nops < need) {
    warnx_("missing operand after %s", q(o.ops[o.nops - 1]));
    fprintf(stderr, need == 2 && !del ? "Two strings must be given when translating.\n"
                                       : "Two strings must be given when both deleting and squeezing repeats.\n");
    usage_exit(1);
  }
  if (o.nops > need && !(need == 1 && squeeze && !del && o.nops == 2)) {
    warnx_("extra operand %s", q(o.ops[need]));
    if (del && !squeeze) fprintf(stderr, "Only one string may be given when deleting without squeezing repeats.\n");
    usage_exit(1);
  }
  struct set s1, s2;
  parse_set(o.ops[0], &s1, 0);
  int have2 = o.nops > 1;
  if (have2) parse_set(o.ops[1], &s2, 1);
  unsigned char in1[256] = {0};
  for (int k = 0; k < s1.n; k++) in1[s1.c[k]] = 1;
  if (complement) {
    s1.n = 0;
    for (int k = 0; k < 256; k++)
      if (!in1[k]) s1.c[s1.n++] = (unsigned char)k;
    for (int k = 0; k < 256; k++) in1[k] = !in1[k];
  }
  int map[256];
  for (int k = 0; k < 256; k++) map[k] = k;
  unsigned char sq[256] = {0};
  int translating = !del && have2;
  if (translating) {
    if (s2.n == 0) die(1, "when not truncating set1, string2 must be non-empty");
    if (s2.fill_at >= 0 && s2.n < s1.n) {
      /* stretch [c*] to make SET2 as long as SET1 */
      int extra = s1.n - s2.n;
      memmove(s2.c + s2.fill_at + 1 + extra, s2.c + s2.fill_at + 1, (size_t)(s2.n - s2.fill_at - 1));
      memset(s2.c + s2.fill_at + 1, s2.c[s2.fill_at], (size_t)extra);
      s2.n += extra;
    }
    int n1 = s1.n;
    if (truncate && n1 > s2.n) n1 = s2.n;
    /* classes map case-to-case */
    if (s1.has_class_lower && s2.has_class_upper && !complement) {
      for (int k = 'a'; k <= 'z'; k++) map[k] = toupper(k);
    } else if (s1.has_class_upper && s2.has_class_lower && !complement) {
      for (int k = 'A'; k <= 'Z'; k++) map[k] = tolower(k);
    }
    if (!((s1.has_class_lower && s2.has_class_upper) || (s1.has_class_upper && s2.has_class_lower)) || complement) {
      for (int k = 0; k < n1; k++) map[s1.c[k]] = s2.c[k < s2.n ? k : s2.n - 1];
    }
  }
  if (squeeze) {
    const struct set *ss = (del || translating) ? &s2 : &s1;
    if (!del && !translating) {
      for (int k = 0; k < 256; k++) sq[k] = in1[k];
    } else {
      for (int k = 0; k < ss->n; k++) sq[ss->c[k]] = 1;
    }
  }
  static unsigned char buf[65536], out[65536];
  int last = -1;
  ssize_t r;
  fflush(stdout);
  while ((r = read(0, buf, sizeof buf)) > 0) {
    size_t k = 0;
    for (ssize_t i = 0; i < r; i++) {
      int ch = buf[i];
      if (del && in1[ch]) continue;
      ch = map[ch];
      if (squeeze && sq[ch] && ch == last) continue;
      last = ch;
      out[k++] = (unsigned char)ch;
    }
    for (size_t off = 0; off < k;) {
      ssize_t w = write(1, out + off, k - off);
      if (w <= 0) return 1;
      off += (size_t)w;
    }
  }
  return 0;
}
