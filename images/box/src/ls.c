/* ls: list directory contents, GNU-style, in the C locale (byte order of names).
   Permission bits, owners and block counts are not in WASI preview1: see full_mode() and blocks512(). */
#include "lib.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ent {
  char *name; /* as displayed */
  char *path; /* to stat / open */
  struct stat st;
  int stat_ok;
  mode_t mode;
  char *link; /* symlink target, -l only */
};

struct ls {
  int all, almost, dirs_as_files, classify, slash, human, inode, longfmt, numeric, recursive, reverse;
  int sort; /* 'n' name, 't' time, 'S' size, 'U' none */
  int format; /* 'l' long, '1' one per line, 'C' columns, 'x' across, 'm' commas */
  int no_owner, no_group, size_blocks, deref;
  int width;
  int rc;
  int printed; /* something has been output (for blank lines between groups) */
  int headers;
  time_t now;
  /* GNU sizes the command line's file columns over every operand, directories included */
  struct ent *wextra;
  size_t nwextra;
};

static struct ls *L;

static int cmp_ent(const void *a, const void *b) {
  const struct ent *x = a, *y = b;
  int r = 0;
  if (L->sort == 't') {
    if (x->st.st_mtim.tv_sec != y->st.st_mtim.tv_sec) r = x->st.st_mtim.tv_sec < y->st.st_mtim.tv_sec ? 1 : -1;
    else if (x->st.st_mtim.tv_nsec != y->st.st_mtim.tv_nsec)
      r = x->st.st_mtim.tv_nsec < y->st.st_mtim.tv_nsec ? 1 : -1;
  } else if (L->sort == 'S') {
    if (x->st.st_size != y->st.st_size) r = x->st.st_size < y->st.st_size ? 1 : -1;
  }
  if (r == 0) r = strcmp(x->name, y->name);
  return L->reverse ? -r : r;
}

static void sort_ents(struct ent *e, size_t n) {
  if (L->sort != 'U') qsort(e, n, sizeof *e, cmp_ent);
  else if (L->reverse) {
    for (size_t i = 0; i < n / 2; i++) {
      struct ent t = e[i];
      e[i] = e[n - 1 - i];
      e[n - 1 - i] = t;
    }
  }
}

static char indicator(const struct ent *e) {
  if (!e->stat_ok) return 0;
  mode_t m = e->mode;
  if (S_ISDIR(m)) return '/';
  if (L->slash) return 0;
  if (S_ISLNK(m)) return '@';
  if (S_ISSOCK(m)) return '=';
  if (S_ISREG(m) && (m & 0111)) return '*';
  return 0;
}

static size_t name_width(const struct ent *e) {
  return strlen(e->name) + ((L->classify || L->slash) && indicator(e) ? 1 : 0);
}

static void print_name(const struct ent *e) {
  fputs(e->name, stdout);
  if (L->classify || L->slash) {
    char c = indicator(e);
    if (c) putchar(c);
  }
}

static int digits(unsigned long long v) {
  int d = 1;
  while (v >= 10) {
    v /= 10;
    d++;
  }
  return d;
}

static void indent(size_t from, size_t to) {
  while (from < to) {
    if (to / 8 > (from + 1) / 8) {
      putchar('\t');
      from += 8 - from % 8;
    } else {
      putchar(' ');
      from++;
    }
  }
}

static void fill_ent(struct ent *e, int follow) {
  e->stat_ok = (follow ? stat(e->path, &e->st) : lstat(e->path, &e->st)) == 0;
  if (!e->stat_ok && follow) e->stat_ok = lstat(e->path, &e->st) == 0; /* dangling link */
  if (e->stat_ok) e->mode = full_mode(e->path, &e->st);
  e->link = NULL;
  if (e->stat_ok && S_ISLNK(e->st.st_mode) && L->format == 'l') {
    char buf[4097];
    ssize_t n = readlink(e->path, buf, sizeof buf - 1);
    if (n >= 0) {
      buf[n] = 0;
      e->link = strdup(buf);
    }
  }
}

static void blocks_str(char *buf, unsigned long long b512) {
  if (L->human) human(buf, b512 * 512);
  else sprintf(buf, "%llu", (b512 + 1) / 2);
}

