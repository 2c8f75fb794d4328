/* sh: builtins, the input loop and the sh applet's entry point. echo, printf and test/[ are box's own
   applets run in-process. */
#include "sh.h"

#include <berth_process.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifndef __wasi__
#include <signal.h>
#endif

extern char **environ;
int sh_run_program(char **argv);

int bg_jobs[64];
int nbg_jobs;
void add_bg(int pid) {
  if (nbg_jobs < 64) bg_jobs[nbg_jobs++] = pid;
}

static int parse_num(const char *s, long *out) {
  char *end;
  if (!*s) return -1;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*end || errno || v < 0) return -1;
  *out = v;
  return 0;
}

/* ------------------------------------------------------------------ input */

static char *ps(const char *name, const char *def) {
  const char *v = var_get(name);
  if (!v) return st_strdup(def);
  stmark m = st_mark();
  char *e = expand_one(v, 0);
  char *r = strdup(e ? e : v);
  st_release(m);
  sh.skip = SKIP_NONE;
  char *s = st_strdup(r);
  free(r);
  return s;
}

static int fd_more(lexer *lx) {
  if (lx->fd < 0) return 0;
  if (sh.interactive && lx->fd == 0) {
    flush_out();
    stmark m = st_mark();
    fputs(lx->interactive_ps2 ? ps("PS2", "> ") : ps("PS1", "$ "), stderr);
    st_release(m);
    lx->interactive_ps2 = 1;
  }
  size_t start = lx->len;
  for (;;) {
    char c;
    ssize_t r = read(lx->fd, &c, 1);
    if (r < 0 && errno == EINTR) {
      /* Ctrl-C at the prompt: drop the line */
      lx->len = start;
      c = '\n';
      r = 1;
      fputc('\n', stderr);
    }
    if (r <= 0) return lx->len > start;
    if (lx->len + 1 >= lx->cap) {
      lx->cap = lx->cap ? lx->cap * 2 : 256;
      lx->buf = realloc(lx->buf, lx->cap);
    }
    lx->buf[lx->len++] = c;
    if (c == '\n') return 1;
  }
}

void run_exit_trap(void) {
  char *t = sh.traps[0];
  if (!t || !*t) return;
  sh.traps[0] = NULL;
  int status = sh.status;
  int skip = sh.skip, code = sh.exitcode;
  sh.skip = SKIP_NONE;
  eval_string(t, "trap");
  free(t);
  if (sh.skip == SKIP_EXIT) status = sh.exitcode;
  sh.skip = skip;
  sh.exitcode = code;
  sh.status = status;
}

void sh_exit(int code) {
  sh.status = code;
  run_exit_trap();
  if (sh.skip == SKIP_EXIT) code = sh.exitcode;
  flush_out();
  exit(code);
}

/* Parses and runs commands until the input ends. top: the shell's main input (exits on errors when
   not interactive). */
static int run_lexer(lexer *lx, int top) {
  int status = 0;
  for (;;) {
    stmark m = st_mark();
    lx->interactive_ps2 = 0;
    int done;
    size_t start = lx->pos;
    node *n = parse_command_line(lx, &done);
    if (sh.opt_v && lx->script && lx->pos > start) {
      /* set -v: the input as it is read */
      flush_out();
      fwrite(lx->buf + start, 1, lx->pos - start, stderr);
    }
    if (lx->err) {
      sh.status = status = 2;
      sh.skip = SKIP_NONE;
      st_release(m);
      if (!sh.interactive || !top) {
        if (top) sh_exit(2);
        sh.skip = SKIP_ERROR;
        sh.exitcode = 2;
        return 2;
      }
      continue;
    }
    if (n && !sh.opt_n) status = eval(n, 0);
    st_release(m);
    flush_out();
    if (sh.skip) {
      if (!top) return status;
      if (sh.skip == SKIP_EXIT || sh.skip == SKIP_RETURN) sh_exit(sh.exitcode);
      if (sh.skip == SKIP_ERROR && !sh.interactive) sh_exit(sh.exitcode);
      sh.status = sh.skip == SKIP_ERROR ? sh.exitcode : sh.status;
      sh.skip = SKIP_NONE;
    }
    if (done) break;
  }
  return sh.status;
}

