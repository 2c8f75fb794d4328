/* sh: lexer, parser and unparser. POSIX's grammar by recursive descent; one complete command is parsed
   at a time so that a script runs up to its first syntax error, as dash does. */
#include "sh.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { T_WORD, T_NL, T_EOF, T_SEMI, T_DSEMI, T_AMP, T_AND, T_PIPE, T_OR, T_LPAREN, T_RPAREN, T_REDIR };
static const char *tokname[] = {"word", "newline", "end of file", ";", ";;", "&", "&&", "|", "||", "(", ")", "redirection"};

/* Trees of $( ) parsed while expanding live in the command's arena (they end with it). */
static int parse_in_arena;

static void *xalloc(size_t n) {
  void *p = parse_in_arena ? st_alloc(n) : malloc(n);
  memset(p, 0, n);
  return p;
}
static char *xstrndup(const char *s, size_t n) {
  char *p = xalloc(n + 1);
  memcpy(p, s, n);
  return p;
}

int is_name(const char *s, size_t n) {
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

/* ------------------------------------------------------------------ input */

static int str_more(lexer *lx) {
  (void)lx;
  return 0;
}

void lex_init_string(lexer *lx, const char *s, size_t n, int lineno) {
  memset(lx, 0, sizeof *lx);
  lx->buf = (char *)s;
  lx->len = n;
  lx->more = str_more;
  lx->lineno = lineno;
  lx->fd = -1;
}

/* The character at pos + off, reading more input when needed; -1 at the end. */
static int lc(lexer *lx, size_t off) {
  while (lx->pos + off >= lx->len) {
    if (lx->eof || !lx->more(lx)) {
      lx->eof = 1;
      return -1;
    }
  }
  return (unsigned char)lx->buf[lx->pos + off];
}

static void syntax(lexer *lx, const char *fmt, const char *arg) {
  if (lx->err) return;
  lx->err = 1;
  char msg[256];
  snprintf(msg, sizeof msg, fmt, arg);
  sh.lineno = lx->lineno;
  sh_error("Syntax error: %s", msg);
}

/* ------------------------------------------------------------------ words */

static void scan_dollar(lexer *lx);
static node *parse_list(lexer *lx, int top);
static int peek(lexer *lx);

static void scan_squote(lexer *lx) {
  lx->pos++;
  for (;;) {
    int c = lc(lx, 0);
    if (c < 0) return syntax(lx, "%s", "Unterminated quoted string");
    lx->pos++;
    if (c == '\n') lx->lineno++;
    if (c == '\'') return;
  }
}

static void scan_bquote(lexer *lx) {
  lx->pos++;
  for (;;) {
    int c = lc(lx, 0);
    if (c < 0) return syntax(lx, "%s", "EOF in backquote substitution");
    if (c == '\\') lx->pos++;
    else if (c == '\n') lx->lineno++;
    lx->pos++;
    if (c == '`') return;
  }
}

static void scan_dquote(lexer *lx) {
  lx->pos++;
  for (;;) {
    int c = lc(lx, 0);
    if (c < 0) return syntax(lx, "%s", "Unterminated quoted string");
    if (c == '"') {
      lx->pos++;
      return;
    }
    if (c == '\\') {
      lx->pos += 2;
      continue;
    }
    if (c == '$') {
      scan_dollar(lx);
      if (lx->err) return;
      continue;
    }
    if (c == '`') {
      scan_bquote(lx);
      if (lx->err) return;
      continue;
    }
    if (c == '\n') lx->lineno++;
    lx->pos++;
  }
}

static void scan_dollar(lexer *lx) {
  int c1 = lc(lx, 1);
  if (c1 == '(' && lc(lx, 2) == '(') {
    /* $(( arithmetic )) */
    lx->pos += 3;
    int depth = 0;
    for (;;) {
      int c = lc(lx, 0);
      if (c < 0) return syntax(lx, "%s", "Missing '))'");
      if (c == '(') depth++;
      else if (c == ')') {
        if (depth == 0 && lc(lx, 1) == ')') {
          lx->pos += 2;
          return;
        }
        if (depth > 0) depth--;
      } else if (c == '\'') {
        scan_squote(lx);
        continue;
      } else if (c == '"') {
        scan_dquote(lx);
        continue;
      } else if (c == '$') {
        scan_dollar(lx);
        if (lx->err) return;
        continue;
      } else if (c == '`') {
        scan_bquote(lx);
        continue;
      } else if (c == '\\') lx->pos++;
      lx->pos++;
    }
  }
  if (c1 == '(') {
    /* $( command ): parsed in full, so that ) in a case pattern or a quote does not end it */
    lx->pos += 2;
    int saved_tok = lx->tok, saved_peeked = lx->peeked;
    char *saved_word = lx->tokword;
    lx->peeked = 0;
    lx->depth++;
    parse_list(lx, 0);
    lx->depth--;
    if (!lx->err && peek(lx) != T_RPAREN) syntax(lx, "%s", "Missing ')'");
    lx->peeked = saved_peeked;
    lx->tok = saved_tok;
    lx->tokword = saved_word;
    return;
  }
  if (c1 == '{') {
    lx->pos += 2;
    for (;;) {
      int c = lc(lx, 0);
      if (c < 0) return syntax(lx, "%s", "Missing '}'");
      if (c == '}') {
        lx->pos++;
        return;
      }
      if (c == '\'') scan_squote(lx);
      else if (c == '"') scan_dquote(lx);
      else if (c == '$') scan_dollar(lx);
      else if (c == '`') scan_bquote(lx);
      else {
        if (c == '\\') lx->pos++;
        lx->pos++;
      }
      if (lx->err) return;
    }
  }
  lx->pos++;
}

size_t skip_dollar(const char *text, size_t len, size_t i) {
  lexer lx;
  lex_init_string(&lx, text, len, sh.lineno);
  lx.pos = i;
  int saved = parse_in_arena;
  parse_in_arena = 1;
  if (text[i] == '`') scan_bquote(&lx);
  else scan_dollar(&lx);
  parse_in_arena = saved;
  return lx.pos > len ? len : lx.pos;
}

static int is_meta(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
         c == '(' || c == ')';
}

/* ------------------------------------------------------------------ here-documents */

static char *unquote_delim(const char *s, int *quoted) {
  size_t n = strlen(s);
  char *out = xalloc(n + 1), *o = out;
  *quoted = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\'' || s[i] == '"') {
      *quoted = 1;
      continue;
    }
    if (s[i] == '\\' && i + 1 < n) {
      *quoted = 1;
      i++;
    }
    *o++ = s[i];
  }
  *o = 0;
  return out;
}

