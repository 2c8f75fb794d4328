/* box: shared helpers. */
#include "lib.h"

#include <berth_process.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *applet = "box";
int box_nested = 0;

/* ------------------------------------------------------------------ commands */

extern char **environ;
/* berth_process reports WASI errno numbers (wasi-libc's own; not the native test build's) */
enum { BE_INTR = 27, BE_NOENT = 44, BE_NOSYS = 52, BE_NOTDIR = 54 };
static const char *be_str(int err) {
  switch (err) {
  case 2: return "Permission denied";
  case 6: return "Resource temporarily unavailable";
  case 45: return "Exec format error";
  case 52: return "Function not implemented";
  default: return "Input/output error";
  }
}

static char *packed(char **v, uint32_t *len) {
  size_t n = 0;
  for (int i = 0; v[i]; i++) n += strlen(v[i]) + 1;
  char *out = malloc(n + 1), *o = out;
  for (int i = 0; v[i]; i++) o = stpcpy(o, v[i]) + 1;
  *len = (uint32_t)n;
  return out;
}

int run_command(int argc, char **argv) {
  const char *name = base_name(argv[0]);
  if (find_applet(name) && strcmp(name, "sh")) {
    box_nested++;
    int rc = run_applet(name, argc, argv);
    box_nested--;
    fflush(stdout);
    return rc;
  }
  /* a program of the container: the host looks argv[0] up in PATH */
  char *empty[] = {NULL};
  char *cwd = getcwd(NULL, 0);
  berth_spawn_request req = {0};
  req.path = argv[0];
  req.path_len = (uint32_t)strlen(argv[0]);
  req.argv = packed(argv, &req.argv_len);
  req.envp = packed(environ ? environ : empty, &req.envp_len);
  req.cwd = cwd ? cwd : "/";
  req.cwd_len = (uint32_t)strlen(req.cwd);
  req.stdin_fd = 0;
  req.stdout_fd = 1;
  req.stderr_fd = 2;
  fflush(stdout);
  int32_t pid, got, status = 127;
  int err = berth_spawn(&req, &pid);
  free((char *)req.argv);
  free((char *)req.envp);
  free(cwd);
  if (err == 0) {
    while ((err = berth_wait(pid, 0, &got, &status)) == BE_INTR) {
    }
    return err == 0 ? status : 127;
  }
  /* NOSYS: a host without processes, where only the applets exist */
  if (err == BE_NOENT || err == BE_NOTDIR || err == BE_NOSYS) {
    warnx_("%s: No such file or directory", q(argv[0]));
    return 127;
  }
  warnx_("%s: %s", q(argv[0]), be_str(err));
  return 126;
}

/* ------------------------------------------------------------------ messages */

const char *errstr(int err) {
  switch (err) {
  case ENOENT: return "No such file or directory";
  case ENOTDIR: return "Not a directory";
  case EISDIR: return "Is a directory";
  case EEXIST: return "File exists";
  case ENOTEMPTY: return "Directory not empty";
  case EACCES: return "Permission denied";
  case EPERM: return "Operation not permitted";
  case ELOOP: return "Too many levels of symbolic links";
  case EINVAL: return "Invalid argument";
  case EXDEV: return "Invalid cross-device link";
  case EROFS: return "Read-only file system";
  case EBADF: return "Bad file descriptor";
  case ENAMETOOLONG: return "File name too long";
  case ENOSPC: return "No space left on device";
  case ENOMEM: return "Cannot allocate memory";
  case EBUSY: return "Device or resource busy";
  case ENOTSUP: return "Operation not supported";
  case ENOSYS: return "Function not implemented";
  case EIO: return "Input/output error";
  case EPIPE: return "Broken pipe";
  case ERANGE: return "Numerical result out of range";
  case ENOTCAPABLE: return "Permission denied";
  default: return strerror(err);
  }
}

static void vmsg(const char *fmt, va_list ap, int err) {
  /* Writing to a pipe nobody reads: a program on Linux dies of SIGPIPE without a word; WASI has no
     signals, so the write fails with EPIPE and box ends the same way, 128 + 13. */
  if (err == EPIPE) _Exit(141);
  fflush(stdout);
  fprintf(stderr, "%s: ", applet);
  vfprintf(stderr, fmt, ap);
  if (err >= 0) fprintf(stderr, ": %s", errstr(err));
  fputc('\n', stderr);
}

void warnx_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap, -1);
  va_end(ap);
}