int eval_string(const char *s, const char *what) {
  (void)what;
  lexer lx;
  size_t n = strlen(s);
  char *copy = malloc(n + 1);
  memcpy(copy, s, n + 1);
  lex_init_string(&lx, copy, n, sh.lineno);
  int saved_line = sh.lineno;
  int status = run_lexer(&lx, 0);
  sh.lineno = saved_line;
  free(copy);
  return status;
}

static char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 4096 > cap) buf = realloc(buf, cap *= 2);
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      int e = errno;
      close(fd);
      free(buf);
      errno = e;
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  *len = n;
  return buf;
}

/* ------------------------------------------------------------------ builtins */

static int bi_true(int argc, char **argv) { (void)argc, (void)argv; return 0; }
static int bi_false(int argc, char **argv) { (void)argc, (void)argv; return 1; }

static int applet_builtin(const char *name, int argc, char **argv) {
  box_nested++;
  int rc = run_applet(name, argc, argv);
  box_nested--;
  flush_out();
  clearerr(stdout);
  return sh.skip == SKIP_EXIT && sh.exitcode == 141 ? 141 : rc;
}
static int bi_echo(int argc, char **argv) { return applet_builtin("echo", argc, argv); }
static int bi_test(int argc, char **argv) { return applet_builtin(argv[0][0] == '[' ? "[" : "test", argc, argv); }
static int bi_printf(int argc, char **argv) {
  if (argc < 2) {
    sh_warn("printf: usage: printf format [arg ...]");
    return 2;
  }
  return applet_builtin("printf", argc, argv);
}

static int bi_exit(int argc, char **argv) {
  long n = sh.status;
  if (argc > 1 && parse_num(argv[1], &n) < 0) {
    sh_error("exit: Illegal number: %s", argv[1]);
    return 2;
  }
  sh.skip = SKIP_EXIT;
  sh.exitcode = (int)(n & 255);
  return sh.exitcode;
}

static int bi_return(int argc, char **argv) {
  long n = sh.status;
  if (argc > 1 && parse_num(argv[1], &n) < 0) {
    sh_error("return: Illegal number: %s", argv[1]);
    return 2;
  }
  sh.skip = SKIP_RETURN;
  sh.exitcode = (int)(n & 255);
  return sh.exitcode;
}

static int bi_break(int argc, char **argv) {
  long n = 1;
  if (argc > 1 && (parse_num(argv[1], &n) < 0 || n == 0)) {
    sh_error("%s: Illegal number: %s", argv[0], argv[1]);
    return 2;
  }
  if (sh.loopdepth == 0) return 0;
  if (n > sh.loopdepth) n = sh.loopdepth;
  sh.skip = argv[0][0] == 'b' ? SKIP_BREAK : SKIP_CONTINUE;
  sh.skipn = (int)n;
  return 0;
}

static char *logical_path(const char *base, const char *dir) {
  size_t n = strlen(base) + strlen(dir) + 2;
  char *tmp = st_alloc(n), *out = st_alloc(n);
  if (dir[0] == '/') strcpy(tmp, dir);
  else snprintf(tmp, n, "%s/%s", base, dir);
  /* lexical . and .. */
  size_t o = 0;
  out[o++] = '/';
  for (char *p = tmp; *p;) {
    while (*p == '/') p++;
    char *e = p;
    while (*e && *e != '/') e++;
    size_t l = (size_t)(e - p);
    if (l == 0) break;
    if (l == 1 && p[0] == '.') {
    } else if (l == 2 && p[0] == '.' && p[1] == '.') {
      if (o > 1) {
        o--;
        while (o > 1 && out[o - 1] != '/') o--;
        if (o > 1) o--;
        if (o == 0) o = 1;
      }
    } else {
      if (o > 1) out[o++] = '/';
      memcpy(out + o, p, l);
      o += l;
    }
    p = e;
  }
  out[o] = 0;
  return out;
}

