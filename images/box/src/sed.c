/* sed: stream editor. Commands s y p P d D q Q = a i c n N h H g G x b t T : { } r # with addresses
   N, $, /re/ (\cREc), first~step, and ranges addr1,addr2 (number, /re/, +N); ! negates. Options -n, -e,
   -f, -E/-r, -s, -i[SUFFIX], -z. Regular expressions are wasi-libc's POSIX BRE/ERE. */
#include "lib.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { A_NONE, A_LINE, A_LAST, A_RE, A_STEP, A_PLUS };

struct addr {
  int type;
  long long n, step;
  regex_t *re;
};

struct cmd {
  struct addr a1, a2;
  int naddr;
  int negate;
  char c;
  /* s */
  regex_t *re;
  char *repl;
  int global, print, occurrence;
  /* y */
  unsigned char map[256];
  /* a i c r b t T : */
  char *text;
  int jump; /* block end for '{', label target for b t T */
  int qcode;
  /* range state */
  int active;
  long long range_end;
};

struct sed {
  struct cmd *cmds;
  int ncmds;
  int quiet, extended, separate, inplace, zero;
  const char *suffix;
  regex_t *last_re;
  char **files;
  int nfiles, fileidx;
  FILE *in;
  FILE *out;
  const char *cur_name;
  long long lineno;
  int rc;
  /* lookahead, to know the last line */
  char *next;
  size_t nextlen, nextcap;
  int next_nl, have_next;
  int cur_nl;
  int missing_newline;
  char *append;
  size_t appendlen, appendcap;
  char *tmpname;
};

static struct sed *Z;

/* ------------------------------------------------------------------ parsing */

static _Noreturn void bad(const char *msg) {
  die(1, "-e expression #1: %s", msg);
}

/* Reads a delimited regex or replacement starting at *pp (just after the delimiter). */
static char *read_delimited(const char **pp, char delim, int is_regex) {
  const char *p = *pp;
  size_t cap = strlen(p) + 1, k = 0;
  char *out = malloc(cap + 1);
  int in_bracket = 0;
  while (*p && (*p != delim || in_bracket)) {
    if (is_regex && !in_bracket && *p == '[') {
      in_bracket = 1;
      out[k++] = *p++;
      if (*p == '^') out[k++] = *p++;
      if (*p == ']') out[k++] = *p++;
      continue;
    }
    if (in_bracket) {
      if (*p == ']') in_bracket = 0;
      out[k++] = *p++;
      continue;
    }
    if (*p == '\\' && p[1]) {
      if (p[1] == delim) {
        out[k++] = delim;
        p += 2;
        continue;
      }
      if (p[1] == 'n' && is_regex) {
        out[k++] = '\n';
        p += 2;
        continue;
      }
      if (p[1] == 't' && is_regex) {
        out[k++] = '\t';
        p += 2;
        continue;
      }
      out[k++] = *p++;
    }
    out[k++] = *p++;
  }
  if (*p != delim) {
    free(out);
    return NULL;
  }
  out[k] = 0;
  *pp = p + 1;
  return out;
}

static regex_t *compile(const char *src, int icase) {
  if (!*src) return NULL; /* the empty regex: the last one used */
  regex_t *re = malloc(sizeof *re);
  int r = regcomp(re, src, (Z->extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0));
  if (r) {
    char msg[256];
    regerror(r, re, msg, sizeof msg);
    die(1, "-e expression #1: %s", msg);
  }
  return re;
}

static const char *parse_addr(const char *p, struct addr *a) {
  a->type = A_NONE;
  if (isdigit((unsigned char)*p)) {
    long long v = 0;
    while (isdigit((unsigned char)*p)) v = v * 10 + (*p++ - '0');
    if (*p == '~') {
      p++;
      long long s = 0;
      while (isdigit((unsigned char)*p)) s = s * 10 + (*p++ - '0');
      a->type = A_STEP;
      a->n = v;
      a->step = s;
      return p;
    }
    a->type = A_LINE;
    a->n = v;
    return p;
  }
  if (*p == '$') {
    a->type = A_LAST;
    return p + 1;
  }
  if (*p == '/' || *p == '\\') {
    char delim = '/';
    if (*p == '\\') delim = *++p;
    p++;
    char *src = read_delimited(&p, delim, 1);
    if (!src) bad("unterminated address regex");
    int icase = 0;
    while (*p == 'I' || *p == 'M') icase |= *p++ == 'I';
    a->type = A_RE;
    a->re = compile(src, icase);
    free(src);
    return p;
  }
  return p;
}