static void print_long(struct ent *e, size_t n) {
  int wl = 1, wo = 1, wg = 1, ws = 1, wi = 1, wb = 1;
  char buf[64];
  for (size_t j = 0; j < n + L->nwextra; j++) {
    struct ent *x = j < n ? &e[j] : &L->wextra[j - n];
    if (!x->stat_ok) continue;
    int d = digits((unsigned long long)x->st.st_nlink);
    if (d > wl) wl = d;
    const char *owner = L->numeric ? "0" : "root";
    if ((int)strlen(owner) > wo) wo = (int)strlen(owner);
    if ((int)strlen(owner) > wg) wg = (int)strlen(owner);
    if (L->human) human(buf, (unsigned long long)x->st.st_size);
    else sprintf(buf, "%llu", (unsigned long long)x->st.st_size);
    if ((int)strlen(buf) > ws) ws = (int)strlen(buf);
    if (digits((unsigned long long)x->st.st_ino) > wi) wi = digits((unsigned long long)x->st.st_ino);
    blocks_str(buf, blocks512(&x->st));
    if ((int)strlen(buf) > wb) wb = (int)strlen(buf);
  }
  for (size_t i = 0; i < n; i++) {
    struct ent *x = &e[i];
    if (!x->stat_ok) continue;
    if (L->inode) printf("%*llu ", wi, (unsigned long long)x->st.st_ino);
    if (L->size_blocks) {
      blocks_str(buf, blocks512(&x->st));
      printf("%*s ", wb, buf);
    }
    char ms[11];
    mode_string(x->mode, ms);
    const char *owner = L->numeric ? "0" : "root";
    printf("%s %*llu ", ms, wl, (unsigned long long)x->st.st_nlink);
    if (!L->no_owner) printf("%-*s ", wo, owner);
    if (!L->no_group) printf("%-*s ", wg, owner);
    if (L->human) human(buf, (unsigned long long)x->st.st_size);
    else sprintf(buf, "%llu", (unsigned long long)x->st.st_size);
    printf("%*s ", ws, buf);
    time_t t = x->st.st_mtim.tv_sec;
    struct tm *tm = gmtime(&t);
    char date[64];
    /* GNU: the year instead of the time when older than six months (or in the future) */
    time_t six_months_ago = L->now - 31556952 / 2;
    int recent = t > six_months_ago && t <= L->now;
    strftime(date, sizeof date, recent ? "%b %e %H:%M" : "%b %e  %Y", tm);
    printf("%s ", date);
    print_name(x);
    if (x->link) printf(" -> %s", x->link);
    putchar('\n');
  }
}

/* GNU's calculate_columns(): the most columns whose line length stays under the width, every column at
   least 3 wide, two spaces after all but the last; padding with tabs at 8-column stops. */
static void print_columns(struct ent *e, size_t n, int across) {
  if (n == 0) return;
  size_t line = L->width > 0 ? (size_t)L->width : 80;
  size_t *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) w[i] = name_width(&e[i]);
  size_t max_cols = line / 3 ? line / 3 : 1;
  if (max_cols > n) max_cols = n;
  size_t *colw = malloc(max_cols * sizeof *colw);
  size_t cols;
  for (cols = max_cols; cols >= 1; cols--) {
    size_t rows = (n + cols - 1) / cols;
    size_t len = cols * 3;
    for (size_t k = 0; k < cols; k++) colw[k] = 3;
    int valid = 1;
    for (size_t i = 0; i < n && valid; i++) {
      size_t idx = across ? i % cols : i / rows;
      size_t real = w[i] + (idx == cols - 1 ? 0 : 2);
      if (colw[idx] < real) {
        len += real - colw[idx];
        colw[idx] = real;
        valid = len < line;
      }
    }
    if (valid || cols == 1) break;
  }
  size_t rows = (n + cols - 1) / cols;
  if (across) {
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
      size_t col = i % cols;
      if (i > 0) {
        if (col == 0) {
          putchar('\n');
          pos = 0;
        } else {
          indent(pos + w[i - 1], pos + colw[col - 1]);
          pos += colw[col - 1];
        }
      }
      print_name(&e[i]);
    }
    putchar('\n');
  } else {
    for (size_t r = 0; r < rows; r++) {
      size_t pos = 0, col = 0;
      for (size_t i = r;;) {
        print_name(&e[i]);
        size_t maxw = colw[col++];
        size_t next = i + rows;
        if (next >= n) break;
        indent(pos + w[i], pos + maxw);
        pos += maxw;
        i = next;
      }
      putchar('\n');
    }
  }
  free(w);
  free(colw);
}

