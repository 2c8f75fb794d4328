/* xxd: hex dump in xxd's default layout (-c bytes per line, -g bytes per group, -l length, -s offset,
   -u upper case), -p plain hex, -r to turn a dump (plain or normal) back into bytes. */
#include "lib.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int hexv(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static int reverse(FILE *in, int plain) {
  char *line = NULL;
  size_t cap = 0;
  long len;
  while ((len = read_line(in, &line, &cap)) >= 0) {
    char *p = line;
    if (!plain) {
      char *colon = strchr(p, ':');
      if (!colon) continue;
      p = colon + 1;
      /* hex until two spaces in a row (the ASCII column) */
      int hi = -1;
      for (; *p && *p != '\n'; p++) {
        if (*p == ' ') {
          if (p[1] == ' ') break;
          continue;
        }
        int v = hexv((unsigned char)*p);
        if (v < 0) break;
        if (hi < 0) hi = v;
        else {
          putchar(hi * 16 + v);
          hi = -1;
        }
      }
      continue;
    }
    int hi = -1;
    for (; *p; p++) {
      int v = hexv((unsigned char)*p);
      if (v < 0) continue;
      if (hi < 0) hi = v;
      else {
        putchar(hi * 16 + v);
        hi = -1;
      }
    }
  }
  free(line);
  return 0;
}

int xxd_main(int argc, char **argv) {
  struct opts o;
  int c, plain = 0, upper = 0, rev = 0;
  long long cols = -1, group = -1, limit = -1, seek = 0;
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "c:g:l:s:pPurC", NULL)) != -1) {
    long long v;
    switch (c) {
    case 'c': case 'g': case 'l': case 's':
      if (parse_int(o.arg, &v) != 0 && !(o.arg[0] == '0' && (o.arg[1] == 'x' || o.arg[1] == 'X')))
        die(2, "invalid number %s", q(o.arg));
      if (o.arg[0] == '0' && (o.arg[1] == 'x' || o.arg[1] == 'X')) v = strtoll(o.arg, NULL, 16);
      if (c == 'c') cols = v;
      else if (c == 'g') group = v;
      else if (c == 'l') limit = v;
      else seek = v;
      break;
    case 'p': case 'P': plain = 1; break;
    case 'u': upper = 1; break;
    case 'r': rev = 1; break;
    case 'C': break;
    default:
      fprintf(stderr, "Usage:\n       xxd [options] [infile [outfile]]\n");
      return 1;
    }
  }
  FILE *in = stdin;
  if (o.nops > 0 && strcmp(o.ops[0], "-")) {
    in = fopen(o.ops[0], "rb");
    if (!in) die_e(2, "%s", o.ops[0]);
  }
  if (o.nops > 1) {
    if (!freopen(o.ops[1], "w", stdout)) die_e(3, "%s", o.ops[1]);
  }
  if (rev) {
    reverse(in, plain);
    return 0;
  }
  if (cols < 0) cols = plain ? 30 : 16;
  if (cols == 0) cols = 16;
  if (group < 0) group = 2;
  if (group == 0) group = cols;
  if (seek > 0) {
    for (long long k = 0; k < seek && getc(in) != EOF; k++) {
    }
  }
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  unsigned char *buf = malloc((size_t)cols);
  long long off = seek, total = 0;
  int plain_col = 0;
  for (;;) {
    size_t want = (size_t)cols;
    if (limit >= 0 && total + (long long)want > limit) want = (size_t)(limit - total);
    if (want == 0) break;
    size_t n = fread(buf, 1, want, in);
    if (n == 0) break;
    total += (long long)n;
    if (plain) {
      for (size_t i = 0; i < n; i++) {
        putchar(digits[buf[i] >> 4]);
        putchar(digits[buf[i] & 15]);
        if (++plain_col == cols) {
          putchar('\n');
          plain_col = 0;
        }
      }
      continue;
    }
    printf("%08llx: ", off); /* xxd -u leaves the offset in lower case */
    int width = 0;
    for (long long i = 0; i < cols; i++) {
      if ((size_t)i < n) {
        putchar(digits[buf[i] >> 4]);
        putchar(digits[buf[i] & 15]);
      } else {
        fputs("  ", stdout);
      }
      width += 2;
      if ((i + 1) % group == 0 || i + 1 == cols) {
        putchar(' ');
        width++;
      }
    }
    (void)width;
    putchar(' ');
    for (size_t i = 0; i < n; i++) putchar(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.');
    putchar('\n');
    off += (long long)n;
  }
  if (plain && plain_col) putchar('\n');
  free(buf);
  return 0;
}
