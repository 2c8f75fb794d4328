#!/usr/bin/env node
// Bundles Berth with esbuild (run by `npm run build` and by npm's `prepare` on install):
//   dist/berth.js            the CLI (src/node/bin.ts), for Node
//   dist/node-worker.js      the guest worker for Node (runtime/node/worker.ts)
//   dist/browser/runtime.js  the runtime for pages (runtime/browser/index.ts)
//   dist/browser/worker.js   the guest worker for pages (runtime/browser/worker.ts)
// Fails (exit 1) when a browser bundle reaches a node: module: host specifics belong in runtime/node and
// src/node only.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// node:anything, and bare builtin names (fs, path, worker_threads, fs/promises, …).
const builtinFilter = new RegExp(
  `^(node:.*|(${builtinModules
    .filter((m) => !m.startsWith('_'))
    .map(escape)
    .join('|')})(/.*)?)$`,
);

/** Refuses node builtins in a browser bundle, naming the bundle and the file that imports one. */
function noNodeBuiltins(bundle) {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: builtinFilter }, (args) => ({
        errors: [
          {
            text:
              `browser bundle ${bundle} must not import "${args.path}" ` +
              `(imported by ${relative(root, args.importer) || args.importer}); ` +
              'host specifics belong in runtime/node or src/node',
          },
        ],
      }));
    },
  };
}

const common = {
  bundle: true,
  format: 'esm',
  logLevel: 'error',
  absWorkingDir: root,
  legalComments: 'none',
  define: { __BERTH_VERSION__: JSON.stringify(version) },
};

// Bundled CommonJS dependencies may call require() for Node builtins; ESM has none, so make one.
const requireBanner = {
  js: "import { createRequire as __berthCreateRequire } from 'node:module';\nconst require = __berthCreateRequire(import.meta.url);",
};

const node = { ...common, platform: 'node', target: 'node20', banner: requireBanner };
const browser = { ...common, platform: 'browser', target: 'es2022' };

const bundles = [
  // @wasmer/wasi (~470 KB) is only for `--runtime wasmer`: load it from node_modules on demand instead of
  // making every berth command parse it.
  { ...node, entryPoints: ['src/node/bin.ts'], outfile: 'dist/berth.js', external: ['@wasmer/wasi'] },
  { ...node, entryPoints: ['runtime/node/worker.ts'], outfile: 'dist/node-worker.js' },
  {
    ...browser,
    entryPoints: ['runtime/browser/index.ts'],
    outfile: 'dist/browser/runtime.js',
    plugins: [noNodeBuiltins('dist/browser/runtime.js')],
  },
  {
    ...browser,
    entryPoints: ['runtime/browser/worker.ts'],
    outfile: 'dist/browser/worker.js',
    plugins: [noNodeBuiltins('dist/browser/worker.js')],
  },
];

const results = await Promise.allSettled(bundles.map((options) => build(options)));
const failed = results
  .map((r, i) => (r.status === 'rejected' ? bundles[i].outfile : null))
  .filter((name) => name !== null);
if (failed.length > 0) {
  console.error(`build failed: ${failed.join(', ')} (see the errors above)`);
  process.exit(1);
}
if (!process.env.BERTH_BUILD_QUIET) {
  const ms = Math.round(performance.now() - started);
  console.log(`built ${bundles.map((b) => b.outfile).join(', ')} in ${ms} ms`);
}
