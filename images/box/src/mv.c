/* mv: rename files; across filesystems (two mounts) it copies and removes. */
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int copy_for_move(const char *src, const char *dst);

int mv_main(int argc, char **argv) {
  struct opts o;
  int noclobber = 0, verbose = 0, notarget = 0, c, rc = 0;
  const char *target_dir = NULL;
  static const struct lopt longs[] = {{"force", ARG_NONE, 'f'},
                                      {"no-clobber", ARG_NONE, 'n'},
                                      {"verbose", ARG_NONE, 'v'},
                                      {"no-target-directory", ARG_NONE, 'T'},
                                      {"target-directory", ARG_REQ, 't'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "fnvTt:i", longs)) != -1) {
    switch (c) {
    case 'f': noclobber = 0; break;
    case 'i': break;
    case 'n': noclobber = 1; break;
    case 'v': verbose = 1; break;
    case 'T': notarget = 1; break;
    case 't': target_dir = o.arg; break;
    default: usage_exit(1);
    }
  }
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
    nsrc = 1;
  }
  for (int i = 0; i < nsrc; i++) {
    const char *src = o.ops[i];
    char *dst;
    if (dir) {
      char *s = strdup(src);
      size_t n = strlen(s);
      while (n > 1 && s[n - 1] == '/') s[--n] = 0;
      dst = path_join(dir, base_name(s));
      free(s);
    } else {
      dst = strdup(o.ops[o.nops - 1]);
    }
    struct stat sst, dst_st;
    if (lstat(src, &sst) != 0) {
      warne("cannot stat %s", q(src));
      rc = 1;
      free(dst);
      continue;
    }
    int exists = lstat(dst, &dst_st) == 0;
    if (exists && sst.st_ino == dst_st.st_ino && sst.st_dev == dst_st.st_dev) {
      warnx_("%s and %s are the same file", q(src), q2(dst));
      rc = 1;
      free(dst);
      continue;
    }
    if (exists && noclobber) {
      free(dst);
      continue;
    }
    if (S_ISDIR(sst.st_mode)) {
      char *cs = canonicalize(src, 1), *cd = canonicalize(dst, 2);
      if (cs && cd) {
        size_t n = strlen(cs);
        if (strncmp(cs, cd, n) == 0 && cd[n] == '/') {
          warnx_("cannot move %s to a subdirectory of itself, %s", q(src), q2(dst));
          rc = 1;
          free(cs);
          free(cd);
          free(dst);
          continue;
        }
      }
      free(cs);
      free(cd);
    }
    if (exists && S_ISDIR(dst_st.st_mode) && !S_ISDIR(sst.st_mode)) {
      warnx_("cannot overwrite directory %s with non-directory", q(dst));
      rc = 1;
      free(dst);
      continue;
    }
    if (exists && !S_ISDIR(dst_st.st_mode) && S_ISDIR(sst.st_mode)) {
      warnx_("cannot overwrite non-directory %s with directory %s", q(dst), q2(src));
      rc = 1;
      free(dst);
      continue;
    }
    if (rename(src, dst) != 0) {
      if (errno == EXDEV) {
        if (exists && !S_ISDIR(dst_st.st_mode)) unlink(dst);
        if (copy_for_move(src, dst) == 0 && remove_tree(src, 0, 0) == 0) {
          if (verbose) printf("renamed %s -> %s\n", q(src), q2(dst));
        } else {
          rc = 1;
        }
      } else {
        warne("cannot move %s to %s", q(src), q2(dst));
        rc = 1;
      }
    } else if (verbose) {
      printf("renamed %s -> %s\n", q(src), q2(dst));
    }
    free(dst);
  }
  return rc;
}
