/* xargs: build command lines from standard input. Items are split on blanks and newlines with quotes and
   backslashes (or -0 / -d DELIM); -n N per command, -L N lines per command, -I STR replaces STR in
   the arguments, one line each; -r skips an empty run; -t prints each command. WASI cannot start
   processes: the command (default echo) must be one of box's applets. Exit 123 if a command failed, 127
   if it does not exist. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct items {
  char **v;
  size_t n, cap;
  size_t *line_of; /* for -L: the input line each item came from */
};

static void push(struct items *it, char *s, size_t line) {
  if (it->n == it->cap) {
    it->cap = it->cap ? it->cap * 2 : 64;
    it->v = realloc(it->v, it->cap * sizeof *it->v);
    it->line_of = realloc(it->line_of, it->cap * sizeof *it->line_of);
  }
  it->line_of[it->n] = line;
  it->v[it->n++] = s;
}

static int run(char **cmd, int ncmd, char **args, size_t nargs, int trace) {
  int ac = ncmd + (int)nargs;
  char **av = calloc((size_t)ac + 1, sizeof *av);
  for (int i = 0; i < ncmd; i++) av[i] = cmd[i];
  for (size_t i = 0; i < nargs; i++) av[ncmd + (int)i] = args[i];
  if (trace) {
    for (int i = 0; i < ac; i++) fprintf(stderr, "%s%s", i ? " " : "", av[i]);
    fputc('\n', stderr);
  }
  int rc = run_command(ac, av);
  free(av);
  return rc;
}

int xargs_main(int argc, char **argv) {
  struct opts o;
  int c, per = 0, lines_per = 0, trace = 0, no_empty = 0, nul = 0;
  int delim = -1;
  const char *replace = NULL;
  static const struct lopt longs[] = {{"max-args", ARG_REQ, 'n'},       {"max-lines", ARG_REQ, 'L'},
                                      {"null", ARG_NONE, '0'},          {"delimiter", ARG_REQ, 'd'},
                                      {"verbose", ARG_NONE, 't'},       {"no-run-if-empty", ARG_NONE, 'r'},
                                      {"replace", ARG_OPT, 'i'},        {"max-procs", ARG_REQ, 'P'},
                                      {"max-chars", ARG_REQ, 's'},      {0, 0, 0}};
  opts_init(&o, argc, argv, 0);
  while ((c = opts_next(&o, "n:L:0d:trI:i::P:s:x", longs)) != -1) {
    long long v;
    switch (c) {
    case 'n':
      if (parse_int(o.arg, &v) != 0 || v < 1) die(1, "invalid number \"%s\" for -n option", o.arg);
      per = (int)v;
      break;
    case 'L':
      if (parse_int(o.arg, &v) != 0 || v < 1) die(1, "invalid number \"%s\" for -L option", o.arg);
      lines_per = (int)v;
      break;
    case '0': nul = 1; break;
    case 'd':
      if (o.arg[0] == '\\' && o.arg[1]) {
        char out[8];
        size_t n;
        unescape(o.arg, out, &n, 1);
        delim = (unsigned char)out[0];
      } else {
        delim = (unsigned char)o.arg[0];
      }
      break;
    case 't': trace = 1; break;
    case 'r': no_empty = 1; break;
    case 'I': replace = o.arg; break;
    case 'i': replace = o.arg ? o.arg : "{}"; break;
    case 'P': case 's': case 'x': break;
    default: usage_exit(1);
    }
  }
  static char *echo_cmd[] = {"echo", NULL};
  char **cmd = o.nops ? o.ops : echo_cmd;
  int ncmd = o.nops ? o.nops : 1;
  /* read the items */
  size_t len;
  char *in = read_all(stdin, &len);
  struct items it = {0, 0, 0, 0};
  size_t line = 0;
  if (nul || delim >= 0) {
    int d = nul ? 0 : delim;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
      if (i < len && (unsigned char)in[i] != d) continue;
      if (i == len && start == len) break;
      push(&it, strndup(in + start, i - start), line++);
      start = i + 1;
    }
  } else if (replace) {
    /* -I: one item per line, leading blanks dropped */
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
      if (i < len && in[i] != '\n') continue;
      if (i == len && start == len) break;
      size_t s = start;
      while (s < i && (in[s] == ' ' || in[s] == '\t')) s++;
      if (s < i) push(&it, strndup(in + s, i - s), line);
      line++;
      start = i + 1;
    }
  } else {
    char *cur = malloc(len + 1);
    size_t k = 0;
    int have = 0, quote = 0;
    for (size_t i = 0; i < len; i++) {
      char ch = in[i];
      if (quote) {
        if (ch == quote) quote = 0;
        else if (ch == '\n') die(1, "unmatched %s quote; by default quotes are special to xargs unless you use the -0 option",
                                 quote == '"' ? "double" : "single");
        else cur[k++] = ch;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        have = 1;
        continue;
      }
      if (ch == '\\' && i + 1 < len) {
        cur[k++] = in[++i];
        have = 1;
        continue;
      }
      if (ch == ' ' || ch == '\t' || ch == '\n') {
        if (have) {
          cur[k] = 0;
          push(&it, strdup(cur), line);
          k = 0;
          have = 0;
        }
        if (ch == '\n') line++;
        continue;
      }
      cur[k++] = ch;
      have = 1;
    }
    if (quote) die(1, "unmatched %s quote; by default quotes are special to xargs unless you use the -0 option",
                   quote == '"' ? "double" : "single");
    if (have) {
      cur[k] = 0;
      push(&it, strdup(cur), line);
    }
    free(cur);
  }
  free(in);
  int status = 0;
  if (it.n == 0) {
    if (no_empty || replace) return 0;
    int rc = run(cmd, ncmd, NULL, 0, trace);
    return rc == 127 ? 127 : rc ? 123 : 0;
  }
  size_t i = 0;
  while (i < it.n) {
    int rc;
    if (replace) {
      char **av = calloc((size_t)ncmd + 1, sizeof *av);
      for (int k = 0; k < ncmd; k++) {
        const char *a = cmd[k];
        size_t rl = strlen(replace);
        size_t cap = strlen(a) + 1;
        for (const char *p = strstr(a, replace); p && rl; p = strstr(p + rl, replace)) cap += strlen(it.v[i]);
        char *s = malloc(cap), *w = s;
        for (const char *p = a; *p;) {
          if (rl && !strncmp(p, replace, rl)) {
            w = stpcpy(w, it.v[i]);
            p += rl;
          } else *w++ = *p++;
        }
        *w = 0;
        av[k] = s;
      }
      rc = run(av, ncmd, NULL, 0, trace);
      for (int k = 0; k < ncmd; k++) free(av[k]);
      free(av);
      i++;
    } else {
      size_t take = it.n - i;
      if (per && (size_t)per < take) take = (size_t)per;
      if (lines_per) {
        size_t first_line = it.line_of[i], k = i;
        while (k < it.n && it.line_of[k] < first_line + (size_t)lines_per) k++;
        if (k - i < take) take = k - i;
      }
      rc = run(cmd, ncmd, it.v + i, take, trace);
      i += take;
    }
    if (rc == 127) return 127;
    if (rc == 255) {
      warnx_("%s: exited with status 255; aborting", cmd[0]);
      return 124;
    }
    if (rc) status = 123;
  }
  return status;
}