void warne(const char *fmt, ...) {
  int err = errno;
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap, err);
  va_end(ap);
}

_Noreturn void box_exit(int code) {
  fflush(stdout);
  exit(code);
}

_Noreturn void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap, -1);
  va_end(ap);
  box_exit(code);
}

_Noreturn void die_e(int code, const char *fmt, ...) {
  int err = errno;
  va_list ap;
  va_start(ap, fmt);
  vmsg(fmt, ap, err);
  va_end(ap);
  box_exit(code);
}

_Noreturn void usage_exit(int code) {
  fprintf(stderr, "Try '%s --help' for more information.\n", applet);
  box_exit(code);
}

static const char *quote_into(char *buf, size_t cap, const char *s) {
  int plain = 1;
  for (const char *p = s; *p; p++)
    if (*p == '\'' || (unsigned char)*p < 0x20 || *p == 0x7f) plain = 0;
  if (plain || strlen(s) * 4 + 8 > cap) {
    snprintf(buf, cap, "'%s'", s);
    return buf;
  }
  /* Like GNU's shell-escape style: 'it'\''s', control characters as $'\n'. */
  char *o = buf;
  *o++ = '\'';
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else if (c < 0x20 || c == 0x7f) {
      o += sprintf(o, "'$'\\%03o''", c);
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '\'';
  *o = 0;
  return buf;
}

const char *q(const char *s) {
  static char buf[4200];
  return quote_into(buf, sizeof buf, s);
}

const char *q2(const char *s) {
  static char buf[4200];
  return quote_into(buf, sizeof buf, s);
}

/* ------------------------------------------------------------------ options */

void opts_init(struct opts *o, int argc, char **argv, int permute) {
  memset(o, 0, sizeof *o);
  o->argc = argc;
  o->argv = argv;
  o->i = 1;
  o->permute = permute;
  o->ops = calloc((size_t)argc + 1, sizeof(char *));
}

static void rest_are_operands(struct opts *o) {
  while (o->i < o->argc) o->ops[o->nops++] = o->argv[o->i++];
  o->ops[o->nops] = NULL;
}

int opts_next(struct opts *o, const char *spec, const struct lopt *longs) {
  o->arg = NULL;
  if (o->ci == 0) {
    for (;;) {
      if (o->i >= o->argc) {
        o->ops[o->nops] = NULL;
        return -1;
      }
      char *a = o->argv[o->i];
      if (strcmp(a, "--") == 0) {
        o->i++;
        rest_are_operands(o);
        return -1;
      }
      if (a[0] == '-' && a[1] != 0) {
        if (o->numeric && a[1] >= '0' && a[1] <= '9') {
          o->i++;
          o->arg = a + 1;
          return '#';
        }
        break;
      }
      if (!o->permute) {
        rest_are_operands(o);
        return -1;
      }
      o->ops[o->nops++] = a;
      o->i++;
    }
    char *a = o->argv[o->i];
    if (a[1] == '-') {
      /* --long[=value], unique prefixes accepted */
      o->i++;
      char *name = a + 2;
      char *eq = strchr(name, '=');
      size_t n = eq ? (size_t)(eq - name) : strlen(name);
      const struct lopt *hit = NULL;
      int count = 0;
      for (const struct lopt *l = longs; l && l->name; l++) {
        if (strncmp(l->name, name, n) == 0) {
          if (strlen(l->name) == n) {
            hit = l;
            count = 1;
            break;
          }
          if (!hit || hit->val != l->val) count++;
          hit = l;
        }
      }
      if (!hit) {
        warnx_("unrecognized option '%s'", a);
        return '?';
      }
      if (count > 1) {
        warnx_("option '%s' is ambiguous", a);
        return '?';
      }
      if (eq) {
        if (hit->has_arg == ARG_NONE) {
          warnx_("option '--%s' doesn't allow an argument", hit->name);
          return '?';
        }
        o->arg = eq + 1;
      } else if (hit->has_arg == ARG_REQ) {
        if (o->i >= o->argc) {
          warnx_("option '--%s' requires an argument", hit->name);
          return '?';
        }
        o->arg = o->argv[o->i++];
      }
      return hit->val;
    }
    o->ci = 1;
  }
  char *a = o->argv[o->i];
  int c = (unsigned char)a[o->ci++];
  const char *s = (c && c != ':') ? strchr(spec, c) : NULL;
  if (!s) {
    warnx_("invalid option -- '%c'", c);
    if (a[o->ci] == 0) {
      o->i++;
      o->ci = 0;
    }
    return '?';
  }
  if (s[1] == ':') {
    if (a[o->ci]) {
      o->arg = a + o->ci;
    } else if (s[2] != ':') {
      if (o->i + 1 >= o->argc) {
        warnx_("option requires an argument -- '%c'", c);
        o->i++;
        o->ci = 0;
        return '?';
      }
      o->arg = o->argv[++o->i];
    }
    o->i++;
    o->ci = 0;
    return c;
  }
  if (a[o->ci] == 0) {
    o->i++;
    o->ci = 0;
  }
  return c;
}

/* ------------------------------------------------------------------ numbers */

int parse_int(const char *s, long long *out) {
  const char *p = s;
  while (*p == ' ' || *p == '\t') p++;
  int neg = 0;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  if (*p < '0' || *p > '9') return -1;
  unsigned long long v = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (v > (ULLONG_MAX - 9) / 10) return -1;
    v = v * 10 + (unsigned)(*p - '0');
  }
  if (*p) return -1;
  if (v > (unsigned long long)LLONG_MAX + (unsigned)neg) return -1;
  *out = neg ? (long long)(0 - v) : (long long)v;
  return 0;
}