static void read_heredocs(lexer *lx) {
  for (int k = 0; k < lx->npending; k++) {
    redir *r = lx->pending[k];
    int quoted;
    char *delim = unquote_delim(r->delim, &quoted);
    r->quoted = quoted;
    int strip = r->fd < 0; /* <<- marks itself with fd -1 until here */
    if (strip) r->fd = 0;
    size_t dl = strlen(delim);
    char *body = NULL;
    size_t blen = 0;
    for (;;) {
      if (lc(lx, 0) < 0) break; /* end of input ends the document */
      size_t start = lx->pos;
      while (lc(lx, 0) >= 0 && lc(lx, 0) != '\n') lx->pos++;
      size_t end = lx->pos;
      if (lc(lx, 0) == '\n') lx->pos++;
      lx->lineno++;
      const char *line = lx->buf + start;
      size_t ll = end - start;
      if (strip)
        while (ll > 0 && *line == '\t') line++, ll--;
      if (ll == dl && memcmp(line, delim, dl) == 0) break;
      char *nb = xalloc(blen + ll + 2);
      if (blen) memcpy(nb, body, blen);
      memcpy(nb + blen, line, ll);
      nb[blen + ll] = '\n';
      blen += ll + 1;
      if (!parse_in_arena) free(body);
      body = nb;
    }
    r->target = body ? body : xstrndup("", 0);
  }
  lx->npending = 0;
}

