// The Images table of `npm run bench`: what running containers from images costs, against the nearest
// comparable thing for each row. Every row is measured in its own child (bench/images-child.mjs, forked
// with --expose-gc) on layers generated at run time in a scratch directory on /dev/shm (removed at the end):
//
//   1. mount: new UnionFileSystem({ lower }) + Namespace + resolve and stat of one file, for a new
//      container on a 10,000-file / 50 MB image whose LowerStack exists (built once, untimed); median of
//      50 containers. Compared with new MemoryFileSystem() alone, the floor of any container root: a
//      `cp -r` of the tree is no peer (it copies the 50 MB a union never touches).
//   2. 20,000 x (Namespace.resolve + stat) of files in the bottom layer of a 20-layer stack, against the
//      same files in that layer alone; also with a fresh LowerStack every run (directory merges timed).
//   3. memory (heapUsed + arrayBuffers after gc) added by 100 live containers on the 50 MB image, each
//      having stat'ed 20 paths and written one small file; the image's own footprint for scale.
//   4. unpackLayer of a ~50 MB .tar.gz layer (~2,000 files) with node:zlib, and with DecompressionStream,
//      against a spawned `tar -xzf` of the same file into a fresh directory on /dev/shm.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, fmtRatio, median, table } from './format.mjs';
import { scratchBase } from './runners.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = { script: path.join(here, 'images-child.mjs'), execArgv: ['--expose-gc'] };

const MOUNT = { containers: 50, maxMs: 10 };
const STAT = { ops: 20_000, runs: 21, layers: 20, maxRatio: 1.3 };
const MEMORY = { containers: 100, maxBytes: 5e6 };
const UNPACK = { runs: 5, maxRatio: 1.5 };

/** Bytes as MB (10^6), three significant digits. */
export function fmtMB(bytes) {
  const mb = bytes / 1e6;
  const abs = Math.abs(mb);
  return `${abs >= 100 ? mb.toFixed(0) : abs >= 10 ? mb.toFixed(1) : mb.toFixed(2)} MB`;
}

function tarVersion() {
  const r = spawnSync('tar', ['--version'], { encoding: 'utf8' });
  const first = r.status === 0 ? r.stdout.split('\n')[0].trim() : '';
  // "tar (GNU tar) 1.34" -> "GNU tar 1.34"
  return first.replace(/^tar \((.*)\) (.*)$/, '$1 $2') || 'tar (version unknown)';
}

/**
 * Runs every measurement; returns render(footnote) → the lines of the report.
 * runChild(spec, { script, execArgv }) is run.mjs's child runner; log writes progress to stderr.
 */