int parse_size(const char *s, long long *out) {
  char *end;
  errno = 0;
  if (!*s) return -1;
  long long v = strtoll(s, &end, 10);
  if (end == s || errno) return -1;
  if (!*end) {
    *out = v;
    return 0;
  }
  static const char units[] = "KMGTPE";
  long long mult = 1;
  if (strcmp(end, "b") == 0) {
    mult = 512;
  } else {
    const char *u = strchr(units, end[0] == 'k' ? 'K' : end[0]);
    if (!u || !end[0]) return -1;
    int pow = (int)(u - units) + 1;
    long long base = 1024;
    if (end[1] == 0 || (end[1] == 'i' && end[2] == 'B' && end[3] == 0)) base = 1024;
    else if (end[1] == 'B' && end[2] == 0) base = 1000;
    else return -1;
    for (int k = 0; k < pow; k++) mult *= base;
  }
  *out = v * mult;
  return 0;
}

char *human(char *buf, unsigned long long n) {
  if (n < 1024) {
    sprintf(buf, "%llu", n);
    return buf;
  }
  static const char units[] = "KMGTPEZY";
  int e = 0;
  unsigned __int128 div = 1;
  while ((unsigned __int128)n >= div * 1024 && e < 8) {
    div *= 1024;
    e++;
  }
  for (;;) {
    unsigned __int128 tenths = ((unsigned __int128)n * 10 + div - 1) / div; /* ceiling */
    if (tenths < 100) {
      sprintf(buf, "%u.%u%c", (unsigned)(tenths / 10), (unsigned)(tenths % 10), units[e - 1]);
      return buf;
    }
    unsigned __int128 whole = ((unsigned __int128)n + div - 1) / div;
    if (whole >= 1024 && e < 8) {
      div *= 1024;
      e++;
      continue;
    }
    sprintf(buf, "%llu%c", (unsigned long long)whole, units[e - 1]);
    return buf;
  }
}

/* ------------------------------------------------------------------ lines and input */

long read_line(FILE *f, char **buf, size_t *cap) {
  ssize_t n = getline(buf, cap, f);
  return n < 0 ? -1 : (long)n;
}

FILE *open_input(const char *name) {
  if (strcmp(name, "-") == 0) return stdin;
  FILE *f = fopen(name, "r");
  if (!f) {
    warne("%s", name);
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    warne("%s", name);
    fclose(f);
    return NULL;
  }
  return f;
}

void close_input(FILE *f) {
  if (f && f != stdin) fclose(f);
  else if (f == stdin) clearerr(stdin);
}

char *read_all(FILE *f, size_t *len) {
  size_t cap = 65536, n = 0;
  char *b = malloc(cap + 1);
  for (;;) {
    if (n == cap) b = realloc(b, (cap *= 2) + 1);
    size_t r = fread(b + n, 1, cap - n, f);
    if (r == 0) break;
    n += r;
  }
  b[n] = 0;
  *len = n;
  return b;
}

/* ------------------------------------------------------------------ paths */

char *path_join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *p = malloc(a + b + 2);
  memcpy(p, dir, a);
  size_t k = a;
  if (a == 0 || dir[a - 1] != '/') p[k++] = '/';
  memcpy(p + k, name, b + 1);
  return p;
}

