#!/usr/bin/env bash
# Rebuild every test/wasi/c/*.c into test/wasi/wasm/<name>.wasm (wasm32-wasi, -O2), and the process
# and engine tests' fixtures (test/process/fixtures, test/engine/fixtures).
# Usage: scripts/build-test-wasm.sh [name ...]   (default: all programs)
# Env: CC (default clang-16), WASI_SYSROOT (if wasi-libc is not in /usr),
#      STRIP=1 to drop the name section (about 4x smaller, but traps lose function names).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/test/wasi/c"
OUT="$ROOT/test/wasi/wasm"
CC="${CC:-clang-16}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "error: $CC not found." >&2
  echo "Install the WASI toolchain (Debian/Ubuntu):" >&2
  echo "  sudo apt-get install clang-16 lld-16 wasi-libc libclang-rt-16-dev-wasm32" >&2
  exit 1
fi
if [ -z "${WASI_SYSROOT:-}" ] && [ ! -e /usr/include/wasm32-wasi/wasi/api.h ]; then
  echo "error: wasi-libc headers not found (need /usr/include/wasm32-wasi or WASI_SYSROOT)." >&2
  echo "  sudo apt-get install wasi-libc libclang-rt-16-dev-wasm32 lld-16" >&2
  exit 1
fi

EXTRA=()
if [ -n "${WASI_SYSROOT:-}" ]; then EXTRA+=(--sysroot="$WASI_SYSROOT"); fi
if [ "${STRIP:-0}" = "1" ]; then EXTRA+=(-Wl,--strip-all); fi

mkdir -p "$OUT"
if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in "$SRC"/*.c; do names+=("$(basename "$f" .c)"); done
fi

fail=0
for name in "${names[@]}"; do
  src="$SRC/$name.c"
  if [ ! -f "$src" ]; then echo "error: no such program: $src" >&2; fail=1; continue; fi
  if "$CC" --target=wasm32-wasi "${EXTRA[@]}" -O2 -Wall -Wextra -Wno-unused-function \
       -Wno-unused-parameter -o "$OUT/$name.wasm" "$src"; then
    printf '  built %-22s %8d bytes\n' "$name.wasm" "$(wc -c < "$OUT/$name.wasm")"
  else
    echo "error: failed to build $name" >&2
    fail=1
  fi
done
# The process/CLI tests' own fixtures, built beside their sources (include/ for berth_process.h).
if [ "$#" -eq 0 ]; then
  for src in "$ROOT"/test/process/fixtures/*.c "$ROOT"/test/engine/fixtures/*.c; do
    out="${src%.c}.wasm"
    if "$CC" --target=wasm32-wasi "${EXTRA[@]}" -O2 -I"$ROOT/include" -o "$out" "$src"; then
      printf '  built %-22s %8d bytes\n' "$(basename "$out")" "$(wc -c < "$out")"
    else
      echo "error: failed to build $src" >&2
      fail=1
    fi
  done
fi
exit $fail