static int bi_cd(int argc, char **argv) {
  int i = 1;
  while (i < argc && (!strcmp(argv[i], "-L") || !strcmp(argv[i], "-P"))) i++;
  if (i < argc && !strcmp(argv[i], "--")) i++;
  const char *dir = i < argc ? argv[i] : var_get("HOME");
  int print = 0;
  if (!dir) {
    sh_warn("cd: HOME not set");
    return 2;
  }
  if (!strcmp(dir, "-")) {
    dir = var_get("OLDPWD");
    if (!dir) {
      sh_warn("cd: OLDPWD not set");
      return 2;
    }
    print = 1;
  }
  const char *pwd = var_get("PWD");
  char *cwd = NULL;
  if (!pwd || pwd[0] != '/') pwd = cwd = getcwd(NULL, 0);
  char *target = logical_path(pwd ? pwd : "/", dir);
  struct stat st;
  if (chdir(target) != 0 || stat(target, &st) != 0) {
    free(cwd);
    sh_warn("cd: can't cd to %s", dir);
    return 2;
  }
  var_set("OLDPWD", pwd ? pwd : "/", 0);
  free(cwd);
  var_set("PWD", target, 0);
  if (print) printf("%s\n", target);
  return 0;
}

static int bi_pwd(int argc, char **argv) {
  (void)argc, (void)argv;
  const char *pwd = var_get("PWD");
  if (pwd && pwd[0] == '/') printf("%s\n", pwd);
  else {
    char *c = getcwd(NULL, 0);
    printf("%s\n", c ? c : "/");
    free(c);
  }
  return 0;
}

static void print_quoted(const char *s) {
  putchar('\'');
  for (; *s; s++) {
    if (*s == '\'') fputs("'\\''", stdout);
    else putchar(*s);
  }
  putchar('\'');
}

struct pctx {
  const char *prefix;
  int mask;
};
static void print_var(const char *name, const char *value, int flags, void *ctx) {
  struct pctx *p = ctx;
  if (p->mask && !(flags & p->mask)) return;
  if (p->prefix) printf("%s %s", p->prefix, name);
  else printf("%s", name);
  if (value) {
    putchar('=');
    print_quoted(value);
  }
  putchar('\n');
}

static int bi_export(int argc, char **argv) {
  int flag = argv[0][0] == 'e' ? V_EXPORT : V_READONLY;
  int i = 1;
  if (i < argc && !strcmp(argv[i], "-p")) i++;
  if (i < argc && !strcmp(argv[i], "--")) i++;
  if (i >= argc) {
    struct pctx p = {argv[0], flag};
    vars_each(print_var, &p);
    return 0;
  }
  for (; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    size_t nl = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    if (!is_name(argv[i], nl)) {
      sh_error("%s: %s: bad variable name", argv[0], argv[i]);
      return 2;
    }
    char *name = st_strndup(argv[i], nl);
    if (eq) {
      if (var_set(name, eq + 1, flag) < 0) return 2;
    } else var_setflags(name, flag);
  }
  return 0;
}

static int bi_unset(int argc, char **argv) {
  int funcs = 0, i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-f")) funcs = 1;
    else if (!strcmp(argv[i], "-v")) funcs = 0;
    else if (!strcmp(argv[i], "--")) {
      i++;
      break;
    }
  }
  for (; i < argc; i++) {
    if (funcs) func_unset(argv[i]);
    else if (var_unset(argv[i]) < 0) return 2;
  }
  return 0;
}

static int bi_local(int argc, char **argv) {
  if (sh.funcdepth == 0) {
    sh_warn("local: not in a function");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    size_t nl = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
    char *name = st_strndup(argv[i], nl);
    if (!is_name(name, nl)) {
      sh_warn("local: %s: bad variable name", argv[i]);
      return 2;
    }
    var_local(name);
    if (eq) var_set(name, eq + 1, 0);
  }
  return 0;
}

static void set_params(int n, char **v) {
  char **np = malloc(sizeof(char *) * (size_t)(n + 1));
  for (int i = 0; i < n; i++) np[i] = strdup(v[i]);
  for (int i = 0; i < sh.nparams; i++) free(sh.params[i]);
  free(sh.params);
  sh.params = np;
  sh.nparams = n;
}

static const struct {
  const char *name;
  char letter;
} longopts[] = {{"errexit", 'e'}, {"nounset", 'u'}, {"xtrace", 'x'},   {"noglob", 'f'},
                {"noexec", 'n'},  {"verbose", 'v'}, {"noclobber", 'C'}, {NULL, 0}};

static int *optvar(char c) {
  switch (c) {
  case 'e': return &sh.opt_e;
  case 'u': return &sh.opt_u;
  case 'x': return &sh.opt_x;
  case 'f': return &sh.opt_f;
  case 'n': return &sh.opt_n;
  case 'v': return &sh.opt_v;
  case 'C': return &sh.opt_C;
  }
  return NULL;
}

