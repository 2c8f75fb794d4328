/* wc: count lines, words, bytes (-m characters are bytes in the C locale), -L the longest line.
   Column widths follow GNU: from the total size of the regular files, at least 7 for other inputs. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

struct counts {
  unsigned long long lines, words, bytes, maxlen;
};

static void count(FILE *f, struct counts *c) {
  static unsigned char buf[65536];
  int in_word = 0;
  unsigned long long col = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    c->bytes += n;
    for (size_t i = 0; i < n; i++) {
      unsigned char ch = buf[i];
      switch (ch) {
      case '\n':
        c->lines++;
        /* fallthrough */
      case '\r':
      case '\f':
        if (col > c->maxlen) c->maxlen = col;
        col = 0;
        in_word = 0;
        break;
      case '\t':
        col += 8 - col % 8;
        in_word = 0;
        break;
      case ' ':
        col++;
        in_word = 0;
        break;
      case '\v':
        in_word = 0;
        break;
      default:
        if (ch >= 0x20 && ch < 0x7f) {
          col++;
          if (!in_word) {
            in_word = 1;
            c->words++;
          }
        }
      }
    }
  }
  if (col > c->maxlen) c->maxlen = col;
}

static int pl, pw, pc, pm, pL;

static void print_counts(const struct counts *c, int width, const char *name) {
  int first = 1;
  unsigned long long vals[5] = {c->lines, c->words, c->bytes, c->bytes, c->maxlen};
  int on[5] = {pl, pw, pm, pc, pL};
  for (int i = 0; i < 5; i++) {
    if (!on[i]) continue;
    printf(first ? "%*llu" : " %*llu", width, vals[i]);
    first = 0;
  }
  if (name) printf(" %s", name);
  putchar('\n');
}

int wc_main(int argc, char **argv) {
  struct opts o;
  int c, rc = 0;
  pl = pw = pc = pm = pL = 0;
  static const struct lopt longs[] = {{"lines", ARG_NONE, 'l'},
                                      {"words", ARG_NONE, 'w'},
                                      {"bytes", ARG_NONE, 'c'},
                                      {"chars", ARG_NONE, 'm'},
                                      {"max-line-length", ARG_NONE, 'L'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "lwcmL", longs)) != -1) {
    switch (c) {
    case 'l': pl = 1; break;
    case 'w': pw = 1; break;
    case 'c': pc = 1; break;
    case 'm': pm = 1; break;
    case 'L': pL = 1; break;
    default: usage_exit(1);
    }
  }
  if (!(pl || pw || pc || pm || pL)) pl = pw = pc = 1;
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int nfiles = o.nops ? o.nops : 1;
  /* the width: GNU's compute_number_width() */
  int width = 1;
  if (!(nfiles == 1 && pl + pw + pc + pm + pL == 1)) {
    unsigned long long regular = 0;
    int minimum = 1, any = 0;
    for (int i = 0; i < nfiles; i++) {
      struct stat st;
      int ok = strcmp(files[i], "-") ? stat(files[i], &st) == 0 : fstat(0, &st) == 0;
      if (!ok) continue;
      any = 1;
      if (S_ISREG(st.st_mode)) regular += (unsigned long long)st.st_size;
      else minimum = 7;
    }
    if (any) {
      for (; regular >= 10; regular /= 10) width++;
      if (width < minimum) width = minimum;
    }
  }
  struct counts total = {0, 0, 0, 0};
  for (int i = 0; i < nfiles; i++) {
    FILE *f = open_input(files[i]);
    if (!f) {
      rc = 1;
      continue;
    }
    struct counts cnt = {0, 0, 0, 0};
    count(f, &cnt);
    close_input(f);
    print_counts(&cnt, width, o.nops ? files[i] : NULL);
    total.lines += cnt.lines;
    total.words += cnt.words;
    total.bytes += cnt.bytes;
    if (cnt.maxlen > total.maxlen) total.maxlen = cnt.maxlen;
  }
  if (nfiles > 1) print_counts(&total, width, "total");
  return rc;
}
