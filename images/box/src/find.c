/* find: walk directory trees and evaluate an expression on each file. Tests -name -iname -path
   -ipath -type -empty -size -newer -mtime -mmin -true -false; actions -print -print0 -delete -prune
   -quit -exec CMD {} ; (box applets only: WASI cannot start processes); operators ( ) ! -not -a -and -o
   -or; options -maxdepth -mindepth -depth -L -P. Directories are read in the filesystem's order. */
#include "lib.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_AND, N_OR, N_NOT, N_TEST };

struct node {
  int kind;
  struct node *l, *r;
  const char *op;
  const char *arg;
  char type;
  long long num;
  int cmp; /* -1 less, 0 exact, 1 more */
  long long unit;
  char **exec_argv;
  int exec_argc;
  char **batch; /* -exec ... {} + collects paths */
  size_t nbatch;
  time_t ref;
};

static struct {
  char **av;
  int ac, pos;
  int maxdepth, mindepth, depth_first, follow;
  int has_action;
  int rc;
  int quit;
  time_t now;
  struct node *batches[16];
  int nbatches;
} F;

static struct node *parse_or(void);

static struct node *mk(int kind, struct node *l, struct node *r) {
  struct node *n = calloc(1, sizeof *n);
  n->kind = kind;
  n->l = l;
  n->r = r;
  return n;
}

static const char *need_arg(const char *op) {
  if (F.pos >= F.ac) die(1, "missing argument to '%s'", op);
  return F.av[F.pos++];
}

static int parse_numarg(const char *s, struct node *n) {
  n->cmp = 0;
  if (*s == '+') n->cmp = 1, s++;
  else if (*s == '-') n->cmp = -1, s++;
  char *end;
  n->num = strtoll(s, &end, 10);
  if (end == s) return -1;
  n->unit = 512;
  if (*end) {
    switch (*end) {
    case 'c': n->unit = 1; break;
    case 'w': n->unit = 2; break;
    case 'b': n->unit = 512; break;
    case 'k': n->unit = 1024; break;
    case 'M': n->unit = 1048576; break;
    case 'G': n->unit = 1073741824; break;
    default: return -1;
    }
    if (end[1]) return -1;
  }
  return 0;
}

