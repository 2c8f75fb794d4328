/* touch: create files or set their times. -a/-m pick the time, -c creates nothing, -d DATE (ISO
   "YYYY-MM-DD[ HH:MM[:SS]]" or "@SECONDS"), -t [[CC]YY]MMDDhhmm[.ss], -r FILE copies another's times.
   Times are UTC: WASI has no time zones. */
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int parse_date(const char *s, struct timespec *out);

static int two(const char *p) {
  return (p[0] - '0') * 10 + (p[1] - '0');
}

static int parse_stamp(const char *s, struct timespec *out) {
  size_t n = strspn(s, "0123456789");
  const char *dot = s[n] == '.' ? s + n + 1 : NULL;
  if (s[n] && !dot) return -1;
  if (dot && (strlen(dot) != 2 || strspn(dot, "0123456789") != 2)) return -1;
  if (n != 8 && n != 10 && n != 12) return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *p = s;
  if (n == 12) {
    tm.tm_year = two(p) * 100 + two(p + 2) - 1900;
    p += 4;
  } else if (n == 10) {
    int yy = two(p);
    tm.tm_year = (yy < 69 ? 2000 + yy : 1900 + yy) - 1900;
    p += 2;
  } else {
    time_t now = time(NULL);
    tm.tm_year = gmtime(&now)->tm_year;
  }
  tm.tm_mon = two(p) - 1;
  tm.tm_mday = two(p + 2);
  tm.tm_hour = two(p + 4);
  tm.tm_min = two(p + 6);
  tm.tm_sec = dot ? two(dot) : 0;
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return -1;
  out->tv_sec = timegm(&tm);
  out->tv_nsec = 0;
  return 0;
}

int touch_main(int argc, char **argv) {
  struct opts o;
  int only_a = 0, only_m = 0, nocreate = 0, c, rc = 0, nofollow = 0;
  struct timespec when[2];
  int have_time = 0;
  static const struct lopt longs[] = {{"no-create", ARG_NONE, 'c'}, {"date", ARG_REQ, 'd'},
                                      {"reference", ARG_REQ, 'r'},  {"no-dereference", ARG_NONE, 'h'},
                                      {"time", ARG_REQ, 'T'},       {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "acmd:t:r:hf", longs)) != -1) {
    switch (c) {
    case 'a': only_a = 1; break;
    case 'm': only_m = 1; break;
    case 'c': nocreate = 1; break;
    case 'f': break;
    case 'h': nofollow = 1; break;
    case 'T':
      if (!strcmp(o.arg, "atime") || !strcmp(o.arg, "access") || !strcmp(o.arg, "use")) only_a = 1;
      else only_m = 1;
      break;
    case 'd':
      if (parse_date(o.arg, &when[0]) != 0) die(1, "invalid date format %s", q(o.arg));
      when[1] = when[0];
      have_time = 1;
      break;
    case 't':
      if (parse_stamp(o.arg, &when[0]) != 0) die(1, "invalid date format %s", q(o.arg));
      when[1] = when[0];
      have_time = 1;
      break;
    case 'r': {
      struct stat st;
      if (stat(o.arg, &st) != 0) die_e(1, "failed to get attributes of %s", q(o.arg));
      when[0] = st.st_atim;
      when[1] = st.st_mtim;
      have_time = 1;
      break;
    }
    default: usage_exit(1);
    }
  }
  if (o.nops == 0) {
    warnx_("missing file operand");
    usage_exit(1);
  }
  if (!have_time) {
    clock_gettime(CLOCK_REALTIME, &when[0]);
    when[1] = when[0];
  }
  if (only_a && !only_m) when[1].tv_nsec = UTIME_OMIT;
  if (only_m && !only_a) when[0].tv_nsec = UTIME_OMIT;
  for (int i = 0; i < o.nops; i++) {
    const char *p = o.ops[i];
    struct stat st;
    if (!nofollow && stat(p, &st) != 0 && lstat(p, &st) != 0) {
      if (nocreate) continue;
      int fd = open(p, O_WRONLY | O_CREAT, 0666);
      if (fd < 0) {
        warne("cannot touch %s", q(p));
        rc = 1;
        continue;
      }
      close(fd);
    }
    if (utimensat(AT_FDCWD, p, when, nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0) {
      if (nocreate && errno == ENOENT) continue;
      warne("setting times of %s", q(p));
      rc = 1;
    }
  }
  return rc;
}
