/* sh: execution. Builtins, functions and compound commands run in this process; programs start
   through Berth's berth_process imports (spawn, wait, pipe, dup). WASI cannot fork, so a subshell
   ( ), $( ) or one stage of a pipeline runs in-process with the shell's state saved and put back
   (sh_var.c), and only when two parts must run at the same time (several builtin stages of one
   pipeline, a `{ ...; } &`) does the shell start itself again with its variables and functions
   written out as shell text ahead of the command. */
#include "sh.h"

#include <berth_process.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

/* berth_process returns WASI errno numbers (wasi-libc's errno values; the native test shim maps to them) */
#define BE_ACCES 2
#define BE_AGAIN 6
#define BE_CHILD 12
#define BE_INTR 27
#define BE_NOENT 44
#define BE_NOEXEC 45

struct shell sh;

void *state_save(void);
void state_restore(void *);
void *locals_mark(void);
void locals_restore(void *mark);
void funcs_each(void (*fn)(const char *name, node *body, void *ctx), void *ctx);

static void vmsg(const char *fmt, va_list ap) {
  flush_out();
  if (sh.interactive && !sh.opt_c) fprintf(stderr, "sh: ");
  else fprintf(stderr, "%s: %d: ", sh.opt_c || !sh.arg0 ? "sh" : sh.arg0, sh.lineno);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void sh_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap);
  va_end(ap);
}

void sh_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap);
  va_end(ap);
  sh.skip = SKIP_ERROR;
  sh.exitcode = 2;
  sh.status = 2;
}

/* Flushes builtins' output. A write to a pipe nobody reads any more ends the shell, or the subshell
   running in it (a forked shell would die of SIGPIPE): 128 + 13. */
static int null_slot[3]; /* the real fd 0/1/2 is a stand-in for /dev/null (see null_fd) */

void flush_out(void) {
  if (fflush(stdout) == 0 || errno != EPIPE) return;
  if (null_slot[1]) {
    clearerr(stdout);
    return;
  }
  clearerr(stdout); /* musl drops the unwritten bytes of a failed write */
  if (sh.skip != SKIP_EXIT) {
    sh.skip = SKIP_EXIT;
    sh.exitcode = 141;
  }
}

int sh_isatty(int fd) { return isatty(fd); }

/* ------------------------------------------------------------------ fds */

int sh_dup(int fd) {
  int32_t out;
  if (berth_dup(fd, &out) != 0) return -1;
  return out;
}

int sh_dup2(int from, int to) {
  if (from == to) return to;
#ifdef __wasi__
  int d = sh_dup(from);
  if (d < 0) return -1;
  if (__wasi_fd_renumber((__wasi_fd_t)d, (__wasi_fd_t)to) != 0) {
    close(d);
    return -1;
  }
  return to;
#else
  return dup2(from, to);
#endif
}

/* An open /dev/null where the image has none (an fd slot's value; -1 is closed). */
#define FD_NULL (-3)

/* the shell's fds 3..9 map to real fds (WASI's 3 and up are the preopened directories) */
static int vfd[10] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

/* An fd that reads EOF and swallows writes, for builtins whose stdio is closed or /dev/null. Without a
   /dev/null in the image it is a pipe with its other end closed (writes fail with EPIPE, which
   flush_out ignores there), and programs started meanwhile get Berth's null stdio (-1) instead. */
static int null_fd(int for_write) {
  int fd = open("/dev/null", for_write ? O_WRONLY : O_RDONLY);
  if (fd >= 0) return fd;
  int32_t p[2];
  if (berth_pipe(p) != 0) return -1;
  close(for_write ? p[0] : p[1]);
  return for_write ? p[1] : p[0];
}

struct io {
  int fds[10];    /* what each shell fd is for this command (real fds; -1 closed) */
  int opened[16]; /* fds opened for it, closed after it */
  int nopened;
  int saved[10];  /* push: the real fds 0..2 (and vfd 3..9) before */
  int saved_null[3];
  int pushed;
};

static void io_init(struct io *io) {
  memset(io, 0, sizeof *io);
  for (int i = 0; i < 3; i++) io->fds[i] = null_slot[i] ? FD_NULL : i;
  for (int i = 3; i < 10; i++) io->fds[i] = vfd[i];
}

static void io_close(struct io *io) {
  for (int i = 0; i < io->nopened; i++) close(io->opened[i]);
  io->nopened = 0;
}

static int opened(struct io *io, int fd) {
  if (io->nopened < 16) io->opened[io->nopened++] = fd;
  return fd;
}

/* A new temporary file in $TMPDIR or /tmp, named by this process's own pid (subshells started as new
   processes share $$) and a counter; O_EXCL so that two shells never share one. path gets its name. */