/* Applies one option word (-eux, +e, -o name). Returns args consumed, or -1 on a bad option. */
static int set_option(char **argv, int i, int argc) {
  const char *a = argv[i];
  int on = a[0] == '-';
  for (const char *p = a + 1; *p; p++) {
    if (*p == 'o') {
      if (i + 1 >= argc) {
        for (int k = 0; longopts[k].name; k++)
          printf("%-16s%s\n", longopts[k].name, *optvar(longopts[k].letter) ? "on" : "off");
        printf("%-16s%s\n", "pipefail", sh.opt_pipefail ? "on" : "off");
        return 1;
      }
      const char *name = argv[i + 1];
      for (int k = 0; longopts[k].name; k++)
        if (!strcmp(longopts[k].name, name)) {
          *optvar(longopts[k].letter) = on;
          return 2;
        }
      if (!strcmp(name, "pipefail")) {
        sh.opt_pipefail = on;
        return 2;
      }
      sh_error("set: Illegal option -o %s", name);
      return -1;
    }
    int *v = optvar(*p);
    if (!v) {
      sh_error("set: Illegal option %c%c", a[0], *p);
      return -1;
    }
    *v = on;
  }
  return 1;
}

static int bi_set(int argc, char **argv) {
  if (argc == 1) {
    struct pctx p = {NULL, 0};
    vars_each(print_var, &p);
    return 0;
  }
  int i = 1;
  while (i < argc) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      set_params(argc - i, argv + i);
      return 0;
    }
    if ((a[0] == '-' || a[0] == '+') && a[1]) {
      int used = set_option(argv, i, argc);
      if (used < 0) return 2;
      i += used;
      continue;
    }
    if (!strcmp(a, "-")) {
      sh.opt_x = sh.opt_v = 0;
      i++;
    }
    set_params(argc - i, argv + i);
    return 0;
  }
  return 0;
}

static int bi_shift(int argc, char **argv) {
  long n = 1;
  if (argc > 1 && parse_num(argv[1], &n) < 0) {
    sh_error("shift: Illegal number: %s", argv[1]);
    return 2;
  }
  if (n > sh.nparams) {
    sh_error("shift: can't shift that many");
    return 2;
  }
  for (int i = 0; i < n; i++) free(sh.params[i]);
  memmove(sh.params, sh.params + n, sizeof(char *) * (size_t)(sh.nparams - n));
  sh.nparams -= (int)n;
  return 0;
}

static int bi_eval(int argc, char **argv) {
  size_t n = 1;
  for (int i = 1; i < argc; i++) n += strlen(argv[i]) + 1;
  char *s = st_alloc(n);
  s[0] = 0;
  for (int i = 1; i < argc; i++) {
    if (i > 1) strcat(s, " ");
    strcat(s, argv[i]);
  }
  if (!s[strspn(s, " \t\n")]) return 0;
  return eval_string(s, "eval");
}

