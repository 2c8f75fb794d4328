/* stat: file status. -c/--format and --printf with %n %N %s %b %B %o %F %a %A %f %h %i %u %U %g %G %d
   %D %t %T %x %X %y %Y %z %Z %w %W; -L follows symlinks. Modes and owners are made up the box way
   (README): WASI preview1 reports neither. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void human_time(const struct timespec *ts) {
  time_t t = ts->tv_sec;
  struct tm *tm = gmtime(&t);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", tm);
  printf("%s.%09ld +0000", buf, (long)ts->tv_nsec);
}

static void print_escape(const char **pp) {
  const char *p = *pp;
  char seq[8] = {'\\', 0}, out[8];
  size_t n = 1;
  if (*p >= '0' && *p <= '7') {
    while (n < 4 && p[n - 1] >= '0' && p[n - 1] <= '7') n++;
    n--;
  } else if (*p == 'x') {
    n = 1;
    while (n < 3 && strchr("0123456789abcdefABCDEF", p[n]) && p[n]) n++;
  }
  memcpy(seq + 1, p, n);
  seq[n + 1] = 0;
  size_t len;
  unescape(seq, out, &len, 1);
  fwrite(out, 1, len, stdout);
  *pp = p + n;
}

static void format(const char *fmt, const char *name, const struct stat *st, int escapes) {
  mode_t m = full_mode(name, st);
  for (const char *p = fmt; *p;) {
    if (escapes && *p == '\\' && p[1]) {
      p++;
      print_escape(&p);
      continue;
    }
    if (*p != '%' || !p[1]) {
      putchar(*p++);
      continue;
    }
    /* flags and width pass through to printf */
    char spec[32];
    size_t k = 0;
    spec[k++] = '%';
    p++;
    while (*p && strchr("-+ #0'", *p) && k < 8) spec[k++] = *p++;
    while (*p >= '0' && *p <= '9' && k < 16) spec[k++] = *p++;
    if (*p == '.') {
      spec[k++] = *p++;
      while (*p >= '0' && *p <= '9' && k < 24) spec[k++] = *p++;
    }
    char conv = *p ? *p++ : 0;
    char buf[4200];
    int is_num = 1;
    unsigned long long v = 0;
    switch (conv) {
    case '%': putchar('%'); continue;
    case 'n': is_num = 0; snprintf(buf, sizeof buf, "%s", name); break;
    case 'N':
      is_num = 0;
      snprintf(buf, sizeof buf, "%s", q(name));
      if (S_ISLNK(st->st_mode)) {
        char t[4097];
        ssize_t n = readlink(name, t, sizeof t - 1);
        if (n >= 0) {
          t[n] = 0;
          size_t l = strlen(buf);
          snprintf(buf + l, sizeof buf - l, " -> %s", q2(t));
        }
      }
      break;
    case 's': v = (unsigned long long)st->st_size; break;
    case 'b': v = blocks512(st); break;
    case 'B': v = 512; break;
    case 'o': v = 4096; break;
    case 'F': is_num = 0; snprintf(buf, sizeof buf, "%s", file_type_name(st)); break;
    case 'a': is_num = 0; snprintf(buf, sizeof buf, "%o", (unsigned)(m & 07777)); break;
    case 'A': is_num = 0; mode_string(m, buf); break;
    case 'f': is_num = 0; snprintf(buf, sizeof buf, "%x", (unsigned)m); break;
    case 'h': v = (unsigned long long)st->st_nlink; break;
    case 'i': v = (unsigned long long)st->st_ino; break;
    case 'u': case 'g': v = 0; break;
    case 'U': case 'G': is_num = 0; strcpy(buf, "root"); break;
    case 'd': v = (unsigned long long)st->st_dev; break;
    case 'D': is_num = 0; snprintf(buf, sizeof buf, "%llx", (unsigned long long)st->st_dev); break;
    case 't': case 'T': is_num = 0; strcpy(buf, "0"); break;
    case 'X': v = (unsigned long long)st->st_atim.tv_sec; break;
    case 'Y': v = (unsigned long long)st->st_mtim.tv_sec; break;
    case 'Z': v = (unsigned long long)st->st_ctim.tv_sec; break;
    case 'W': v = 0; break;
    case 'w': is_num = 0; strcpy(buf, "-"); break;
    case 'x': case 'y': case 'z': {
      const struct timespec *ts = conv == 'x' ? &st->st_atim : conv == 'y' ? &st->st_mtim : &st->st_ctim;
      time_t t = ts->tv_sec;
      char d[64];
      strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", gmtime(&t));
      snprintf(buf, sizeof buf, "%s.%09ld +0000", d, (long)ts->tv_nsec);
      is_num = 0;
      break;
    }
    case 'm': is_num = 0; strcpy(buf, "/"); break;
    default:
      is_num = 0;
      snprintf(buf, sizeof buf, "?");
    }
    if (is_num) {
      spec[k++] = 'l';
      spec[k++] = 'l';
      spec[k++] = 'u';
      spec[k] = 0;
      printf(spec, v);
    } else {
      spec[k++] = 's';
      spec[k] = 0;
      printf(spec, buf);
    }
  }
}

