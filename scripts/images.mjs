#!/usr/bin/env node
// `npm run images`: builds every base image under images/ (each directory with a Dockerfile) with Berth
// itself — the real CLI, `berth build` — into the local store, and writes each as an OCI image layout
// directory, images/oci/NAME/ (oci-layout, index.json, blobs/sha256/…; ref name `latest`), which
// `berth run NAME` loads on a fresh install and the playground serves over HTTP.
//
//   node scripts/images.mjs [--check] [NAME...]
//
// Builds are reproducible: SOURCE_DATE_EPOCH is fixed (BASE_IMAGE_EPOCH below, unless the environment
// sets one) and every step runs (--no-cache: a cached step may come from a build without the epoch), so
// the same sources give the same digests on any machine. --check builds into a temporary state root and
// compares with the committed layouts instead of writing them: exit 1, naming what differs, when a
// layout is out of date with its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const imagesDir = join(root, 'images');
const layoutsDir = join(imagesDir, 'oci');
const berth = join(root, 'bin', 'berth.js');

/** 2026-01-01T00:00:00Z: the time stamped on the base images' layers and configs. */
export const BASE_IMAGE_EPOCH = '1767225600';

const argv = process.argv.slice(2);
const check = argv.includes('--check');
const names = argv.filter((a) => !a.startsWith('--'));
const all = readdirSync(imagesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(imagesDir, e.name, 'Dockerfile')))
  .map((e) => e.name)
  .sort();
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`images: no images/${n}/Dockerfile (base images: ${all.join(', ')})`);
    process.exit(2);
  }
}
if (!existsSync(join(root, 'dist', 'berth.cjs'))) {
  console.error('images: dist/berth.cjs is missing: npm run build first');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'berth-images-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH || BASE_IMAGE_EPOCH };
// --check never touches the user's store; a build writes into it (BERTH_ROOT, else the default root).
if (check) env.BERTH_ROOT = join(scratch, 'state');

function run(args, quiet) {
  const r = spawnSync(process.execPath, [berth, ...args], {
    env,
    cwd: root,
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`images: berth ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    rmSync(scratch, { recursive: true, force: true });
    process.exit(1);
  }
  return r.stdout ?? '';
}

/** Every file of a layout directory, relative path → bytes. */
function filesOf(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const stale = [];
mkdirSync(layoutsDir, { recursive: true });
try {
  for (const name of names.length > 0 ? names : all) {
    const id = run(['build', '--no-cache', '-q', '-t', `${name}:latest`, join(imagesDir, name)], true).trim();
    // Written beside its final place, so the rename is within one filesystem.
    const fresh = check ? join(scratch, name) : join(layoutsDir, `.${name}.new-${process.pid}`);
    rmSync(fresh, { recursive: true, force: true });
    run(['save', '--format', 'oci-dir', '-o', fresh, `${name}:latest`], true);
    const target = join(layoutsDir, name);
    if (check) {
      const want = filesOf(fresh);
      const have = filesOf(target);
      const differs = [...new Set([...want.keys(), ...have.keys()])].filter(
        (f) => !want.has(f) || !have.has(f) || !want.get(f).equals(have.get(f)),
      );
      if (differs.length > 0) stale.push(`${name}: ${differs.sort().join(', ')}`);
      console.log(`${name}: ${id}${differs.length > 0 ? ' (images/oci/' + name + ' is out of date)' : ''}`);
      continue;
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(fresh, target);
    console.log(`${name}:latest ${id} -> ${relative(root, target)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (stale.length > 0) {
  console.error(
    `images: the committed layouts differ from a build of their sources:\n  ${stale.join('\n  ')}\n` +
      'run `npm run images` and commit images/oci/',
  );
  process.exit(1);
}