/* Text for a, i, c: "a text", "a\" NEWLINE "text", lines continued by a trailing backslash. */
static const char *parse_text(const char *p, char **out) {
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '\\') {
    p++;
    if (*p == '\n') p++;
    else while (*p == ' ' || *p == '\t') p++;
  }
  size_t cap = strlen(p) + 2, k = 0;
  char *t = malloc(cap);
  while (*p && *p != '\n') {
    if (*p == '\\' && p[1]) {
      p++;
      t[k++] = *p++;
      continue;
    }
    t[k++] = *p++;
  }
  t[k++] = '\n';
  t[k] = 0;
  *out = t;
  return p;
}

static const char *parse_label(const char *p, char **out) {
  while (*p == ' ' || *p == '\t') p++;
  const char *s = p;
  while (*p && *p != '\n' && *p != ';' && *p != '}' && !(*p == ' ' && 0)) p++;
  const char *e = p;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
  *out = strndup(s, (size_t)(e - s));
  return p;
}

static void parse_script(const char *script) {
  const char *p = script;
  int stack[64], depth = 0;
  for (;;) {
    while (*p && (isspace((unsigned char)*p) || *p == ';')) p++;
    if (!*p) break;
    if (*p == '#') {
      while (*p && *p != '\n') p++;
      continue;
    }
    Z->cmds = realloc(Z->cmds, ((size_t)Z->ncmds + 1) * sizeof *Z->cmds);
    struct cmd *c = &Z->cmds[Z->ncmds];
    memset(c, 0, sizeof *c);
    c->jump = -1;
    const char *before = p;
    p = parse_addr(p, &c->a1);
    if (p != before) {
      c->naddr = 1;
      if (*p == ',') {
        p++;
        while (*p == ' ') p++;
        if (*p == '+') {
          p++;
          c->a2.type = A_PLUS;
          c->a2.n = strtoll(p, (char **)&p, 10);
        } else {
          const char *b2 = p;
          p = parse_addr(p, &c->a2);
          if (p == b2 || c->a2.type == A_STEP) bad("unexpected `,'");
        }
        c->naddr = 2;
      }
    }
    while (*p == ' ' || *p == '\t') p++;
    while (*p == '!') {
      c->negate = 1;
      p++;
      while (*p == ' ' || *p == '\t') p++;
    }
    c->c = *p;
    if (!*p) bad("missing command");
    p++;
    switch (c->c) {
    case '{':
      if (depth == 64) bad("too many {");
      stack[depth++] = Z->ncmds;
      break;
    case '}':
      if (depth == 0) bad("unexpected `}'");
      Z->cmds[stack[--depth]].jump = Z->ncmds;
      break;
    case 's': {
      char delim = *p++;
      if (!delim || delim == '\n' || delim == '\\') bad("unterminated `s' command");
      char *re = read_delimited(&p, delim, 1);
      if (!re) bad("unterminated `s' command");
      char *rp = read_delimited(&p, delim, 0);
      if (!rp) bad("unterminated `s' command");
      int icase = 0;
      for (;;) {
        if (*p == 'g') c->global = 1, p++;
        else if (*p == 'p') c->print = 1, p++;
        else if (*p == 'i' || *p == 'I') icase = 1, p++;
        else if (*p == 'm' || *p == 'M' || *p == 'e') p++;
        else if (isdigit((unsigned char)*p)) c->occurrence = (int)strtol(p, (char **)&p, 10);
        else break;
      }
      while (*p == ' ' || *p == '\t') p++;
      if (*p && *p != ';' && *p != '\n' && *p != '}' && *p != '#') bad("unknown option to `s'");
      c->re = compile(re, icase);
      free(re);
      c->repl = rp;
      break;
    }
    case 'y': {
      char delim = *p++;
      char *a = read_delimited(&p, delim, 0), *b = a ? read_delimited(&p, delim, 0) : NULL;
      if (!a || !b) bad("unterminated `y' command");
      /* \n and \\ in y strings */
      char *sets[2] = {a, b};
      for (int k = 0; k < 2; k++) {
        char *r = sets[k], *w = sets[k];
        while (*r) {
          if (*r == '\\' && r[1] == 'n') *w++ = '\n', r += 2;
          else if (*r == '\\' && r[1] == '\\') *w++ = '\\', r += 2;
          else *w++ = *r++;
        }
        *w = 0;
      }
      if (strlen(a) != strlen(b)) bad("strings for `y' command are different lengths");
      for (int k = 0; k < 256; k++) c->map[k] = (unsigned char)k;
      for (size_t k = 0; a[k]; k++) c->map[(unsigned char)a[k]] = (unsigned char)b[k];
      free(a);
      free(b);
      break;
    }
    case 'a':
    case 'i':
    case 'c':
      p = parse_text(p, &c->text);
      break;
    case 'r':
    case 'w':
      while (*p == ' ') p++;
      {
        const char *s = p;
        while (*p && *p != '\n') p++;
        c->text = strndup(s, (size_t)(p - s));
      }
      break;
    case ':':
      if (c->naddr) bad(": doesn't want any addresses");
      p = parse_label(p, &c->text);
      if (!*c->text) bad("\":\" lacks a label");
      break;
    case 'b':
    case 't':
    case 'T':
      p = parse_label(p, &c->text);
      break;
    case 'q':
    case 'Q':
      while (*p == ' ') p++;
      c->qcode = (int)strtol(p, (char **)&p, 10);
      break;
    case 'p': case 'P': case 'd': case 'D': case '=': case 'n': case 'N': case 'h': case 'H': case 'g':
    case 'G': case 'x': case 'l': case 'z':
      break;
    default: {
      char msg[64];
      snprintf(msg, sizeof msg, "unknown command: `%c'", c->c);
      bad(msg);
    }
    }
    Z->ncmds++;
  }
  if (depth) bad("unmatched `{'");
  /* resolve labels */
  for (int i = 0; i < Z->ncmds; i++) {
    struct cmd *c = &Z->cmds[i];
    if (c->c != 'b' && c->c != 't' && c->c != 'T') continue;
    if (!*c->text) {
      c->jump = Z->ncmds;
      continue;
    }
    for (int k = 0; k < Z->ncmds; k++)
      if (Z->cmds[k].c == ':' && !strcmp(Z->cmds[k].text, c->text)) c->jump = k;
    if (c->jump < 0) {
      warnx_("-e expression #1: can't find label for jump to `%s'", c->text);
      box_exit(1);
    }
  }
}

