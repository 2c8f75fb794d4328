/* chmod: parse and apply modes (octal, or symbolic [ugoa][+-=][rwxXst] and copies like g=u).
   WASI preview1 has no permission bits to set: box checks the mode and the files, computes the result
   (reported by -v/-c as GNU does) and changes nothing, like chmod on a filesystem that keeps no modes. */
#include "lib.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* Applies mode string s to old; returns -1 if s is not a valid mode. */
static long apply_mode(const char *s, mode_t old, int is_dir) {
  if (*s >= '0' && *s <= '7') {
    char *end;
    long v = strtol(s, &end, 8);
    if (*end || v > 07777 || strlen(s) > 5) return -1;
    /* GNU keeps a directory's set-id bits unless given with five digits */
    if (is_dir && strlen(s) < 5) v |= (long)(old & 06000);
    return v;
  }
  mode_t m = old & 07777;
  const mode_t umask_ = 022;
  const char *p = s;
  for (;;) {
    mode_t who = 0;
    while (*p && strchr("ugoa", *p)) {
      switch (*p++) {
      case 'u': who |= 04700; break;
      case 'g': who |= 02070; break;
      case 'o': who |= 01007; break;
      case 'a': who |= 07777; break;
      }
    }
    if (!*p || !strchr("+-=", *p)) return -1;
    while (*p && strchr("+-=", *p)) {
      char op = *p++;
      mode_t bits = 0;
      if (*p && strchr("ugo", *p)) {
        /* copy another class's bits */
        mode_t src = m;
        mode_t b;
        switch (*p++) {
        case 'u': b = (src >> 6) & 7; break;
        case 'g': b = (src >> 3) & 7; break;
        default: b = src & 7; break;
        }
        bits = (b << 6) | (b << 3) | b;
      } else {
        while (*p && strchr("rwxXst", *p)) {
          switch (*p++) {
          case 'r': bits |= 0444; break;
          case 'w': bits |= 0222; break;
          case 'x': bits |= 0111; break;
          case 'X':
            if (is_dir || (m & 0111)) bits |= 0111;
            break;
          case 's': bits |= 06000; break;
          case 't': bits |= 01000; break;
          }
        }
      }
      mode_t mask = who ? who : (07777 & ~umask_);
      if (!who) bits &= ~(mode_t)0 & (bits & 06000 ? 07777 : 07777);
      mode_t eff = bits & mask;
      if (op == '+') m |= eff;
      else if (op == '-') m &= ~eff;
      else {
        mode_t clear = who ? who : 07777;
        if (is_dir) clear &= ~(mode_t)06000; /* '=' keeps a directory's set-id bits unless named */
        m = (m & ~clear) | eff;
      }
    }
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p) return -1;
    return (long)m;
  }
}

static struct {
  int verbose, changes, quiet, recursive, rc;
  const char *mode;
} C;

static void chmod_one(const char *path, int top) {
  struct stat st;
  if ((top ? stat(path, &st) : lstat(path, &st)) != 0) {
    if (!C.quiet) warne("cannot access %s", q(path));
    C.rc = 1;
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    if (C.verbose) printf("neither symbolic link %s nor referent has been changed\n", q(path));
    return;
  }
  mode_t old = full_mode(path, &st) & 07777;
  long nm = apply_mode(C.mode, old, S_ISDIR(st.st_mode));
  char a[11], b[11];
  mode_string(old, a);
  mode_string((mode_t)nm, b);
  if ((mode_t)nm != old) {
    if (C.verbose || C.changes)
      printf("mode of %s changed from %04o (%s) to %04o (%s)\n", q(path), (unsigned)old, a + 1, (unsigned)nm, b + 1);
  } else if (C.verbose) {
    printf("mode of %s retained as %04o (%s)\n", q(path), (unsigned)old, a + 1);
  }
  if (C.recursive && S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      warne("cannot read directory %s", q(path));
      C.rc = 1;
      return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char *c = path_join(path, e->d_name);
      chmod_one(c, 0);
      free(c);
    }
    closedir(d);
  }
}

int chmod_main(int argc, char **argv) {
  memset(&C, 0, sizeof C);
  int i = 1;
  /* options; a mode like -w or -x is not an option */
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (a[0] != '-' || !a[1]) break;
    if (!strcmp(a, "--recursive")) C.recursive = 1;
    else if (!strcmp(a, "--verbose")) C.verbose = 1;
    else if (!strcmp(a, "--changes")) C.changes = 1;
    else if (!strcmp(a, "--quiet") || !strcmp(a, "--silent")) C.quiet = 1;
    else if (a[1] == '-') {
      warnx_("unrecognized option %s", q(a));
      usage_exit(1);
    } else if (strspn(a + 1, "Rvcf") == strlen(a + 1)) {
      for (const char *p = a + 1; *p; p++) {
        if (*p == 'R') C.recursive = 1;
        else if (*p == 'v') C.verbose = 1;
        else if (*p == 'c') C.changes = 1;
        else C.quiet = 1;
      }
    } else {
      break; /* -w, -x, -rwx: a mode */
    }
  }
  if (i >= argc) {
    warnx_("missing operand");
    usage_exit(1);
  }
  C.mode = argv[i++];
  if (apply_mode(C.mode, 0644, 0) < 0) {
    warnx_("invalid mode: %s", q(C.mode));
    usage_exit(1);
  }
  if (i >= argc) {
    warnx_("missing operand after %s", q(C.mode));
    usage_exit(1);
  }
  for (; i < argc; i++) chmod_one(argv[i], 1);
  return C.rc;
}
