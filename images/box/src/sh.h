/* sh: box's POSIX shell. Shared types of the parser (sh_parse.c), expansion (sh_expand.c), execution
   (sh_exec.c) and builtins (sh_builtin.c). Words stay as their source text (quotes included) and are
   expanded each time they run, which is also how subshells that must run as a new process get their
   commands: the tree printed back as text (sh_unparse). */
#ifndef BOX_SH_H
#define BOX_SH_H

#include "lib.h"

#include <stddef.h>

/* ---- syntax tree ---- */
typedef struct word {
  char *text; /* the source text, quotes and all */
  struct word *next;
} word;

enum { R_IN, R_OUT, R_APPEND, R_CLOBBER, R_DUPIN, R_DUPOUT, R_RDWR, R_HEREDOC };
typedef struct redir {
  int fd;       /* the redirected fd */
  int type;     /* R_* */
  char *target; /* a word (file, fd number or "-"); for R_HEREDOC the body */
  char *delim;  /* R_HEREDOC: the delimiter as written */
  int quoted;   /* R_HEREDOC: the delimiter was quoted: the body is not expanded */
  struct redir *next;
} redir;

enum { N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT, N_SUB, N_GROUP, N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE, N_FUNC };

typedef struct caseitem {
  word *pats;
  struct node *body;
  struct caseitem *next;
} caseitem;

typedef struct node {
  int type;
  int lineno;
  redir *redirs;         /* N_CMD and compound commands */
  word *assigns, *args;  /* N_CMD; N_FOR: args are the list */
  struct node *a, *b, *c; /* children: AND/OR/SEQ a,b; BG/NOT/SUB/GROUP/FUNC a; IF a,b,c; WHILE a,b; FOR b */
  struct node *next;      /* N_PIPE: the stages are a, a->next, ... */
  char *name;             /* N_FOR variable, N_FUNC name */
  int has_in;             /* N_FOR: an `in` list was given */
  caseitem *items;        /* N_CASE (word in args) */
} node;

/* The lexer reads from a buffer that `more` can extend (a line from a terminal or stdin). */
typedef struct lexer {
  char *buf;
  size_t len, cap, pos;
  int (*more)(struct lexer *); /* appends input; returns 0 at EOF */
  int eof;
  int lineno;
  int interactive_ps2; /* the next `more` shows PS2 */
  struct redir *pending[16]; /* here-documents whose bodies follow the next newline */
  int npending;
  int tok, peeked;       /* one token of lookahead */
  char *tokword;
  int tokfd;             /* IO_NUMBER before a redirection operator */
  int err;               /* a syntax error was reported */
  int depth;             /* nesting of $( ) being parsed */
  int fd;                /* the fd `more` reads, -1 for a string */
  int script;            /* a script file or stdin (set -v echoes its input) */
} lexer;

void lex_init_string(lexer *lx, const char *s, size_t n, int lineno);
/* Parses one complete command (up to a newline at top level). *done is set at end of input. NULL with
   lx->err on a syntax error, NULL without it for an empty line. */
node *parse_command_line(lexer *lx, int *done);
/* Parses `text` (after "$(") up to its ")"; returns the tree and sets *end to the offset after ")". */
node *parse_cmdsubst(const char *text, size_t len, size_t *end, int lineno);
/* Scans a word's $( ... ), ${ ... }, $(( )) or `...` from text[i] ('$' or '`'); returns its end. */
size_t skip_dollar(const char *text, size_t len, size_t i);
/* A copy of a tree outside the arena (a function's body). */
node *tree_persist(node *n);
/* The tree as shell text that parses back to the same tree. */
void sh_unparse(node *n, char **out, size_t *len, size_t *cap);
int is_name(const char *s, size_t n);

/* ---- arena for the values of one command: released to a mark when it ends ---- */
typedef struct stmark {
  void *block;
  size_t used;
} stmark;
void *st_alloc(size_t n);
char *st_strdup(const char *s);
char *st_strndup(const char *s, size_t n);
stmark st_mark(void);
void st_release(stmark m);

