/* date: print the time (UTC: WASI has no time zones) with strftime formats plus GNU's %N, %s, %:z, %P.
   -d accepts "@SECONDS", "now", "YYYY-MM-DD", "YYYY-MM-DD[ T]HH:MM[:SS[.frac]]" with an optional "Z",
   " UTC" or "+00:00"; -r FILE uses a file's modification time. Setting the clock is not possible. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int parse_date(const char *s, struct timespec *out) {
  while (isspace((unsigned char)*s)) s++;
  if (*s == '@') {
    char *end;
    long long sec = strtoll(s + 1, &end, 10);
    if (end == s + 1) return -1;
    long nsec = 0;
    if (*end == '.') {
      long scale = 100000000;
      for (end++; isdigit((unsigned char)*end); end++, scale /= 10) nsec += (*end - '0') * scale;
    }
    while (isspace((unsigned char)*end)) end++;
    if (*end) return -1;
    out->tv_sec = sec;
    out->tv_nsec = sec < 0 && nsec ? -nsec : nsec;
    return 0;
  }
  if (!strcmp(s, "now") || !*s) {
    clock_gettime(CLOCK_REALTIME, out);
    return 0;
  }
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  long nsec = 0;
  if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3) return -1;
  const char *p = s + n;
  if (*p == 'T' || *p == ' ') {
    int m = 0;
    if (sscanf(p + 1, "%d:%d%n", &h, &mi, &m) != 2) {
      if (*p == ' ') goto tail;
      return -1;
    }
    p += 1 + m;
    if (*p == ':') {
      if (sscanf(p + 1, "%d%n", &sec, &m) != 1) return -1;
      p += 1 + m;
      if (*p == '.') {
        long scale = 100000000;
        for (p++; isdigit((unsigned char)*p); p++, scale /= 10) nsec += (*p - '0') * scale;
      }
    }
  }
tail:
  while (*p == ' ') p++;
  if (*p == 'Z' || *p == 'z') p++;
  else if (!strncmp(p, "UTC", 3)) p += 3;
  else if (!strncmp(p, "+00:00", 6) || !strncmp(p, "+0000", 5)) p += *p && p[3] == ':' ? 6 : 5;
  while (*p == ' ') p++;
  if (*p) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  out->tv_sec = timegm(&tm);
  out->tv_nsec = nsec;
  return 0;
}

void format_time(const char *fmt, const struct timespec *ts) {
  time_t t = ts->tv_sec;
  struct tm *tm = gmtime(&t);
  char buf[256], spec[8];
  for (const char *p = fmt; *p; p++) {
    if (*p != '%' || !p[1]) {
      putchar(*p);
      continue;
    }
    const char *start = p++;
    char flag = 0;
    if (*p == '-' || *p == '_' || *p == '0' || *p == '^' || *p == '#') flag = *p++;
    int colons = 0;
    while (*p == ':') colons++, p++;
    switch (*p) {
    case 'N':
      printf("%09ld", (long)ts->tv_nsec);
      continue;
    case 's':
      printf("%lld", (long long)ts->tv_sec);
      continue;
    case 'z':
      fputs(colons == 1 ? "+00:00" : colons == 2 ? "+00:00:00" : colons == 3 ? "+00" : "+0000", stdout);
      continue;
    case 'P':
      fputs(tm->tm_hour < 12 ? "am" : "pm", stdout);
      continue;
    case 'k':
      if (!flag) {
        printf("%2d", tm->tm_hour);
        continue;
      }
      break;
    case 'l':
      if (!flag) {
        printf("%2d", tm->tm_hour % 12 ? tm->tm_hour % 12 : 12);
        continue;
      }
      break;
    case 0:
      fputs(start, stdout);
      return;
    }
    if (flag == '-' || flag == '_' || flag == '0') {
      /* numeric padding flags: format the number ourselves */
      int v = -1, w = 2;
      switch (*p) {
      case 'd': case 'e': v = tm->tm_mday; break;
      case 'm': v = tm->tm_mon + 1; break;
      case 'H': case 'k': v = tm->tm_hour; break;
      case 'I': case 'l': v = tm->tm_hour % 12 ? tm->tm_hour % 12 : 12; break;
      case 'M': v = tm->tm_min; break;
      case 'S': v = tm->tm_sec; break;
      case 'j': v = tm->tm_yday + 1; w = 3; break;
      case 'y': v = tm->tm_year % 100; break;
      case 'Y': v = tm->tm_year + 1900; w = 4; break;
      }
      if (v >= 0) {
        if (flag == '-') printf("%d", v);
        else if (flag == '_') printf("%*d", w, v);
        else printf("%0*d", w, v);
        continue;
      }
    }
    spec[0] = '%';
    spec[1] = *p;
    spec[2] = 0;
    size_t n = strftime(buf, sizeof buf, spec, tm);
    if (flag == '^')
      for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    fwrite(buf, 1, n, stdout);
  }
}

int date_main(int argc, char **argv) {
  struct opts o;
  int c;
  struct timespec ts;
  int have = 0;
  const char *fmt = "%a %b %e %H:%M:%S %Z %Y";
  static char iso[64];
  static const struct lopt longs[] = {{"date", ARG_REQ, 'd'},       {"utc", ARG_NONE, 'u'},
                                      {"universal", ARG_NONE, 'u'}, {"reference", ARG_REQ, 'r'},
                                      {"iso-8601", ARG_OPT, 'I'},   {"rfc-email", ARG_NONE, 'R'},
                                      {"set", ARG_REQ, 's'},        {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "d:ur:I::Rs:", longs)) != -1) {
    switch (c) {
    case 'd':
      if (parse_date(o.arg, &ts) != 0) die(1, "invalid date %s", q(o.arg));
      have = 1;
      break;
    case 'u': break;
    case 'r': {
      struct stat st;
      if (stat(o.arg, &st) != 0) die_e(1, "%s", o.arg);
      ts = st.st_mtim;
      have = 1;
      break;
    }
    case 'I': {
      const char *w = o.arg ? o.arg : "date";
      if (!strncmp(w, "date", strlen(w))) strcpy(iso, "%Y-%m-%d");
      else if (!strncmp(w, "hours", strlen(w))) strcpy(iso, "%Y-%m-%dT%H%:z");
      else if (!strncmp(w, "minutes", strlen(w))) strcpy(iso, "%Y-%m-%dT%H:%M%:z");
      else if (!strncmp(w, "seconds", strlen(w))) strcpy(iso, "%Y-%m-%dT%H:%M:%S%:z");
      else if (!strncmp(w, "ns", strlen(w))) strcpy(iso, "%Y-%m-%dT%H:%M:%S,%N%:z");
      else die(1, "invalid argument %s for '--iso-8601'", q(w));
      fmt = iso;
      break;
    }
    case 'R': fmt = "%a, %d %b %Y %H:%M:%S %z"; break;
    case 's': die(1, "cannot set date: %s", errstr(1));
    default: usage_exit(1);
    }
  }
  for (int i = 0; i < o.nops; i++) {
    if (o.ops[i][0] == '+' && i == 0) fmt = o.ops[i] + 1;
    else {
      warnx_("invalid date %s", q(o.ops[i]));
      box_exit(1);
    }
  }
  if (o.nops > 1) {
    warnx_("extra operand %s", q(o.ops[1]));
    usage_exit(1);
  }
  if (!have) clock_gettime(CLOCK_REALTIME, &ts);
  format_time(fmt, &ts);
  putchar('\n');
  return 0;
}