/* ------------------------------------------------------------------ tokens */

static int next_token(lexer *lx) {
  lx->tokword = NULL;
  lx->tokfd = -1;
  for (;;) {
    int c = lc(lx, 0);
    if (c == ' ' || c == '\t') lx->pos++;
    else if (c == '\\' && lc(lx, 1) == '\n') lx->pos += 2, lx->lineno++;
    else break;
  }
  int c = lc(lx, 0);
  if (c == '#') {
    while (lc(lx, 0) >= 0 && lc(lx, 0) != '\n') lx->pos++;
    c = lc(lx, 0);
  }
  if (c < 0) return T_EOF;
  if (c == '\n') {
    lx->pos++;
    lx->lineno++;
    if (lx->npending) read_heredocs(lx);
    return T_NL;
  }
  int c1 = lc(lx, 1);
  switch (c) {
  case ';':
    lx->pos += c1 == ';' ? 2 : 1;
    return c1 == ';' ? T_DSEMI : T_SEMI;
  case '&':
    lx->pos += c1 == '&' ? 2 : 1;
    return c1 == '&' ? T_AND : T_AMP;
  case '|':
    lx->pos += c1 == '|' ? 2 : 1;
    return c1 == '|' ? T_OR : T_PIPE;
  case '(': lx->pos++; return T_LPAREN;
  case ')': lx->pos++; return T_RPAREN;
  }
  /* an IO number: digits right before < or > */
  size_t i = 0;
  while (lc(lx, i) >= '0' && lc(lx, i) <= '9') i++;
  int fd = -1;
  if (i > 0 && i < 4 && (lc(lx, i) == '<' || lc(lx, i) == '>')) {
    fd = atoi(lx->buf + lx->pos);
    lx->pos += i;
    c = lc(lx, 0);
    c1 = lc(lx, 1);
  }
  if (c == '<' || c == '>') {
    int type;
    lx->pos++;
    if (c == '<') {
      if (c1 == '<') {
        lx->pos++;
        type = R_HEREDOC;
        if (lc(lx, 0) == '-') {
          lx->pos++;
          lx->tokfd = -2; /* strip tabs */
        }
      } else if (c1 == '&') lx->pos++, type = R_DUPIN;
      else if (c1 == '>') lx->pos++, type = R_RDWR;
      else type = R_IN;
    } else {
      if (c1 == '>') lx->pos++, type = R_APPEND;
      else if (c1 == '&') lx->pos++, type = R_DUPOUT;
      else if (c1 == '|') lx->pos++, type = R_CLOBBER;
      else type = R_OUT;
    }
    int strip = lx->tokfd == -2;
    lx->tokfd = fd >= 0 ? fd : (c == '<' ? 0 : 1);
    if (strip) lx->tokfd |= 0x100;
    lx->tokword = (char *)(intptr_t)type;
    return T_REDIR;
  }
  size_t start = lx->pos;
  for (;;) {
    c = lc(lx, 0);
    if (c < 0 || is_meta(c)) break;
    if (c == '\\') {
      if (lc(lx, 1) == '\n') lx->lineno++;
      lx->pos += lc(lx, 1) < 0 ? 1 : 2;
    } else if (c == '\'') scan_squote(lx);
    else if (c == '"') scan_dquote(lx);
    else if (c == '`') scan_bquote(lx);
    else if (c == '$') scan_dollar(lx);
    else lx->pos++;
    if (lx->err) return T_EOF;
  }
  lx->tokword = xstrndup(lx->buf + start, lx->pos - start);
  return T_WORD;
}

