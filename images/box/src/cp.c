/* cp: copy files and (with -r) directory trees. -p keeps times (WASI has no owners or modes to keep),
   -a is -rpP, -L/-P follow or copy symlinks, -n never overwrites, -f replaces unwritable files. */
#include "lib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cpopt {
  int recursive, preserve, deref, noclobber, force, verbose;
  int deref_cmdline;
};

static int same_file(const struct stat *a, const struct stat *b) {
  return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

static void keep_times(const char *dst, const struct stat *st, int nofollow) {
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  utimensat(AT_FDCWD, dst, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

static int copy_node(const struct cpopt *c, const char *src, const char *dst, int top);

static int copy_dir(const struct cpopt *c, const char *src, const char *dst, const struct stat *sst) {
  struct stat dstst;
  int made = 0;
  if (stat(dst, &dstst) == 0) {
    if (!S_ISDIR(dstst.st_mode)) {
      warnx_("cannot overwrite non-directory %s with directory %s", q(dst), q2(src));
      return 1;
    }
  } else {
    if (mkdir(dst, 0777) != 0) {
      warne("cannot create directory %s", q(dst));
      return 1;
    }
    made = 1;
    if (c->verbose) printf("%s -> %s\n", q(src), q2(dst));
  }
  DIR *d = opendir(src);
  if (!d) {
    warne("cannot access %s", q(src));
    return 1;
  }
  int rc = 0;
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
    char *s = path_join(src, names[i]), *t = path_join(dst, names[i]);
    rc |= copy_node(c, s, t, 0);
    free(s);
    free(t);
    free(names[i]);
  }
  free(names);
  if (c->preserve && (made || 1)) keep_times(dst, sst, 0);
  return rc;
}

static int copy_node(const struct cpopt *c, const char *src, const char *dst, int top) {
  struct stat st;
  int follow = c->deref || (top && c->deref_cmdline);
  if ((follow ? stat(src, &st) : lstat(src, &st)) != 0) {
    warne("cannot stat %s", q(src));
    return 1;
  }
  struct stat dstst;
  int dst_exists = lstat(dst, &dstst) == 0;
  if (dst_exists) {
    struct stat dfollow;
    if (stat(dst, &dfollow) == 0 && same_file(&st, &dfollow) && !S_ISLNK(st.st_mode)) {
      warnx_("%s and %s are the same file", q(src), q2(dst));
      return 1;
    }
  }
  if (S_ISDIR(st.st_mode)) {
    if (!c->recursive) {
      warnx_("-r not specified; omitting directory %s", q(src));
      return 1;
    }
    /* copying a directory into itself */
    char *cs = canonicalize(src, 1), *cd = canonicalize(dst, 2);
    if (cs && cd) {
      size_t n = strlen(cs);
      if (strncmp(cs, cd, n) == 0 && (cd[n] == '/' || cd[n] == 0) && top) {
        warnx_("cannot copy a directory, %s, into itself, %s", q(src), q2(dst));
        free(cs);
        free(cd);
        return 1;
      }
    }
    free(cs);
    free(cd);
    return copy_dir(c, src, dst, &st);
  }
  if (dst_exists && c->noclobber) return 0;
  if (dst_exists && S_ISDIR(dstst.st_mode)) {
    warnx_("cannot overwrite directory %s with non-directory", q(dst));
    return 1;
  }
  if (S_ISLNK(st.st_mode)) {
    char target[4097];
    ssize_t n = readlink(src, target, sizeof target - 1);
    if (n < 0) {
      warne("cannot read symbolic link %s", q(src));
      return 1;
    }
    target[n] = 0;
    if (dst_exists) unlink(dst);
    if (symlink(target, dst) != 0) {
      warne("cannot create symbolic link %s", q(dst));
      return 1;
    }
    if (c->preserve) keep_times(dst, &st, 1);
    if (c->verbose) printf("%s -> %s\n", q(src), q2(dst));
    return 0;
  }
  int in = open(src, O_RDONLY);
  if (in < 0) {
    warne("cannot open %s for reading", q(src));
    return 1;
  }
  /* a symlink at the destination is written through, like GNU cp does */
  int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (out < 0 && c->force && dst_exists) {
    unlink(dst);
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  }
  if (out < 0) {
    warne("cannot create regular file %s", q(dst));
    close(in);
    return 1;
  }
  int rc = 0;
  if (copy_data(in, out) != 0) {
    warne("error copying %s to %s", q(src), q2(dst));
    rc = 1;
  }
  close(in);
  close(out);
  if (c->preserve) keep_times(dst, &st, 0);
  if (c->verbose) printf("%s -> %s\n", q(src), q2(dst));
  return rc;
}

/* For mv across filesystems: a full copy that keeps times and symlinks. */
int copy_for_move(const char *src, const char *dst) {
  struct cpopt c = {1, 1, 0, 0, 1, 0, 0};
  return copy_node(&c, src, dst, 1);
}

int cp_main(int argc, char **argv) {
  struct cpopt c;
  memset(&c, 0, sizeof c);
  int deref_set = 0, notarget = 0, ch;
  const char *target_dir = NULL;
  enum { PRESERVE = 256 };
  static const struct lopt longs[] = {{"recursive", ARG_NONE, 'r'},
                                      {"archive", ARG_NONE, 'a'},
                                      {"force", ARG_NONE, 'f'},
                                      {"no-clobber", ARG_NONE, 'n'},
                                      {"verbose", ARG_NONE, 'v'},
                                      {"dereference", ARG_NONE, 'L'},
                                      {"no-dereference", ARG_NONE, 'P'},
                                      {"no-target-directory", ARG_NONE, 'T'},
                                      {"target-directory", ARG_REQ, 't'},
                                      {"preserve", ARG_OPT, PRESERVE},
                                      {0, 0, 0}};
  struct opts o;
  opts_init(&o, argc, argv, 1);
  while ((ch = opts_next(&o, "rRapfnvLPHdTt:i", longs)) != -1) {
    switch (ch) {
    case 'r': case 'R': c.recursive = 1; break;
    case 'a': c.recursive = c.preserve = 1; c.deref = 0; deref_set = 1; break;
    case 'p': case PRESERVE: c.preserve = 1; break;
    case 'f': c.force = 1; c.noclobber = 0; break;
    case 'n': c.noclobber = 1; break;
    case 'i': break;
    case 'v': c.verbose = 1; break;
    case 'L': c.deref = 1; deref_set = 1; break;
    case 'P': case 'd': c.deref = 0; deref_set = 1; break;
    case 'H': c.deref_cmdline = 1; deref_set = 1; break;
    case 'T': notarget = 1; break;
    case 't': target_dir = o.arg; break;
    default: usage_exit(1);
    }
  }
  /* without -r, symlinks are followed; with it they are copied */
  if (!deref_set && !c.recursive) c.deref = 1;
  if (o.nops == 0) {
    warnx_("missing file operand");
    usage_exit(1);
  }
  if (o.nops == 1 && !target_dir) {
    warnx_("missing destination file operand after %s", q(o.ops[0]));
    usage_exit(1);
  }
  int nsrc = o.nops;
  const char *dir = target_dir;
  if (!dir && !notarget) {
    const char *last = o.ops[o.nops - 1];
    if (is_dir(last)) {
      dir = last;
      nsrc--;
    } else if (o.nops > 2) {
      struct stat st;
      if (stat(last, &st) != 0) warne("target %s", q(last));
      else warnx_("target %s is not a directory", q(last));
      box_exit(1);
    } else {
      nsrc = 1;
    }
  } else if (!dir) {
    if (o.nops > 2) {
      warnx_("extra operand %s", q(o.ops[2]));
      usage_exit(1);
    }
    nsrc = 1;
  }
  int rc = 0;
  for (int i = 0; i < nsrc; i++) {
    char *dst;
    if (dir) {
      /* the name without trailing slashes */
      char *s = strdup(o.ops[i]);
      size_t n = strlen(s);
      while (n > 1 && s[n - 1] == '/') s[--n] = 0;
      dst = path_join(dir, base_name(s));
      free(s);
    } else {
      dst = strdup(o.ops[o.nops - 1]);
    }
    rc |= copy_node(&c, o.ops[i], dst, 1);
    free(dst);
  }
  return rc;
}
