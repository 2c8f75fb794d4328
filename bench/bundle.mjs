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

/** esbuild options shared by every bundle the benchmark makes. */
function commonOptions(repoRoot) {
  return {
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
}

/** Returns { dir, file, workerFile }; the caller removes dir when done. Throws when a source is missing. */
export async function bundleRuntime(repoRoot) {
  for (const p of [ENTRY, WORKER]) {
    if (!fs.existsSync(path.join(repoRoot, p))) throw new Error(`Berth runtime source missing: ${p}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const common = commonOptions(repoRoot);
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

// The pieces the Images benchmark (bench/images.mjs) uses, from runtime/ and src/, bundled into one
// module (<dir>/images.mjs) with the same settings. It has its own copy of MemoryFileSystem & co.; the
// image children import only this bundle, never runtime.mjs, so the two copies never meet.
const IMAGE_PIECES = {
  'runtime/fs/UnionFileSystem.ts': ['LowerStack', 'UnionFileSystem'],
  'runtime/fs/Namespace.ts': ['Namespace'],
  'runtime/fs/MemoryFileSystem.ts': ['MemoryFileSystem'],
  'runtime/wasi/defs.ts': ['FILETYPE_REGULAR_FILE'],
  'src/layer/unpack.ts': ['unpackLayer'],
  'src/layer/tarWriter.ts': ['encodeHeader', 'padding', 'END_OF_ARCHIVE'],
  'src/node/gzip.ts': ['nodeGunzip'],
  'src/node/sha256.ts': ['nodeSha256'],
};

/** Writes <dir>/images.mjs (see IMAGE_PIECES) and returns its path. Throws when a source is missing. */
export async function bundleImages(repoRoot, dir) {
  const lines = [];
  for (const [file, names] of Object.entries(IMAGE_PIECES)) {
    if (!fs.existsSync(path.join(repoRoot, file))) throw new Error(`Berth source missing: ${file}`);
    lines.push(`export { ${names.join(', ')} } from './${file.replace(/\.ts$/, '')}';`);
  }
  const outfile = path.join(dir, 'images.mjs');
  await build({
    ...commonOptions(repoRoot),
    stdin: { contents: lines.join('\n'), resolveDir: repoRoot, sourcefile: 'bench-images.ts', loader: 'ts' },
    outfile,
  });
  return outfile;
}