static int peek(lexer *lx) {
  if (!lx->peeked) {
    lx->tok = next_token(lx);
    lx->peeked = 1;
  }
  return lx->tok;
}
static void consume(lexer *lx) {
  peek(lx);
  lx->peeked = 0;
}
static int peek_word(lexer *lx, const char *w) {
  return peek(lx) == T_WORD && strcmp(lx->tokword, w) == 0;
}
static void skip_nl(lexer *lx) {
  while (!lx->err && peek(lx) == T_NL) consume(lx);
}
static void unexpected(lexer *lx) {
  int t = peek(lx);
  if (t == T_WORD) syntax(lx, "\"%s\" unexpected", lx->tokword);
  else if (t == T_EOF) syntax(lx, "%s unexpected", "end of file");
  else syntax(lx, "\"%s\" unexpected", tokname[t]);
}
static int expect_word(lexer *lx, const char *w) {
  if (lx->err) return 0;
  if (!peek_word(lx, w)) {
    if (peek(lx) == T_WORD || peek(lx) == T_EOF) {
      char m[64];
      snprintf(m, sizeof m, "\"%s\" unexpected (expecting \"%s\")",
               peek(lx) == T_EOF ? "end of file" : lx->tokword, w);
      syntax(lx, "%s", m);
    } else unexpected(lx);
    return 0;
  }
  consume(lx);
  return 1;
}

/* ------------------------------------------------------------------ grammar */

static node *mk(int type, lexer *lx) {
  node *n = xalloc(sizeof *n);
  n->type = type;
  n->lineno = lx->lineno;
  return n;
}

static int is_closer(lexer *lx) {
  int t = peek(lx);
  if (t == T_RPAREN || t == T_DSEMI || t == T_EOF) return 1;
  if (t != T_WORD) return 0;
  static const char *closers[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}", NULL};
  for (int i = 0; closers[i]; i++)
    if (!strcmp(lx->tokword, closers[i])) return 1;
  return 0;
}

static node *parse_and_or(lexer *lx);
static node *parse_command(lexer *lx);
static node *parse_line(lexer *lx, int *done);

static node *seq(lexer *lx, node *a, node *b) {
  if (!a) return b;
  node *n = mk(N_SEQ, lx);
  n->a = a;
  n->b = b;
  return n;
}

static node *parse_list(lexer *lx, int top) {
  node *result = NULL;
  for (;;) {
    if (!top) skip_nl(lx);
    if (lx->err) return NULL;
    int t = peek(lx);
    if (top && t == T_NL) {
      consume(lx);
      break;
    }
    if (t == T_EOF || (!top && is_closer(lx))) break;
    node *n = parse_and_or(lx);
    if (lx->err) return NULL;
    t = peek(lx);
    if (t == T_AMP) {
      consume(lx);
      node *bg = mk(N_BG, lx);
      bg->a = n;
      n = bg;
    } else if (t == T_SEMI) consume(lx);
    else if (t == T_NL) {
      consume(lx);
      result = seq(lx, result, n);
      if (top) break;
      continue;
    } else {
      result = seq(lx, result, n);
      if (t != T_EOF && (top || !is_closer(lx))) unexpected(lx);
      break;
    }
    result = seq(lx, result, n);
    if (top && peek(lx) == T_NL) {
      consume(lx);
      break;
    }
  }
  return result;
}

static node *parse_pipeline(lexer *lx) {
  int neg = 0;
  while (peek_word(lx, "!")) {
    consume(lx);
    neg = !neg;
  }
  node *first = parse_command(lx);
  if (lx->err) return NULL;
  node *result = first;
  if (peek(lx) == T_PIPE) {
    node *p = mk(N_PIPE, lx);
    p->a = first;
    node *last = first;
    while (peek(lx) == T_PIPE) {
      consume(lx);
      skip_nl(lx);
      node *c = parse_command(lx);
      if (lx->err) return NULL;
      last->next = c;
      last = c;
    }
    result = p;
  }
  if (neg) {
    node *n = mk(N_NOT, lx);
    n->a = result;
    result = n;
  }
  return result;
}