static void print_ents(struct ent *e, size_t n) {
  if (L->format == 'l') {
    print_long(e, n);
  } else if (L->format == 'C' || L->format == 'x') {
    print_columns(e, n, L->format == 'x');
  } else if (L->format == 'm') {
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
      size_t len = name_width(&e[i]) + (i + 1 < n ? 1 : 0);
      if (i > 0) {
        if (pos + 1 + len > (size_t)(L->width > 0 ? L->width : 80)) {
          putchar('\n');
          pos = 0;
        } else {
          putchar(' ');
          pos++;
        }
      }
      print_name(&e[i]);
      if (i + 1 < n) putchar(',');
      pos += len;
    }
    if (n) putchar('\n');
  } else {
    /* GNU pads inode numbers and block counts to the widest in the listing */
    int wi = 1, wb = 1;
    char buf[32];
    for (size_t i = 0; i < n; i++) {
      if (digits((unsigned long long)e[i].st.st_ino) > wi) wi = digits((unsigned long long)e[i].st.st_ino);
      blocks_str(buf, blocks512(&e[i].st));
      if ((int)strlen(buf) > wb) wb = (int)strlen(buf);
    }
    for (size_t i = 0; i < n; i++) {
      if (L->inode) printf("%*llu ", wi, (unsigned long long)e[i].st.st_ino);
      if (L->size_blocks) {
        blocks_str(buf, blocks512(&e[i].st));
        printf("%*s ", wb, buf);
      }
      print_name(&e[i]);
      putchar('\n');
    }
  }
  if (n) L->printed = 1;
}

static void free_ents(struct ent *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].name);
    free(e[i].path);
    free(e[i].link);
  }
  free(e);
}

static void list_dir(const char *path, const char *shown, int header) {
  DIR *d = opendir(path);
  if (!d) {
    warne("cannot open directory %s", q(shown));
    L->rc = L->rc > 2 ? L->rc : (errno == ENOENT ? 2 : 1);
    return;
  }
  if (header) {
    if (L->printed) putchar('\n');
    printf("%s:\n", shown);
    L->printed = 1;
  }
  struct ent *e = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    const char *nm = de->d_name;
    if (nm[0] == '.') {
      int dots = !strcmp(nm, ".") || !strcmp(nm, "..");
      if (!L->all && !(L->almost && !dots)) continue;
    }
    if (n == cap) e = realloc(e, (cap = cap ? cap * 2 : 32) * sizeof *e);
    e[n].name = strdup(nm);
    e[n].path = path_join(path, nm);
    fill_ent(&e[n], L->deref);
    n++;
  }
  closedir(d);
  sort_ents(e, n);
  if (L->format == 'l' || L->size_blocks) {
    unsigned long long total = 0;
    for (size_t i = 0; i < n; i++)
      if (e[i].stat_ok) total += blocks512(&e[i].st);
    char buf[32];
    if (L->human) human(buf, total * 512);
    else sprintf(buf, "%llu", (total + 1) / 2);
    printf("total %s\n", buf);
  }
  print_ents(e, n);
  L->printed = 1;
  if (L->recursive) {
    for (size_t i = 0; i < n; i++) {
      if (!e[i].stat_ok || !S_ISDIR(e[i].st.st_mode)) continue;
      if (!strcmp(e[i].name, ".") || !strcmp(e[i].name, "..")) continue;
      char *sub = path_join(shown, e[i].name);
      list_dir(e[i].path, sub, 1);
      free(sub);
    }
  }
  free_ents(e, n);
}

