/* head: the first lines (-n N) or bytes (-c N) of files; -n -N / -c -N print all but the last N. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

static int head_file(FILE *f, long long n, int bytes, int allbut) {
  if (!allbut) {
    if (bytes) {
      char buf[8192];
      while (n > 0) {
        size_t want = n < (long long)sizeof buf ? (size_t)n : sizeof buf;
        size_t r = fread(buf, 1, want, f);
        if (r == 0) break;
        fwrite(buf, 1, r, stdout);
        n -= (long long)r;
      }
    } else {
      int c;
      while (n > 0 && (c = getc(f)) != EOF) {
        putchar(c);
        if (c == '\n') n--;
      }
    }
    return 0;
  }
  size_t len;
  char *data = read_all(f, &len);
  size_t keep = 0;
  if (bytes) {
    keep = (long long)len > n ? len - (size_t)n : 0;
  } else {
    /* drop the last n lines (an unterminated last line counts) */
    long long lines = 0;
    for (size_t i = 0; i < len; i++)
      if (data[i] == '\n') lines++;
    if (len > 0 && data[len - 1] != '\n') lines++;
    long long want = lines > n ? lines - n : 0;
    size_t i = 0;
    while (want > 0 && i < len) {
      if (data[i++] == '\n') want--;
    }
    keep = i;
  }
  fwrite(data, 1, keep, stdout);
  free(data);
  return 0;
}

int head_main(int argc, char **argv) {
  struct opts o;
  int c, rc = 0, bytes = 0, allbut = 0, verbose = 0, quiet = 0;
  long long n = 10;
  static const struct lopt longs[] = {{"lines", ARG_REQ, 'n'},  {"bytes", ARG_REQ, 'c'},
                                      {"quiet", ARG_NONE, 'q'}, {"silent", ARG_NONE, 'q'},
                                      {"verbose", ARG_NONE, 'v'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  o.numeric = 1;
  while ((c = opts_next(&o, "n:c:qv", longs)) != -1) {
    switch (c) {
    case '#':
    case 'n':
    case 'c': {
      const char *a = o.arg;
      bytes = c == 'c';
      allbut = a[0] == '-';
      if (a[0] == '-' || a[0] == '+') a++;
      if (parse_size(a, &n) != 0 || n < 0)
        die(1, "invalid number of %s: %s", bytes ? "bytes" : "lines", q(o.arg));
      break;
    }
    case 'q': quiet = 1; verbose = 0; break;
    case 'v': verbose = 1; quiet = 0; break;
    default: usage_exit(1);
    }
  }
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int nfiles = o.nops ? o.nops : 1;
  int headers = verbose || (nfiles > 1 && !quiet);
  int first = 1;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = strcmp(files[i], "-") ? fopen(files[i], "r") : stdin;
    if (!f) {
      warne("cannot open %s for reading", q(files[i]));
      rc = 1;
      continue;
    }
    if (headers) {
      printf("%s==> %s <==\n", first ? "" : "\n", strcmp(files[i], "-") ? files[i] : "standard input");
    }
    first = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      warnx_("error reading %s: Is a directory", q(files[i]));
      rc = 1;
    } else {
      head_file(f, n, bytes, allbut);
    }
    close_input(f);
  }
  return rc;
}