static node *parse_and_or(lexer *lx) {
  node *left = parse_pipeline(lx);
  while (!lx->err && (peek(lx) == T_AND || peek(lx) == T_OR)) {
    int t = peek(lx);
    consume(lx);
    skip_nl(lx);
    node *right = parse_pipeline(lx);
    node *n = mk(t == T_AND ? N_AND : N_OR, lx);
    n->a = left;
    n->b = right;
    left = n;
  }
  return left;
}

static word *mkword(char *text) {
  word *w = xalloc(sizeof *w);
  w->text = text;
  return w;
}

/* After a redirection operator token: its target word. */
static redir *parse_redir(lexer *lx) {
  int type = (int)(intptr_t)lx->tokword;
  int fd = lx->tokfd;
  consume(lx);
  if (peek(lx) != T_WORD) {
    unexpected(lx);
    return NULL;
  }
  redir *r = xalloc(sizeof *r);
  r->type = type;
  r->fd = fd & 0xff;
  if (type == R_HEREDOC) {
    r->delim = lx->tokword;
    if (fd & 0x100) r->fd = -1; /* <<-: read_heredocs strips tabs */
    if (lx->npending < 16) lx->pending[lx->npending++] = r;
    else syntax(lx, "%s", "too many here-documents");
  } else r->target = lx->tokword;
  consume(lx);
  return r;
}

static void parse_redirs(lexer *lx, node *n) {
  redir **tail = &n->redirs;
  while (*tail) tail = &(*tail)->next;
  while (!lx->err && peek(lx) == T_REDIR) {
    redir *r = parse_redir(lx);
    if (!r) return;
    *tail = r;
    tail = &r->next;
  }
}

/* A compound list that must hold a command (if/while conditions, bodies). */
static node *parse_body(lexer *lx) {
  node *n = parse_list(lx, 0);
  if (!n && !lx->err) unexpected(lx);
  return n;
}

static node *parse_compound_body(lexer *lx, const char *close) {
  node *body = parse_body(lx);
  expect_word(lx, close);
  return body;
}

static node *parse_if(lexer *lx) {
  node *n = mk(N_IF, lx);
  n->a = parse_body(lx);
  if (!expect_word(lx, "then")) return NULL;
  n->b = parse_body(lx);
  if (lx->err) return NULL;
  if (peek_word(lx, "elif")) {
    consume(lx);
    n->c = parse_if(lx);
    return n;
  }
  if (peek_word(lx, "else")) {
    consume(lx);
    n->c = parse_body(lx);
  }
  expect_word(lx, "fi");
  return n;
}

static node *parse_for(lexer *lx) {
  node *n = mk(N_FOR, lx);
  if (peek(lx) != T_WORD || !is_name(lx->tokword, strlen(lx->tokword))) {
    syntax(lx, "Bad for loop variable%s", "");
    return NULL;
  }
  n->name = lx->tokword;
  consume(lx);
  skip_nl(lx);
  if (peek_word(lx, "in")) {
    consume(lx);
    n->has_in = 1;
    word **tail = &n->args;
    while (peek(lx) == T_WORD) {
      *tail = mkword(lx->tokword);
      tail = &(*tail)->next;
      consume(lx);
    }
    if (peek(lx) == T_SEMI || peek(lx) == T_NL) consume(lx);
    else {
      unexpected(lx);
      return NULL;
    }
  } else if (peek(lx) == T_SEMI) consume(lx);
  skip_nl(lx);
  if (!expect_word(lx, "do")) return NULL;
  n->b = parse_compound_body(lx, "done");
  return n;
}

