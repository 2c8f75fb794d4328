/* false: do nothing, unsuccessfully. */
#include "lib.h"

int false_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return 1;
}