/* ------------------------------------------------------------------ input */

static int open_next_file(void) {
  while (Z->fileidx < Z->nfiles) {
    const char *name = Z->files[Z->fileidx++];
    if (!strcmp(name, "-") && !Z->inplace) {
      Z->in = stdin;
      Z->cur_name = "-";
      return 1;
    }
    FILE *f = fopen(name, "r");
    if (!f) {
      warnx_("can't read %s: %s", name, errstr(errno));
      Z->rc = 2;
      continue;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      if (Z->inplace) warnx_("couldn't edit %s: not a regular file", name);
      else warnx_("read error on %s: Is a directory", name);
      fclose(f);
      Z->rc = Z->inplace ? 4 : 2;
      continue;
    }
    Z->in = f;
    Z->cur_name = name;
    return 1;
  }
  return 0;
}

static int read_raw(char **buf, size_t *cap, size_t *len, int *nl) {
  for (;;) {
    if (!Z->in) return 0;
    ssize_t n = getdelim(buf, cap, Z->zero ? 0 : '\n', Z->in);
    if (n >= 0) {
      *nl = n > 0 && (*buf)[n - 1] == (Z->zero ? 0 : '\n');
      if (*nl) n--;
      (*buf)[n] = 0;
      *len = (size_t)n;
      return 1;
    }
    return 0;
  }
}

static void finish_output_file(void);
static void start_output_file(void);

/* Loads the lookahead line: from the current file, or the next file unless files are separate. */
static void fill_next(void) {
  Z->have_next = 0;
  for (;;) {
    if (Z->in && read_raw(&Z->next, &Z->nextcap, &Z->nextlen, &Z->next_nl)) {
      Z->have_next = 1;
      return;
    }
    if (Z->separate) return;
    if (Z->in && Z->in != stdin) fclose(Z->in);
    Z->in = NULL;
    if (!open_next_file()) return;
  }
}

