/* clear: home the cursor, clear the screen and (unless -x) the scrollback, as ncurses' clear does on an
   xterm-compatible terminal. There is no terminfo in the image: the sequences are xterm's. */
#include "lib.h"

#include <string.h>

int clear_main(int argc, char **argv) {
  struct opts o;
  int keep_scrollback = 0, c;
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "xT:V", NULL)) != -1) {
    if (c == 'x') keep_scrollback = 1;
    else if (c == 'T') continue;
    else if (c == 'V') {
      puts("clear (box) 0.1.0");
      return 0;
    } else {
      fprintf(stderr, "Usage: clear [options]\n");
      return 1;
    }
  }
  if (o.nops > 0) {
    fprintf(stderr, "Usage: clear [options]\n");
    return 1;
  }
  fputs(keep_scrollback ? "\033[H\033[2J" : "\033[H\033[2J\033[3J", stdout);
  return 0;
}