static struct node *parse_primary(void) {
  if (F.pos >= F.ac) die(1, "expected an expression");
  const char *a = F.av[F.pos++];
  if (!strcmp(a, "(")) {
    struct node *n = parse_or();
    if (F.pos >= F.ac || strcmp(F.av[F.pos], ")")) die(1, "invalid expression; I was expecting to find a ')' somewhere but did not see one.");
    F.pos++;
    return n;
  }
  if (!strcmp(a, "!") || !strcmp(a, "-not")) return mk(N_NOT, parse_primary(), NULL);
  struct node *n = mk(N_TEST, NULL, NULL);
  n->op = a;
  if (!strcmp(a, "-name") || !strcmp(a, "-iname") || !strcmp(a, "-path") || !strcmp(a, "-ipath") ||
      !strcmp(a, "-wholename") || !strcmp(a, "-lname")) {
    n->arg = need_arg(a);
  } else if (!strcmp(a, "-type") || !strcmp(a, "-xtype")) {
    n->arg = need_arg(a);
    if (strlen(n->arg) != 1 || !strchr("fdlbcps", n->arg[0])) die(1, "Unknown argument to %s: %s", a, n->arg);
    n->type = n->arg[0];
  } else if (!strcmp(a, "-maxdepth") || !strcmp(a, "-mindepth")) {
    const char *v = need_arg(a);
    long long d;
    if (parse_int(v, &d) != 0 || d < 0)
      die(1, "Expected a positive decimal integer argument to %s, but got %s", a, q(v));
    if (a[2] == 'a') F.maxdepth = (int)d;
    else F.mindepth = (int)d;
    n->op = "-true";
  } else if (!strcmp(a, "-depth") || !strcmp(a, "-d")) {
    F.depth_first = 1;
    n->op = "-true";
  } else if (!strcmp(a, "-xdev") || !strcmp(a, "-mount") || !strcmp(a, "-noleaf") || !strcmp(a, "-ignore_readdir_race")) {
    n->op = "-true";
  } else if (!strcmp(a, "-size")) {
    const char *v = need_arg(a);
    if (parse_numarg(v, n) != 0) die(1, "invalid -size argument: %s", v);
  } else if (!strcmp(a, "-mtime") || !strcmp(a, "-mmin") || !strcmp(a, "-links")) {
    const char *v = need_arg(a);
    if (parse_numarg(v, n) != 0) die(1, "invalid argument %s to %s", q(v), q2(a));
  } else if (!strcmp(a, "-newer")) {
    const char *f = need_arg(a);
    struct stat st;
    if (stat(f, &st) != 0) die_e(1, "%s", q(f));
    n->ref = st.st_mtim.tv_sec;
    n->num = st.st_mtim.tv_nsec;
  } else if (!strcmp(a, "-print") || !strcmp(a, "-print0") || !strcmp(a, "-delete") || !strcmp(a, "-quit") ||
             !strcmp(a, "-ls")) {
    F.has_action = 1;
    if (!strcmp(a, "-delete")) F.depth_first = 1;
  } else if (!strcmp(a, "-prune") || !strcmp(a, "-true") || !strcmp(a, "-false") || !strcmp(a, "-empty")) {
  } else if (!strcmp(a, "-exec") || !strcmp(a, "-ok")) {
    F.has_action = 1;
    int start = F.pos;
    while (F.pos < F.ac && strcmp(F.av[F.pos], ";") && !(strcmp(F.av[F.pos], "+") == 0 && F.pos > start &&
                                                         !strcmp(F.av[F.pos - 1], "{}")))
      F.pos++;
    if (F.pos >= F.ac) die(1, "missing argument to '%s'", a);
    n->exec_argc = F.pos - start;
    n->exec_argv = F.av + start;
    n->type = F.av[F.pos][0]; /* ';' or '+' */
    F.pos++;
    if (n->exec_argc == 0) die(1, "missing argument to '%s'", a);
    if (n->type == '+') {
      n->exec_argc--; /* the {} before + */
      if (F.nbatches < 16) F.batches[F.nbatches++] = n;
    }
  } else {
    if (a[0] == '-') die(1, "unknown predicate '%s'", a);
    die(1, "paths must precede expression: '%s'", a);
  }
  return n;
}

static int at_operator_end(void) {
  return F.pos >= F.ac || !strcmp(F.av[F.pos], ")") || !strcmp(F.av[F.pos], "-o") || !strcmp(F.av[F.pos], "-or");
}

static struct node *parse_and(void) {
  struct node *n = parse_primary();
  while (!at_operator_end()) {
    if (!strcmp(F.av[F.pos], "-a") || !strcmp(F.av[F.pos], "-and")) F.pos++;
    n = mk(N_AND, n, parse_primary());
  }
  return n;
}

static struct node *parse_or(void) {
  struct node *n = parse_and();
  while (F.pos < F.ac && (!strcmp(F.av[F.pos], "-o") || !strcmp(F.av[F.pos], "-or"))) {
    F.pos++;
    n = mk(N_OR, n, parse_and());
  }
  return n;
}

struct visit {
  const char *path;
  const char *name;
  struct stat st;
  int depth;
  int prune;
};

static int cmp_num(const struct node *n, long long v) {
  return n->cmp > 0 ? v > n->num : n->cmp < 0 ? v < n->num : v == n->num;
}

static int is_empty_dir(const char *p) {
  DIR *d = opendir(p);
  if (!d) return 0;
  struct dirent *e;
  int empty = 1;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      empty = 0;
      break;
    }
  closedir(d);
  return empty;
}

static int run_exec(struct node *n, const char *path) {
  char **argv = calloc((size_t)n->exec_argc + 1, sizeof *argv);
  for (int i = 0; i < n->exec_argc; i++) {
    const char *a = n->exec_argv[i];
    const char *hole = strstr(a, "{}");
    if (!hole) {
      argv[i] = strdup(a);
      continue;
    }
    size_t cap = strlen(a) + strlen(path) * 4 + 1;
    char *s = malloc(cap), *o = s;
    for (const char *p = a; *p;) {
      if (p[0] == '{' && p[1] == '}') {
        o = stpcpy(o, path);
        p += 2;
      } else *o++ = *p++;
    }
    *o = 0;
    argv[i] = s;
  }
  int rc = run_command(n->exec_argc, argv);
  if (rc == 127 || rc == 126) F.rc = 1;
  for (int i = 0; i < n->exec_argc; i++) free(argv[i]);
  free(argv);
  return rc == 0;
}

