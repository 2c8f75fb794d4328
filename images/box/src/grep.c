/* grep: print lines that match patterns. -E extended, -F fixed strings, -i, -v, -w, -x, -c, -l, -L,
   -n, -h/-H, -o, -q, -s, -r/-R, -m N, -A/-B/-C context, -e/-f patterns. Exit 0 if a line was selected,
   1 if none, 2 on error. Regular expressions are wasi-libc's (POSIX BRE/ERE, plus \+ \? \| in BREs). */
#include "lib.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct grep {
  int extended, fixed, icase, invert, words, whole, count, list, list_missing, number, names, only, quiet,
      silent, recursive, deref;
  long long max;
  long long after, before;
  char **pats;
  size_t npats;
  regex_t *res;
  int matched_any, error;
  int any_output; /* for the "--" between context groups */
};

static struct grep *G;

static int word_char(int c) {
  return isalnum(c) || c == '_';
}

/* Finds the first match at or after `from` in line[0..len); returns 1 with [*ms,*me). */
static int find_match(const char *line, size_t len, size_t from, size_t *ms, size_t *me) {
  int found = 0;
  size_t best_s = 0, best_e = 0;
  for (size_t p = 0; p < G->npats; p++) {
    size_t start = from;
    for (;;) {
      size_t s, e;
      if (start > len) break;
      if (G->fixed) {
        const char *pat = G->pats[p];
        size_t pl = strlen(pat);
        size_t i;
        int hit = 0;
        for (i = start; i + pl <= len; i++) {
          if (G->icase ? strncasecmp(line + i, pat, pl) == 0 : memcmp(line + i, pat, pl) == 0) {
            hit = 1;
            break;
          }
        }
        if (!hit) break;
        s = i;
        e = i + pl;
      } else {
        regmatch_t m[1];
        m[0].rm_so = (regoff_t)start;
        m[0].rm_eo = (regoff_t)len;
        int flags = start > 0 ? REG_NOTBOL : 0;
        /* wasi-libc's regexec has no REG_STARTEND: match on the tail */
        if (regexec(&G->res[p], line + start, 1, m, flags) != 0) break;
        s = start + (size_t)m[0].rm_so;
        e = start + (size_t)m[0].rm_eo;
      }
      int ok = 1;
      if (G->whole) ok = s == 0 && e == len;
      else if (G->words) {
        ok = (s == 0 || !word_char((unsigned char)line[s - 1])) && (e == len || !word_char((unsigned char)line[e]));
        if (ok && s == e) ok = 0;
      }
      if (ok) {
        if (!found || s < best_s || (s == best_s && e > best_e)) {
          best_s = s;
          best_e = e;
          found = 1;
        }
        break;
      }
      start = s + 1;
    }
  }
  if (found) {
    *ms = best_s;
    *me = best_e;
  }
  return found;
}

static void prefix(const char *name, long long lineno, char sep) {
  if (G->names) printf("%s%c", name, sep);
  if (G->number) printf("%lld%c", lineno, sep);
}