static void default_output(const char *name, const struct stat *st) {
  mode_t m = full_mode(name, st);
  char ms[11];
  mode_string(m, ms);
  if (S_ISLNK(st->st_mode)) {
    char t[4097];
    ssize_t n = readlink(name, t, sizeof t - 1);
    t[n > 0 ? n : 0] = 0;
    printf("  File: %s -> %s\n", name, t);
  } else {
    printf("  File: %s\n", name);
  }
  printf("  Size: %-10llu\tBlocks: %-10llu IO Block: 4096   %s\n", (unsigned long long)st->st_size,
         blocks512(st), file_type_name(st));
  printf("Device: %llxh/%llud\tInode: %-11llu Links: %llu\n", (unsigned long long)st->st_dev,
         (unsigned long long)st->st_dev, (unsigned long long)st->st_ino, (unsigned long long)st->st_nlink);
  printf("Access: (%04o/%s)  Uid: (    0/    root)   Gid: (    0/    root)\n", (unsigned)(m & 07777), ms);
  printf("Access: ");
  human_time(&st->st_atim);
  printf("\nModify: ");
  human_time(&st->st_mtim);
  printf("\nChange: ");
  human_time(&st->st_ctim);
  printf("\n Birth: -\n");
}

int stat_main(int argc, char **argv) {
  struct opts o;
  int c, follow = 0, rc = 0, terse = 0;
  const char *fmt = NULL;
  int printf_mode = 0;
  enum { PRINTF = 256 };
  static const struct lopt longs[] = {{"dereference", ARG_NONE, 'L'}, {"format", ARG_REQ, 'c'},
                                      {"printf", ARG_REQ, PRINTF},    {"terse", ARG_NONE, 't'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "Lc:tf", longs)) != -1) {
    switch (c) {
    case 'L': follow = 1; break;
    case 'c': fmt = o.arg; printf_mode = 0; break;
    case PRINTF: fmt = o.arg; printf_mode = 1; break;
    case 't': terse = 1; break;
    case 'f': break;
    default: usage_exit(1);
    }
  }
  if (o.nops == 0) {
    warnx_("missing operand");
    usage_exit(1);
  }
  if (terse && !fmt) fmt = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o";
  for (int i = 0; i < o.nops; i++) {
    struct stat st;
    if ((follow ? stat(o.ops[i], &st) : lstat(o.ops[i], &st)) != 0) {
      warne("cannot statx %s", q(o.ops[i])); /* GNU's wording since coreutils 8.32 */
      rc = 1;
      continue;
    }
    if (!fmt) default_output(o.ops[i], &st);
    else {
      format(fmt, o.ops[i], &st, printf_mode);
      if (!printf_mode) putchar('\n');
    }
  }
  return rc;
}