const char *base_name(const char *p) {
  const char *b = strrchr(p, '/');
  return b ? b + 1 : p;
}

int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *canonicalize(const char *path, int mode) {
  if (!*path) {
    errno = ENOENT;
    return NULL;
  }
  char *res = malloc(PATH_MAX + 1);
  char *rest = malloc(PATH_MAX * 2 + 2);
  size_t rlen;
  if (path[0] == '/') {
    strcpy(res, "/");
  } else if (!getcwd(res, PATH_MAX)) {
    free(res);
    free(rest);
    return NULL;
  }
  rlen = strlen(res);
  if (strlen(path) > PATH_MAX) {
    errno = ENAMETOOLONG;
    goto fail;
  }
  strcpy(rest, path);
  int hops = 0;
  char *p = rest;
  for (;;) {
    while (*p == '/') p++;
    if (!*p) break;
    char *e = p;
    while (*e && *e != '/') e++;
    size_t n = (size_t)(e - p);
    int last = 1;
    for (char *t = e; *t; t++)
      if (*t != '/') {
        last = 0;
        break;
      }
    if (n == 1 && p[0] == '.') {
      p = e;
      continue;
    }
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (rlen > 1 && res[rlen - 1] != '/') rlen--;
      if (rlen > 1) rlen--;
      res[rlen] = 0;
      p = e;
      continue;
    }
    if (rlen + n + 2 > PATH_MAX) {
      errno = ENAMETOOLONG;
      goto fail;
    }
    if (res[rlen - 1] != '/') res[rlen++] = '/';
    memcpy(res + rlen, p, n);
    rlen += n;
    res[rlen] = 0;
    p = e;
    struct stat st;
    if (lstat(res, &st) != 0) {
      if (errno == ENOENT && (mode == 2 || (mode == 0 && last))) continue;
      goto fail;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++hops > 40) {
        errno = ELOOP;
        goto fail;
      }
      char target[PATH_MAX + 1];
      ssize_t tl = readlink(res, target, PATH_MAX);
      if (tl < 0) goto fail;
      target[tl] = 0;
      size_t restlen = strlen(p);
      if ((size_t)tl + restlen + 2 > PATH_MAX * 2) {
        errno = ENAMETOOLONG;
        goto fail;
      }
      /* new rest = target + "/" + old rest */
      char *nr = malloc((size_t)tl + restlen + 2);
      memcpy(nr, target, (size_t)tl);
      memcpy(nr + tl, p, restlen + 1);
      strcpy(rest, nr);
      free(nr);
      p = rest;
      if (target[0] == '/') {
        strcpy(res, "/");
        rlen = 1;
      } else {
        while (rlen > 1 && res[rlen - 1] != '/') rlen--;
        if (rlen > 1) rlen--;
        res[rlen] = 0;
      }
      continue;
    }
    if (!S_ISDIR(st.st_mode) && !last && mode != 2) {
      errno = ENOTDIR;
      goto fail;
    }
  }
  free(rest);
  return res;
fail:
  free(res);
  free(rest);
  return NULL;
}

/* ------------------------------------------------------------------ file metadata */

static int looks_executable(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  unsigned char m[4] = {0};
  ssize_t n = read(fd, m, 4);
  close(fd);
  if (n >= 4 && m[0] == 0 && m[1] == 'a' && m[2] == 's' && m[3] == 'm') return 1;
  return n >= 2 && m[0] == '#' && m[1] == '!';
}

mode_t full_mode(const char *path, const struct stat *st) {
  mode_t t = st->st_mode & S_IFMT;
  if (S_ISDIR(st->st_mode)) return t | 0755;
  if (S_ISLNK(st->st_mode)) return t | 0777;
  if (S_ISREG(st->st_mode)) return t | (path && st->st_size >= 2 && looks_executable(path) ? 0755 : 0644);
  if (S_ISCHR(st->st_mode) || S_ISSOCK(st->st_mode)) return t | 0666;
  return t | 0644;
}

unsigned long long blocks512(const struct stat *st) {
  if (S_ISLNK(st->st_mode) && st->st_size < 60) return 0;
  if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode)) return 0;
  unsigned long long sz = (unsigned long long)st->st_size;
  return (sz + 4095) / 4096 * 8;
}

