/* hello: the smallest Berth image's program. Greets, says what it is, echoes its arguments, shows
   $GREETING and $NAME when set and /etc/motd when the image has one, and exits with the code given by
   --exit N (0 by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int code = 0;
  puts("Hello from Berth!");
  puts("This is hello.wasm, a WebAssembly (WASI preview1) program running in a Berth container.");

  int shown = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc) {
      char *end;
      long v = strtol(argv[i + 1], &end, 10);
      if (*argv[i + 1] == 0 || *end || v < 0 || v > 255) {
        fprintf(stderr, "hello: invalid exit code '%s' (0-255)\n", argv[i + 1]);
        return 2;
      }
      code = (int)v;
      i++;
      continue;
    }
    if (!shown) puts("Arguments:");
    printf("  [%d] %s\n", ++shown, argv[i]);
  }
  if (!shown) puts("Arguments: (none)");

  const char *greeting = getenv("GREETING"), *name = getenv("NAME");
  if (greeting) printf("GREETING=%s\n", greeting);
  if (name) printf("NAME=%s\n", name);
  if (greeting || name) printf("%s, %s!\n", greeting ? greeting : "Hello", name ? name : "world");

  FILE *motd = fopen("/etc/motd", "r");
  if (motd) {
    puts("/etc/motd:");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, motd)) > 0) fwrite(buf, 1, n, stdout);
    fclose(motd);
  }
  if (code) printf("Exiting with code %d.\n", code);
  return code;
}