static node *parse_case(lexer *lx) {
  node *n = mk(N_CASE, lx);
  if (peek(lx) != T_WORD) {
    unexpected(lx);
    return NULL;
  }
  n->args = mkword(lx->tokword);
  consume(lx);
  skip_nl(lx);
  if (!expect_word(lx, "in")) return NULL;
  caseitem **tail = &n->items;
  for (;;) {
    skip_nl(lx);
    if (lx->err) return NULL;
    if (peek_word(lx, "esac")) {
      consume(lx);
      break;
    }
    caseitem *it = xalloc(sizeof *it);
    if (peek(lx) == T_LPAREN) consume(lx);
    word **pt = &it->pats;
    for (;;) {
      if (peek(lx) != T_WORD) {
        unexpected(lx);
        return NULL;
      }
      *pt = mkword(lx->tokword);
      pt = &(*pt)->next;
      consume(lx);
      if (peek(lx) == T_PIPE) {
        consume(lx);
        continue;
      }
      if (peek(lx) != T_RPAREN) {
        unexpected(lx);
        return NULL;
      }
      consume(lx);
      break;
    }
    it->body = parse_list(lx, 0);
    if (lx->err) return NULL;
    *tail = it;
    tail = &it->next;
    if (peek(lx) == T_DSEMI) {
      consume(lx);
      continue;
    }
    skip_nl(lx);
    if (!expect_word(lx, "esac")) return NULL;
    break;
  }
  return n;
}

static node *parse_command(lexer *lx) {
  int t = peek(lx);
  node *n = NULL;
  if (t == T_LPAREN) {
    consume(lx);
    n = mk(N_SUB, lx);
    n->a = parse_body(lx);
    if (lx->err) return NULL;
    if (peek(lx) != T_RPAREN) {
      unexpected(lx);
      return NULL;
    }
    consume(lx);
  } else if (t == T_WORD) {
    const char *w = lx->tokword;
    if (!strcmp(w, "{")) {
      consume(lx);
      n = mk(N_GROUP, lx);
      n->a = parse_compound_body(lx, "}");
    } else if (!strcmp(w, "if")) {
      consume(lx);
      n = parse_if(lx);
    } else if (!strcmp(w, "while") || !strcmp(w, "until")) {
      consume(lx);
      n = mk(w[0] == 'w' ? N_WHILE : N_UNTIL, lx);
      n->a = parse_body(lx);
      if (!expect_word(lx, "do")) return NULL;
      n->b = parse_compound_body(lx, "done");
    } else if (!strcmp(w, "for")) {
      consume(lx);
      n = parse_for(lx);
    } else if (!strcmp(w, "case")) {
      consume(lx);
      n = parse_case(lx);
    } else if (is_closer(lx) || !strcmp(w, "!")) {
      unexpected(lx);
      return NULL;
    }
  } else if (t != T_REDIR) {
    unexpected(lx);
    return NULL;
  }
  if (lx->err) return NULL;
  if (n) {
    parse_redirs(lx, n);
    return n;
  }
  /* a simple command, or a function definition */
  n = mk(N_CMD, lx);
  word **at = &n->assigns, **ar = &n->args;
  redir **rt = &n->redirs;
  for (;;) {
    t = peek(lx);
    if (t == T_REDIR) {
      redir *r = parse_redir(lx);
      if (!r) return NULL;
      *rt = r;
      rt = &r->next;
    } else if (t == T_WORD) {
      char *w = lx->tokword;
      const char *eq = strchr(w, '=');
      if (!n->args && eq && is_name(w, (size_t)(eq - w))) {
        *at = mkword(w);
        at = &(*at)->next;
        consume(lx);
        continue;
      }
      int first = !n->args && !n->assigns && !n->redirs;
      *ar = mkword(w);
      ar = &(*ar)->next;
      consume(lx);
      if (first && peek(lx) == T_LPAREN) {
        consume(lx);
        if (peek(lx) != T_RPAREN) {
          unexpected(lx);
          return NULL;
        }
        consume(lx);
        skip_nl(lx);
        node *f = mk(N_FUNC, lx);
        f->name = w;
        f->a = parse_command(lx);
        if (!lx->err && f->a && f->a->type == N_CMD) syntax(lx, "%s", "function body must be a compound command");
        return lx->err ? NULL : f;
      }
    } else break;
  }
  if (!n->args && !n->assigns && !n->redirs) {
    unexpected(lx);
    return NULL;
  }
  return n;
}