static void out_bytes(const char *s, size_t n) {
  if (Z->missing_newline) {
    putc(Z->zero ? 0 : '\n', Z->out);
    Z->missing_newline = 0;
  }
  fwrite(s, 1, n, Z->out);
}

static void out_line(const char *s, size_t n, int nl) {
  out_bytes(s, n);
  if (nl) putc(Z->zero ? 0 : '\n', Z->out);
  else Z->missing_newline = 1;
}

/* Takes the lookahead as the next line into *ps; 0 at the end of input (of this file when separate). */
static int next_line(char **ps, size_t *pscap, size_t *pslen) {
  if (!Z->have_next) return 0;
  if (*pscap < Z->nextlen + 1) *ps = realloc(*ps, *pscap = Z->nextlen + 1);
  memcpy(*ps, Z->next, Z->nextlen + 1);
  *pslen = Z->nextlen;
  Z->cur_nl = Z->next_nl;
  Z->lineno++;
  fill_next();
  return 1;
}

static int is_last(void) {
  return !Z->have_next;
}

/* ------------------------------------------------------------------ execution */

static int match_re(regex_t *re, const char *s) {
  if (!re) re = Z->last_re;
  if (!re) die(4, "no previous regular expression");
  Z->last_re = re;
  return regexec(re, s, 0, NULL, 0) == 0;
}

static int match_addr(struct addr *a, const char *ps) {
  switch (a->type) {
  case A_LINE: return Z->lineno == a->n;
  case A_LAST: return is_last();
  case A_RE: return match_re(a->re, ps);
  case A_STEP: return a->step <= 0 ? Z->lineno == a->n : Z->lineno >= a->n && (Z->lineno - a->n) % a->step == 0;
  }
  return 0;
}

static int selected(struct cmd *c, const char *ps) {
  int m;
  if (c->naddr == 0) m = 1;
  else if (c->naddr == 1) m = match_addr(&c->a1, ps);
  else if (c->active) {
    m = 1;
    if (c->a2.type == A_RE) {
      if (match_re(c->a2.re, ps)) c->active = 0;
    } else if (c->a2.type == A_LAST) {
      if (is_last()) c->active = 0;
    } else {
      if (Z->lineno >= c->range_end) c->active = 0;
      if (Z->lineno > c->range_end) m = 0;
    }
  } else {
    int start = c->a1.type == A_LINE && c->a1.n == 0 ? 0 : match_addr(&c->a1, ps);
    if (c->a1.type == A_LINE && c->a1.n == 0 && Z->lineno == 1) {
      /* 0,/re/: the end regex may match on the first line */
      c->active = 1;
      if (c->a2.type == A_RE && match_re(c->a2.re, ps)) c->active = 0;
      return c->negate ? 0 : 1;
    }
    m = start;
    if (start) {
      if (c->a2.type == A_LINE) {
        c->range_end = c->a2.n;
        c->active = c->a2.n > Z->lineno;
      } else if (c->a2.type == A_PLUS) {
        c->range_end = Z->lineno + c->a2.n;
        c->active = c->a2.n > 0;
      } else if (c->a2.type == A_LAST) {
        c->active = !is_last();
      } else {
        c->active = 1;
      }
    }
  }
  return c->negate ? !m : m;
}

struct buf {
  char *s;
  size_t len, cap;
};

