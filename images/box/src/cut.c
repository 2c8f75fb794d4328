/* cut: print selected bytes (-b), characters (-c, bytes in the C locale) or fields (-f, -d DELIM,
   -s only lines with a delimiter); --complement, --output-delimiter. */
#include "lib.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct range {
  size_t lo, hi;
};

static struct range *ranges;
static size_t nranges;
static int complement;

static int cmp_range(const void *a, const void *b) {
  const struct range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void parse_list(const char *list, const char *what) {
  const char *p = list;
  ranges = NULL;
  nranges = 0;
  while (*p) {
    size_t lo = 0, hi = 0;
    int have_lo = 0, have_hi = 0, dash = 0;
    while (*p >= '0' && *p <= '9') lo = lo * 10 + (size_t)(*p++ - '0'), have_lo = 1;
    if (*p == '-') {
      dash = 1;
      p++;
      while (*p >= '0' && *p <= '9') hi = hi * 10 + (size_t)(*p++ - '0'), have_hi = 1;
    }
    if (*p && *p != ',' && *p != ' ') {
      warnx_("invalid byte, character or field list");
      usage_exit(1);
    }
    if (!have_lo && !have_hi) {
      warnx_(dash ? "invalid range with no endpoint: -" : "invalid byte, character or field list");
      usage_exit(1);
    }
    if ((have_lo && lo == 0) || (have_hi && hi == 0 && !have_lo) || (have_hi && hi == 0)) {
      warnx_("%s are numbered from 1", what);
      usage_exit(1);
    }
    if (!have_lo) lo = 1;
    if (!dash) hi = lo;
    else if (!have_hi) hi = SIZE_MAX;
    if (hi < lo) {
      warnx_("invalid decreasing range");
      usage_exit(1);
    }
    ranges = realloc(ranges, (nranges + 1) * sizeof *ranges);
    ranges[nranges].lo = lo;
    ranges[nranges].hi = hi;
    nranges++;
    if (*p) p++;
  }
  qsort(ranges, nranges, sizeof *ranges, cmp_range);
}

static int selected(size_t i) {
  int in = 0;
  for (size_t k = 0; k < nranges && ranges[k].lo <= i; k++)
    if (i <= ranges[k].hi) {
      in = 1;
      break;
    }
  return in != complement;
}

/* the start of the selected range containing i, to put output delimiters between ranges */
static int range_start(size_t i) {
  return selected(i) && (i == 1 || !selected(i - 1));
}

int cut_main(int argc, char **argv) {
  struct opts o;
  int c, mode = 0, only_delimited = 0, rc = 0, zero = 0;
  char delim = '\t';
  const char *list = NULL, *outdelim = NULL;
  complement = 0;
  enum { COMPLEMENT = 256, OUTDELIM };
  static const struct lopt longs[] = {{"bytes", ARG_REQ, 'b'},
                                      {"characters", ARG_REQ, 'c'},
                                      {"fields", ARG_REQ, 'f'},
                                      {"delimiter", ARG_REQ, 'd'},
                                      {"only-delimited", ARG_NONE, 's'},
                                      {"complement", ARG_NONE, COMPLEMENT},
                                      {"output-delimiter", ARG_REQ, OUTDELIM},
                                      {"zero-terminated", ARG_NONE, 'z'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  int have_delim = 0;
  while ((c = opts_next(&o, "b:c:f:d:snz", longs)) != -1) {
    switch (c) {
    case 'b':
    case 'c':
    case 'f':
      if (mode) {
        warnx_("only one list may be specified");
        usage_exit(1);
      }
      mode = c;
      list = o.arg;
      break;
    case 'd':
      if (o.arg[0] && o.arg[1]) {
        warnx_("the delimiter must be a single character");
        usage_exit(1);
      }
      delim = o.arg[0];
      have_delim = 1;
      break;
    case 's': only_delimited = 1; break;
    case 'n': break;
    case 'z': zero = 1; break;
    case COMPLEMENT: complement = 1; break;
    case OUTDELIM: outdelim = o.arg; break;
    default: usage_exit(1);
    }
  }
  if (!mode) {
    warnx_("you must specify a list of bytes, characters, or fields");
    usage_exit(1);
  }
  if (have_delim && mode != 'f') {
    warnx_("an input delimiter may be specified only when operating on fields");
    usage_exit(1);
  }
  if (only_delimited && mode != 'f') {
    warnx_("suppressing non-delimited lines makes sense\n\tonly when operating on fields");
    usage_exit(1);
  }
  parse_list(list, mode == 'f' ? "fields" : "byte/character positions");
  char od[2] = {delim, 0};
  if (!outdelim && mode == 'f') outdelim = od;
  int eol = zero ? 0 : '\n';
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int nfiles = o.nops ? o.nops : 1;
  char *line = NULL;
  size_t cap = 0;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = open_input(files[i]);
    if (!f) {
      rc = 1;
      continue;
    }
    ssize_t len;
    while ((len = getdelim(&line, &cap, eol, f)) >= 0) {
      if (len > 0 && line[len - 1] == eol) len--;
      if (mode != 'f') {
        int first = 1;
        for (ssize_t k = 0; k < len; k++) {
          size_t pos = (size_t)k + 1;
          if (!selected(pos)) continue;
          if (outdelim && range_start(pos) && !first) fputs(outdelim, stdout);
          putchar(line[k]);
          first = 0;
        }
        putchar(eol);
        continue;
      }
      if (!memchr(line, delim, (size_t)len)) {
        if (!only_delimited) {
          fwrite(line, 1, (size_t)len, stdout);
          putchar(eol);
        }
        continue;
      }
      size_t field = 1, start = 0;
      int first = 1;
      for (ssize_t k = 0; k <= len; k++) {
        if (k < len && line[k] != delim) continue;
        if (selected(field)) {
          if (!first) fputs(outdelim, stdout);
          fwrite(line + start, 1, (size_t)k - start, stdout);
          first = 0;
        }
        field++;
        start = (size_t)k + 1;
      }
      putchar(eol);
    }
    close_input(f);
  }
  free(line);
  return rc;
}
