/* printf: format and print data, reusing the format while arguments remain (GNU coreutils rules). */
#include "lib.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct pf {
  int rc;
  int stop;
};

static void numeric_error(struct pf *st, const char *arg, const char *end) {
  if (end == arg) warnx_("%s: expected a numeric value", q(arg));
  else warnx_("%s: value not completely converted", q(arg));
  st->rc = 1;
}

static intmax_t arg_int(struct pf *st, const char *a) {
  if (!a) return 0;
  if (a[0] == '\'' || a[0] == '"') return (unsigned char)a[1];
  char *end;
  errno = 0;
  intmax_t v = strtoimax(a, &end, 0);
  if (errno == ERANGE) {
    warnx_("%s: %s", q(a), errstr(ERANGE));
    st->rc = 1;
  } else if (end == a || *end) {
    numeric_error(st, a, end);
  }
  return v;
}

static uintmax_t arg_uint(struct pf *st, const char *a) {
  if (!a) return 0;
  if (a[0] == '\'' || a[0] == '"') return (unsigned char)a[1];
  char *end;
  errno = 0;
  uintmax_t v;
  const char *p = a;
  while (*p == ' ' || *p == '\t') p++;
  if (*p == '-') v = (uintmax_t)strtoimax(a, &end, 0);
  else v = strtoumax(a, &end, 0);
  if (errno == ERANGE) {
    warnx_("%s: %s", q(a), errstr(ERANGE));
    st->rc = 1;
  } else if (end == a || *end) {
    numeric_error(st, a, end);
  }
  return v;
}

static double arg_double(struct pf *st, const char *a) {
  if (!a) return 0;
  if (a[0] == '\'' || a[0] == '"') return (unsigned char)a[1];
  char *end;
  double v = strtod(a, &end);
  if (end == a || *end) numeric_error(st, a, end);
  return v;
}

/* Writes the escape starting at s (just after the backslash); returns the characters consumed. */
static size_t format_escape(struct pf *st, const char *s) {
  if (*s == 'c') {
    st->stop = 1;
    return 1;
  }
  char seq[16], out[16];
  size_t n = 1;
  if (*s == 'x') while (n < 3 && strchr("0123456789abcdefABCDEF", s[n]) && s[n]) n++;
  else if (*s == 'u') while (n < 5 && s[n] && strchr("0123456789abcdefABCDEF", s[n])) n++;
  else if (*s == 'U') while (n < 9 && s[n] && strchr("0123456789abcdefABCDEF", s[n])) n++;
  else if (*s >= '0' && *s <= '7') while (n < 3 && s[n] >= '0' && s[n] <= '7') n++;
  seq[0] = '\\';
  memcpy(seq + 1, s, n);
  seq[n + 1] = 0;
  size_t len;
  unescape(seq, out, &len, 1);
  fwrite(out, 1, len, stdout);
  return n;
}

/* One pass over the format; returns the number of arguments used. */
static int one_pass(struct pf *st, const char *fmt, char **args, int nargs) {
  int used = 0;
#define NEXT() (used < nargs ? args[used++] : NULL)
  for (const char *p = fmt; *p && !st->stop; p++) {
    if (*p == '\\') {
      if (!p[1]) {
        putchar('\\');
        continue;
      }
      p += format_escape(st, p + 1);
      continue;
    }
    if (*p != '%') {
      putchar(*p);
      continue;
    }
    if (p[1] == '%') {
      putchar('%');
      p++;
      continue;
    }
    /* %[flags][width][.precision]conversion */
    const char *start = p++;
    char spec[64];
    size_t k = 0;
    spec[k++] = '%';
    while (*p && strchr("-+ #0'", *p)) {
      if (*p != '\'' && k < 10) spec[k++] = *p;
      p++;
    }
    int have_width = 0, width = 0, have_prec = 0, prec = 0;
    if (*p == '*') {
      have_width = 1;
      width = (int)arg_int(st, NEXT());
      p++;
    } else {
      while (*p >= '0' && *p <= '9') {
        have_width = 1;
        width = width * 10 + (*p++ - '0');
      }
    }
    if (*p == '.') {
      have_prec = 1;
      p++;
      if (*p == '*') {
        prec = (int)arg_int(st, NEXT());
        p++;
      } else {
        while (*p >= '0' && *p <= '9') prec = prec * 10 + (*p++ - '0');
      }
    }
    while (*p && strchr("hlLjzt", *p)) p++; /* length modifiers are accepted and ignored */
    char conv = *p;
    if (have_width) k += (size_t)sprintf(spec + k, "%d", width);
    if (have_prec) k += (size_t)sprintf(spec + k, ".%d", prec);
    spec[k] = 0;
    char buf[80];
    switch (conv) {
    case 'd':
    case 'i':
      snprintf(buf, sizeof buf, "%sjd", spec);
      printf(buf, arg_int(st, NEXT()));
      break;
    case 'o':
    case 'u':
    case 'x':
    case 'X':
      snprintf(buf, sizeof buf, "%sj%c", spec, conv);
      printf(buf, arg_uint(st, NEXT()));
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
      snprintf(buf, sizeof buf, "%s%c", spec, conv);
      printf(buf, arg_double(st, NEXT()));
      break;
    case 'c': {
      const char *a = NEXT();
      snprintf(buf, sizeof buf, "%sc", spec);
      printf(buf, a && *a ? a[0] : 0);
      break;
    }
    case 's': {
      const char *a = NEXT();
      snprintf(buf, sizeof buf, "%ss", spec);
      printf(buf, a ? a : "");
      break;
    }
    case 'q': {
      const char *a = NEXT();
      if (!a) a = "";
      int safe = *a != 0;
      for (const char *k = a; *k; k++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:,+@%^=-", *k)) safe = 0;
      if (safe) {
        fputs(a, stdout);
        break;
      }
      if (strchr(a, '\'') && !strpbrk(a, "\"$`\\!")) {
        printf("\"%s\"", a); /* GNU prefers double quotes around a single quote */
        break;
      }
      putchar('\'');
      for (const char *k = a; *k; k++) {
        if (*k == '\'') fputs("'\\''", stdout);
        else putchar(*k);
      }
      putchar('\'');
      break;
    }
    case 'b': {
      const char *a = NEXT();
      if (!a) a = "";
      char *out = malloc(strlen(a) * 4 + 1);
      size_t len;
      int stop = unescape(a, out, &len, 0);
      out[len] = 0;
      snprintf(buf, sizeof buf, "%ss", spec);
      if (!memchr(out, 0, len)) printf(buf, out);
      else fwrite(out, 1, len, stdout);
      free(out);
      if (stop) st->stop = 1;
      break;
    }
    default:
      if (!conv) warnx_("%s: missing conversion specifier", q(start));
      else warnx_("%.*s: invalid conversion specification", (int)(p - start + 1), start);
      st->rc = 1;
      st->stop = 1;
      return used;
    }
  }
  return used;
#undef NEXT
}

int printf_main(int argc, char **argv) {
  struct pf st = {0, 0};
  int first = 1;
  if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
  if (argc <= first) {
    warnx_("missing operand");
    usage_exit(1);
  }
  const char *fmt = argv[first];
  char **args = argv + first + 1;
  int nargs = argc - first - 1;
  for (;;) {
    int used = one_pass(&st, fmt, args, nargs);
    if (st.stop) break;
    if (used == 0) {
      if (nargs > 0) warnx_("warning: ignoring excess arguments, starting with %s", q(args[0]));
      break;
    }
    args += used;
    nargs -= used;
    if (nargs <= 0) break;
  }
  return st.rc;
}
