/* du: disk usage of files and directory trees, in KiB (-h human, -b/--apparent-size bytes, -k),
   -s summary, -a all files, -c total, -d N depth. WASI has no block counts: usage is the size rounded up
   to 4 KiB blocks, as on ext4 (README). Hard links are counted once. */
#include "lib.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static struct {
  int human, all, summary, apparent, bytes, total;
  long long maxdepth;
  int rc;
  struct seen {
    unsigned long long dev, ino;
  } *seen;
  size_t nseen, capseen;
} D;

static int seen_before(const struct stat *st) {
  for (size_t i = 0; i < D.nseen; i++)
    if (D.seen[i].ino == (unsigned long long)st->st_ino && D.seen[i].dev == (unsigned long long)st->st_dev) return 1;
  if (D.nseen == D.capseen) D.seen = realloc(D.seen, (D.capseen = D.capseen ? D.capseen * 2 : 64) * sizeof *D.seen);
  D.seen[D.nseen].dev = (unsigned long long)st->st_dev;
  D.seen[D.nseen].ino = (unsigned long long)st->st_ino;
  D.nseen++;
  return 0;
}

static unsigned long long usage_of(const struct stat *st) {
  if (D.apparent) return (unsigned long long)st->st_size;
  return blocks512(st) * 512;
}

static void show(unsigned long long bytes, const char *path) {
  char buf[32];
  if (D.human) human(buf, bytes);
  else if (D.bytes) sprintf(buf, "%llu", bytes);
  else sprintf(buf, "%llu", (bytes + 1023) / 1024);
  printf("%s\t%s\n", buf, path);
}

static unsigned long long du(const char *path, int depth, int top) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    warne("cannot access %s", q(path));
    D.rc = 1;
    return 0;
  }
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && seen_before(&st)) return 0;
  unsigned long long total = usage_of(&st);
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      warne("cannot read directory %s", q(path));
      D.rc = 1;
    } else {
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
        total += du(c, depth + 1, 0);
        free(c);
        free(names[i]);
      }
      free(names);
    }
  }
  int within = D.maxdepth < 0 || depth <= D.maxdepth;
  if (top || (within && (S_ISDIR(st.st_mode) || D.all))) {
    if (!D.summary || top) show(total, path);
  }
  return total;
}

int du_main(int argc, char **argv) {
  memset(&D, 0, sizeof D);
  D.maxdepth = -1;
  struct opts o;
  int c;
  enum { APPARENT = 256 };
  static const struct lopt longs[] = {{"human-readable", ARG_NONE, 'h'}, {"all", ARG_NONE, 'a'},
                                      {"summarize", ARG_NONE, 's'},      {"total", ARG_NONE, 'c'},
                                      {"max-depth", ARG_REQ, 'd'},       {"apparent-size", ARG_NONE, APPARENT},
                                      {"bytes", ARG_NONE, 'b'},          {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "hascd:bkxLPH", longs)) != -1) {
    switch (c) {
    case 'h': D.human = 1; break;
    case 'a': D.all = 1; break;
    case 's': D.summary = 1; break;
    case 'c': D.total = 1; break;
    case 'd':
      if (parse_int(o.arg, &D.maxdepth) != 0 || D.maxdepth < 0) die(1, "invalid maximum depth %s", q(o.arg));
      break;
    case APPARENT: D.apparent = 1; break;
    case 'b': D.apparent = D.bytes = 1; break;
    case 'k': D.human = 0; D.bytes = 0; break;
    case 'x': case 'L': case 'P': case 'H': break;
    default: usage_exit(1);
    }
  }
  if (D.summary && D.all) {
    warnx_("cannot both summarize and show all entries");
    usage_exit(1);
  }
  if (D.summary) D.maxdepth = 0;
  static char *dot[] = {".", NULL};
  char **files = o.nops ? o.ops : dot;
  int n = o.nops ? o.nops : 1;
  unsigned long long total = 0;
  for (int i = 0; i < n; i++) total += du(files[i], 0, 1);
  if (D.total) show(total, "total");
  return D.rc;
}
