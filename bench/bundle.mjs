// Bundles Berth's runtime from its TypeScript sources into a temporary directory, so the benchmark
// children import exactly the code in the work tree with plain `node` (no TypeScript loader, and no
// dependence on what dist/ happens to hold):
//
//   <tmp>/runtime.mjs     runtime/node/index.ts: the isomorphic API (runtime/index.ts) + NodeWorkerHost
//   <tmp>/node-worker.js  runtime/node/worker.ts: the guest worker. NodeWorkerHost looks for it next to
//                         the module it is bundled into, so spawn() finds this one.
//
// Same esbuild settings as scripts/build.mjs for Node (ESM, node20), plus an inline source map so that
// --cpu-prof profiles name the TypeScript functions.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const ENTRY = 'runtime/node/index.ts';
const WORKER = 'runtime/node/worker.ts';

// Bundled CommonJS dependencies may call require() for Node builtins; ESM has none, so make one.
const requireBanner =
  "import { createRequire as __berthCreateRequire } from 'node:module';\n" +
  'const require = __berthCreateRequire(import.meta.url);';

/** Returns { dir, file, workerFile }; the caller removes dir when done. Throws when a source is missing. */
export async function bundleRuntime(repoRoot) {
  for (const p of [ENTRY, WORKER]) {
    if (!fs.existsSync(path.join(repoRoot, p))) throw new Error(`Berth runtime source missing: ${p}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    absWorkingDir: repoRoot,
    sourcemap: 'inline',
    logLevel: 'error',
    banner: { js: requireBanner },
    define: { __BERTH_VERSION__: JSON.stringify('bench') },
  };
  // node-worker.js is ESM: say so for the directory, as the repository's package.json does for dist/.
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const file = path.join(dir, 'runtime.mjs');
  const workerFile = path.join(dir, 'node-worker.js');
  try {
    await Promise.all([
      build({ ...common, entryPoints: [ENTRY], outfile: file }),
      build({ ...common, entryPoints: [WORKER], outfile: workerFile }),
    ]);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, file, workerFile };
}