int ls_main(int argc, char **argv) {
  struct ls st;
  memset(&st, 0, sizeof st);
  L = &st;
  st.sort = 'n';
  /* Berth reports every stdout as a character device, so a terminal is also one that has $TERM (docker
     run -t sets it; a plain run does not). */
  const char *term = getenv("TERM");
  st.format = isatty(1) && term && *term && strcmp(term, "dumb") ? 'C' : '1';
  st.now = now_seconds();
  const char *cols = getenv("COLUMNS");
  st.width = cols ? atoi(cols) : 80;
  struct opts o;
  int c;
  enum { O_GDF = 256, O_COLOR };
  static const struct lopt longs[] = {{"all", ARG_NONE, 'a'},
                                      {"almost-all", ARG_NONE, 'A'},
                                      {"directory", ARG_NONE, 'd'},
                                      {"classify", ARG_NONE, 'F'},
                                      {"human-readable", ARG_NONE, 'h'},
                                      {"inode", ARG_NONE, 'i'},
                                      {"numeric-uid-gid", ARG_NONE, 'n'},
                                      {"recursive", ARG_NONE, 'R'},
                                      {"reverse", ARG_NONE, 'r'},
                                      {"size", ARG_NONE, 's'},
                                      {"width", ARG_REQ, 'w'},
                                      {"color", ARG_OPT, O_COLOR},
                                      {"group-directories-first", ARG_NONE, O_GDF},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "1aAdFphilnRrStUCxmgosw:L", longs)) != -1) {
    switch (c) {
    case '1': st.format = '1'; break;
    case 'a': st.all = 1; st.almost = 0; break;
    case 'A': st.almost = 1; st.all = 0; break;
    case 'd': st.dirs_as_files = 1; break;
    case 'F': st.classify = 1; break;
    case 'p': st.slash = 1; break;
    case 'h': st.human = 1; break;
    case 'i': st.inode = 1; break;
    case 'l': st.format = 'l'; break;
    case 'n': st.numeric = 1; st.format = 'l'; break;
    case 'g': st.no_owner = 1; st.format = 'l'; break;
    case 'o': st.no_group = 1; st.format = 'l'; break;
    case 'R': st.recursive = 1; break;
    case 'r': st.reverse = 1; break;
    case 'S': st.sort = 'S'; break;
    case 't': st.sort = 't'; break;
    case 'U': st.sort = 'U'; break;
    case 'C': st.format = 'C'; break;
    case 'x': st.format = 'x'; break;
    case 'm': st.format = 'm'; break;
    case 's': st.size_blocks = 1; break;
    case 'w': st.width = atoi(o.arg); break;
    case 'L': st.deref = 1; break;
    case O_COLOR: case O_GDF: break;
    default: usage_exit(2);
    }
  }
  static char *dot[] = {".", NULL};
  char **args = o.nops ? o.ops : dot;
  int nargs = o.nops ? o.nops : 1;
  int follow_cmdline = st.deref || !(st.format == 'l' || st.dirs_as_files || st.classify);
  struct ent *files = calloc((size_t)nargs, sizeof *files), *dirs = calloc((size_t)nargs, sizeof *dirs);
  size_t nf = 0, nd = 0;
  for (int i = 0; i < nargs; i++) {
    struct ent x;
    memset(&x, 0, sizeof x);
    x.name = strdup(args[i]);
    x.path = strdup(args[i]);
    if (lstat(x.path, &x.st) != 0) {
      warne("cannot access %s", q(args[i]));
      st.rc = 2;
      free(x.name);
      free(x.path);
      continue;
    }
    int follow = follow_cmdline;
    if (S_ISLNK(x.st.st_mode) && follow && !st.deref) {
      struct stat t;
      if (stat(x.path, &t) != 0 || !S_ISDIR(t.st_mode)) follow = 0;
    }
    fill_ent(&x, follow);
    if (S_ISDIR(x.st.st_mode) && !st.dirs_as_files) dirs[nd++] = x;
    else files[nf++] = x;
  }
  sort_ents(files, nf);
  st.wextra = dirs;
  st.nwextra = nd;
  print_ents(files, nf);
  st.wextra = NULL;
  st.nwextra = 0;
  sort_ents(dirs, nd);
  st.headers = nargs > 1 || st.recursive;
  for (size_t i = 0; i < nd; i++) list_dir(dirs[i].path, dirs[i].name, st.headers);
  free_ents(files, nf);
  free_ents(dirs, nd);
  return st.rc;
}