export async function measureImages({ runChild, imagesFile, log }) {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(scratchBase(), 'berth-bench-images-'));
  // The layers take ~170 MB of RAM on tmpfs: do not leave them behind on Ctrl-C either. Then die of the
  // signal as if this handler were not there.
  const onInterrupt = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, 'SIGINT');
  };
  process.once('SIGINT', onInterrupt);
  const r = {};
  try {
    const step = async (key, label, spec) => {
      log(`  ${label.padEnd(57)} `);
      const res = await runChild({ imagesFile, dir, ...spec }, CHILD);
      log(
        `${res.ok ? (key === 'memory' ? fmtMB(res.addedBytes ?? 0) : fmtMs(median(res.samples))) : res.error}\n`,
      );
      r[key] = res;
      return res;
    };
    const gen = await step('gen', 'images: generate layers on ' + scratchBase(), { mode: 'generate' });
    if (gen.ok) {
      const data = { base: gen.base, uppers: gen.uppers, gz: gen.gz };
      await step('mount', 'images: mount (new container + first lookup)', {
        mode: 'mount',
        containers: MOUNT.containers,
        ...data,
      });
      await step('floor', 'images: new MemoryFileSystem()', { mode: 'floor', containers: MOUNT.containers });
      await step('stat', `images: ${STAT.ops / 1000}k x (resolve + stat), ${STAT.layers} layers`, {
        mode: 'stat',
        layers: STAT.layers,
        ops: STAT.ops,
        runs: STAT.runs,
        ...data,
      });
      await step('memory', `images: memory of ${MEMORY.containers} containers`, {
        mode: 'memory',
        containers: MEMORY.containers,
        ...data,
      });
      await step('unpackNode', 'images: unpackLayer + nodeGunzip', {
        mode: 'unpack',
        codec: 'node',
        runs: UNPACK.runs,
        ...data,
      });
      await step('unpackWeb', 'images: unpackLayer + DecompressionStream', {
        mode: 'unpack',
        codec: 'web',
        runs: UNPACK.runs,
        ...data,
      });
      await step('tar', 'images: tar -xzf', { mode: 'tar', runs: UNPACK.runs, ...data });
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  return (footnote) => render(r, seconds, tarVersion(), footnote);
}

function render(r, seconds, tarName, footnote) {
  const out = [];
  const fail = (res, label) =>
    res?.timeout ? res.error : `FAIL ${footnote(`images, ${label}: ${res?.error ?? 'not run'}`)}`;
  const timeCell = (res, label, pick = (x) => median(x.samples)) =>
    res?.ok ? fmtMs(pick(res)) : fail(res, label);
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? fmtRatio(a / b) : '-');
  const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
  const t = (res, pick = (x) => median(x.samples)) => (res?.ok ? pick(res) : null);

  const gen = r.gen;
  if (!gen?.ok) {
    out.push('Images.', `generating the layers failed: ${gen?.error ?? 'not run'}`, '');
    return out;
  }
  const { base, uppers, gz } = gen;
  const imageFiles = base.files;
  const upperFiles = uppers.reduce((a, u) => a + u.files, 0);
  out.push(
    `Images. Layers generated at run time on ${scratchBase()} (deterministic content, ${(gen.samples[0] / 1000).toFixed(1)} s), ` +
      `removed at the end: a ${imageFiles.toLocaleString('en-US')}-file / 50.0 MB image in one layer (tar ` +
      `${fmtMB(base.bytes)}); ${uppers.length} thin layers over it (${upperFiles.toLocaleString('en-US')} files); ` +
      `a ${fmtMB(gz.gzBytes)} .tar.gz layer (${gz.files.toLocaleString('en-US')} files, ${fmtMB(gz.rawBytes)} of ` +
      `data, ${(gz.randomShare * 100).toFixed(0)}% random bytes, the rest text; ${(gz.rawBytes / gz.gzBytes).toFixed(1)}x ` +
      `compression). MB = 10^6 bytes; ratio = berth / the compared-with column.`,
  );

  const rows = [['case', 'berth', 'compared with', '', 'ratio', 'target']];

  // 1. mount
  {
    const label = 'mount: new container on the image + first lookup';
    const b = t(r.mount);
    const f = t(r.floor);
    rows.push([
      label,
      timeCell(r.mount, label),
      'new MemoryFileSystem() (floor)',
      timeCell(r.floor, 'new MemoryFileSystem()'),
      ratio(b, f),
      `<= ${fmtMs(MOUNT.maxMs)}: ${verdict(b === null ? null : b <= MOUNT.maxMs)}`,
    ]);
  }
  // 2. stat through 20 layers vs 1
  {
    // One child measures both stacks (see the stat mode of images-child.mjs); a failure fails both columns.
    const st = r.stat;
    const label = `${STAT.ops / 1000}k x (resolve + stat), file in bottom of ${STAT.layers} layers`;
    const pick = (key) => (x) => median(x[key]);
    const b = t(st);
    const p = t(st, pick('base'));
    rows.push([
      label,
      timeCell(st, label),
      'same, 1 layer',
      st?.ok ? fmtMs(p) : '-',
      ratio(b, p),
      `<= ${STAT.maxRatio.toFixed(2)}x 1 layer: ${verdict(b === null || p === null ? null : b / p <= STAT.maxRatio)}`,
    ]);
    const bc = t(st, pick('cold'));
    const pc = t(st, pick('coldBase'));
    rows.push([
      '  same, fresh LowerStack each run (merges timed)',
      st?.ok ? fmtMs(bc) : '-',
      'same, 1 layer',
      st?.ok ? fmtMs(pc) : '-',
      ratio(bc, pc),
      '(no target)',
    ]);
  }
  // 3. memory
  {
    const label = `memory added by ${MEMORY.containers} containers on the image`;
    const m = r.memory;
    const ok = m?.ok;
    rows.push([
      label,
      ok ? fmtMB(m.addedBytes) : fail(m, label),
      'the image itself, in memory',
      ok ? fmtMB(m.imageBytes) : '-',
      ok ? fmtRatio(m.addedBytes / m.imageBytes) : '-',
      `<= ${fmtMB(MEMORY.maxBytes)}: ${verdict(ok ? m.addedBytes <= MEMORY.maxBytes : null)}`,
    ]);
  }
  // 4. unpack
  {
    const p = t(r.tar);
    const tarCell = timeCell(r.tar, 'tar -xzf');
    const size = `${fmtMB(gz.gzBytes)} .tar.gz`;
    const nodeLabel = `unpack ${size}: unpackLayer + nodeGunzip`;
    const b = t(r.unpackNode);
    rows.push([
      nodeLabel,
      timeCell(r.unpackNode, nodeLabel),
      'tar -xzf (spawned)',
      tarCell,
      ratio(b, p),
      `<= ${UNPACK.maxRatio.toFixed(2)}x tar -xzf: ${verdict(b === null || p === null ? null : b / p <= UNPACK.maxRatio)}`,
    ]);
    const webLabel = `unpack ${size}: unpackLayer + DecompressionStream`;
    const w = t(r.unpackWeb);
    rows.push([
      webLabel,
      timeCell(r.unpackWeb, webLabel),
      'tar -xzf (spawned)',
      tarCell,
      ratio(w, p),
      '(no target)',
    ]);
  }
  out.push(table(rows));

  // How each row was measured, with the numbers behind it.
  const m = r.mount;
  const mem = r.memory;
  const st = r.stat;
  // The fastest runs are the least disturbed by other load on the machine.
  const fastest = st?.ok
    ? ` Fastest run of each, warm: ${fmtMs(Math.min(...st.samples))} vs ${fmtMs(Math.min(...st.base))} ` +
      `(${fmtRatio(Math.min(...st.samples) / Math.min(...st.base))}); fresh LowerStack: ` +
      `${fmtMs(Math.min(...st.cold))} vs ${fmtMs(Math.min(...st.coldBase))} ` +
      `(${fmtRatio(Math.min(...st.cold) / Math.min(...st.coldBase))}).`
    : '';
  out.push(
    `  mount: median of ${MOUNT.containers} containers after 10 warm-up; each resolves and stats /opt/app/dNN/sNN/f005.bin in ` +
      `a leaf directory no container looked in before; the LowerStack (one layer, unpacked from its tar in ` +
      `${m?.ok ? fmtMs(m.unpackMs) : '?'}) is built before the clock. The first container on the image (cold JIT, ` +
      `root merged) took ${m?.ok ? fmtMs(m.firstMs) : '?'}. The floor is only an empty MemoryFileSystem: a cp -r of ` +
      `the tree is no peer (it copies all 50 MB; a union copies nothing until a file is written), so the ratio ` +
      `says how far a mount is from creating an empty filesystem.`,
    `  stat: median of ${STAT.runs} runs after 3 warm-up, each on a fresh container; 2,000 distinct files of the ` +
      `bottom layer (every leaf directory), 10 rounds; every directory on the way is in all ${STAT.layers} layers ` +
      `(the thin layers add 2 files to each). Both stacks in one child, runs alternating, so they share heap, JIT ` +
      `and machine load. Warm: the containers share the stack's LowerStack, as the engine does per image. Fresh ` +
      `LowerStack: each run merges its directories from the layers in the clock.${fastest}`,
    `  memory: heapUsed + arrayBuffers after gc, the ${MEMORY.containers} containers alive; each stats 20 paths ` +
      `and writes /etc/hostname (100 B). The image is the unpacked 50 MB layer; the merged directory views ` +
      `the first container made (${mem?.ok ? fmtMB(mem.mergedBytes) : '?'}, shared by all) are counted with the image, ` +
      `not with the ${MEMORY.containers}.`,
    `  unpack: median of ${UNPACK.runs} after 1 warm-up; unpackLayer reads the file in 64 KiB chunks (as ` +
      `DiskContentStore.read does) and checks the diff_id; tar -xzf (${tarName}, which runs gzip -d) extracts ` +
      `into a fresh directory on ${scratchBase()}, wall time from spawn to exit.`,
    `  Images section: ${seconds.toFixed(1)} s.`,
    '',
  );
  return out;
}
