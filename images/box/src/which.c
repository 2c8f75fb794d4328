/* which: the first (or with -a every) executable named COMMAND in $PATH. Like Debian's which: nothing
   is printed for a missing command, and the exit status is 1 if any was not found. Executable means
   box's made-up x bit (README): a directory-free wasm module or #! script. */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

static int executable(const char *p) {
  struct stat st;
  if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return (full_mode(p, &st) & 0111) != 0;
}

int which_main(int argc, char **argv) {
  struct opts o;
  int c, all = 0, rc = 0;
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "as", NULL)) != -1) {
    if (c == 'a') all = 1;
    else if (c == 's') continue;
    else {
      fprintf(stderr, "Usage: which [-as] args\n");
      return 2;
    }
  }
  if (o.nops == 0) return 1;
  const char *path = getenv("PATH");
  if (!path) path = "/bin";
  for (int i = 0; i < o.nops; i++) {
    const char *name = o.ops[i];
    int found = 0;
    if (strchr(name, '/')) {
      if (executable(name)) {
        puts(name);
        found = 1;
      }
    } else {
      const char *p = path;
      for (;;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *dir = n ? strndup(p, n) : strdup(".");
        char *full = path_join(dir, name);
        if (executable(full)) {
          puts(full);
          found = 1;
        }
        free(dir);
        free(full);
        if ((found && !all) || !e) break;
        p = e + 1;
      }
    }
    if (!found) rc = 1;
  }
  return rc;
}
