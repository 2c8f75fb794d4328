/* realpath: canonical absolute names; -e all components must exist, -m none need, -s resolves no
   symlinks (lexical), --relative-to=DIR, -q quiet, -z NUL-terminated. */
#include "lib.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lexical normalization: no symlinks resolved (realpath -s). */
static char *normalize(const char *path) {
  char *cwd = NULL;
  size_t cap = strlen(path) + PATH_MAX + 2;
  char *res = malloc(cap);
  if (path[0] != '/') {
    cwd = canonicalize(".", 1);
    strcpy(res, cwd ? cwd : "/");
    free(cwd);
  } else {
    strcpy(res, "/");
  }
  size_t len = strlen(res);
  const char *p = path;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != '/') e++;
    size_t n = (size_t)(e - p);
    if (n == 1 && p[0] == '.') {
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (len > 1 && res[len - 1] != '/') len--;
      if (len > 1) len--;
      res[len] = 0;
    } else {
      if (res[len - 1] != '/') res[len++] = '/';
      memcpy(res + len, p, n);
      len += n;
      res[len] = 0;
    }
    p = e;
  }
  return res;
}

static size_t split(const char *p, const char **parts, size_t *lens, size_t max) {
  size_t n = 0;
  while (*p && n < max) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != '/') e++;
    parts[n] = p;
    lens[n++] = (size_t)(e - p);
    p = e;
  }
  return n;
}

/* path relative to base; both absolute and canonical */
static char *relative_to(const char *path, const char *base) {
  static const char *pp[512], *bp[512];
  static size_t pl[512], bl[512];
  size_t np = split(path, pp, pl, 512), nb = split(base, bp, bl, 512);
  size_t k = 0;
  while (k < np && k < nb && pl[k] == bl[k] && !memcmp(pp[k], bp[k], pl[k])) k++;
  char *out = malloc(strlen(path) + 3 * nb + 2);
  char *w = out;
  for (size_t i = k; i < nb; i++) w = stpcpy(w, i > k ? "/.." : "..");
  for (size_t i = k; i < np; i++) {
    if (w != out) *w++ = '/';
    memcpy(w, pp[i], pl[i]);
    w += pl[i];
  }
  if (w == out) *w++ = '.';
  *w = 0;
  return out;
}

int realpath_main(int argc, char **argv) {
  struct opts o;
  int c, mode = 0, nosym = 0, quiet = 0, zero = 0, rc = 0;
  const char *rel = NULL;
  enum { RELTO = 256 };
  static const struct lopt longs[] = {{"canonicalize-existing", ARG_NONE, 'e'},
                                      {"canonicalize-missing", ARG_NONE, 'm'},
                                      {"no-symlinks", ARG_NONE, 's'},
                                      {"strip", ARG_NONE, 's'},
                                      {"quiet", ARG_NONE, 'q'},
                                      {"zero", ARG_NONE, 'z'},
                                      {"relative-to", ARG_REQ, RELTO},
                                      {"logical", ARG_NONE, 'L'},
                                      {"physical", ARG_NONE, 'P'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "emsqzLPE", longs)) != -1) {
    switch (c) {
    case 'e': mode = 1; break;
    case 'm': mode = 2; break;
    case 'E': mode = 0; break;
    case 's': nosym = 1; break;
    case 'q': quiet = 1; break;
    case 'z': zero = 1; break;
    case 'L': case 'P': break;
    case RELTO: rel = o.arg; break;
    default: usage_exit(1);
    }
  }
  if (o.nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  char *base = NULL;
  if (rel) {
    base = nosym ? normalize(rel) : canonicalize(rel, mode);
    if (!base) die_e(1, "%s", rel);
  }
  for (int i = 0; i < o.nops; i++) {
    char *out = nosym ? normalize(o.ops[i]) : canonicalize(o.ops[i], mode);
    if (out && nosym && mode == 1) {
      struct stat st;
      if (lstat(out, &st) != 0) {
        free(out);
        out = NULL;
      }
    }
    if (!out) {
      if (!quiet) warne("%s", o.ops[i]);
      rc = 1;
      continue;
    }
    if (base) {
      char *r = relative_to(out, base);
      free(out);
      out = r;
    }
    fputs(out, stdout);
    putchar(zero ? 0 : '\n');
    free(out);
  }
  free(base);
  return rc;
}