static int bi_source(int argc, char **argv) {
  if (argc < 2) {
    sh_error("%s: filename argument required", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  if (!strchr(path, '/')) {
    char *p = find_in_path(path);
    if (p) path = p;
  }
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    sh_error("%s: cannot open %s: No such file", argv[0], argv[1]);
    return 2;
  }
  char **saved = NULL;
  int saved_n = 0;
  if (argc > 2) {
    saved = sh.params;
    saved_n = sh.nparams;
    sh.params = NULL;
    sh.nparams = 0;
    set_params(argc - 2, argv + 2);
  }
  lexer lx;
  lex_init_string(&lx, text, len, 1);
  int saved_line = sh.lineno;
  int status = run_lexer(&lx, 0);
  sh.lineno = saved_line;
  if (sh.skip == SKIP_RETURN && sh.funcdepth == 0) {
    sh.skip = SKIP_NONE;
    status = sh.exitcode;
  }
  if (argc > 2) {
    for (int i = 0; i < sh.nparams; i++) free(sh.params[i]);
    free(sh.params);
    sh.params = saved;
    sh.nparams = saved_n;
  }
  free(text);
  return status;
}

/* read [-r] [-p PROMPT] [NAME...]: one line from stdin, split by IFS. */
static int bi_read(int argc, char **argv) {
  int raw = 0, i = 1;
  const char *prompt = NULL;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "--")) {
      i++;
      break;
    }
    for (const char *p = argv[i] + 1; *p; p++) {
      if (*p == 'r') raw = 1;
      else if (*p == 'p' && i + 1 < argc) {
        prompt = argv[++i];
        break;
      } else {
        sh_warn("read: Illegal option -%c", *p);
        return 2;
      }
    }
  }
  if (prompt && sh_isatty(0)) {
    fputs(prompt, stderr);
  }
  flush_out();
  char *line = NULL;
  unsigned char *quoted = NULL;
  size_t n = 0, cap = 0;
  int eof = 0;
  for (;;) {
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) {
      /* Ctrl-C while reading the terminal */
      free(line);
      free(quoted);
      if (sh.interactive) fputc('\n', stderr);
      sh.skip = SKIP_ERROR;
      sh.exitcode = 130;
      return 130;
    }
    if (r <= 0) {
      eof = 1;
      break;
    }
    int q = 0;
    if (c == '\\' && !raw) {
      r = read(0, &c, 1);
      if (r <= 0) {
        eof = 1;
        break;
      }
      if (c == '\n') continue;
      q = 1;
    } else if (c == '\n') break;
    if (n + 2 > cap) {
      cap = cap ? cap * 2 : 128;
      line = realloc(line, cap);
      quoted = realloc(quoted, cap);
    }
    line[n] = c;
    quoted[n++] = (unsigned char)q;
  }
  const char *ifs = var_get("IFS");
  if (!ifs) ifs = " \t\n";
#define ISIFS(k) (!quoted[k] && line[k] && strchr(ifs, line[k]))
#define ISWS(k) (ISIFS(k) && isspace((unsigned char)line[k]))
  size_t p = 0;
  int nv = argc - i;
  if (nv == 0) {
    argv[argc] = "REPLY";
    nv = 1;
    argc++;
  }
  for (int v = 0; v < nv; v++) {
    const char *name = argv[i + v];
    while (p < n && ISWS(p)) p++;
    size_t start = p, end;
    if (v == nv - 1) {
      end = n;
      while (end > start && ISWS(end - 1)) end--;
      p = n;
    } else {
      while (p < n && !ISIFS(p)) p++;
      end = p;
      /* the delimiter: white space, at most one other IFS character, white space */
      while (p < n && ISWS(p)) p++;
      if (p < n && ISIFS(p) && !ISWS(p)) p++;
    }
    char *val = st_alloc(end - start + 1);
    size_t o = 0;
    for (size_t k = start; k < end; k++) val[o++] = line[k];
    val[o] = 0;
    if (var_set(name, val, 0) < 0) {
      free(line);
      free(quoted);
      return 2;
    }
  }
  free(line);
  free(quoted);
  return eof ? 1 : 0;
}

static const char *signames[] = {"EXIT", "HUP", "INT",  "QUIT", "ILL",  "TRAP", "ABRT", "BUS",
                                 "FPE",  "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM"};

static int signum(const char *s) {
  if (isdigit((unsigned char)*s)) {
    long n;
    return parse_num(s, &n) == 0 && n <= 64 ? (int)n : -1;
  }
  if (!strncmp(s, "SIG", 3)) s += 3;
  for (int i = 0; i < 16; i++)
    if (!strcasecmp(s, signames[i])) return i;
  return -1;
}

static int bi_trap(int argc, char **argv) {
  if (argc == 1) {
    for (int i = 0; i < 65; i++) {
      if (!sh.traps[i]) continue;
      printf("trap -- ");
      print_quoted(sh.traps[i]);
      if (i < 16) printf(" %s\n", signames[i]);
      else printf(" %d\n", i);
    }
    return 0;
  }
  int i = 1;
  if (!strcmp(argv[i], "--")) i++;
  const char *action = argv[i];
  int reset = !strcmp(action, "-");
  if (signum(action) >= 0 && isdigit((unsigned char)action[0])) reset = 1;
  else i++;
  int rc = 0;
  for (; i < argc; i++) {
    int s = signum(argv[i]);
    if (s < 0) {
      sh_warn("trap: %s: bad trap", argv[i]);
      rc = 1;
      continue;
    }
    free(sh.traps[s]);
    sh.traps[s] = reset ? NULL : strdup(action);
  }
  return rc;
}

