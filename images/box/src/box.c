/* box: one WASI binary, many commands. The command is the basename of argv[0] (a /bin/ls -> box
   symlink), or the first argument when called as box: `box ls -l`. `box --list` names them all. */
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOX_VERSION "0.1.0"

#define APPLETS(X) \
  X(base64, "[OPTION]... [FILE]") \
  X(basename, "NAME [SUFFIX] | -a [-s SUFFIX] NAME...") \
  X(cat, "[-nbsAET] [FILE]...") \
  X(chmod, "[-Rvcf] MODE[,MODE]... FILE...") \
  X(clear, "[-x]") \
  X(cp, "[-rRpafniv] SOURCE... DEST") \
  X(cut, "-b LIST | -c LIST | -f LIST [-d DELIM] [-s] [FILE]...") \
  X(date, "[-u] [-d STRING] [-r FILE] [+FORMAT]") \
  X(dirname, "NAME...") \
  X(du, "[-sahck] [-d N] [FILE]...") \
  X(echo, "[-neE] [STRING]...") \
  X(env, "[-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]") \
  X(expr, "EXPRESSION") \
  X(false, "") \
  X(find, "[PATH]... [EXPRESSION]") \
  X(grep, "[-EFivwxcnlLqsrRhHo] [-e PATTERN]... PATTERN [FILE]...") \
  X(head, "[-n N] [-c N] [-qv] [FILE]...") \
  X(ln, "[-sfnvT] TARGET... LINK") \
  X(ls, "[-1aAdFhilnpRrStU] [FILE]...") \
  X(mkdir, "[-pv] [-m MODE] DIRECTORY...") \
  X(mv, "[-fnvT] SOURCE... DEST") \
  X(printf, "FORMAT [ARGUMENT]...") \
  X(pwd, "[-LP]") \
  X(readlink, "[-fem] [-n] FILE...") \
  X(realpath, "[-emsq] FILE...") \
  X(rm, "[-rfdv] FILE...") \
  X(rmdir, "[-pv] DIRECTORY...") \
  X(sed, "[-nEs] [-e SCRIPT]... [SCRIPT] [FILE]...") \
  X(seq, "[-s SEP] [-w] [-f FORMAT] [FIRST [INCREMENT]] LAST") \
  X(sh, "[-eiuxfnCs] [-c STRING [NAME [ARG]...]] [FILE [ARG]...]") \
  X(sha256sum, "[-bct] [FILE]...") \
  X(sleep, "NUMBER[smhd]...") \
  X(sort, "[-bfnruks] [-t SEP] [-k POS1[,POS2]] [-o FILE] [FILE]...") \
  X(stat, "[-L] [-c FORMAT] FILE...") \
  X(tail, "[-n [+]N] [-c [+]N] [-qv] [FILE]...") \
  X(tee, "[-ai] [FILE]...") \
  X(test, "EXPRESSION") \
  X(touch, "[-acm] [-d DATE] [-t STAMP] [-r FILE] FILE...") \
  X(tr, "[-cds] SET1 [SET2]") \
  X(true, "") \
  X(uname, "[-asnrvmpio]") \
  X(uniq, "[-cdui] [-f N] [-s N] [INPUT [OUTPUT]]") \
  X(wc, "[-lwcmL] [FILE]...") \
  X(which, "[-a] COMMAND...") \
  X(xargs, "[-n N] [-d DELIM] [-0] [-t] [-r] [COMMAND [ARG]...]") \
  X(xxd, "[-c N] [-g N] [-l N] [-s N] [-p] [-u] [-r] [FILE]") \
  X(yes, "[STRING]...")

#define DECLARE(name, usage) int name##_main(int argc, char **argv);
APPLETS(DECLARE)
int bracket_main(int argc, char **argv);

struct applet_entry {
  const char *name;
  applet_fn fn;
  const char *usage;
};

#define ENTRY(name, usage) {#name, name##_main, usage},
static const struct applet_entry table[] = {
    {"[", bracket_main, "EXPRESSION ]"},
    APPLETS(ENTRY)
};
#define NAPPLETS (sizeof table / sizeof table[0])

applet_fn find_applet(const char *name) {
  for (size_t i = 0; i < NAPPLETS; i++)
    if (strcmp(table[i].name, name) == 0) return table[i].fn;
  return NULL;
}

int run_applet(const char *name, int argc, char **argv) {
  for (size_t i = 0; i < NAPPLETS; i++) {
    if (strcmp(table[i].name, name) != 0) continue;
    const char *saved = applet;
    applet = table[i].name;
    /* --help and --version alone, for the applets whose GNU versions take them */
    if (argc == 2 && strcmp(name, "echo") && strcmp(name, "test") && strcmp(name, "[") &&
        strcmp(name, "true") && strcmp(name, "false") && strcmp(name, "expr")) {
      if (strcmp(argv[1], "--help") == 0) {
        printf("Usage: %s %s\n(box %s, a Berth base image userland)\n", name, table[i].usage, BOX_VERSION);
        applet = saved;
        return 0;
      }
      if (strcmp(argv[1], "--version") == 0) {
        printf("%s (box) %s\n", name, BOX_VERSION);
        applet = saved;
        return 0;
      }
    }
    int rc = table[i].fn(argc, argv);
    applet = saved;
    return rc;
  }
  return 127;
}

static void list(void) {
  for (size_t i = 0; i < NAPPLETS; i++) puts(table[i].name);
}

static int box_usage(FILE *out, int code) {
  fprintf(out,
          "box %s: a multi-call WASI userland for Berth images.\n"
          "Usage: box APPLET [ARGS]...  or  APPLET [ARGS]... through a link named APPLET\n"
          "       box --list            print the applets, one per line\n",
          BOX_VERSION);
  return code;
}

int main(int argc, char **argv) {
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  /* WASI has no working directory: Berth passes WORKDIR as $PWD and wasi-libc emulates chdir. */
  const char *pwd = getenv("PWD");
  if (pwd && pwd[0] == '/') chdir(pwd);

  const char *name = argc > 0 ? base_name(argv[0]) : "box";
  char stripped[256];
  size_t n = strlen(name);
  if (n > 5 && n < sizeof stripped && strcmp(name + n - 5, ".wasm") == 0) {
    memcpy(stripped, name, n - 5);
    stripped[n - 5] = 0;
    name = stripped;
  }
  if (strcmp(name, "box") == 0 || !find_applet(name)) {
    if (strcmp(name, "box") != 0) {
      fprintf(stderr, "box: applet not found: %s\n", name);
      return 127;
    }
    if (argc < 2) return box_usage(stderr, 1);
    if (strcmp(argv[1], "--list") == 0) {
      list();
      return 0;
    }
    if (strcmp(argv[1], "--help") == 0) return box_usage(stdout, 0);
    if (strcmp(argv[1], "--version") == 0) {
      printf("box %s\n", BOX_VERSION);
      return 0;
    }
    argv++;
    argc--;
    name = argv[0];
    if (!find_applet(name)) {
      fprintf(stderr, "box: applet not found: %s\n", name);
      return 127;
    }
  }
  int rc = run_applet(name, argc, argv);
  if (fflush(stdout) != 0 && rc == 0) rc = errno == EPIPE ? 141 : 1;
  return rc;
}