node *parse_command_line(lexer *lx, int *done) {
  /* the tree lives in the arena until the command has run; function bodies are copied out */
  int saved = parse_in_arena;
  parse_in_arena = 1;
  node *n = parse_line(lx, done);
  parse_in_arena = saved;
  return n;
}

static node *parse_line(lexer *lx, int *done) {
  lx->err = 0;
  lx->peeked = 0;
  *done = 0;
  int t = peek(lx);
  if (t == T_EOF) {
    *done = 1;
    return NULL;
  }
  node *n = parse_list(lx, 1);
  if (lx->err) {
    /* skip the rest of the line */
    lx->npending = 0;
    while (lc(lx, 0) >= 0 && lc(lx, 0) != '\n') lx->pos++;
    if (lc(lx, 0) == '\n') lx->pos++, lx->lineno++;
    lx->peeked = 0;
    return NULL;
  }
  return n;
}

node *parse_cmdsubst(const char *text, size_t len, size_t *end, int lineno) {
  lexer lx;
  lex_init_string(&lx, text, len, lineno);
  int saved = parse_in_arena;
  parse_in_arena = 1;
  node *n = parse_list(&lx, 0);
  if (!lx.err && peek(&lx) != T_RPAREN) syntax(&lx, "%s", "Missing ')'");
  parse_in_arena = saved;
  *end = lx.pos;
  return lx.err ? NULL : n;
}

/* ------------------------------------------------------------------ persistent copies */

static char *pdup(const char *s) { return s ? strdup(s) : NULL; }

static word *copy_words(word *w) {
  word *head = NULL, **tail = &head;
  for (; w; w = w->next) {
    word *c = calloc(1, sizeof *c);
    c->text = pdup(w->text);
    *tail = c;
    tail = &c->next;
  }
  return head;
}

node *tree_persist(node *n) {
  if (!n) return NULL;
  node *c = malloc(sizeof *c);
  *c = *n;
  c->assigns = copy_words(n->assigns);
  c->args = copy_words(n->args);
  c->name = pdup(n->name);
  c->a = tree_persist(n->a);
  c->b = tree_persist(n->b);
  c->c = tree_persist(n->c);
  c->next = tree_persist(n->next);
  redir **rt = &c->redirs;
  for (redir *r = n->redirs; r; r = r->next) {
    redir *d = malloc(sizeof *d);
    *d = *r;
    d->target = pdup(r->target);
    d->delim = pdup(r->delim);
    d->next = NULL;
    *rt = d;
    rt = &d->next;
  }
  caseitem **it = &c->items;
  for (caseitem *i = n->items; i; i = i->next) {
    caseitem *d = calloc(1, sizeof *d);
    d->pats = copy_words(i->pats);
    d->body = tree_persist(i->body);
    *it = d;
    it = &d->next;
  }
  return c;
}

/* ------------------------------------------------------------------ unparse */

struct ubuf {
  char **out;
  size_t *len, *cap;
  redir *pending[16];
  int npending;
};

static void put(struct ubuf *u, const char *s) {
  size_t n = strlen(s);
  if (*u->len + n + 1 > *u->cap) {
    *u->cap = (*u->len + n + 1) * 2;
    *u->out = realloc(*u->out, *u->cap);
  }
  memcpy(*u->out + *u->len, s, n + 1);
  *u->len += n;
}

static void newline(struct ubuf *u) {
  put(u, "\n");
  for (int i = 0; i < u->npending; i++) {
    int q;
    put(u, u->pending[i]->target);
    char *d = unquote_delim(u->pending[i]->delim, &q);
    put(u, d);
    if (!parse_in_arena) free(d);
    put(u, "\n");
  }
  u->npending = 0;
}

