#!/usr/bin/env node
// Bundles Berth with esbuild (run by `npm run build` and by npm's `prepare` on install):
//   dist/berth.cjs           the CLI (src/node/bin.ts), for Node, started by dist/boot.cjs (src/node/boot.ts)
//   dist/node-worker.js      the guest worker for Node (runtime/node/worker.ts)
//   dist/browser/runtime.js  the runtime for pages (runtime/browser/index.ts)
//   dist/browser/worker.js   the guest worker for pages (runtime/browser/worker.ts)
//   dist/browser/engine.js   the engine for pages: build and run images in a tab (src/browser/index.ts)
//   dist/browser/memfs.js    memfs for pages: Volumes as build contexts and host directories (src/browser/volume.ts)
//   dist/index.js, dist/node.js  the package's library entries: the isomorphic core, and it with the Node host
// Fails (exit 1) when a browser bundle reaches a node: module: host specifics belong in runtime/node and
// src/node only.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules, isBuiltin } from 'node:module';
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

/**
 * Refuses node builtins in a browser bundle, naming the bundle and the file that imports one. Two ways
 * past it, both resolved by esbuild itself: a name in `alias` (a browser package standing in for the
 * builtin), and a builtin the importing package's own package.json "browser" field maps to false
 * (tar-stream's guarded `require('fs')`), which becomes an empty module.
 */
function noNodeBuiltins(bundle, alias = {}) {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: builtinFilter }, async (args) => {
        if (args.pluginData?.berthBuiltinCheck) return undefined;
        // `process/`, `string_decoder/`, `process/browser.js`: the npm packages of those names (the
        // trailing slash is the usual way to ask for the package instead of the built-in), not built-ins.
        if (!isBuiltin(args.path)) return undefined;
        const bare = args.path.replace(/^node:/, '');
        if (Object.hasOwn(alias, bare)) {
          return b.resolve(alias[bare], {
            kind: args.kind,
            resolveDir: root,
            pluginData: { berthBuiltinCheck: true },
          });
        }
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { berthBuiltinCheck: true },
        });
        // A "browser": { "fs": false } mapping: esbuild resolves it without error to no file at all
        // (empty namespace); a builtin that is really imported fails to resolve for platform browser.
        if (resolved.errors.length === 0 && !resolved.external && resolved.namespace === '') {
          return { path: args.path, namespace: 'berth-disabled' };
        }
        return {
          errors: [
            {
              text:
                `browser bundle ${bundle} must not import "${args.path}" ` +
                `(imported by ${relative(root, args.importer) || args.importer}); ` +
                'host specifics belong in runtime/node or src/node',
            },
          ],
        };
      });
      b.onLoad({ filter: /.*/, namespace: 'berth-disabled' }, () => ({ contents: 'module.exports = {};' }));
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
// The CLI is CommonJS so that boot.cjs can start it with V8's code cache (Node 20 caches no ES module);
// import.meta.url becomes the bundle's own URL, and import() of the external @wasmer/wasi a require().
// Minified and ASCII: every command reads, and V8 holds, the whole bundle before doing anything (740 KB
// plain, 390 KB minified; on a VM where first-touched memory costs 4 ms/MB that is 10 ms of each
// start). BERTH_BUILD_MINIFY=0 keeps it readable for debugging.
const cli = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  charset: 'ascii',
  minify: process.env.BERTH_BUILD_MINIFY !== '0',
  supported: { 'dynamic-import': false },
  define: { ...common.define, 'import.meta.url': '__berthModuleUrl' },
  banner: { js: "const __berthModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
// The CLI bundle is a function expression of CommonJS's module parameters, compiled as it is by boot.cjs
// (src/node/boot.ts): wrapping it there would copy the whole source into a new string at every start.
const wrappedCli = {
  ...cli,
  // "use strict" first: esbuild's own directive comes after the banner's statement, where it means nothing.
  banner: {
    js: `(function (exports, require, module, __filename, __dirname) {'use strict';${cli.banner.js}`,
  },
  footer: { js: '})' },
};
// Node built-ins that browser-bound dependencies import, mapped to browser packages (no-node-builtins
// resolves these names to the packages instead of refusing them):
//   events → bare-events: tar-stream → streamx → events-universal requires 'events' outside Bare and
//   React Native; bare-events (events-universal's own dependency, what it loads on those hosts) is a
//   plain-JavaScript EventEmitter that imports no Node built-in.
const browserAlias = { events: 'bare-events' };
const browser = { ...common, platform: 'browser', target: 'es2022', alias: browserAlias };
// dist/browser/memfs.js carries memfs for pages (build contexts and bind-mount host directories in a
// Volume), apart from the engine bundle, which only needs a Volume's shape. memfs imports buffer, path,
// stream and url (also as node:…) and reads the `process` global: the usual browser packages stand in for
// them (buffer, path-browserify, readable-stream, process), and for url the browser's own URL
// (src/browser/shims/url.ts).
const memfsAlias = {
  ...browserAlias,
  buffer: 'buffer/',
  path: 'path-browserify',
  stream: 'readable-stream',
  url: './src/browser/shims/url.ts',
};
const memfsBrowser = { ...browser, alias: memfsAlias, inject: ['src/browser/shims/process.ts'] };
// `require('process')` only through the plugin: as an esbuild alias it would also rewrite the
// `process/browser.js` the shim imports.
const memfsBuiltins = { ...memfsAlias, process: 'process/browser.js' };

const bundles = [
  // @wasmer/wasi (~470 KB) is only for `--runtime wasmer`: load it from node_modules on demand instead of
  // making every berth command parse it.
  { ...wrappedCli, entryPoints: ['src/node/bin.ts'], outfile: 'dist/berth.cjs', external: ['@wasmer/wasi'] },
  { ...cli, entryPoints: ['src/node/boot.ts'], outfile: 'dist/boot.cjs' },
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
  // --runtime wasmer in a page loads @wasmer/wasi by its bare name (an import map can provide it): bundled,
  // it would more than double the engine bundle for a runtime most pages never use.
  {
    ...browser,
    entryPoints: ['src/browser/index.ts'],
    external: ['@wasmer/wasi'],
    outfile: 'dist/browser/engine.js',
    plugins: [noNodeBuiltins('dist/browser/engine.js', browserAlias)],
  },
  {
    ...memfsBrowser,
    entryPoints: ['src/browser/volume.ts'],
    outfile: 'dist/browser/memfs.js',
    plugins: [noNodeBuiltins('dist/browser/memfs.js', memfsBuiltins)],
  },
  // The package's library entries (package.json "exports"): "." the isomorphic core, with no host in it
  // (bundled for the browser, so a node: import fails the build), and "./node" the core with the Node host.
  {
    ...browser,
    entryPoints: ['src/index.ts'],
    external: ['@wasmer/wasi'],
    outfile: 'dist/index.js',
    plugins: [noNodeBuiltins('dist/index.js', browserAlias)],
  },
  { ...node, entryPoints: ['src/node/index.ts'], outfile: 'dist/node.js', external: ['@wasmer/wasi'] },
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