/* Searches one buffer; returns the number of selected lines. */
static long long grep_buffer(char *data, size_t len, const char *name) {
  int binary = memchr(data, 0, len) != NULL;
  long long selected = 0, lineno = 0, last_printed = 0, pending_after = 0;
  size_t pos = 0;
  /* line starts, for -B */
  size_t *starts = NULL;
  size_t nstarts = 0, capstarts = 0;
  int quiet_out = G->quiet || G->count || G->list || G->list_missing;
  while (pos < len) {
    char *nl = memchr(data + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - data) : len;
    size_t llen = end - pos;
    char *line = data + pos;
    lineno++;
    if (G->before) {
      if (nstarts == capstarts) starts = realloc(starts, (capstarts = capstarts ? capstarts * 2 : 256) * sizeof *starts);
      starts[nstarts++] = pos;
    }
    char saved = line[llen];
    line[llen] = 0;
    size_t ms, me;
    int m = find_match(line, llen, 0, &ms, &me);
    int sel = m != G->invert;
    if (sel) {
      selected++;
      if (!quiet_out && !binary) {
        /* leading context */
        long long from = lineno - G->before;
        if (from <= last_printed) from = last_printed + 1;
        if (from < 1) from = 1;
        if ((G->before || G->after) &&
            ((last_printed > 0 && from > last_printed + 1) || (last_printed == 0 && G->any_output)))
          puts("--");
        G->any_output = 1;
        for (long long k = from; k < lineno; k++) {
          size_t s = starts[k - 1], e = starts[k] - 1;
          prefix(name, k, '-');
          fwrite(data + s, 1, e - s, stdout);
          putchar('\n');
        }
        if (G->only) {
          if (!G->invert) {
            size_t at = 0;
            while (at <= llen && find_match(line, llen, at, &ms, &me)) {
              if (me > ms) {
                prefix(name, lineno, ':');
                fwrite(line + ms, 1, me - ms, stdout);
                putchar('\n');
                at = me;
              } else {
                at = ms + 1;
              }
            }
          }
        } else {
          prefix(name, lineno, ':');
          fwrite(line, 1, llen, stdout);
          putchar('\n');
        }
        last_printed = lineno;
        pending_after = G->after;
      }
    } else if (pending_after > 0 && !quiet_out && !binary) {
      prefix(name, lineno, '-');
      fwrite(line, 1, llen, stdout);
      putchar('\n');
      last_printed = lineno;
      pending_after--;
    }
    line[llen] = saved;
    pos = nl ? end + 1 : len;
    if (G->quiet && selected) break;
    if (G->max >= 0 && selected >= G->max) {
      /* trailing context after the last allowed line is still printed */
      while (pending_after > 0 && pos < len && !quiet_out && !binary) {
        nl = memchr(data + pos, '\n', len - pos);
        end = nl ? (size_t)(nl - data) : len;
        lineno++;
        prefix(name, lineno, '-');
        fwrite(data + pos, 1, end - pos, stdout);
        putchar('\n');
        pending_after--;
        pos = nl ? end + 1 : len;
      }
      break;
    }
  }
  free(starts);
  if (binary && selected && !quiet_out) {
    fflush(stdout);
    fprintf(stderr, "%s: %s: binary file matches\n", applet, name);
  }
  return selected;
}

static void grep_file(const char *path, const char *shown, int top);

static void grep_dir(const char *path, const char *shown) {
  DIR *d = opendir(path);
  if (!d) {
    if (!G->silent) warne("%s", shown);
    G->error = 1;
    return;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *p = path_join(path, e->d_name);
    char *s = shown[0] ? path_join(shown, e->d_name) : strdup(e->d_name);
    grep_file(p, s, 0);
    free(p);
    free(s);
  }
  closedir(d);
}

static void grep_file(const char *path, const char *shown, int top) {
  FILE *f;
  if (!strcmp(path, "-")) {
    f = stdin;
    shown = "(standard input)";
  } else {
    struct stat st;
    int follow = top || G->deref;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
      if (!G->silent) warne("%s", shown);
      G->error = 1;
      return;
    }
    if (S_ISLNK(st.st_mode)) return; /* -r skips symlinks found while recursing */
    if (S_ISDIR(st.st_mode)) {
      if (G->recursive) {
        grep_dir(path, shown);
        return;
      }
      if (!G->silent) warnx_("%s: Is a directory", shown);
      G->error = 1;
      return;
    }
    f = fopen(path, "r");
    if (!f) {
      if (!G->silent) warne("%s", shown);
      G->error = 1;
      return;
    }
  }
  size_t len;
  char *data = read_all(f, &len);
  close_input(f);
  long long n = grep_buffer(data, len, shown);
  free(data);
  if (n) G->matched_any = 1;
  if (G->count) {
    if (G->names) printf("%s:", shown);
    printf("%lld\n", n);
  }
  if (G->list && n) puts(shown);
  if (G->list_missing && !n) puts(shown);
  if (G->quiet && n) box_exit(0);
}

static void add_patterns(struct grep *g, const char *text) {
  const char *p = text;
  for (;;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    g->pats = realloc(g->pats, (g->npats + 1) * sizeof *g->pats);
    g->pats[g->npats++] = strndup(p, n);
    if (!nl) break;
    p = nl + 1;
  }
}