static int eval(struct node *n, struct visit *v) {
  switch (n->kind) {
  case N_AND: return eval(n->l, v) && eval(n->r, v);
  case N_OR: return eval(n->l, v) || eval(n->r, v);
  case N_NOT: return !eval(n->l, v);
  }
  const char *op = n->op;
  if (!strcmp(op, "-true")) return 1;
  if (!strcmp(op, "-false")) return 0;
  if (!strcmp(op, "-name")) return fnmatch(n->arg, v->name, 0) == 0;
  if (!strcmp(op, "-iname")) return fnmatch(n->arg, v->name, FNM_CASEFOLD) == 0;
  if (!strcmp(op, "-path") || !strcmp(op, "-wholename")) return fnmatch(n->arg, v->path, 0) == 0;
  if (!strcmp(op, "-ipath")) return fnmatch(n->arg, v->path, FNM_CASEFOLD) == 0;
  if (!strcmp(op, "-lname")) {
    if (!S_ISLNK(v->st.st_mode)) return 0;
    char t[4097];
    ssize_t k = readlink(v->path, t, sizeof t - 1);
    if (k < 0) return 0;
    t[k] = 0;
    return fnmatch(n->arg, t, 0) == 0;
  }
  if (!strcmp(op, "-type") || !strcmp(op, "-xtype")) {
    struct stat st = v->st;
    if (op[1] == 'x') {
      if (F.follow) lstat(v->path, &st);
      else stat(v->path, &st);
    }
    mode_t m = st.st_mode;
    switch (n->type) {
    case 'f': return S_ISREG(m);
    case 'd': return S_ISDIR(m);
    case 'l': return S_ISLNK(m);
    case 'b': return S_ISBLK(m);
    case 'c': return S_ISCHR(m);
    case 's': return S_ISSOCK(m);
    case 'p': return 0;
    }
    return 0;
  }
  if (!strcmp(op, "-empty")) {
    if (S_ISDIR(v->st.st_mode)) return is_empty_dir(v->path);
    return S_ISREG(v->st.st_mode) && v->st.st_size == 0;
  }
  if (!strcmp(op, "-size")) {
    long long size = (long long)v->st.st_size;
    long long units = (size + n->unit - 1) / n->unit;
    return cmp_num(n, units);
  }
  if (!strcmp(op, "-mtime")) return cmp_num(n, (long long)((F.now - v->st.st_mtim.tv_sec) / 86400));
  if (!strcmp(op, "-mmin")) {
    long long secs = (long long)(F.now - v->st.st_mtim.tv_sec);
    return cmp_num(n, (secs + 59) / 60);
  }
  if (!strcmp(op, "-links")) return cmp_num(n, (long long)v->st.st_nlink);
  if (!strcmp(op, "-newer"))
    return v->st.st_mtim.tv_sec > n->ref || (v->st.st_mtim.tv_sec == n->ref && v->st.st_mtim.tv_nsec > n->num);
  if (!strcmp(op, "-print")) {
    puts(v->path);
    return 1;
  }
  if (!strcmp(op, "-print0")) {
    fputs(v->path, stdout);
    putchar(0);
    return 1;
  }
  if (!strcmp(op, "-ls")) {
    char ms[11];
    mode_string(full_mode(v->path, &v->st), ms);
    printf("%9llu %6llu %s %3llu root     root     %8llu %s\n", (unsigned long long)v->st.st_ino,
           (blocks512(&v->st) + 1) / 2, ms, (unsigned long long)v->st.st_nlink, (unsigned long long)v->st.st_size,
           v->path);
    return 1;
  }
  if (!strcmp(op, "-prune")) {
    v->prune = 1;
    return 1;
  }
  if (!strcmp(op, "-quit")) {
    F.quit = 1;
    return 1;
  }
  if (!strcmp(op, "-delete")) {
    if (v->depth == 0 && (!strcmp(v->path, ".") || !strcmp(v->path, ".."))) return 1;
    int r = S_ISDIR(v->st.st_mode) ? rmdir(v->path) : unlink(v->path);
    if (r != 0) {
      warne("cannot delete %s", q(v->path));
      F.rc = 1;
      return 0;
    }
    return 1;
  }
  if (!strcmp(op, "-exec") || !strcmp(op, "-ok")) {
    if (n->type != '+') return run_exec(n, v->path);
    n->batch = realloc(n->batch, (n->nbatch + 1) * sizeof *n->batch);
    n->batch[n->nbatch++] = strdup(v->path);
    return 1;
  }
  return 0;
}

