/**
 * Runs once before the test files: builds dist/ (the tests drive the real bundles: the worker script,
 * bin/berth.js). The C test programs' .wasm files are committed; `npm run wasm:compile` rebuilds them.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default function setup(): void {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, BERTH_BUILD_QUIET: '1' },
  });
}
