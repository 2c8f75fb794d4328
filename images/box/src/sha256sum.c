/* sha256sum: SHA-256 (FIPS 180-4, implemented here) of files; -c checks a list; -b/-t mark binary/text
   mode in the output; --tag BSD style; --quiet, --status, --strict, -w with -c. */
#include "lib.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sha256 {
  uint32_t h[8];
  uint64_t len;
  unsigned char buf[64];
  size_t n;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(struct sha256 *s, const unsigned char *p) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = h + S1 + ch + K[t] + w[t];
    uint32_t S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  s->h[0] += a;
  s->h[1] += b;
  s->h[2] += c;
  s->h[3] += d;
  s->h[4] += e;
  s->h[5] += f;
  s->h[6] += g;
  s->h[7] += h;
}

static void sha_init(struct sha256 *s) {
  static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, H0, sizeof H0);
  s->len = 0;
  s->n = 0;
}

static void sha_update(struct sha256 *s, const unsigned char *p, size_t n) {
  s->len += n;
  if (s->n) {
    size_t take = 64 - s->n < n ? 64 - s->n : n;
    memcpy(s->buf + s->n, p, take);
    s->n += take;
    p += take;
    n -= take;
    if (s->n < 64) return; /* the input fit in the buffered block */
    block(s, s->buf);
    s->n = 0;
  }
  while (n >= 64) {
    block(s, p);
    p += 64;
    n -= 64;
  }
  memcpy(s->buf, p, n);
  s->n = n;
}

static void sha_final(struct sha256 *s, char hex[65]) {
  uint64_t bits = s->len * 8;
  unsigned char pad = 0x80;
  sha_update(s, &pad, 1);
  unsigned char zero = 0;
  while (s->n != 56) sha_update(s, &zero, 1);
  unsigned char L[8];
  for (int i = 0; i < 8; i++) L[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha_update(s, L, 8);
  for (int i = 0; i < 8; i++) sprintf(hex + 8 * i, "%08x", s->h[i]);
  hex[64] = 0;
}

static int hash_file(const char *name, char hex[65]) {
  FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
  if (!f) return -1;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    errno = EISDIR;
    return -1;
  }
  struct sha256 s;
  sha_init(&s);
  static unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha_update(&s, buf, n);
  close_input(f);
  sha_final(&s, hex);
  return 0;
}

static void print_name(const char *name) {
  for (const char *p = name; *p; p++) {
    if (*p == '\\') fputs("\\\\", stdout);
    else if (*p == '\n') fputs("\\n", stdout);
    else if (*p == '\r') fputs("\\r", stdout);
    else putchar(*p);
  }
}