static int temp_file(const char *kind, char *path, size_t cap) {
  static int counter;
  static int32_t mypid = -1;
  if (mypid < 0 && berth_getpid(&mypid) != 0) mypid = 0;
  const char *tmp = var_get("TMPDIR");
  for (int tries = 0; tries < 100; tries++) {
    snprintf(path, cap, "%s/sh-%s-%d-%d", tmp && *tmp ? tmp : "/tmp", kind, (int)mypid, counter++);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

/* A here-document's body as a readable fd: a pipe when it fits, else a temporary file. */
static int heredoc_fd(const char *body) {
  size_t n = strlen(body);
  int32_t p[2];
  if (n < BERTH_PIPE_BUF && berth_pipe(p) == 0) {
    if (n) write(p[1], body, n);
    close(p[1]);
    return p[0];
  }
  char path[512];
  int fd = temp_file("doc", path, sizeof path);
  if (fd < 0) return -1;
  for (size_t off = 0; off < n;) {
    ssize_t w = write(fd, body + off, n - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  lseek(fd, 0, SEEK_SET);
  unlink(path);
  return fd;
}

/* Applies redirections to io->fds (opening files). Returns 0, or -1 after a message. */
static int io_redirect(struct io *io, redir *r) {
  for (; r; r = r->next) {
    if (r->fd > 9) {
      sh_warn("%d: Bad file descriptor", r->fd);
      return -1;
    }
    if (r->type == R_HEREDOC) {
      const char *body = r->quoted ? r->target : expand_one(r->target, EX_HEREDOC);
      if (!body) return -1;
      int fd = heredoc_fd(body);
      if (fd < 0) {
        sh_warn("cannot create temp file for here document");
        return -1;
      }
      io->fds[r->fd] = opened(io, fd);
      continue;
    }
    char *t = expand_one(r->target, 0);
    if (!t) return -1;
    if (r->type == R_DUPIN || r->type == R_DUPOUT) {
      if (!strcmp(t, "-")) {
        io->fds[r->fd] = -1;
        continue;
      }
      if (!t[0] || t[1] || !isdigit((unsigned char)t[0])) {
        sh_warn("Syntax error: Bad fd number");
        return -1;
      }
      int from = t[0] - '0';
      if (io->fds[from] == -1 && from >= 3) {
        sh_warn("%d: Bad file descriptor", from);
        return -1;
      }
      io->fds[r->fd] = io->fds[from];
      continue;
    }
    int flags = 0;
    switch (r->type) {
    case R_IN: flags = O_RDONLY; break;
    case R_OUT:
      flags = O_WRONLY | O_CREAT | O_TRUNC;
      if (sh.opt_C) {
        struct stat st;
        if (stat(t, &st) == 0 && S_ISREG(st.st_mode)) {
          sh_warn("cannot create %s: File exists", t);
          return -1;
        }
      }
      break;
    case R_CLOBBER: flags = O_WRONLY | O_CREAT | O_TRUNC; break;
    case R_APPEND: flags = O_WRONLY | O_CREAT | O_APPEND; break;
    case R_RDWR: flags = O_RDWR | O_CREAT; break;
    }
    int fd = open(t, flags, 0666);
    if (fd < 0 && errno == ENOENT && !strcmp(t, "/dev/null")) {
      /* no /dev in the image: spawned programs get Berth's null stdio, builtins a null fd */
      io->fds[r->fd] = FD_NULL;
      continue;
    }
    if (fd < 0) {
      int e = errno;
      if (r->type == R_IN) sh_warn("cannot open %s: %s", t, e == ENOENT ? "No such file" : errstr(e));
      else sh_warn("cannot create %s: %s", t, e == ENOENT ? "Directory nonexistent" : errstr(e));
      return -1;
    }
    io->fds[r->fd] = opened(io, fd);
  }
  return 0;
}

/* Makes io->fds the real fds 0..2 (and the shell's 3..9) until io_pop. */
static void io_push(struct io *io) {
  flush_out();
  int tmp[3];
  for (int i = 0; i < 3; i++) {
    tmp[i] = -2;
    if (io->fds[i] == i || (io->fds[i] < 0 && null_slot[i])) continue;
    tmp[i] = io->fds[i] >= 0 ? sh_dup(io->fds[i]) : null_fd(i != 0);
  }
  for (int i = 0; i < 3; i++) {
    io->saved[i] = -2;
    io->saved_null[i] = null_slot[i];
    if (tmp[i] == -2) continue;
    null_slot[i] = io->fds[i] < 0;
    io->saved[i] = sh_dup(i);
    if (tmp[i] >= 0) {
      sh_dup2(tmp[i], i);
      close(tmp[i]);
    }
  }
  for (int i = 3; i < 10; i++) {
    io->saved[i] = vfd[i];
    vfd[i] = io->fds[i];
  }
  io->pushed = 1;
}

static void io_pop(struct io *io) {
  if (!io->pushed) return;
  flush_out();
  for (int i = 0; i < 3; i++) {
    null_slot[i] = io->saved_null[i];
    if (io->saved[i] == -2) continue;
    if (io->saved[i] >= 0) {
      sh_dup2(io->saved[i], i);
      close(io->saved[i]);
    }
  }
  for (int i = 3; i < 10; i++) vfd[i] = io->saved[i];
  io->pushed = 0;
}

/* ------------------------------------------------------------------ processes */

char *find_in_path(const char *name) {
  if (strchr(name, '/')) return st_strdup(name);
  const char *path = var_get("PATH");
  if (!path) path = "/bin:/usr/bin";
  while (1) {
    const char *e = strchr(path, ':');
    size_t dl = e ? (size_t)(e - path) : strlen(path);
    char *full = st_alloc(dl + strlen(name) + 3);
    if (dl == 0) strcpy(full, name);
    else {
      memcpy(full, path, dl);
      full[dl] = '/';
      strcpy(full + dl + 1, name);
    }
    struct stat st;
    if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode)) return full;
    if (!e) return NULL;
    path = e + 1;
  }
}

static char *pack(char **v, uint32_t *len) {
  size_t n = 0;
  for (int i = 0; v[i]; i++) n += strlen(v[i]) + 1;
  char *out = st_alloc(n + 1), *o = out;
  for (int i = 0; v[i]; i++) {
    size_t l = strlen(v[i]) + 1;
    memcpy(o, v[i], l);
    o += l;
  }
  *len = (uint32_t)n;
  return out;
}

/* Starts path with argv/envp on io's stdio. Returns the berth errno; *pid on success. */
static int spawn_raw(const char *path, char **argv, char **envp, const int fds[3], int bg, int32_t *pid) {
  berth_spawn_request req;
  memset(&req, 0, sizeof req);
  req.path = path;
  req.path_len = (uint32_t)strlen(path);
  req.argv = pack(argv, &req.argv_len);
  req.envp = pack(envp, &req.envp_len);
  char *cwd = getcwd(NULL, 0);
  const char *pwd = var_get("PWD");
  if (!cwd) cwd = strdup(pwd && *pwd == '/' ? pwd : "/");
  req.cwd = cwd;
  req.cwd_len = (uint32_t)strlen(cwd);
  req.stdin_fd = fds[0] < 0 ? -1 : fds[0];
  req.stdout_fd = fds[1] < 0 ? -1 : fds[1];
  req.stderr_fd = fds[2] < 0 ? -1 : fds[2];
  req.flags = bg ? BERTH_SPAWN_BACKGROUND : 0;
  flush_out();
  int rc = berth_spawn(&req, pid);
  free(cwd);
  return rc;
}

static void subshell_env(strlist *extra) {
  char b[64];
  snprintf(b, sizeof b, "BERTH_SH_SUBSHELL=%d:%d", sh.rootpid, sh.status);
  sl_add(extra, st_strdup(b));
}

/* Starts a program found by name. Returns 0 with *pid, or the exit status to report (126/127). */
static int spawn_program(char **argv, strlist *assigns, const int fds[3], int bg, int32_t *pid) {
  char *path = find_in_path(argv[0]);
  if (!path) {
    sh_warn("%s: not found", argv[0]);
    return 127;
  }
  char **envp = env_build(assigns);
  int rc = spawn_raw(path, argv, envp, fds, bg, pid);
  if (rc == BE_NOEXEC) {
    /* not a module and no #!: a shell script, run by a new shell (POSIX) */
    strlist a = {0};
    sl_add(&a, "sh");
    sl_add(&a, path);
    for (int i = 1; argv[i]; i++) sl_add(&a, argv[i]);
    rc = spawn_raw(sh.self, a.v, envp, fds, bg, pid);
  }
  if (rc == 0) return 0;
  if (rc == BE_NOENT) {
    sh_warn("%s: not found", argv[0]);
    return 127;
  }
  if (rc == BE_ACCES || rc == BE_NOEXEC) {
    sh_warn("%s: Permission denied", argv[0]);
    return 126;
  }
  if (rc == BE_AGAIN) sh_warn("%s: cannot start: too many processes", argv[0]);
  else sh_warn("%s: cannot start: %s", argv[0], errstr(rc));
  return 126;
}

static void quote_into(char **out, size_t *len, size_t *cap, const char *s) {
  size_t need = *len + strlen(s) * 4 + 3;
  if (need > *cap) {
    *cap = need * 2;
    *out = realloc(*out, *cap);
  }
  char *o = *out + *len;
  *o++ = '\'';
  for (; *s; s++) {
    if (*s == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else *o++ = *s;
  }
  *o++ = '\'';
  *o = 0;
  *len = (size_t)(o - *out);
}

struct script {
  char *out;
  size_t len, cap;
};

static void append(struct script *s, const char *t) {
  size_t n = strlen(t);
  if (s->len + n + 1 > s->cap) {
    s->cap = (s->len + n + 1) * 2;
    s->out = realloc(s->out, s->cap);
  }
  memcpy(s->out + s->len, t, n + 1);
  s->len += n;
}

static void script_var(const char *name, const char *value, int flags, void *ctx) {
  struct script *s = ctx;
  if (!value || (flags & V_EXPORT)) return; /* exported ones travel in the environment */
  append(s, name);
  append(s, "=");
  quote_into(&s->out, &s->len, &s->cap, value);
  append(s, "\n");
}

static void script_func(const char *name, node *body, void *ctx) {
  struct script *s = ctx;
  append(s, name);
  append(s, "() ");
  sh_unparse(body, &s->out, &s->len, &s->cap);
}

/* The shell's state and a command as a script for a new shell: what a forked subshell would see. */
static char *subshell_script(node *n) {
  struct script s = {0};
  append(&s, "");
  vars_each(script_var, &s);
  funcs_each(script_func, &s);
  char opts[16] = "set -", *o = opts + 5;
  if (sh.opt_e) *o++ = 'e';
  if (sh.opt_u) *o++ = 'u';
  if (sh.opt_x) *o++ = 'x';
  if (sh.opt_f) *o++ = 'f';
  if (sh.opt_C) *o++ = 'C';
  *o = 0;
  if (o > opts + 5) {
    append(&s, opts);
    append(&s, "\n");
  }
  if (sh.opt_pipefail) append(&s, "set -o pipefail\n");
  sh_unparse(n, &s.out, &s.len, &s.cap);
  return s.out;
}

/* Runs n in a new shell process on fds. Returns 0 with *pid, or an exit status. */
static int spawn_subshell(node *n, const int fds[3], int bg, int32_t *pid) {
  char *text = subshell_script(n);
  strlist a = {0}, extra = {0};
  sl_add(&a, "sh");
  sl_add(&a, "-c");
  sl_add(&a, st_strdup(text));
  free(text);
  sl_add(&a, sh.arg0 ? sh.arg0 : "sh");
  for (int i = 0; i < sh.nparams; i++) sl_add(&a, sh.params[i]);
  subshell_env(&extra);
  int rc = spawn_raw(sh.self, a.v, env_build(&extra), fds, bg, pid);
  if (rc != 0) {
    sh_warn("cannot start a subshell: %s", errstr(rc));
    return 2;
  }
  return 0;
}

static int interrupted;

/* What an in-process subshell must give back if `exec` redirects its stdio for good. */
struct subsave {
  int active;
  int saved[3], vfd[10], null[3];
};
static struct subsave *cur_subsave;

static void subsave_take(void) {
  struct subsave *s = cur_subsave;
  if (!s || s->active) return;
  flush_out();
  for (int i = 0; i < 3; i++) s->saved[i] = sh_dup(i), s->null[i] = null_slot[i];
  for (int i = 3; i < 10; i++) s->vfd[i] = vfd[i];
  s->active = 1;
}

static void subsave_give_back(struct subsave *s) {
  if (!s->active) return;
  flush_out();
  for (int i = 0; i < 3; i++)
    if (s->saved[i] >= 0) {
      sh_dup2(s->saved[i], i);
      close(s->saved[i]);
      null_slot[i] = s->null[i];
    }
  for (int i = 3; i < 10; i++) vfd[i] = s->vfd[i];
}

int sh_wait_pid(int pid, int *status) {
  int32_t got, st;
  int intr = 0;
  flush_out();
  for (;;) {
    int rc = berth_wait(pid, 0, &got, &st);
    if (rc == BE_INTR) {
      /* Ctrl-C: the host has ended the foreground children; wait again for their 130 */
      intr = interrupted = 1;
      continue;
    }
    if (rc == 0) {
      *status = st;
      for (int i = 0; i < nbg_jobs; i++)
        if (bg_jobs[i] == got) bg_jobs[i] = bg_jobs[--nbg_jobs];
      return intr ? -1 : 0;
    }
    *status = intr ? 130 : 127;
    return intr ? -1 : 0;
  }
}

static int wait_fg(int pid) {
  int status;
  if (sh_wait_pid(pid, &status) < 0) {
    /* Ctrl-C: abandon the rest of the command line (an interactive shell shows a new prompt; a
       script ends, as a shell killed by SIGINT would) */
    if (sh.interactive) fputc('\n', stderr);
    sh.skip = SKIP_ERROR;
    sh.exitcode = 130;
    status = 130;
  }
  return status;
}

/* ------------------------------------------------------------------ subshells in-process */

int run_subshell(node *n, int out_fd) {
  void *saved = state_save();
  for (int i = 0; i < 65; i++)
    if (sh.traps[i] && *sh.traps[i]) {
      free(sh.traps[i]);
      sh.traps[i] = NULL;
    }
  struct io io;
  io_init(&io);
  if (out_fd >= 0) {
    io.fds[1] = out_fd;
    io_push(&io);
  }
  sh.subshell++;
  struct subsave ss = {0}, *outer = cur_subsave;
  cur_subsave = &ss;
  int status = eval(n, 0);
  if (sh.skip == SKIP_EXIT || sh.skip == SKIP_ERROR || sh.skip == SKIP_RETURN) status = sh.exitcode;
  sh.skip = SKIP_NONE;
  sh.status = status;
  run_exit_trap();
  sh.skip = SKIP_NONE;
  flush_out();
  subsave_give_back(&ss);
  cur_subsave = outer;
  io_pop(&io);
  sh.status = status;
  state_restore(saved);
  return status;
}

int cmdsubst(const char *text, size_t len, int lineno, char **out, size_t *outlen) {
  *out = NULL;
  *outlen = 0;
  size_t end;
  node *n = parse_cmdsubst(text, len, &end, lineno);
  if (!n) {
    *out = malloc(1);
    if (sh.skip == SKIP_ERROR) return 2;
    sh.cmdsubst_status = 0;
    return 0;
  }
  /* the output goes to a temporary file, so the shell never waits on a full pipe it must read itself */
  char path[512];
  int fd = temp_file("out", path, sizeof path);
  int status;
  size_t cap = 4096, n_out = 0;
  char *buf = malloc(cap);
  if (fd >= 0) {
    status = run_subshell(n, fd);
    lseek(fd, 0, SEEK_SET);
    for (;;) {
      if (n_out + 4096 > cap) buf = realloc(buf, cap *= 2);
      ssize_t r = read(fd, buf + n_out, cap - n_out);
      if (r <= 0) break;
      n_out += (size_t)r;
    }
    close(fd);
    unlink(path);
  } else {
    /* no writable temp directory: a new shell writes into a pipe that this one reads */
    int32_t p[2], pid;
    if (berth_pipe(p) != 0) {
      sh_warn("cannot capture command output: no temp directory and no pipe");
      *out = buf;
      return 2;
    }
    int fds[3] = {0, p[1], 2};
    status = spawn_subshell(n, fds, 0, &pid);
    close(p[1]);
    for (;;) {
      if (n_out + 4096 > cap) buf = realloc(buf, cap *= 2);
      ssize_t r = read(p[0], buf + n_out, cap - n_out);
      if (r <= 0) break;
      n_out += (size_t)r;
    }
    close(p[0]);
    if (status == 0) status = wait_fg(pid);
  }
  *out = buf;
  *outlen = n_out;
  sh.cmdsubst_status = status;
  sh.status = status;
  return status;
}

/* ------------------------------------------------------------------ simple commands */

static void xtrace(char **argv, strlist *assigns) {
  const char *ps4 = var_get("PS4");
  flush_out();
  fputs(ps4 ? ps4 : "+ ", stderr);
  int first = 1;
  for (int i = 0; assigns && i < assigns->n; i++, first = 0) fprintf(stderr, "%s%s", first ? "" : " ", assigns->v[i]);
  for (int i = 0; argv && argv[i]; i++, first = 0) fprintf(stderr, "%s%s", first ? "" : " ", argv[i]);
  fputc('\n', stderr);
}

static int call_function(node *body, int argc, char **argv, int flags) {
  char **saved_params = sh.params;
  int saved_n = sh.nparams;
  sh.params = malloc(sizeof(char *) * (size_t)argc);
  for (int i = 1; i < argc; i++) sh.params[i - 1] = strdup(argv[i]);
  sh.nparams = argc - 1;
  void *mark = locals_mark();
  sh.funcdepth++;
  int saved_loop = sh.loopdepth;
  sh.loopdepth = 0;
  int status = eval(body, flags & EV_TESTED);
  sh.loopdepth = saved_loop;
  if (sh.skip == SKIP_RETURN) {
    sh.skip = SKIP_NONE;
    status = sh.exitcode;
  }
  sh.funcdepth--;
  locals_restore(mark);
  for (int i = 0; i < sh.nparams; i++) free(sh.params[i]);
  free(sh.params);
  sh.params = saved_params;
  sh.nparams = saved_n;
  return status;
}

/* A command's assignments, made one by one as they expand (b=$a sees a=1 before it) and put back after
   a builtin, function or program (kept for assignments alone and special builtins). */
struct tempvars {
  char *name[32];
  char *value[32];
  int existed[32];
  int n, keep;
};

static int temp_set(struct tempvars *t, const char *name, const char *value) {
  int known = 0;
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->name[i], name)) known = 1;
  if (!known && t->n < 32) {
    const char *old = var_get(name);
    t->name[t->n] = st_strdup(name);
    t->existed[t->n] = old != NULL || var_flags(name);
    t->value[t->n] = old ? strdup(old) : NULL;
    t->n++;
  }
  return var_set(name, value, 0);
}

static void temp_done(struct tempvars *t) {
  for (int i = t->n - 1; i >= 0; i--) {
    if (!t->keep) {
      if (!t->existed[i]) var_unset(t->name[i]);
      else if (t->value[i]) var_set(t->name[i], t->value[i], 0);
    }
    free(t->value[i]);
  }
  t->n = 0;
}

/* Expands a simple command's words and makes its assignments. Returns -1 on an expansion error. */
static int expand_cmd(node *n, strlist *args, strlist *assigns, struct tempvars *tv) {
  sh.cmdsubst_status = -1;
  for (word *w = n->args; w; w = w->next)
    if (expand_word(w->text, EX_FIELDS, args) < 0) return -1;
  for (word *w = n->assigns; w; w = w->next) {
    char *v = expand_one(w->text, EX_ASSIGN);
    if (!v) return -1;
    sl_add(assigns, v);
    char *eq = strchr(v, '=');
    if (temp_set(tv, st_strndup(v, (size_t)(eq - v)), eq + 1) < 0) return -1;
  }
  return 0;
}

static int run_simple2(node *n, int flags, const int *stdio, int bg, int32_t *pid_out, struct tempvars *tv);

/* Runs a simple command with stdio fds (not yet applied: the command's redirections come on top).
   bg: start it in the background. */
static int run_simple(node *n, int flags, const int *stdio, int bg, int32_t *pid_out) {
  struct tempvars tv;
  tv.n = tv.keep = 0;
  int status = run_simple2(n, flags, stdio, bg, pid_out, &tv);
  temp_done(&tv);
  return status;
}

static int run_simple2(node *n, int flags, const int *stdio, int bg, int32_t *pid_out, struct tempvars *tv) {
  strlist args = {0}, assigns = {0};
  sh.lineno = n->lineno;
  if (expand_cmd(n, &args, &assigns, tv) < 0) return 2;
  struct io io;
  io_init(&io);
  if (stdio)
    for (int i = 0; i < 3; i++) io.fds[i] = stdio[i];
  if (sh.opt_x) xtrace(args.v, &assigns);
  int special = 0;
  builtin_fn bi = args.n ? find_builtin(args.v[0], &special) : NULL;
  if (args.n == 0 || (bi && special)) tv->keep = 1;
  if (io_redirect(&io, n->redirs) < 0) {
    io_close(&io);
    return args.n && !bi ? 1 : 2;
  }
  int status = 0;
  if (args.n == 0) {
    io_close(&io);
    return sh.cmdsubst_status >= 0 ? sh.cmdsubst_status : 0;
  }
  char *name = args.v[0];
  node *fn = special ? NULL : func_get(name);
  if (bg && (bi || fn)) {
    /* a builtin in the background: a new shell runs it */
    tv->keep = 0;
    int fds[3] = {-1, io.fds[1], io.fds[2]};
    if (stdio || n->redirs) fds[0] = io.fds[0];
    int rc = spawn_subshell(n, fds, 1, pid_out);
    io_close(&io);
    return rc;
  }
  if (bi && !strcmp(name, "exec") && args.n == 1) {
    /* exec with only redirections: they stay (until the in-process subshell running this ends) */
    subsave_take();
    for (int i = 0; i < 3; i++)
      if (io.fds[i] != i) {
        int fd = io.fds[i] >= 0 ? io.fds[i] : null_fd(i != 0);
        flush_out();
        sh_dup2(fd, i);
        null_slot[i] = io.fds[i] < 0;
        if (io.fds[i] < 0 && fd >= 0) close(fd);
      }
    for (int i = 3; i < 10; i++) {
      if (io.fds[i] == vfd[i]) continue;
      /* keep what it points at open: a duplicate, since io_close closes what was opened */
      int keep = io.fds[i] >= 0 ? sh_dup(io.fds[i]) : io.fds[i];
      if (vfd[i] >= 0 && !cur_subsave) close(vfd[i]);
      vfd[i] = keep;
    }
    io_close(&io);
    return 0;
  }
  if (bi || fn) {
    io_push(&io);
    if (fn) status = call_function(fn, args.n, args.v, flags);
    else status = bi(args.n, args.v);
    flush_out();
    io_pop(&io);
    io_close(&io);
    return status;
  }
  int32_t pid;
  status = spawn_program(args.v, &assigns, io.fds, bg, &pid);
  io_close(&io);
  if (status) return status;
  if (pid_out) {
    *pid_out = pid;
    return 0;
  }
  return wait_fg(pid);
}

/* exec CMD: WASI cannot replace the process image, so run CMD and exit with its status. */
int sh_exec_builtin(int argc, char **argv) {
  if (argc < 2) return 0;
  int special;
  builtin_fn bi = find_builtin(argv[1], &special);
  int status;
  if (bi) status = bi(argc - 1, argv + 1);
  else {
    int32_t pid;
    int fds[3] = {0, 1, 2};
    status = spawn_program(argv + 1, NULL, fds, 0, &pid);
    if (status == 0) status = wait_fg(pid);
  }
  sh.skip = SKIP_EXIT;
  sh.exitcode = status;
  return status;
}

/* ------------------------------------------------------------------ pipelines */

/* A stage that is a plain program (its command word is literal and not a builtin or function) can
   be spawned; anything else runs in this shell or in a new one. */
static int stage_is_program(node *n) {
  if (n->type != N_CMD || !n->args) return 0;
  const char *w = n->args->text;
  if (strpbrk(w, "$`'\"\\*?[~")) return 0;
  int special;
  if (find_builtin(w, &special) || func_get(w)) return 0;
  return 1;
}

static int eval_pipe(node *n, int flags) {
  interrupted = 0;
  int k = 0;
  for (node *c = n->a; c; c = c->next) k++;
  node **stage = st_alloc(sizeof *stage * (size_t)k);
  int (*fds)[3] = st_alloc(sizeof *fds * (size_t)k);
  int32_t *pids = st_alloc(sizeof *pids * (size_t)k);
  int i = 0;
  for (node *c = n->a; c; c = c->next) stage[i++] = c;
  /* the pipes */
  for (i = 0; i < k; i++) fds[i][0] = 0, fds[i][1] = 1, fds[i][2] = 2;
  for (i = 0; i + 1 < k; i++) {
    int32_t p[2];
    if (berth_pipe(p) != 0) {
      sh_warn("Cannot create pipe");
      for (int j = 0; j < i; j++) close(fds[j][1]), close(fds[j + 1][0]);
      return 2;
    }
    fds[i][1] = p[1];
    fds[i + 1][0] = p[0];
  }
  /* the last in-process stage runs here; other in-process stages in new shells */
  int here = -1;
  for (i = k - 1; i >= 0; i--)
    if (!stage_is_program(stage[i])) {
      here = i;
      break;
    }
  int status = 0, last_status = -1;
  int *stage_status = st_alloc(sizeof(int) * (size_t)k);
  for (i = 0; i < k; i++) stage_status[i] = 0;
  for (i = 0; i < k; i++) {
    pids[i] = 0;
    if (i == here) continue;
    int rc;
    if (stage_is_program(stage[i])) {
      stmark m = st_mark();
      rc = run_simple(stage[i], flags, fds[i], 0, &pids[i]);
      st_release(m);
    } else rc = spawn_subshell(stage[i], fds[i], 0, &pids[i]);
    if (rc != 0) {
      pids[i] = 0;
      stage_status[i] = rc;
      if (i == k - 1) last_status = rc;
    }
    if (fds[i][0] != 0) close(fds[i][0]);
    if (fds[i][1] != 1) close(fds[i][1]);
  }
  if (here >= 0) {
    /* an in-process stage is a subshell: what it changes does not stay */
    struct io io;
    io_init(&io);
    io.fds[0] = fds[here][0];
    io.fds[1] = fds[here][1];
    void *saved = state_save();
    io_push(&io);
    sh.subshell++;
    struct subsave ss = {0}, *outer = cur_subsave;
    cur_subsave = &ss;
    int st = eval(stage[here], 0);
    flush_out();
    subsave_give_back(&ss);
    cur_subsave = outer;
    if (sh.skip == SKIP_EXIT || sh.skip == SKIP_ERROR || sh.skip == SKIP_RETURN) st = sh.exitcode;
    int intr = sh.skip == SKIP_ERROR && sh.exitcode == 130 && interrupted;
    sh.skip = SKIP_NONE;
    flush_out();
    io_pop(&io);
    state_restore(saved);
    if (intr) sh.skip = SKIP_ERROR, sh.exitcode = 130;
    if (fds[here][0] != 0) close(fds[here][0]);
    if (fds[here][1] != 1) close(fds[here][1]);
    if (here == k - 1) last_status = st;
    stage_status[here] = st;
  }
  for (i = 0; i < k; i++) {
    if (!pids[i]) continue;
    int st = wait_fg(pids[i]);
    if (i == k - 1) last_status = st;
    stage_status[i] = st;
    if (sh.skip == SKIP_ERROR && interrupted) {
      /* Ctrl-C ended every foreground stage: reap the rest */
      for (int j = i + 1; j < k; j++)
        if (pids[j]) sh_wait_pid(pids[j], &st);
      break;
    }
  }
  status = last_status < 0 ? 0 : last_status;
  /* set -o pipefail: the status of the rightmost stage that failed */
  if (sh.opt_pipefail)
    for (i = 0; i < k; i++)
      if (stage_status[i]) status = stage_status[i];
  return status;
}

/* ------------------------------------------------------------------ eval */

static int loop_skip(int *status) {
  /* after a loop body: 1 to leave the loop */
  (void)status;
  if (sh.skip == SKIP_BREAK) {
    if (--sh.skipn <= 0) sh.skip = SKIP_NONE;
    return 1;
  }
  if (sh.skip == SKIP_CONTINUE) {
    if (--sh.skipn <= 0) {
      sh.skip = SKIP_NONE;
      return 0;
    }
    return 1;
  }
  return sh.skip != SKIP_NONE;
}

static int eval_compound(node *n, int flags) {
  int status = 0;
  switch (n->type) {
  case N_GROUP: status = eval(n->a, flags); break;
  case N_IF: {
    int c = eval(n->a, EV_TESTED);
    if (sh.skip) return c;
    if (c == 0) status = eval(n->b, flags);
    else if (n->c) status = eval(n->c, flags);
    else status = 0;
    break;
  }
  case N_WHILE:
  case N_UNTIL:
    sh.loopdepth++;
    for (;;) {
      int c = eval(n->a, EV_TESTED);
      if (sh.skip) {
        if (loop_skip(&status)) break;
        continue;
      }
      if ((c == 0) != (n->type == N_WHILE)) break;
      status = eval(n->b, flags);
      if (sh.skip && loop_skip(&status)) break;
    }
    sh.loopdepth--;
    break;
  case N_FOR: {
    stmark m = st_mark();
    strlist l = {0};
    if (n->has_in) {
      for (word *w = n->args; w; w = w->next)
        if (expand_word(w->text, EX_FIELDS, &l) < 0) {
          st_release(m);
          return 2;
        }
    } else
      for (int i = 0; i < sh.nparams; i++) sl_add(&l, st_strdup(sh.params[i]));
    sh.loopdepth++;
    for (int i = 0; i < l.n; i++) {
      if (var_set(n->name, l.v[i], 0) < 0) break;
      status = eval(n->b, flags);
      if (sh.skip && loop_skip(&status)) break;
    }
    sh.loopdepth--;
    st_release(m);
    break;
  }
  case N_CASE: {
    stmark m = st_mark();
    sh.lineno = n->lineno;
    char *w = expand_one(n->args->text, 0);
    if (!w) {
      st_release(m);
      return 2;
    }
    status = 0;
    for (caseitem *it = n->items; it; it = it->next) {
      int hit = 0;
      for (word *p = it->pats; p && !hit; p = p->next) {
        char *pat = expand_one(p->text, EX_PATTERN);
        if (!pat) {
          st_release(m);
          return 2;
        }
        hit = pmatch(pat, w);
      }
      if (hit) {
        status = it->body ? eval(it->body, flags) : 0;
        break;
      }
    }
    st_release(m);
    break;
  }
  }
  return status;
}

static int eval_bg(node *n) {
  int32_t pid = 0;
  int rc;
  int nofds[3] = {-1, 1, 2};
  if (n->type == N_CMD && stage_is_program(n)) {
    stmark m = st_mark();
    rc = run_simple(n, 0, n->redirs ? NULL : nofds, 1, &pid);
    st_release(m);
  } else rc = spawn_subshell(n, nofds, 1, &pid);
  if (rc == 0 && pid > 0) {
    sh.lastbg = pid;
    add_bg(pid);
  }
  return rc;
}

int eval(node *n, int flags) {
  if (!n || sh.skip) return sh.status;
  int status = 0, check = 0;
  switch (n->type) {
  case N_CMD: {
    stmark m = st_mark();
    status = run_simple(n, flags, NULL, 0, NULL);
    st_release(m);
    check = 1;
    break;
  }
  case N_PIPE: {
    stmark m = st_mark();
    status = eval_pipe(n, flags);
    st_release(m);
    check = 1;
    break;
  }
  case N_AND:
  case N_OR:
    status = eval(n->a, EV_TESTED);
    if (sh.skip) return status;
    if ((status == 0) == (n->type == N_AND)) status = eval(n->b, flags);
    break;
  case N_SEQ:
    eval(n->a, flags);
    if (sh.skip) return sh.status;
    status = eval(n->b, flags);
    break;
  case N_BG: status = eval_bg(n->a); break;
  case N_NOT:
    status = !eval(n->a, flags | EV_TESTED);
    break;
  case N_FUNC:
    func_set(n->name, tree_persist(n->a));
    status = 0;
    break;
  case N_SUB:
  case N_GROUP:
  case N_IF:
  case N_WHILE:
  case N_UNTIL:
  case N_FOR:
  case N_CASE: {
    struct io io;
    io_init(&io);
    if (n->redirs) {
      stmark m = st_mark();
      sh.lineno = n->lineno;
      if (io_redirect(&io, n->redirs) < 0) {
        io_close(&io);
        st_release(m);
        status = 2;
        break;
      }
      io_push(&io);
      status = n->type == N_SUB ? run_subshell(n->a, -1) : eval_compound(n, flags);
      io_pop(&io);
      io_close(&io);
      st_release(m);
    } else status = n->type == N_SUB ? run_subshell(n->a, -1) : eval_compound(n, flags);
    check = n->type == N_SUB;
    break;
  }
  }
  sh.status = status;
  if (check && sh.opt_e && !(flags & EV_TESTED) && status && !sh.skip) {
    sh.skip = SKIP_EXIT;
    sh.exitcode = status;
  }
  return status;
}

/* Runs a program (command NAME, exec NAME) on the current stdio and waits for it. */
int sh_run_program(char **argv) {
  int32_t pid;
  int fds[3] = {0, 1, 2};
  int status = spawn_program(argv, NULL, fds, 0, &pid);
  if (status) return status;
  return wait_fg(pid);
}
