/* yes: print a line (the arguments, or "y") until the output is closed. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int yes_main(int argc, char **argv) {
  size_t len = 0;
  for (int i = 1; i < argc; i++) len += strlen(argv[i]) + 1;
  if (argc < 2) len = 2;
  char *line = malloc(len + 1);
  if (argc < 2) {
    strcpy(line, "y\n");
  } else {
    size_t k = 0;
    for (int i = 1; i < argc; i++) {
      size_t n = strlen(argv[i]);
      memcpy(line + k, argv[i], n);
      k += n;
      line[k++] = i + 1 < argc ? ' ' : '\n';
    }
  }
  /* Fill a buffer with whole copies of the line so each write carries many of them. */
  size_t reps = len < 8192 ? 8192 / len : 1;
  char *buf = malloc(reps * len);
  for (size_t r = 0; r < reps; r++) memcpy(buf + r * len, line, len);
  fflush(stdout);
  for (;;) {
    size_t off = 0, total = reps * len;
    while (off < total) {
      ssize_t w = write(1, buf + off, total - off);
      if (w <= 0) {
        warne("standard output");
        return 1;
      }
      off += (size_t)w;
    }
  }
}
