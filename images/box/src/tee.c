/* tee: copy standard input to standard output and to files (-a appends). */
#include "lib.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int tee_main(int argc, char **argv) {
  struct opts o;
  int append = 0, c, rc = 0;
  static const struct lopt longs[] = {
      {"append", ARG_NONE, 'a'}, {"ignore-interrupts", ARG_NONE, 'i'}, {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "ai", longs)) != -1) {
    if (c == 'a') append = 1;
    else if (c == 'i') continue;
    else usage_exit(1);
  }
  int *fds = malloc(sizeof(int) * ((size_t)o.nops + 1));
  const char **names = malloc(sizeof(char *) * ((size_t)o.nops + 1));
  int n = 0;
  names[n] = "standard output";
  fds[n++] = 1;
  for (int i = 0; i < o.nops; i++) {
    int fd = open(o.ops[i], O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
      warne("%s", o.ops[i]);
      rc = 1;
      continue;
    }
    names[n] = o.ops[i];
    fds[n++] = fd;
  }
  fflush(stdout);
  static char buf[65536];
  for (;;) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r < 0) {
      warne("read error");
      rc = 1;
      break;
    }
    if (r == 0) break;
    for (int k = 0; k < n; k++) {
      if (fds[k] < 0) continue;
      for (ssize_t off = 0; off < r;) {
        ssize_t w = write(fds[k], buf + off, (size_t)(r - off));
        if (w < 0) {
          warne("%s", names[k]);
          fds[k] = -1;
          rc = 1;
          break;
        }
        off += w;
      }
    }
  }
  for (int k = 1; k < n; k++)
    if (fds[k] >= 0) close(fds[k]);
  free(fds);
  free(names);
  return rc;
}
