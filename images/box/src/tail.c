/* tail: the last lines (-n N) or bytes (-c N) of files; +N starts at line or byte N. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

static void tail_data(const char *data, size_t len, long long n, int bytes, int from_start) {
  size_t start = 0;
  if (bytes) {
    if (from_start) start = n > 0 && (size_t)(n - 1) < len ? (size_t)(n - 1) : (n > 0 ? len : 0);
    else start = (long long)len > n ? len - (size_t)n : 0;
  } else if (from_start) {
    long long line = 1;
    size_t i = 0;
    while (i < len && line < n) {
      if (data[i] == '\n') line++;
      i++;
    }
    start = i;
  } else {
    size_t i = len;
    if (i > 0 && data[i - 1] == '\n') i--; /* the last line's own newline */
    long long k = n;
    if (k == 0) start = len;
    else {
      while (i > 0) {
        if (data[i - 1] == '\n' && --k == 0) break;
        i--;
      }
      start = i;
    }
  }
  fwrite(data + start, 1, len - start, stdout);
}

int tail_main(int argc, char **argv) {
  struct opts o;
  int c, rc = 0, bytes = 0, from_start = 0, verbose = 0, quiet = 0;
  long long n = 10;
  static const struct lopt longs[] = {{"lines", ARG_REQ, 'n'},  {"bytes", ARG_REQ, 'c'},
                                      {"quiet", ARG_NONE, 'q'}, {"silent", ARG_NONE, 'q'},
                                      {"verbose", ARG_NONE, 'v'}, {0, 0, 0}};
  /* obsolete "tail +N" / "tail -N" as the first argument */
  if (argc > 1 && argv[1][0] == '+' && argv[1][1] >= '0' && argv[1][1] <= '9') {
    long long v;
    if (parse_int(argv[1] + 1, &v) == 0) {
      n = v;
      from_start = 1;
      argv[1] = "--";
    }
  }
  opts_init(&o, argc, argv, 1);
  o.numeric = 1;
  while ((c = opts_next(&o, "n:c:qvf", longs)) != -1) {
    switch (c) {
    case '#':
    case 'n':
    case 'c': {
      const char *a = o.arg;
      bytes = c == 'c';
      from_start = a[0] == '+';
      if (a[0] == '-' || a[0] == '+') a++;
      if (parse_size(a, &n) != 0 || n < 0)
        die(1, "invalid number of %s: %s", bytes ? "bytes" : "lines", q(o.arg));
      break;
    }
    case 'q': quiet = 1; verbose = 0; break;
    case 'v': verbose = 1; quiet = 0; break;
    case 'f': break; /* nothing can append to a file while box waits: -f prints once */
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
    if (headers) printf("%s==> %s <==\n", first ? "" : "\n", strcmp(files[i], "-") ? files[i] : "standard input");
    first = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      warnx_("error reading %s: Is a directory", q(files[i]));
      rc = 1;
    } else {
      size_t len;
      char *data = read_all(f, &len);
      tail_data(data, len, n, bytes, from_start);
      free(data);
    }
    close_input(f);
  }
  return rc;
}