static int bi_wait(int argc, char **argv) {
  int status = 0;
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      long pid;
      if (parse_num(argv[i], &pid) < 0) {
        sh_warn("wait: Illegal number: %s", argv[i]);
        return 2;
      }
      if (sh_wait_pid((int)pid, &status) < 0) return 130;
    }
    return status;
  }
  while (nbg_jobs > 0) {
    int pid = bg_jobs[0];
    if (sh_wait_pid(pid, &status) < 0) return 130;
    for (int i = 0; i < nbg_jobs; i++)
      if (bg_jobs[i] == pid) bg_jobs[i] = bg_jobs[--nbg_jobs];
  }
  return 0;
}

static int bi_kill(int argc, char **argv) {
  int sig = 15, i = 1;
  if (i < argc && !strcmp(argv[i], "-l")) {
    for (int k = 1; k < 16; k++) printf("%s\n", signames[k]);
    return 0;
  }
  if (i < argc && !strcmp(argv[i], "-s") && i + 1 < argc) {
    sig = signum(argv[i + 1]);
    i += 2;
  } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
    sig = signum(argv[i] + 1);
    i++;
  } else if (i < argc && !strcmp(argv[i], "--")) i++;
  if (sig < 0) {
    sh_warn("kill: invalid signal number or name: %s", argv[i - 1]);
    return 2;
  }
  int rc = 0;
  for (; i < argc; i++) {
    long pid;
    if (parse_num(argv[i], &pid) < 0) {
      sh_warn("kill: Illegal number: %s", argv[i]);
      rc = 2;
      continue;
    }
    if (berth_kill((int32_t)pid, sig) != 0) {
      sh_warn("kill: No such process");
      rc = 1;
    }
  }
  return rc;
}

static int describe(const char *name, int verbose) {
  int special;
  if (find_builtin(name, &special)) {
    if (verbose) printf("%s is a %sshell builtin\n", name, special ? "special " : "");
    else printf("%s\n", name);
    return 0;
  }
  static const char *reserved[] = {"if", "then", "else", "elif", "fi", "case", "esac", "for", "while",
                                   "until", "do", "done", "{", "}", "!", "in", NULL};
  for (int i = 0; reserved[i]; i++)
    if (!strcmp(reserved[i], name)) {
      if (verbose) printf("%s is a shell keyword\n", name);
      else printf("%s\n", name);
      return 0;
    }
  if (func_get(name)) {
    if (verbose) printf("%s is a shell function\n", name);
    else printf("%s\n", name);
    return 0;
  }
  char *p = find_in_path(name);
  if (p) {
    if (verbose) printf("%s is %s\n", name, p);
    else printf("%s\n", p);
    return 0;
  }
  if (verbose) printf("%s: not found\n", name);
  return 127;
}

static int bi_type(int argc, char **argv) {
  int rc = 0;
  for (int i = 1; i < argc; i++)
    if (describe(argv[i], 1)) rc = 127;
  return rc;
}

static int bi_command(int argc, char **argv) {
  int i = 1, v = 0;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-v")) v = 1;
    else if (!strcmp(argv[i], "-V")) v = 2;
    else if (!strcmp(argv[i], "-p")) continue;
    else if (!strcmp(argv[i], "--")) {
      i++;
      break;
    } else break;
  }
  if (i >= argc) return 0;
  if (v) {
    int rc = 0;
    for (; i < argc; i++)
      if (describe(argv[i], v == 2)) rc = 127;
    return rc;
  }
  int special;
  builtin_fn bi = find_builtin(argv[i], &special);
  if (bi) return bi(argc - i, argv + i);
  return sh_run_program(argv + i);
}

static int bi_umask(int argc, char **argv) {
  (void)argv;
  if (argc == 1) printf("0022\n");
  return 0;
}

