#!/usr/bin/env bash
# Compiles the base images' C sources to WASI modules, before `berth build` packs them into images:
#   images/hello/hello.c    -> images/hello/hello.wasm
#   images/box/src/*.c      -> images/box/box.wasm (one multi-call binary, -Oz, stripped)
# and regenerates images/box/rootfs/bin/: one relative symlink per applet (ls -> box), which the
# Dockerfile COPYs (COPY keeps symlinks; the builder has no shell to RUN `ln` yet).
# Usage: scripts/build-images-wasm.sh [hello|box]...   (default: all)
# Env: CC (default clang-16), WASI_SYSROOT (when wasi-libc is not in /usr).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CC="${CC:-clang-16}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "error: $CC not found: the images are compiled with clang for wasm32-wasi." >&2
  echo "Install the WASI toolchain (Debian/Ubuntu):" >&2
  echo "  apt-get install clang-16 lld-16 wasi-libc libclang-rt-16-dev-wasm32" >&2
  exit 1
fi
if ! command -v wasm-ld-16 >/dev/null 2>&1 && ! command -v wasm-ld >/dev/null 2>&1; then
  echo "error: wasm-ld not found: clang links wasm32-wasi modules with lld." >&2
  echo "  apt-get install lld-16" >&2
  exit 1
fi
if [ -z "${WASI_SYSROOT:-}" ] && [ ! -e /usr/include/wasm32-wasi/wasi/api.h ]; then
  echo "error: wasi-libc not found (need /usr/include/wasm32-wasi, or set WASI_SYSROOT)." >&2
  echo "  apt-get install wasi-libc libclang-rt-16-dev-wasm32 lld-16" >&2
  exit 1
fi

# include/: berth_process.h, the host imports box's sh starts programs with.
FLAGS=(--target=wasm32-wasi -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -I"$ROOT/include")
if [ -n "${WASI_SYSROOT:-}" ]; then FLAGS+=(--sysroot="$WASI_SYSROOT"); fi
LINK=(-Wl,--strip-all -Wl,--gc-sections)

size_of() { wc -c < "$1" | tr -d ' '; }

build_hello() {
  local dir="$ROOT/images/hello"
  "$CC" "${FLAGS[@]}" -Oz "${LINK[@]}" -o "$dir/hello.wasm" "$dir/hello.c"
  printf '  built images/hello/hello.wasm  %8s bytes\n' "$(size_of "$dir/hello.wasm")"
}

build_box() {
  local dir="$ROOT/images/box"
  # seq prints long doubles; the rest needs only printf's double path.
  "$CC" "${FLAGS[@]}" -Oz -ffunction-sections -fdata-sections "${LINK[@]}" \
    -o "$dir/box.wasm" "$dir"/src/*.c -lc-printscan-long-double
  printf '  built images/box/box.wasm      %8s bytes\n' "$(size_of "$dir/box.wasm")"
  # The symlink farm: exactly the applets the binary reports.
  local bin="$dir/rootfs/bin"
  rm -rf "$dir/rootfs"
  mkdir -p "$bin"
  local n=0
  while IFS= read -r applet; do
    [ -n "$applet" ] || continue
    ln -s box "$bin/$applet"
    n=$((n + 1))
  done < <(applets "$dir/src/box.c")
  echo "  linked $n applets in images/box/rootfs/bin/ (-> box)"
}

# The applet names, read from box.c's table (the build host may have no wasm runtime to ask box --list).
applets() {
  echo "["
  sed -n 's/^  X(\([a-z0-9_]*\),.*/\1/p' "$1"
}

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=(hello box); fi
for t in "${targets[@]}"; do
  case "$t" in
    hello) build_hello ;;
    box) build_box ;;
    *) echo "error: unknown image: $t (hello, box)" >&2; exit 2 ;;
  esac
done