int grep_main(int argc, char **argv) {
  struct grep g;
  memset(&g, 0, sizeof g);
  g.max = -1;
  G = &g;
  int c, have_e = 0, names_forced = -1;
  enum { COLOR = 256, INCLUDE };
  static const struct lopt longs[] = {{"extended-regexp", ARG_NONE, 'E'},
                                      {"fixed-strings", ARG_NONE, 'F'},
                                      {"basic-regexp", ARG_NONE, 'G'},
                                      {"ignore-case", ARG_NONE, 'i'},
                                      {"invert-match", ARG_NONE, 'v'},
                                      {"word-regexp", ARG_NONE, 'w'},
                                      {"line-regexp", ARG_NONE, 'x'},
                                      {"count", ARG_NONE, 'c'},
                                      {"files-with-matches", ARG_NONE, 'l'},
                                      {"files-without-match", ARG_NONE, 'L'},
                                      {"line-number", ARG_NONE, 'n'},
                                      {"with-filename", ARG_NONE, 'H'},
                                      {"no-filename", ARG_NONE, 'h'},
                                      {"only-matching", ARG_NONE, 'o'},
                                      {"quiet", ARG_NONE, 'q'},
                                      {"silent", ARG_NONE, 'q'},
                                      {"no-messages", ARG_NONE, 's'},
                                      {"recursive", ARG_NONE, 'r'},
                                      {"dereference-recursive", ARG_NONE, 'R'},
                                      {"max-count", ARG_REQ, 'm'},
                                      {"after-context", ARG_REQ, 'A'},
                                      {"before-context", ARG_REQ, 'B'},
                                      {"context", ARG_REQ, 'C'},
                                      {"regexp", ARG_REQ, 'e'},
                                      {"file", ARG_REQ, 'f'},
                                      {"color", ARG_OPT, COLOR},
                                      {"colour", ARG_OPT, COLOR},
                                      {0, 0, 0}};
  struct opts o;
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "EFGivywxclLnHhoqsrRm:A:B:C:e:f:", longs)) != -1) {
    long long v;
    switch (c) {
    case 'E': g.extended = 1; g.fixed = 0; break;
    case 'F': g.fixed = 1; g.extended = 0; break;
    case 'G': g.fixed = g.extended = 0; break;
    case 'i': case 'y': g.icase = 1; break;
    case 'v': g.invert = 1; break;
    case 'w': g.words = 1; break;
    case 'x': g.whole = 1; break;
    case 'c': g.count = 1; break;
    case 'l': g.list = 1; break;
    case 'L': g.list_missing = 1; break;
    case 'n': g.number = 1; break;
    case 'H': names_forced = 1; break;
    case 'h': names_forced = 0; break;
    case 'o': g.only = 1; break;
    case 'q': g.quiet = 1; break;
    case 's': g.silent = 1; break;
    case 'r': g.recursive = 1; break;
    case 'R': g.recursive = g.deref = 1; break;
    case COLOR: break;
    case 'm': case 'A': case 'B': case 'C':
      if (parse_int(o.arg, &v) != 0 || v < 0) {
        warnx_("%s: invalid %s argument", o.arg, c == 'm' ? "max count" : "context length");
        box_exit(2);
      }
      if (c == 'm') g.max = v;
      else if (c == 'A') g.after = v;
      else if (c == 'B') g.before = v;
      else g.after = g.before = v;
      break;
    case 'e': add_patterns(&g, o.arg); have_e = 1; break;
    case 'f': {
      FILE *f = strcmp(o.arg, "-") ? fopen(o.arg, "r") : stdin;
      if (!f) die_e(2, "%s", o.arg);
      size_t len;
      char *t = read_all(f, &len);
      close_input(f);
      if (len && t[len - 1] == '\n') t[len - 1] = 0;
      if (len) add_patterns(&g, t);
      free(t);
      have_e = 1;
      break;
    }
    default:
      fprintf(stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\n");
      usage_exit(2);
    }
  }
  int i = 0;
  if (!have_e) {
    if (o.nops < 1) {
      fprintf(stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\n");
      usage_exit(2);
    }
    add_patterns(&g, o.ops[i++]);
  }
  if (!g.fixed) {
    g.res = calloc(g.npats, sizeof *g.res);
    for (size_t p = 0; p < g.npats; p++) {
      int flags = (g.extended ? REG_EXTENDED : 0) | (g.icase ? REG_ICASE : 0);
      int r = regcomp(&g.res[p], g.pats[p], flags);
      if (r) {
        char msg[256];
        regerror(r, &g.res[p], msg, sizeof msg);
        die(2, "%s", msg);
      }
    }
  }
  int nfiles = o.nops - i;
  if (names_forced >= 0) g.names = names_forced;
  else g.names = nfiles > 1 || g.recursive;
  if (nfiles == 0) {
    if (g.recursive) grep_dir(".", "");
    else grep_file("-", "(standard input)", 1);
  } else {
    for (; i < o.nops; i++) grep_file(o.ops[i], o.ops[i], 1);
  }
  if (g.error && !(g.quiet && g.matched_any)) return 2;
  return g.matched_any ? 0 : 1;
}