static void bput(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) b->s = realloc(b->s, b->cap = (b->len + n + 1) * 2);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static int substitute(struct cmd *c, char **ps, size_t *pscap, size_t *pslen) {
  regex_t *re = c->re ? c->re : Z->last_re;
  if (!re) die(4, "no previous regular expression");
  Z->last_re = re;
  struct buf out = {0, 0, 0};
  regmatch_t m[10];
  size_t start = 0, prev_end = (size_t)-1;
  int count = 0, did = 0;
  const char *s = *ps;
  size_t len = *pslen;
  while (start <= len) {
    if (regexec(re, s + start, 10, m, start ? REG_NOTBOL : 0) != 0) break;
    size_t ms = start + (size_t)m[0].rm_so, me = start + (size_t)m[0].rm_eo;
    if (ms == me && ms == prev_end) {
      /* no empty match right after the previous match */
      if (ms >= len) break;
      bput(&out, s + start, ms - start + 1);
      start = ms + 1;
      continue;
    }
    count++;
    bput(&out, s + start, ms - start);
    int apply = c->global ? count >= (c->occurrence ? c->occurrence : 1) : count == (c->occurrence ? c->occurrence : 1);
    if (apply) {
      did = 1;
      for (const char *r = c->repl; *r; r++) {
        if (*r == '&') {
          bput(&out, s + ms, me - ms);
        } else if (*r == '\\' && r[1]) {
          r++;
          if (*r >= '0' && *r <= '9') {
            int g = *r - '0';
            if (m[g].rm_so >= 0) bput(&out, s + start + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
          } else if (*r == 'n') {
            bput(&out, "\n", 1);
          } else if (*r == 't') {
            bput(&out, "\t", 1);
          } else {
            bput(&out, r, 1);
          }
        } else {
          bput(&out, r, 1);
        }
      }
    } else {
      bput(&out, s + ms, me - ms);
    }
    prev_end = me;
    if (!c->global && count >= (c->occurrence ? c->occurrence : 1)) {
      start = me;
      break;
    }
    if (ms == me) {
      if (ms >= len) {
        start = len + 1;
        break;
      }
      bput(&out, s + ms, 1);
      start = me + 1;
    } else {
      start = me;
    }
  }
  if (!did) {
    free(out.s);
    return 0;
  }
  if (start < len) bput(&out, s + start, len - start);
  if (!out.s) bput(&out, "", 0);
  free(*ps);
  *ps = out.s;
  *pscap = out.cap;
  *pslen = out.len;
  return 1;
}

static void queue_append(const char *s, size_t n) {
  if (Z->appendlen + n + 1 > Z->appendcap) Z->append = realloc(Z->append, Z->appendcap = (Z->appendlen + n + 1) * 2);
  memcpy(Z->append + Z->appendlen, s, n);
  Z->appendlen += n;
}

static void flush_append(void) {
  if (Z->appendlen) {
    out_bytes(Z->append, Z->appendlen);
    Z->appendlen = 0;
  }
}

static void start_output_file(void) {
  if (!Z->inplace) return;
  size_t n = strlen(Z->cur_name);
  Z->tmpname = malloc(n + 16);
  sprintf(Z->tmpname, "%s.sedXXXXXX", Z->cur_name);
  memcpy(Z->tmpname + n, ".sed-tmp", 9);
  Z->out = fopen(Z->tmpname, "w");
  if (!Z->out) die_e(4, "couldn't open temporary file %s", Z->tmpname);
}

static void finish_output_file(void) {
  if (!Z->inplace || !Z->tmpname) return;
  if (Z->missing_newline) Z->missing_newline = 0;
  fclose(Z->out);
  if (Z->suffix && *Z->suffix) {
    char *bak = malloc(strlen(Z->cur_name) + strlen(Z->suffix) + 1);
    sprintf(bak, "%s%s", Z->cur_name, Z->suffix);
    rename(Z->cur_name, bak);
    free(bak);
  }
  if (rename(Z->tmpname, Z->cur_name) != 0) warne("cannot rename %s", Z->tmpname);
  free(Z->tmpname);
  Z->tmpname = NULL;
  Z->out = stdout;
}

/* Runs the script over one stream of lines; returns 1 when a q/Q asked to stop everything. */
static int run_stream(void) {
  char *ps = malloc(64), *hs = calloc(1, 1);
  size_t pscap = 64, pslen = 0, hslen = 0;
  ps[0] = 0;
  int quit = 0;
  while (!quit && next_line(&ps, &pscap, &pslen)) {
    int tflag = 0, autoprint = !Z->quiet, restart = 0;
    int pc = 0;
  cycle:
    for (pc = 0; pc < Z->ncmds;) {
      struct cmd *c = &Z->cmds[pc];
      if (c->c == '}' || c->c == ':') {
        pc++;
        continue;
      }
      if (!selected(c, ps)) {
        pc = c->c == '{' ? c->jump + 1 : pc + 1;
        continue;
      }
      switch (c->c) {
      case '{': break;
      case 's':
        if (substitute(c, &ps, &pscap, &pslen)) {
          tflag = 1;
          if (c->print) out_line(ps, pslen, Z->cur_nl);
        }
        break;
      case 'y':
        for (size_t k = 0; k < pslen; k++) ps[k] = (char)c->map[(unsigned char)ps[k]];
        break;
      case 'p': out_line(ps, pslen, Z->cur_nl); break;
      case 'P': {
        char *nl = memchr(ps, '\n', pslen);
        out_line(ps, nl ? (size_t)(nl - ps) : pslen, nl ? 1 : Z->cur_nl);
        break;
      }
      case '=': {
        char num[32];
        int n = snprintf(num, sizeof num, "%lld\n", Z->lineno);
        out_bytes(num, (size_t)n);
        break;
      }
      case 'd': autoprint = 0; goto end_cycle;
      case 'D': {
        char *nl = memchr(ps, '\n', pslen);
        if (!nl) {
          autoprint = 0;
          goto end_cycle;
        }
        size_t cut = (size_t)(nl - ps) + 1;
        memmove(ps, ps + cut, pslen - cut + 1);
        pslen -= cut;
        flush_append();
        restart = 1;
        goto cycle;
      }
      case 'a': queue_append(c->text, strlen(c->text)); break;
      case 'i': out_bytes(c->text, strlen(c->text)); break;
      case 'c':
        autoprint = 0;
        if (c->naddr < 2 || !c->active || c->negate) out_bytes(c->text, strlen(c->text));
        goto end_cycle;
      case 'r': {
        FILE *f = fopen(c->text, "r");
        if (f) {
          size_t n;
          char *d = read_all(f, &n);
          fclose(f);
          queue_append(d, n);
          free(d);
        }
        break;
      }
      case 'w': break;
      case 'l': {
        struct buf b = {0, 0, 0};
        for (size_t k = 0; k < pslen; k++) {
          unsigned char ch = (unsigned char)ps[k];
          char e[8];
          const char *esc = NULL;
          switch (ch) {
          case '\\': esc = "\\\\"; break;
          case '\a': esc = "\\a"; break;
          case '\b': esc = "\\b"; break;
          case '\f': esc = "\\f"; break;
          case '\n': esc = "\\n"; break;
          case '\r': esc = "\\r"; break;
          case '\t': esc = "\\t"; break;
          case '\v': esc = "\\v"; break;
          }
          if (esc) bput(&b, esc, strlen(esc));
          else if (ch < 32 || ch >= 127) {
            snprintf(e, sizeof e, "\\%03o", ch);
            bput(&b, e, 4);
          } else bput(&b, (char *)&ch, 1);
        }
        bput(&b, "$", 1);
        /* GNU wraps at 70 columns */
        for (size_t k = 0; k < b.len; k += 69) {
          size_t n = b.len - k > 69 ? 69 : b.len - k;
          if (b.len - k > 69) {
            out_bytes(b.s + k, n);
            out_bytes("\\\n", 2);
          } else out_line(b.s + k, n, 1);
        }
        free(b.s);
        break;
      }
      case 'q':
        quit = 1;
        Z->rc = c->qcode;
        goto end_cycle;
      case 'Q':
        quit = 1;
        autoprint = 0;
        Z->rc = c->qcode;
        goto end_cycle;
      case 'n':
        if (is_last()) {
          quit = 1; /* GNU: no next line, so print (unless -n) and stop */
          goto end_cycle;
        }
        if (autoprint) out_line(ps, pslen, Z->cur_nl);
        flush_append();
        next_line(&ps, &pscap, &pslen);
        break;
      case 'N': {
        if (is_last()) {
          quit = 1;
          goto end_cycle;
        }
        flush_append();
        size_t old = pslen;
        char *keep = malloc(old + 1);
        memcpy(keep, ps, old);
        next_line(&ps, &pscap, &pslen);
        if (pscap < old + pslen + 2) ps = realloc(ps, pscap = old + pslen + 2);
        memmove(ps + old + 1, ps, pslen + 1);
        memcpy(ps, keep, old);
        ps[old] = '\n';
        pslen += old + 1;
        free(keep);
        break;
      }
      case 'h':
        hs = realloc(hs, pslen + 1);
        memcpy(hs, ps, pslen + 1);
        hslen = pslen;
        break;
      case 'H':
        hs = realloc(hs, hslen + pslen + 2);
        hs[hslen] = '\n';
        memcpy(hs + hslen + 1, ps, pslen + 1);
        hslen += pslen + 1;
        break;
      case 'g':
        if (pscap < hslen + 1) ps = realloc(ps, pscap = hslen + 1);
        memcpy(ps, hs, hslen + 1);
        pslen = hslen;
        break;
      case 'G':
        if (pscap < pslen + hslen + 2) ps = realloc(ps, pscap = pslen + hslen + 2);
        ps[pslen] = '\n';
        memcpy(ps + pslen + 1, hs, hslen + 1);
        pslen += hslen + 1;
        break;
      case 'x': {
        char *t = ps;
        size_t tl = pslen;
        ps = hs;
        pslen = hslen;
        pscap = hslen + 1;
        hs = t;
        hslen = tl;
        break;
      }
      case 'z':
        pslen = 0;
        ps[0] = 0;
        break;
      case 'b':
        pc = c->jump;
        continue;
      case 't':
        if (tflag) {
          tflag = 0;
          pc = c->jump;
          continue;
        }
        break;
      case 'T':
        if (!tflag) {
          pc = c->jump;
          continue;
        }
        tflag = 0;
        break;
      }
      pc++;
    }
  end_cycle:
    (void)restart;
    if (autoprint) out_line(ps, pslen, Z->cur_nl);
    flush_append();
  }
  free(ps);
  free(hs);
  return quit;
}

int sed_main(int argc, char **argv) {
  struct sed z;
  memset(&z, 0, sizeof z);
  Z = &z;
  z.out = stdout;
  struct opts o;
  int c;
  struct buf script = {0, 0, 0};
  int have_script = 0;
  static const struct lopt longs[] = {{"quiet", ARG_NONE, 'n'},          {"silent", ARG_NONE, 'n'},
                                      {"expression", ARG_REQ, 'e'},      {"file", ARG_REQ, 'f'},
                                      {"regexp-extended", ARG_NONE, 'E'}, {"separate", ARG_NONE, 's'},
                                      {"in-place", ARG_OPT, 'i'},        {"null-data", ARG_NONE, 'z'},
                                      {"posix", ARG_NONE, 'P'},          {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "ne:f:Ersi::zu", longs)) != -1) {
    switch (c) {
    case 'n': z.quiet = 1; break;
    case 'e':
      if (script.len) bput(&script, "\n", 1);
      bput(&script, o.arg, strlen(o.arg));
      have_script = 1;
      break;
    case 'f': {
      FILE *f = strcmp(o.arg, "-") ? fopen(o.arg, "r") : stdin;
      if (!f) die(1, "couldn't open file %s: %s", o.arg, errstr(errno));
      size_t n;
      char *d = read_all(f, &n);
      close_input(f);
      if (n && d[n - 1] == '\n') d[--n] = 0;
      if (script.len) bput(&script, "\n", 1);
      bput(&script, d, n);
      free(d);
      have_script = 1;
      break;
    }
    case 'E': case 'r': z.extended = 1; break;
    case 's': z.separate = 1; break;
    case 'i': z.inplace = z.separate = 1; z.suffix = o.arg; break;
    case 'z': z.zero = 1; break;
    case 'u': case 'P': break;
    default:
      fprintf(stderr, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
      box_exit(1);
    }
  }
  int i = 0;
  if (!have_script) {
    if (o.nops < 1) {
      fprintf(stderr, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
      box_exit(1);
    }
    bput(&script, o.ops[i], strlen(o.ops[i]));
    i++;
  }
  parse_script(script.s ? script.s : "");
  static char *dash[] = {"-", NULL};
  z.files = i < o.nops ? o.ops + i : dash;
  z.nfiles = i < o.nops ? o.nops - i : 1;
  if (z.inplace && i >= o.nops) die(1, "no input files");
  if (!z.separate) {
    if (open_next_file()) {
      fill_next();
      run_stream();
    }
  } else {
    while (open_next_file()) {
      if (z.inplace) start_output_file();
      z.lineno = 0;
      z.missing_newline = 0;
      fill_next();
      int quit = run_stream();
      if (z.in && z.in != stdin) fclose(z.in);
      z.in = NULL;
      finish_output_file();
      if (quit) break;
    }
  }
  if (z.in && z.in != stdin) fclose(z.in);
  return z.rc;
}