static int bi_getopts(int argc, char **argv) {
  if (argc < 3) {
    sh_warn("getopts: usage: getopts optstring var [arg...]");
    return 2;
  }
  const char *optstr = argv[1], *name = argv[2];
  char **args = argc > 3 ? argv + 3 : sh.params;
  int nargs = argc > 3 ? argc - 3 : sh.nparams;
  const char *oi = var_get("OPTIND");
  long optind = oi ? atol(oi) : 1;
  if (optind < 1) optind = 1;
  static int pos = 1;
  static long last_optind = -1;
  if (optind != last_optind) pos = 1;
  int silent = optstr[0] == ':';
  char optbuf[3] = {0};
  if (optind > nargs || args[optind - 1][0] != '-' || !args[optind - 1][1] || !strcmp(args[optind - 1], "--")) {
    if (optind <= nargs && !strcmp(args[optind - 1], "--")) optind++;
    var_set(name, "?", 0);
    char b[32];
    snprintf(b, sizeof b, "%ld", optind);
    var_set("OPTIND", b, 0);
    last_optind = optind;
    var_unset("OPTARG");
    return 1;
  }
  const char *arg = args[optind - 1];
  char c = arg[pos];
  const char *spec = strchr(optstr + silent, c);
  pos++;
  int done_arg = arg[pos] == 0;
  int rc = 0;
  if (!spec || c == ':') {
    optbuf[0] = c;
    if (silent) {
      var_set("OPTARG", optbuf, 0);
    } else {
      sh_warn("Illegal option -%c", c);
      var_unset("OPTARG");
    }
    var_set(name, "?", 0);
  } else if (spec[1] == ':') {
    if (!done_arg) {
      var_set("OPTARG", arg + pos, 0);
      done_arg = 1;
    } else if (optind < nargs) {
      var_set("OPTARG", args[optind], 0);
      optind++;
    } else {
      optbuf[0] = c;
      if (silent) {
        var_set(name, ":", 0);
        var_set("OPTARG", optbuf, 0);
      } else {
        sh_warn("No arg for -%c option", c);
        var_set(name, "?", 0);
        var_unset("OPTARG");
      }
      optind++;
      pos = 1;
      goto out;
    }
    optbuf[0] = c;
    var_set(name, optbuf, 0);
  } else {
    optbuf[0] = c;
    var_set(name, optbuf, 0);
    var_unset("OPTARG");
  }
  if (done_arg) {
    optind++;
    pos = 1;
  }
out:;
  char b[32];
  snprintf(b, sizeof b, "%ld", optind);
  var_set("OPTIND", b, 0);
  last_optind = optind;
  return rc;
}

static const struct {
  const char *name;
  builtin_fn fn;
  int special;
} builtins[] = {
    {":", bi_true, 1},        {".", bi_source, 1},     {"[", bi_test, 0},        {"break", bi_break, 1},
    {"cd", bi_cd, 0},         {"command", bi_command, 0}, {"continue", bi_break, 1}, {"echo", bi_echo, 0},
    {"eval", bi_eval, 1},     {"exec", sh_exec_builtin, 1}, {"exit", bi_exit, 1},  {"export", bi_export, 1},
    {"false", bi_false, 0},   {"getopts", bi_getopts, 0}, {"kill", bi_kill, 0},     {"local", bi_local, 0},
    {"printf", bi_printf, 0}, {"pwd", bi_pwd, 0},      {"read", bi_read, 0},     {"readonly", bi_export, 1},
    {"return", bi_return, 1}, {"set", bi_set, 1},      {"shift", bi_shift, 1},   {"source", bi_source, 0},
    {"test", bi_test, 0},     {"trap", bi_trap, 1},    {"true", bi_true, 0},     {"type", bi_type, 0},
    {"umask", bi_umask, 0},   {"unset", bi_unset, 1},  {"wait", bi_wait, 0},
};

builtin_fn find_builtin(const char *name, int *special) {
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (!strcmp(builtins[i].name, name)) {
      *special = builtins[i].special;
      return builtins[i].fn;
    }
  return NULL;
}

/* ------------------------------------------------------------------ main */

static char *self_path(const char *argv0) {
  if (strchr(argv0, '/')) return strdup(argv0);
#ifndef __wasi__
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    return strdup(buf);
  }
#endif
  stmark m = st_mark();
  char *p = find_in_path(argv0);
  char *r = strdup(p ? p : "/bin/sh");
  st_release(m);
  return r;
}

static void usage(void) {
  fprintf(stderr, "Usage: sh [-eixuvfnCs] [-c STRING [NAME [ARG]...]] [FILE [ARG]...]\n");
}