static void walk(struct node *expr, const char *path, int depth) {
  if (F.quit) return;
  struct visit v;
  memset(&v, 0, sizeof v);
  v.path = path;
  v.depth = depth;
  /* the name: the last component (a root's trailing slashes ignored) */
  char *tmp = strdup(path);
  size_t n = strlen(tmp);
  while (n > 1 && tmp[n - 1] == '/') tmp[--n] = 0;
  v.name = base_name(tmp);
  if (!*v.name) v.name = tmp;
  int ok = (F.follow || (depth == 0 && 0)) ? stat(path, &v.st) : lstat(path, &v.st);
  if (ok != 0 && F.follow) ok = lstat(path, &v.st);
  if (ok != 0) {
    warne("%s", q(path));
    F.rc = 1;
    free(tmp);
    return;
  }
  int in_range = depth >= F.mindepth;
  if (!F.depth_first && in_range) {
    if (eval(expr, &v) && !F.has_action) puts(path);
  }
  if (S_ISDIR(v.st.st_mode) && !v.prune && (F.maxdepth < 0 || depth < F.maxdepth) && !F.quit) {
    DIR *d = opendir(path);
    if (!d) {
      warne("%s", q(path));
      F.rc = 1;
    } else {
      char **names = NULL;
      size_t cnt = 0, cap = 0;
      struct dirent *e;
      while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (cnt == cap) names = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
        names[cnt++] = strdup(e->d_name);
      }
      closedir(d);
      for (size_t i = 0; i < cnt; i++) {
        char *child = path[strlen(path) - 1] == '/' ? malloc(strlen(path) + strlen(names[i]) + 1)
                                                    : path_join(path, names[i]);
        if (path[strlen(path) - 1] == '/') sprintf(child, "%s%s", path, names[i]);
        walk(expr, child, depth + 1);
        free(child);
        free(names[i]);
      }
      free(names);
    }
  }
  if (F.depth_first && in_range && !F.quit) {
    if (eval(expr, &v) && !F.has_action) puts(path);
  }
  free(tmp);
}

int find_main(int argc, char **argv) {
  memset(&F, 0, sizeof F);
  F.maxdepth = -1;
  F.now = time(NULL);
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "-L")) F.follow = 1;
    else if (!strcmp(argv[i], "-P") || !strcmp(argv[i], "-H")) F.follow = 0;
    else break;
  }
  int first_path = i;
  while (i < argc && !(argv[i][0] == '-' && argv[i][1]) && strcmp(argv[i], "(") && strcmp(argv[i], "!")) i++;
  int npaths = i - first_path;
  F.av = argv;
  F.ac = argc;
  F.pos = i;
  struct node *expr = F.pos < F.ac ? parse_or() : mk(N_TEST, NULL, NULL);
  if (!expr->op && expr->kind == N_TEST) expr->op = "-true";
  if (F.pos < F.ac) die(1, "unexpected extra predicate '%s'", F.av[F.pos]);
  if (npaths == 0) walk(expr, ".", 0);
  for (int k = 0; k < npaths && !F.quit; k++) walk(expr, argv[first_path + k], 0);
  for (int b = 0; b < F.nbatches; b++) {
    struct node *n = F.batches[b];
    if (!n->nbatch) continue;
    int ac = n->exec_argc + (int)n->nbatch;
    char **av = calloc((size_t)ac + 1, sizeof *av);
    for (int k = 0; k < n->exec_argc; k++) av[k] = n->exec_argv[k];
    for (size_t k = 0; k < n->nbatch; k++) av[n->exec_argc + (int)k] = n->batch[k];
    if (run_command(ac, av) != 0) F.rc = 1;
    free(av);
  }
  return F.rc;
}