static void un(struct ubuf *u, node *n);

static void un_redirs(struct ubuf *u, redir *r) {
  static const char *ops[] = {"<", ">", ">>", ">|", "<&", ">&", "<>", "<<"};
  for (; r; r = r->next) {
    char b[16];
    snprintf(b, sizeof b, " %d%s", r->fd, ops[r->type]);
    put(u, b);
    if (r->type == R_HEREDOC) {
      put(u, r->delim);
      if (u->npending < 16) u->pending[u->npending++] = r;
    } else put(u, r->target);
  }
}

static void un_words(struct ubuf *u, word *w, int space_first) {
  for (; w; w = w->next) {
    if (space_first) put(u, " ");
    space_first = 1;
    put(u, w->text);
  }
}

static void un(struct ubuf *u, node *n) {
  if (!n) {
    put(u, ":");
    return;
  }
  switch (n->type) {
  case N_CMD:
    un_words(u, n->assigns, 0);
    un_words(u, n->args, n->assigns != NULL);
    if (!n->assigns && !n->args) put(u, ":");
    un_redirs(u, n->redirs);
    return;
  case N_PIPE:
    for (node *c = n->a; c; c = c->next) {
      un(u, c);
      if (c->next) put(u, " | ");
    }
    return;
  case N_AND:
  case N_OR:
    un(u, n->a);
    put(u, n->type == N_AND ? " && " : " || ");
    un(u, n->b);
    return;
  case N_SEQ:
    un(u, n->a);
    newline(u);
    un(u, n->b);
    return;
  case N_BG:
    un(u, n->a);
    put(u, " &");
    return;
  case N_NOT:
    put(u, "! ");
    un(u, n->a);
    return;
  case N_SUB:
  case N_GROUP:
    put(u, n->type == N_SUB ? "(" : "{");
    newline(u);
    un(u, n->a);
    newline(u);
    put(u, n->type == N_SUB ? ")" : "}");
    break;
  case N_IF:
    put(u, "if ");
    un(u, n->a);
    newline(u);
    put(u, "then");
    newline(u);
    un(u, n->b);
    if (n->c) {
      newline(u);
      put(u, "else");
      newline(u);
      un(u, n->c);
    }
    newline(u);
    put(u, "fi");
    break;
  case N_WHILE:
  case N_UNTIL:
    put(u, n->type == N_WHILE ? "while " : "until ");
    un(u, n->a);
    newline(u);
    put(u, "do");
    newline(u);
    un(u, n->b);
    newline(u);
    put(u, "done");
    break;
  case N_FOR:
    put(u, "for ");
    put(u, n->name);
    if (n->has_in) {
      put(u, " in");
      un_words(u, n->args, 1);
    }
    newline(u);
    put(u, "do");
    newline(u);
    un(u, n->b);
    newline(u);
    put(u, "done");
    break;
  case N_CASE:
    put(u, "case ");
    put(u, n->args->text);
    put(u, " in");
    newline(u);
    for (caseitem *it = n->items; it; it = it->next) {
      put(u, "(");
      for (word *p = it->pats; p; p = p->next) {
        put(u, p->text);
        if (p->next) put(u, "|");
      }
      put(u, ")");
      newline(u);
      if (it->body) un(u, it->body);
      newline(u);
      put(u, ";;");
      newline(u);
    }
    put(u, "esac");
    break;
  case N_FUNC:
    put(u, n->name);
    put(u, "() ");
    un(u, n->a);
    return;
  }
  un_redirs(u, n->redirs);
}

void sh_unparse(node *n, char **out, size_t *len, size_t *cap) {
  struct ubuf u = {out, len, cap, {0}, 0};
  if (!*out) {
    *cap = 256;
    *out = malloc(*cap);
    (*out)[0] = 0;
    *len = 0;
  }
  un(&u, n);
  newline(&u);
}
