/* base64: encode (lines of 76, -w COLS, -w 0 none) or decode (-d, -i skips non-alphabet bytes). */
#include "lib.h"

#include <stdlib.h>
#include <string.h>

static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_main(int argc, char **argv) {
  struct opts o;
  int c, decode = 0, ignore = 0;
  long long wrap = 76;
  static const struct lopt longs[] = {{"decode", ARG_NONE, 'd'}, {"ignore-garbage", ARG_NONE, 'i'},
                                      {"wrap", ARG_REQ, 'w'},    {0, 0, 0}};
  opts_init(&o, argc, argv, 1);
  while ((c = opts_next(&o, "diw:", longs)) != -1) {
    switch (c) {
    case 'd': decode = 1; break;
    case 'i': ignore = 1; break;
    case 'w':
      if (parse_int(o.arg, &wrap) != 0 || wrap < 0) die(1, "invalid wrap size: %s", q(o.arg));
      break;
    default: usage_exit(1);
    }
  }
  if (o.nops > 1) {
    warnx_("extra operand %s", q(o.ops[1]));
    usage_exit(1);
  }
  FILE *f = open_input(o.nops ? o.ops[0] : "-");
  if (!f) return 1;
  size_t len;
  unsigned char *in = (unsigned char *)read_all(f, &len);
  close_input(f);
  if (!decode) {
    long long col = 0;
    for (size_t i = 0; i < len; i += 3) {
      unsigned v = (unsigned)in[i] << 16;
      size_t n = len - i < 3 ? len - i : 3;
      if (n > 1) v |= (unsigned)in[i + 1] << 8;
      if (n > 2) v |= in[i + 2];
      char q4[4] = {ALPHA[(v >> 18) & 63], ALPHA[(v >> 12) & 63], n > 1 ? ALPHA[(v >> 6) & 63] : '=',
                    n > 2 ? ALPHA[v & 63] : '='};
      for (int k = 0; k < 4; k++) {
        putchar(q4[k]);
        if (wrap && ++col == wrap) {
          putchar('\n');
          col = 0;
        }
      }
    }
    if (wrap && col) putchar('\n');
    free(in);
    return 0;
  }
  int rev[256];
  for (int k = 0; k < 256; k++) rev[k] = -1;
  for (int k = 0; k < 64; k++) rev[(unsigned char)ALPHA[k]] = k;
  unsigned acc = 0;
  int bits = 0, pad = 0, bad = 0;
  size_t chars = 0;
  for (size_t i = 0; i < len; i++) {
    int ch = in[i];
    if (ch == '\n') continue;
    if (ch == '=') {
      pad++;
      continue;
    }
    if (rev[ch] >= 0 && pad && (chars + (size_t)pad) % 4 == 0) {
      /* another encoding after a padded one: GNU decodes the concatenation */
      pad = 0;
      bits = 0;
      acc = 0;
      chars = 0;
    }
    if (rev[ch] < 0 || pad) {
      if (ignore && rev[ch] < 0) continue;
      bad = 1;
      break;
    }
    chars++;
    acc = (acc << 6) | (unsigned)rev[ch];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      putchar((int)((acc >> bits) & 255));
    }
  }
  free(in);
  /* leftover bits: a truncated quantum is an error unless padding completed it */
  if (!bad && (chars + (size_t)pad) % 4 != 0) bad = 1;
  if (bad) {
    fflush(stdout);
    warnx_("invalid input");
    return 1;
  }
  return 0;
}