int sh_main(int argc, char **argv) {
#ifndef __wasi__
  /* the native test build behaves as under WASI: a write to a closed pipe fails with EPIPE */
  signal(SIGPIPE, SIG_IGN);
#endif
  /* the environment */
  for (char **e = environ; e && *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq || !is_name(*e, (size_t)(eq - *e))) continue;
    char *name = strndup(*e, (size_t)(eq - *e));
    var_set(name, eq + 1, V_EXPORT);
    free(name);
  }
  int32_t pid = 0;
  if (berth_getpid(&pid) != 0) pid = 1;
  sh.rootpid = pid;
  const char *sub = var_get("BERTH_SH_SUBSHELL");
  if (sub) {
    /* a subshell started by a shell: $$ and $? are its parent's */
    sh.rootpid = atoi(sub);
    const char *c = strchr(sub, ':');
    if (c) sh.status = atoi(c + 1);
    var_unset("BERTH_SH_SUBSHELL");
  }
  if (!var_get("IFS")) var_set("IFS", " \t\n", 0);
  int32_t ppid = 0;
  if (!sub && berth_getppid(&ppid) == 0) {
    char b[16];
    snprintf(b, sizeof b, "%d", ppid);
    var_set("PPID", b, 0);
  }
  if (!var_get("PS4")) var_set("PS4", "+ ", 0);
  if (!var_get("PATH")) var_set("PATH", "/bin:/usr/bin", 0);
  const char *pwd = var_get("PWD");
  char *cwd = getcwd(NULL, 0);
  if (!pwd || pwd[0] != '/') {
    if (cwd) var_set("PWD", cwd, V_EXPORT);
  }
  free(cwd);

  int i = 1, force_i = 0;
  const char *command = NULL;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--") || !strcmp(a, "-")) {
      i++;
      break;
    }
    if ((a[0] != '-' && a[0] != '+') || !a[1]) break;
    for (const char *p = a + 1; *p; p++) {
      if (*p == 'c') sh.opt_c = 1;
      else if (*p == 'i') force_i = 1;
      else if (*p == 's') sh.opt_s = 1;
      else if (*p == 'o') {
        if (i + 1 >= argc) {
          usage();
          return 2;
        }
        char *two[3] = {(char *)(a[0] == '-' ? "-o" : "+o"), argv[i + 1], NULL};
        if (set_option(two, 0, 2) < 0) return 2;
        i++;
        break;
      } else {
        int *v = optvar(*p);
        if (!v) {
          fprintf(stderr, "sh: Illegal option %c%c\n", a[0], *p);
          usage();
          return 2;
        }
        *v = a[0] == '-';
      }
    }
  }
  sh.self = self_path(argc > 0 ? argv[0] : "sh");
  lexer lx;
  memset(&lx, 0, sizeof lx);
  if (sh.opt_c) {
    if (i >= argc) {
      fprintf(stderr, "sh: -c requires an argument\n");
      return 2;
    }
    command = argv[i++];
    sh.arg0 = strdup(i < argc ? argv[i++] : argv[0]);
    set_params(argc - i, argv + i);
    lex_init_string(&lx, command, strlen(command), 1);
  } else if (i < argc && !sh.opt_s) {
    const char *script = argv[i++];
    sh.arg0 = strdup(script);
    set_params(argc - i, argv + i);
    size_t len;
    char *text = read_file(script, &len);
    if (!text) {
      int e = errno;
      fprintf(stderr, "sh: 0: cannot open %s: %s\n", script, e == ENOENT ? "No such file" : errstr(e));
      return e == ENOENT ? 127 : 2;
    }
    lex_init_string(&lx, text, len, 1);
    lx.script = 1;
  } else {
    sh.arg0 = strdup(argv[0]);
    set_params(argc - i, argv + i);
    lx.more = fd_more;
    lx.fd = 0;
    lx.script = 1;
    lx.lineno = 1;
    sh.opt_s = 1;
    /* WASI stdio is often a character device: a terminal is one with TERM set, as ls decides */
    if (force_i || (sh_isatty(0) && sh_isatty(2) && getenv("TERM"))) sh.interactive = 1;
  }
  if (sh.interactive && !var_get("PS1")) var_set("PS1", "$ ", 0);
  if (sh.interactive && !var_get("PS2")) var_set("PS2", "> ", 0);
  run_lexer(&lx, 1);
  sh_exit(sh.status);
}