void mode_string(mode_t m, char out[11]) {
  char t = '?';
  switch (m & S_IFMT) {
  case S_IFREG: t = '-'; break;
  case S_IFDIR: t = 'd'; break;
  case S_IFLNK: t = 'l'; break;
  case S_IFCHR: t = 'c'; break;
  case S_IFBLK: t = 'b'; break;
  case S_IFSOCK: t = 's'; break; /* wasi-libc: S_IFIFO == S_IFSOCK */
  }
  out[0] = t;
  const char *rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
  out[10] = 0;
}

const char *file_type_name(const struct stat *st) {
  switch (st->st_mode & S_IFMT) {
  case S_IFREG: return st->st_size == 0 ? "regular empty file" : "regular file";
  case S_IFDIR: return "directory";
  case S_IFLNK: return "symbolic link";
  case S_IFCHR: return "character special file";
  case S_IFBLK: return "block special file";
  case S_IFSOCK: return "socket";
  }
  return "weird file";
}

int remove_tree(const char *path, int force, int verbose) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (force && errno == ENOENT) return 0;
    warne("cannot remove %s", q(path));
    return -1;
  }
  int rc = 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      warne("cannot remove %s", q(path));
      return -1;
    }
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if (n == cap) names = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
      names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
      char *c = path_join(path, names[i]);
      if (remove_tree(c, force, verbose)) rc = -1;
      free(c);
      free(names[i]);
    }
    free(names);
    if (rc) return rc;
    if (rmdir(path) != 0) {
      warne("cannot remove %s", q(path));
      return -1;
    }
    if (verbose) printf("removed directory %s\n", q(path));
    return 0;
  }
  if (unlink(path) != 0) {
    warne("cannot remove %s", q(path));
    return -1;
  }
  if (verbose) printf("removed %s\n", q(path));
  return 0;
}

int copy_data(int in, int out) {
  static char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0) return -1;
      off += w;
    }
  }
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static size_t put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xc0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* printf_style: 1 = printf's format (\NNN octal, no \c), 0 = echo -e / %b (\0NNN, \c stops). */
int unescape(const char *s, char *out, size_t *outlen, int printf_style) {
  size_t k = 0;
  for (const char *p = s; *p; p++) {
    if (*p != '\\' || !p[1]) {
      out[k++] = *p;
      continue;
    }
    p++;
    switch (*p) {
    case 'a': out[k++] = '\a'; break;
    case 'b': out[k++] = '\b'; break;
    case 'e': out[k++] = 27; break;
    case 'f': out[k++] = '\f'; break;
    case 'n': out[k++] = '\n'; break;
    case 'r': out[k++] = '\r'; break;
    case 't': out[k++] = '\t'; break;
    case 'v': out[k++] = '\v'; break;
    case '\\': out[k++] = '\\'; break;
    case 'c':
      if (printf_style) {
        out[k++] = '\\';
        out[k++] = 'c';
        break;
      }
      *outlen = k;
      return 1;
    case 'x': {
      int v = 0, n = 0, h;
      while (n < 2 && (h = hexval((unsigned char)p[1])) >= 0) {
        v = v * 16 + h;
        p++;
        n++;
      }
      if (n == 0) {
        out[k++] = '\\';
        out[k++] = 'x';
      } else {
        out[k++] = (char)v;
      }
      break;
    }
    case 'u':
    case 'U': {
      if (!printf_style) {
        out[k++] = '\\';
        out[k++] = *p;
        break;
      }
      int want = *p == 'u' ? 4 : 8, n = 0, h;
      unsigned long v = 0;
      while (n < want && (h = hexval((unsigned char)p[1])) >= 0) {
        v = v * 16 + (unsigned long)h;
        p++;
        n++;
      }
      k += put_utf8(out + k, v);
      break;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      if (!printf_style && *p != '0') {
        out[k++] = '\\';
        out[k++] = *p;
        break;
      }
      int v = 0, n = 0;
      const char *d = p;
      d++; /* echo: \0NNN, up to three digits after the 0; printf: \NNN */
      if (printf_style) {
        v = *p - '0';
        n = 1;
      }
      while (n < 3 && *d >= '0' && *d <= '7') {
        v = v * 8 + (*d - '0');
        d++;
        n++;
      }
      p = d - 1;
      out[k++] = (char)v;
      break;
    }
    default:
      out[k++] = '\\';
      out[k++] = *p;
    }
  }
  *outlen = k;
  return 0;
}

time_t now_seconds(void) {
  return time(NULL);
}
