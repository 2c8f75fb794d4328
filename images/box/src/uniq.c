/* uniq: report or omit repeated adjacent lines; -c counts, -d only repeated, -u only unique, -i ignores
   case, -f N skips fields, -s N skips characters, -w N compares at most N characters. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct uq {
  int count, dups, uniques, icase, all_dups;
  long long skip_fields, skip_chars, width;
};

static const char *key_of(const struct uq *u, const char *s, size_t len, size_t *klen) {
  const char *p = s, *end = s + len;
  for (long long f = 0; f < u->skip_fields; f++) {
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    while (p < end && *p != ' ' && *p != '\t') p++;
  }
  for (long long k = 0; k < u->skip_chars && p < end; k++) p++;
  size_t n = (size_t)(end - p);
  if (u->width >= 0 && (size_t)u->width < n) n = (size_t)u->width;
  *klen = n;
  return p;
}

static int same(const struct uq *u, const char *a, size_t al, const char *b, size_t bl) {
  size_t ka, kb;
  const char *pa = key_of(u, a, al, &ka), *pb = key_of(u, b, bl, &kb);
  if (ka != kb) return 0;
  return u->icase ? strncasecmp(pa, pb, ka) == 0 : memcmp(pa, pb, ka) == 0;
}

static void emit(const struct uq *u, FILE *out, const char *line, size_t len, long long n) {
  if (u->all_dups || (u->dups && n < 2) || (u->uniques && n > 1)) return;
  if (u->count) fprintf(out, "%7lld ", n);
  fwrite(line, 1, len, out);
  putc('\n', out);
}

int uniq_main(int argc, char **argv) {
  struct opts o;
  struct uq u = {0, 0, 0, 0, 0, 0, 0, -1};
  int c;
  static const struct lopt longs[] = {{"count", ARG_NONE, 'c'},       {"repeated", ARG_NONE, 'd'},
                                      {"unique", ARG_NONE, 'u'},      {"ignore-case", ARG_NONE, 'i'},
                                      {"skip-fields", ARG_REQ, 'f'},  {"skip-chars", ARG_REQ, 's'},
                                      {"check-chars", ARG_REQ, 'w'},  {"all-repeated", ARG_OPT, 'D'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "cduiDf:s:w:", longs)) != -1) {
    long long v;
    switch (c) {
    case 'c': u.count = 1; break;
    case 'd': u.dups = 1; break;
    case 'u': u.uniques = 1; break;
    case 'i': u.icase = 1; break;
    case 'D': u.all_dups = 1; break;
    case 'f':
    case 's':
    case 'w':
      if (parse_int(o.arg, &v) != 0 || v < 0)
        die(1, "%s: invalid number of %s to %s", o.arg, c == 'f' ? "fields" : c == 's' ? "bytes" : "bytes",
            c == 'w' ? "compare" : "skip");
      if (c == 'f') u.skip_fields = v;
      else if (c == 's') u.skip_chars = v;
      else u.width = v;
      break;
    default: usage_exit(1);
    }
  }
  if (o.nops > 2) {
    warnx_("extra operand %s", q(o.ops[2]));
    usage_exit(1);
  }
  FILE *in = open_input(o.nops > 0 ? o.ops[0] : "-");
  if (!in) return 1;
  FILE *out = stdout;
  if (o.nops > 1 && strcmp(o.ops[1], "-")) {
    out = fopen(o.ops[1], "w");
    if (!out) die_e(1, "%s", o.ops[1]);
  }
  char *prev = NULL, *line = NULL;
  size_t prevcap = 0, cap = 0, prevlen = 0;
  long long n = 0;
  long len;
  while ((len = read_line(in, &line, &cap)) >= 0) {
    if (len > 0 && line[len - 1] == '\n') len--;
    if (n > 0 && same(&u, prev, prevlen, line, (size_t)len)) {
      n++;
      if (u.all_dups) {
        if (n == 2) {
          fwrite(prev, 1, prevlen, out);
          putc('\n', out);
        }
        fwrite(line, 1, (size_t)len, out);
        putc('\n', out);
      }
      continue;
    }
    if (n > 0) emit(&u, out, prev, prevlen, n);
    if ((size_t)len + 1 > prevcap) prev = realloc(prev, prevcap = (size_t)len + 1);
    memcpy(prev, line, (size_t)len);
    prevlen = (size_t)len;
    n = 1;
  }
  if (n > 0) emit(&u, out, prev, prevlen, n);
  close_input(in);
  if (out != stdout) fclose(out);
  free(prev);
  free(line);
  return 0;
}
