/**
 * Runs once before the test files: builds dist/ (the tests drive the real bundles: the worker script,
 * bin/berth.js) and compiles the C test programs whose .wasm is missing or older than the source
 * (.wasm files are not committed). Compiling needs clang-16 with wasi-libc; without it, tests needing a
 * missing program fail naming it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function stale(src: string, out: string): boolean {
  return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
}

function haveClang(): boolean {
  try {
    execFileSync('clang-16', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default function setup(): void {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, BERTH_BUILD_QUIET: '1' },
  });
  const clang = haveClang();
  if (!clang) return;

  // Fixtures of the process/CLI tests: test/process/fixtures/*.c → *.wasm beside them.
  const fixtures = join(root, 'test/process/fixtures');
  for (const name of readdirSync(fixtures).filter((f) => f.endsWith('.c'))) {
    const src = join(fixtures, name);
    const out = src.replace(/\.c$/, '.wasm');
    if (stale(src, out)) execFileSync('clang-16', ['--target=wasm32-wasi', '-O2', '-o', out, src], { stdio: 'inherit' });
  }

  // The WASI test programs: test/wasi/c/*.c → test/wasi/wasm/*.wasm, through their own build script.
  const csrc = join(root, 'test/wasi/c');
  const wasmDir = join(root, 'test/wasi/wasm');
  const check = join(csrc, 'check.h');
  const names = readdirSync(csrc)
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .filter((n) => {
      const out = join(wasmDir, `${n}.wasm`);
      return stale(join(csrc, `${n}.c`), out) || (existsSync(check) && stale(check, out));
    });
  if (names.length > 0) {
    try {
      execFileSync('bash', [join(root, 'scripts/build-test-wasm.sh'), ...names], { stdio: 'inherit' });
    } catch {
      // Not fatal here: the tests that need a program that did not build fail and name it.
      console.warn(`global-setup: some of ${names.join(', ')} did not build`);
    }
  }
}