static int check(const char *list, int quiet, int status, int strict, int warn) {
  FILE *f = strcmp(list, "-") ? fopen(list, "r") : stdin;
  const char *shown = strcmp(list, "-") ? list : "standard input";
  if (!f) {
    warne("%s", list);
    return 1;
  }
  char *line = NULL;
  size_t cap = 0;
  long len;
  long lineno = 0, bad_format = 0, failed = 0, unreadable = 0, ok = 0;
  while ((len = read_line(f, &line, &cap)) >= 0) {
    lineno++;
    if (len && line[len - 1] == '\n') line[--len] = 0;
    if (len && line[len - 1] == '\r') line[--len] = 0;
    char *p = line;
    int escaped = 0;
    if (*p == '\\') {
      escaped = 1;
      p++;
    }
    char want[65];
    char *name = NULL;
    if (!strncmp(p, "SHA256 (", 8)) {
      char *close = strstr(p, ") = ");
      if (close && strlen(close + 4) == 64) {
        memcpy(want, close + 4, 65);
        *close = 0;
        name = p + 8;
      }
    } else if (strspn(p, "0123456789abcdefABCDEF") == 64 && p[64] == ' ' && (p[65] == ' ' || p[65] == '*')) {
      memcpy(want, p, 64);
      want[64] = 0;
      name = p + 66;
    }
    if (!name || !*name) {
      bad_format++;
      if (warn) warnx_("%s: %ld: improperly formatted SHA256 checksum line", shown, lineno);
      continue;
    }
    if (escaped) {
      char *w = name;
      for (char *r = name; *r; r++) {
        if (*r == '\\' && r[1] == 'n') *w++ = '\n', r++;
        else if (*r == '\\' && r[1] == '\\') *w++ = '\\', r++;
        else if (*r == '\\' && r[1] == 'r') *w++ = '\r', r++;
        else *w++ = *r;
      }
      *w = 0;
    }
    for (char *k = want; *k; k++)
      if (*k >= 'A' && *k <= 'F') *k = (char)(*k - 'A' + 'a');
    char got[65];
    if (hash_file(name, got) != 0) {
      warne("%s", name);
      unreadable++;
      if (!status) printf("%s: FAILED open or read\n", name);
      continue;
    }
    if (strcmp(got, want) == 0) {
      ok++;
      if (!quiet && !status) printf("%s: OK\n", name);
    } else {
      failed++;
      if (!status) printf("%s: FAILED\n", name);
    }
  }
  free(line);
  close_input(f);
  if (ok + failed + unreadable == 0) {
    warnx_("%s: no properly formatted checksum lines found", q(shown));
    return 1;
  }
  if (!status) {
    if (bad_format)
      warnx_("WARNING: %ld line%s improperly formatted", bad_format, bad_format == 1 ? " is" : "s are");
    if (unreadable)
      warnx_("WARNING: %ld listed file%s could not be read", unreadable, unreadable == 1 ? "" : "s");
    if (failed)
      warnx_("WARNING: %ld computed checksum%s did NOT match", failed, failed == 1 ? "" : "s");
  }
  return failed || unreadable || (strict && bad_format) ? 1 : 0;
}

int sha256sum_main(int argc, char **argv) {
  struct opts o;
  int c, checking = 0, binary = 0, tag = 0, quiet = 0, status = 0, strict = 0, warn = 0, rc = 0;
  enum { TAG = 256, QUIET, STATUS, STRICT };
  static const struct lopt longs[] = {{"check", ARG_NONE, 'c'}, {"binary", ARG_NONE, 'b'},
                                      {"text", ARG_NONE, 't'},  {"tag", ARG_NONE, TAG},
                                      {"quiet", ARG_NONE, QUIET}, {"status", ARG_NONE, STATUS},
                                      {"strict", ARG_NONE, STRICT}, {"warn", ARG_NONE, 'w'},
                                      {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "cbtwz", longs)) != -1) {
    switch (c) {
    case 'c': checking = 1; break;
    case 'b': binary = 1; break;
    case 't': binary = 0; break;
    case 'w': warn = 1; break;
    case 'z': break;
    case TAG: tag = 1; break;
    case QUIET: quiet = 1; break;
    case STATUS: status = 1; break;
    case STRICT: strict = 1; break;
    default: usage_exit(1);
    }
  }
  static char *dash[] = {"-", NULL};
  char **files = o.nops ? o.ops : dash;
  int n = o.nops ? o.nops : 1;
  for (int i = 0; i < n; i++) {
    if (checking) {
      rc |= check(files[i], quiet, status, strict, warn);
      continue;
    }
    char hex[65];
    if (hash_file(files[i], hex) != 0) {
      warne("%s", files[i]);
      rc = 1;
      continue;
    }
    int esc = strpbrk(files[i], "\\\n\r") != NULL;
    if (tag) {
      if (esc) putchar('\\');
      fputs("SHA256 (", stdout);
      print_name(files[i]);
      printf(") = %s\n", hex);
    } else {
      if (esc) putchar('\\');
      printf("%s %c", hex, binary ? '*' : ' ');
      print_name(files[i]);
      putchar('\n');
    }
  }
  return rc;
}