/* ---- expansion ---- */
typedef struct strlist {
  char **v;
  int n, cap;
} strlist;
void sl_add(strlist *l, char *s);
enum {
  EX_FIELDS = 1,  /* field splitting and pathname expansion */
  EX_ASSIGN = 2,  /* tilde after = and : */
  EX_PATTERN = 4, /* a pattern: quoted pattern characters come back escaped with a backslash */
  EX_HEREDOC = 8, /* an unquoted here-document body: only $ ` and \ before $ ` \ newline */
  EX_INNER = 16,  /* the word of a ${x-word} inside double quotes: its own double quotes still quote */
};
/* Expands a word into fields (EX_FIELDS) or one string (in the arena). Returns 0, or -1 after an error
   (message printed, sh_error raised). */
int expand_word(const char *text, int flags, strlist *out);
char *expand_one(const char *text, int flags); /* NULL on error */
long long arith_eval(const char *expr, int *err);
int pmatch(const char *pattern, const char *s); /* fnmatch without special slashes or dots */

/* ---- variables, functions, state ---- */
enum { V_EXPORT = 1, V_READONLY = 2 };
const char *var_get(const char *name);
int var_set(const char *name, const char *value, int flags); /* -1 if readonly */
int var_unset(const char *name);
int var_flags(const char *name);
void var_setflags(const char *name, int flags);
void var_local(const char *name);      /* saves the variable in the current function's frame */
char **env_build(strlist *extra);       /* exported variables (+ NAME=VALUE extras) as envp, in the arena */
void vars_each(void (*fn)(const char *name, const char *value, int flags, void *ctx), void *ctx);

node *func_get(const char *name);
void func_set(const char *name, node *body);
int func_unset(const char *name);

enum { SKIP_NONE, SKIP_BREAK, SKIP_CONTINUE, SKIP_RETURN, SKIP_EXIT, SKIP_ERROR };
struct shell {
  int status;      /* $? */
  int skip, skipn; /* a pending break/continue (count), return, exit or error unwinding */
  int exitcode;
  int opt_e, opt_x, opt_u, opt_f, opt_n, opt_v, opt_C, opt_i, opt_s, opt_c, opt_pipefail;
  char *arg0;
  char **params; /* $1.. (malloc'd) */
  int nparams;
  int rootpid, lastbg;
  int funcdepth, loopdepth;
  int subshell;   /* > 0 inside ( ) or $( ) run in-process */
  int lineno;
  int cmdsubst_status; /* the status of the last $( ) of the current command */
  int interactive;
  char *traps[65];
  char *self;     /* this program's path, to run subshells that must be processes */
};
extern struct shell sh;

/* Reports "sh: LINE: message" and starts unwinding (exits a non-interactive shell). */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- execution ---- */
enum { EV_TESTED = 1 };
int eval(node *n, int flags);
int eval_string(const char *s, const char *what);
/* Runs a command list in-process with the shell's state saved and restored (a subshell). out_fd >= 0:
   its stdout goes there. */
int run_subshell(node *n, int out_fd);
int cmdsubst(const char *text, size_t len, int lineno, char **out, size_t *outlen);
int sh_dup(int fd);
int sh_dup2(int from, int to);
int sh_wait_pid(int pid, int *status); /* 0, or -1 when interrupted */
void sh_exit(int code) __attribute__((noreturn));
void run_exit_trap(void);
int sh_isatty(int fd);
char *find_in_path(const char *name); /* arena; NULL if not found */
void flush_out(void);

/* ---- builtins ---- */
typedef int (*builtin_fn)(int argc, char **argv);
enum { BI_SPECIAL = 1, BI_REGULAR = 0 };
builtin_fn find_builtin(const char *name, int *special);
int sh_exec_builtin(int argc, char **argv); /* exec: needs the command's environment */
extern int bg_jobs[64];
extern int nbg_jobs;
void add_bg(int pid);

#endif
