#!/usr/bin/env bash
# Test-only: builds box natively (gcc/clang) against native/berth_process_posix.c into native/out/,
# with an sh -> box link, for comparing sh with dash quickly. Usage: images/box/native/build.sh
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$DIR/../../.."
OUT="$DIR/out"
mkdir -p "$OUT"
"${CC:-clang-16}" -O1 -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-unused-result \
  -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -D_GNU_SOURCE_FNM -DFNM_CASEFOLD=16 -DENOTCAPABLE=9999 -Wno-attributes -Wno-unknown-attributes -I"$ROOT/include" -I"$DIR/../src" ${SANITIZE:-} \
  -o "$OUT/box" "$DIR"/../src/*.c "$DIR/berth_process_posix.c" -lm
ln -sf box "$OUT/sh"
