/* cat: concatenate files; -n -b number lines, -s squeezes blank lines, -E -T -v -A show characters. */
#include "lib.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

struct cat_state {
  int number, nonblank, squeeze, ends, tabs, nonprint;
  long long line;
  int at_line_start;
  int blank_run;
};

static void cat_stream(struct cat_state *s, FILE *f) {
  int c;
  while ((c = getc(f)) != EOF) {
    if (s->at_line_start) {
      if (c == '\n') {
        if (s->squeeze && s->blank_run) continue;
        s->blank_run = 1;
      } else {
        s->blank_run = 0;
      }
      if (s->number && !(s->nonblank && c == '\n')) printf("%6lld\t", ++s->line);
      s->at_line_start = 0;
    }
    if (c == '\n') {
      if (s->ends) putchar('$');
      putchar('\n');
      s->at_line_start = 1;
      continue;
    }
    if (c == '\r' && s->ends && !s->nonprint) {
      int next = getc(f);
      if (next != EOF) ungetc(next, f);
      if (next == '\n') {
        fputs("^M", stdout);
        continue;
      }
    }
    if (c == '\t' && s->tabs) {
      fputs("^I", stdout);
      continue;
    }
    if (s->nonprint && c != '\t') {
      if (c >= 128) {
        fputs("M-", stdout);
        c -= 128;
      }
      if (c < 32) {
        putchar('^');
        putchar(c + 64);
        continue;
      }
      if (c == 127) {
        fputs("^?", stdout);
        continue;
      }
    }
    putchar(c);
  }
}

int cat_main(int argc, char **argv) {
  struct opts o;
  struct cat_state s;
  memset(&s, 0, sizeof s);
  s.at_line_start = 1;
  int c, rc = 0;
  static const struct lopt longs[] = {{"number", ARG_NONE, 'n'},      {"number-nonblank", ARG_NONE, 'b'},
                                      {"squeeze-blank", ARG_NONE, 's'}, {"show-ends", ARG_NONE, 'E'},
                                      {"show-tabs", ARG_NONE, 'T'},   {"show-nonprinting", ARG_NONE, 'v'},
                                      {"show-all", ARG_NONE, 'A'},    {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "nbsETvAetu", longs)) != -1) {
    switch (c) {
    case 'n': s.number = 1; break;
    case 'b': s.number = s.nonblank = 1; break;
    case 's': s.squeeze = 1; break;
    case 'E': s.ends = 1; break;
    case 'T': s.tabs = 1; break;
    case 'v': s.nonprint = 1; break;
    case 'A': s.nonprint = s.ends = s.tabs = 1; break;
    case 'e': s.nonprint = s.ends = 1; break;
    case 't': s.nonprint = s.tabs = 1; break;
    case 'u': break;
    default: usage_exit(1);
    }
  }
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int nfiles = o.nops ? o.nops : 1;
  int plain = !(s.number || s.squeeze || s.ends || s.tabs || s.nonprint);
  for (int i = 0; i < nfiles; i++) {
    FILE *f = open_input(files[i]);
    if (!f) {
      rc = 1;
      continue;
    }
    if (plain) {
      fflush(stdout);
      if (copy_data(fileno(f), 1) != 0) {
        warne("%s", files[i]);
        rc = 1;
      }
    } else {
      cat_stream(&s, f);
    }
    close_input(f);
  }
  return rc;
}
