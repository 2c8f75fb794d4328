#!/usr/bin/env node
// Builds the playground (run by `npm run playground` and by the playground tests' global setup):
//   dist/playground/app.js         the page: terminal, editor, image/layer/file views, and the engine itself
//                                  (src/browser + src/cli bundled in, so the CLI and the views share one Engine)
//   dist/playground/app.css        xterm's stylesheet followed by the playground's own
//   dist/playground/examples.json  the build contexts under images/ (hello, box): every entry's path, type,
//                                  mode, size and symlink target, so the page fetches the files it needs
//                                  over plain HTTP (a static host has no directory listings)
//   dist/playground/server.mjs     playground/server.ts for Node
// Guests run in dist/browser/worker.js, which `npm run build` (scripts/build.mjs) makes; it is built here
// too when missing, so `npm run playground` works on a fresh clone.
// With --serve, starts the server on 127.0.0.1 (PORT, default 8780) and prints the URL.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'playground');
const started = performance.now();
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

if (!existsSync(join(root, 'dist', 'browser', 'worker.js'))) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

/** Every entry under `dir` (lstat: symlinks are reported, not followed), directories before their contents. */
function listTree(dir, prefix = '') {
  const entries = [];
  for (const name of readdirSync(dir).sort()) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const full = join(dir, name);
    const st = lstatSync(full);
    // mtimes travel too: a layer keeps them, so the tab builds the same layers as `berth build` here.
    const base = { path, mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
    if (st.isSymbolicLink()) entries.push({ ...base, type: 'symlink', size: 0, target: readlinkSync(full) });
    else if (st.isDirectory()) {
      entries.push({ ...base, type: 'dir', size: 0 });
      entries.push(...listTree(full, path));
    } else if (st.isFile()) entries.push({ ...base, type: 'file', size: st.size });
  }
  return entries;
}

function examples() {
  const imagesDir = join(root, 'images');
  const list = [];
  for (const name of readdirSync(imagesDir).sort()) {
    const dir = join(imagesDir, name);
    if (!lstatSync(dir).isDirectory() || !existsSync(join(dir, 'Dockerfile'))) continue;
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const description = /org\.opencontainers\.image\.description="([^"]*)"/.exec(dockerfile)?.[1] ?? '';
    // The OCI layout `npm run images` writes (images/oci/NAME/): the tab loads it instead of building.
    const layout = existsSync(join(imagesDir, 'oci', name, 'index.json'));
    list.push({ name, description, layout, entries: listTree(dir) });
  }
  return list;
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'examples.json'), JSON.stringify({ examples: examples() }));

const browserAlias = { events: 'bare-events' }; // as scripts/build.mjs: tar-stream → streamx → events
await Promise.all([
  build({
    absWorkingDir: root,
    entryPoints: { app: 'playground/src/main.ts' },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'error',
    alias: browserAlias,
    // --runtime wasmer is not offered in the playground: keep @wasmer/wasi out of the page.
    external: ['@wasmer/wasi'],
    define: { __BERTH_VERSION__: JSON.stringify(version) },
  }),
  build({
    absWorkingDir: root,
    entryPoints: ['playground/server.ts'],
    outfile: join(out, 'server.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  }),
]);
if (!process.env.BERTH_BUILD_QUIET) {
  console.log(`built dist/playground in ${Math.round(performance.now() - started)} ms`);
}

if (process.argv.includes('--serve')) {
  const { startPlaygroundServer } = await import(pathToFileURL(join(out, 'server.mjs')).href);
  const port = Number(process.env.PORT ?? 8780);
  // --not-isolated: without COOP/COEP, as a plain static host would serve it (no interactive stdin).
  const server = await startPlaygroundServer({
    root,
    port,
    isolated: !process.argv.includes('--not-isolated'),
  });
  console.log(`Berth playground: ${server.origin}/  (Ctrl-C stops it)`);
  process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
}
