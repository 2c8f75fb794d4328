/* global gc, Buffer, TextEncoder */
// A benchmark child for the Images table (bench/images.mjs): generates the test layers, or measures one
// row, and reports back over the IPC channel. Forked with --expose-gc: gc() runs between timed runs
// (never inside the clock), and the memory case needs it to read a settled heap.
//
// Request (first IPC message): { mode, imagesFile, dir, ... } where imagesFile is the esbuild bundle of
// the Berth pieces (bench/bundle.mjs, bundleImages) and dir the scratch directory on /dev/shm.
// Reply: { ok: true, samples: [ms, ...], ...extra } or { ok: false, error: 'why' }.
//
// The layers (all written by `generate`, deterministic: a seeded PRNG, fixed mtimes, tars written with
// Berth's own deterministic tar header encoder, gzip level 6 as `tar -czf` uses):
//   base.tar       the 10,000-file / 50 MB image, one layer: /opt/app/dDD/sSS/fFFF.bin (20 x 25 x 20
//                  files, random bytes, log-uniform sizes scaled to 50 MB in total), plus /etc (4 small
//                  text files) and an empty /tmp.
//   upNN.tar       19 thin layers for the 20-layer stack: each has every directory of /opt/app again,
//                  2 new 100-byte files in each of the 500 leaf directories, one replaced file and one
//                  whiteout, so every directory on the way to a file of base.tar merges 20 layers.
//   layer.tar.gz   the unpack case: 2,000 files in 50 packages, 20% random bytes (/usr/lib/pkgNN/*.so)
//                  and 80% text from a skewed vocabulary (/usr/share/pkgNN/*.txt), by count; about
//                  50 MB of gzip, 110 MB of files.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const MTIME = 1_700_000_000;
const D = 20; // /opt/app/dDD
const S = 25; // /opt/app/dDD/sSS
const F = 20; // /opt/app/dDD/sSS/fFFF.bin
const BASE_BYTES = 50_000_000;
const UPPER_LAYERS = 19;
const GZ_FILES = 2_000;
const GZ_PACKAGES = 50;
/**
 * Uncompressed bytes of layer.tar.gz's files: a fifth of the files are random bytes (already-compressed
 * assets), the rest text that gzip shrinks about 3x; together they compress about 2.2x, to about 50 MB,
 * in the range of real image layers.
 */
const GZ_RAW_BYTES = 110_000_000;
/** Share of layer.tar.gz's files (by count) that are random bytes; the rest is text. */
const GZ_RANDOM_SHARE = 0.2;

process.once('message', async (spec) => {
  let reply;
  try {
    const mode = MODES[spec.mode];
    if (!mode) throw new Error(`unknown mode ${spec.mode}`);
    reply = await mode(spec, await import(spec.imagesFile));
  } catch (e) {
    reply = { ok: false, error: oneLine(e) };
  }
  process.send(reply, () => process.exit(0));
});

function oneLine(e) {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.split('\n')[0].slice(0, 200);
}

const settle = () => {
  if (typeof gc === 'function') for (let i = 0; i < 3; i++) gc();
};

// --- deterministic data ------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG; next() is a uint32. */
function prng(seed) {
  let a = seed | 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { next, unit: () => next() / 4294967296 };
}

function randomBytes(rand, n) {
  const out = new Uint8Array(n);
  const words = new Uint32Array(out.buffer, 0, n >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = rand.next();
  for (let i = words.length * 4; i < n; i++) out[i] = rand.next() & 0xff;
  return out;
}

/** Text in lines of words drawn from a fixed vocabulary with a skewed (Zipf-like) frequency. */
function textMaker(rand) {
  const enc = new TextEncoder();
  const words = [];
  for (let i = 0; i < 1000; i++) {
    const len = 2 + (rand.next() % 9);
    let w = '';
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + (rand.next() % 26));
    words.push(enc.encode(w));
  }
  for (const k of ['{', '}', '=', '(', ')', 'return', 'const', 'if', 'the', 'of', 'and', 'to'])
    words.unshift(enc.encode(k));
  return (n) => {
    const out = new Uint8Array(n);
    let at = 0;
    let col = 0;
    while (at < n) {
      const u = rand.unit();
      const w = words[Math.floor(u * u * u * u * words.length)];
      for (let i = 0; i < w.length && at < n; i++) out[at++] = w[i];
      col += w.length + 1;
      if (at < n) out[at++] = col > 60 + (rand.next() % 30) ? 10 : 32;
      if (out[at - 1] === 10) {
        col = 0;
        const indent = rand.next() % 3 === 0 ? 4 : 0;
        for (let i = 0; i < indent && at < n; i++) out[at++] = 32;
      }
    }
    return out;
  };
}

/** n sizes, log-uniform between lo and hi, scaled so that they add up to total exactly. */
function sizes(rand, n, lo, hi, total) {
  const raw = [];
  for (let i = 0; i < n; i++) raw.push(Math.exp(Math.log(lo) + rand.unit() * (Math.log(hi) - Math.log(lo))));
  const sum = raw.reduce((a, b) => a + b, 0);
  const out = raw.map((x) => Math.max(1, Math.floor((x * total) / sum)));
  out[0] += total - out.reduce((a, b) => a + b, 0);
  return out;
}

const pad2 = (n) => String(n).padStart(2, '0');
const pad3 = (n) => String(n).padStart(3, '0');
const pad4 = (n) => String(n).padStart(4, '0');
const leafDir = (d, s) => `opt/app/d${pad2(d)}/s${pad2(s)}`;
const baseFile = (d, s, f) => `/${leafDir(d, s)}/f${pad3(f)}.bin`;

/** A tar being written: entries go to a sink of chunks; tracks bytes and the SHA-256 (the diff_id). */
class TarOut {
  constructor(mod, sink) {
    this.mod = mod;
    this.sink = sink;
    this.bytes = 0;
    this.files = 0;
    this.hash = createHash('sha256');
  }
  put(chunks) {
    for (const c of chunks) {
      this.hash.update(c);
      this.bytes += c.length;
    }
    this.sink(chunks);
  }
  dir(name) {
    this.put(this.mod.encodeHeader({ name, kind: 'directory', mode: 0o755, mtime: MTIME, size: 0 }));
  }
  file(name, data, mode = 0o644) {
    const pad = this.mod.padding(data.length);
    const chunks = [
      ...this.mod.encodeHeader({ name, kind: 'file', mode, mtime: MTIME, size: data.length }),
      data,
    ];
    if (pad) chunks.push(pad);
    this.put(chunks);
    this.files++;
  }
  end() {
    this.put([this.mod.END_OF_ARCHIVE]);
    return { bytes: this.bytes, files: this.files, diffId: `sha256:${this.hash.digest('hex')}` };
  }
}

/** A TarOut writing straight to a file. */
function tarFile(mod, file) {
  const fd = fs.openSync(file, 'w');
  const tar = new TarOut(mod, (chunks) => fs.writevSync(fd, chunks));
  const end = tar.end.bind(tar);
  tar.end = () => {
    const r = end();
    fs.closeSync(fd);
    return r;
  };
  return tar;
}

function writeBase(mod, file) {
  const rand = prng(1);
  const tar = tarFile(mod, file);
  const enc = new TextEncoder();
  tar.dir('etc');
  tar.file(
    'etc/passwd',
    enc.encode('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\n'),
  );
  tar.file('etc/group', enc.encode('root:x:0:\nnogroup:x:65534:\n'));
  tar.file('etc/hosts', enc.encode('127.0.0.1 localhost\n::1 localhost\n'));
  tar.file('etc/os-release', enc.encode('NAME="bench"\nID=bench\n'));
  tar.put(mod.encodeHeader({ name: 'tmp', kind: 'directory', mode: 0o1777, mtime: MTIME, size: 0 }));
  tar.dir('opt');
  tar.dir('opt/app');
  const sz = sizes(rand, D * S * F - 4, 64, 65536, BASE_BYTES - 4 * 64);
  let k = 0;
  for (let d = 0; d < D; d++) {
    tar.dir(`opt/app/d${pad2(d)}`);
    for (let s = 0; s < S; s++) {
      tar.dir(leafDir(d, s));
      for (let f = 0; f < F; f++) {
        // 10,000 files in all: the last leaf directory gives up 4 for the files of /etc.
        if (d === D - 1 && s === S - 1 && f >= F - 4) continue;
        tar.file(baseFile(d, s, f).slice(1), randomBytes(rand, sz[k++]));
      }
    }
  }
  return tar.end();
}

function writeUpper(mod, file, layer) {
  const rand = prng(100 + layer);
  const text = textMaker(rand);
  const tar = tarFile(mod, file);
  tar.dir('opt');
  tar.dir('opt/app');
  for (let d = 0; d < D; d++) {
    tar.dir(`opt/app/d${pad2(d)}`);
    for (let s = 0; s < S; s++) {
      tar.dir(leafDir(d, s));
      tar.file(`${leafDir(d, s)}/l${pad2(layer)}-a.txt`, text(100));
      tar.file(`${leafDir(d, s)}/l${pad2(layer)}-b.txt`, text(100));
    }
  }
  // One file replaced and one whited out per layer, away from the files the benchmark looks up (f000-f009).
  tar.file(`${leafDir(layer % D, layer % S)}/f010.bin`, randomBytes(rand, 512));
  tar.file(`${leafDir((layer + 7) % D, (layer + 3) % S)}/.wh.f011.bin`, new Uint8Array(0));
  return tar.end();
}

/**
 * Written through an async gzip stream, so that deflate (on the libuv pool) runs while the next files
 * are made; deflate's output does not depend on how its input is cut, so the file is the same every time.
 */
async function writeGz(mod, file) {
  const rand = prng(7);
  const text = textMaker(rand);
  const gzip = zlib.createGzip({ level: 6, chunkSize: 256 * 1024 });
  const written = pipeline(gzip, fs.createWriteStream(file));
  let pending = [];
  let pendingBytes = 0;
  const tar = new TarOut(mod, (chunks) => {
    for (const c of chunks) {
      pending.push(c);
      pendingBytes += c.length;
    }
  });
  // Hands deflate about 1 MiB at a time: one round trip to the pool per chunk, not per tar block.
  const flush = async (all) => {
    if (pendingBytes === 0 || (!all && pendingBytes < 1 << 20)) return;
    const ok = gzip.write(Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
    if (!ok) await once(gzip, 'drain');
  };
  const sz = sizes(rand, GZ_FILES, 256, 524288, GZ_RAW_BYTES);
  const kinds = sz.map(() => (rand.unit() < GZ_RANDOM_SHARE ? 'random' : 'text'));
  tar.dir('usr');
  tar.dir('usr/lib');
  tar.dir('usr/share');
  for (let p = 0; p < GZ_PACKAGES; p++) {
    tar.dir(`usr/lib/pkg${pad2(p)}`);
    tar.dir(`usr/share/pkg${pad2(p)}`);
  }
  let randomBytesTotal = 0;
  for (let i = 0; i < GZ_FILES; i++) {
    const p = pad2(i % GZ_PACKAGES);
    if (kinds[i] === 'random') {
      randomBytesTotal += sz[i];
      tar.file(`usr/lib/pkg${p}/lib${pad4(i)}.so`, randomBytes(rand, sz[i]), 0o755);
    } else {
      tar.file(`usr/share/pkg${p}/doc${pad4(i)}.txt`, text(sz[i]));
    }
    await flush();
  }
  const info = tar.end();
  await flush(true);
  gzip.end();
  await written;
  return {
    ...info,
    gzBytes: fs.statSync(file).size,
    rawBytes: GZ_RAW_BYTES,
    randomShare: randomBytesTotal / GZ_RAW_BYTES,
  };
}

// --- shared measurement helpers ----------------------------------------------------------------------------

/** Unpacks a layer file the way the engine does (64 KiB chunks, diff_id checked); returns its tree. */
async function unpackFile(mod, file, expect, gunzip) {
  const u = await mod.unpackLayer(fs.createReadStream(file), {
    hasher: mod.nodeSha256,
    ...(gunzip ? { gunzip } : {}),
  });
  if (u.diffId !== expect.diffId) throw new Error(`${path.basename(file)}: diff_id ${u.diffId} is wrong`);
  if (u.warnings.length) throw new Error(`${path.basename(file)}: ${u.warnings[0]}`);
  return u.fs;
}

function statOf(mod, ns, p) {
  const r = ns.resolve(ns.root, p, true);
  if (typeof r === 'number') throw new Error(`${p}: errno ${r}`);
  if (r.node === null) throw new Error(`${p}: not found`);
  const st = r.fs.stat(r.node);
  if (st.filetype !== mod.FILETYPE_REGULAR_FILE) throw new Error(`${p}: not a regular file`);
  return st.size;
}

// --- modes ---------------------------------------------------------------------------------------------------

const MODES = {
  /** Writes every layer into spec.dir; replies with what each holds. */
  async generate(spec, mod) {
    const t0 = performance.now();
    const gz = await writeGz(mod, path.join(spec.dir, 'layer.tar.gz'));
    const base = writeBase(mod, path.join(spec.dir, 'base.tar'));
    const uppers = [];
    for (let i = 1; i <= UPPER_LAYERS; i++)
      uppers.push(writeUpper(mod, path.join(spec.dir, `up${pad2(i)}.tar`), i));
    return { ok: true, samples: [performance.now() - t0], base, uppers, gz };
  },

  /**
   * New container on an image whose LowerStack exists: new UnionFileSystem + Namespace + resolve and
   * stat of one file, each container a file in a different directory (whose merged view the LowerStack
   * has not made yet). 10 warm-up containers, then spec.containers timed.
   */
  async mount(spec, mod) {
    const t0 = performance.now();
    const lower = new mod.LowerStack([await unpackFile(mod, path.join(spec.dir, 'base.tar'), spec.base)]);
    const unpackMs = performance.now() - t0;
    settle();
    // Distinct leaf directories in a fixed shuffled order.
    const rand = prng(3);
    const leaves = [];
    for (let d = 0; d < D; d++) for (let s = 0; s < S; s++) leaves.push([d, s]);
    for (let i = leaves.length - 1; i > 0; i--) {
      const j = rand.next() % (i + 1);
      [leaves[i], leaves[j]] = [leaves[j], leaves[i]];
    }
    const warmup = 10;
    const samples = [];
    const kept = [];
    let firstMs = 0;
    for (let i = 0; i < warmup + spec.containers; i++) {
      const [d, s] = leaves[i];
      const p = baseFile(d, s, 5);
      const t = performance.now();
      const union = new mod.UnionFileSystem({ lower });
      const ns = new mod.Namespace(union);
      statOf(mod, ns, p);
      const ms = performance.now() - t;
      kept.push(ns);
      if (i === 0) firstMs = ms;
      if (i >= warmup) samples.push(ms);
    }
    return { ok: true, samples, unpackMs, firstMs };
  },

  /** The floor: new MemoryFileSystem(), same counts as mount. */
  async floor(spec, mod) {
    const samples = [];
    const kept = [];
    for (let i = 0; i < 10 + spec.containers; i++) {
      const t = performance.now();
      const m = new mod.MemoryFileSystem();
      const ms = performance.now() - t;
      kept.push(m);
      if (i >= 10) samples.push(ms);
    }
    return { ok: true, samples };
  },

  /**
   * 20,000 x (Namespace.resolve + stat) of files of base.tar (2,000 distinct: f000-f003 of every leaf
   * directory, 10 rounds) through a union over spec.layers layers (base.tar at the bottom) and over
   * base.tar alone, each run on a fresh container. The two stacks are measured in the same process, runs
   * alternating (ABBA), so that both see the same heap, JIT state and machine load: the ratio is the cost
   * of the layer count alone.
   * Warm: the containers share one LowerStack per stack (the engine keeps one per image); 3 warm-up runs.
   * Cold: every run on a fresh LowerStack too, so each directory's merge of its layers is in the clock.
   */
  async stat(spec, mod) {
    const layers = [await unpackFile(mod, path.join(spec.dir, 'base.tar'), spec.base)];
    for (let i = 1; i < spec.layers; i++) {
      layers.push(await unpackFile(mod, path.join(spec.dir, `up${pad2(i)}.tar`), spec.uppers[i - 1]));
    }
    const single = layers.slice(0, 1);
    const paths = [];
    for (let d = 0; d < D; d++)
      for (let s = 0; s < S; s++) for (let f = 0; f < 4; f++) paths.push(baseFile(d, s, f));
    const rounds = spec.ops / paths.length;
    const checksums = new Set();
    const run = (lower) => {
      const ns = new mod.Namespace(new mod.UnionFileSystem({ lower }));
      if (typeof gc === 'function') gc();
      let sum = 0;
      const t = performance.now();
      for (let r = 0; r < rounds; r++) for (const p of paths) sum += statOf(mod, ns, p);
      const ms = performance.now() - t;
      checksums.add(sum);
      return ms;
    };
    const sharedN = new mod.LowerStack(layers);
    const shared1 = new mod.LowerStack(single);
    // Warm-up: JIT, and the shared LowerStacks' merged views.
    for (let i = 0; i < 3; i++) {
      run(sharedN);
      run(shared1);
    }
    const r = { samples: [], base: [], cold: [], coldBase: [] };
    for (let i = 0; i < spec.runs; i++) {
      const order = i % 2 === 0 ? [true, false] : [false, true];
      for (const many of order)
        r[many ? 'cold' : 'coldBase'].push(run(new mod.LowerStack(many ? layers : single)));
      for (const many of order) r[many ? 'samples' : 'base'].push(run(many ? sharedN : shared1));
    }
    // Both stacks must show the same files (the thin layers hide none of the ones looked up).
    if (checksums.size !== 1) throw new Error(`the ${spec.layers}-layer and 1-layer stacks disagree`);
    return { ok: true, ...r };
  },

  /**
   * Memory: heapUsed + arrayBuffers after gc, before and after the image is unpacked, after a first
   * container has made the LowerStack's merged views of the directories used, and after spec.containers
   * more containers (all kept alive), each stat'ing the same 20 paths and writing /etc/hostname (100 B).
   */
  async memory(spec, mod) {
    if (typeof gc !== 'function') throw new Error('needs --expose-gc');
    const used = () => {
      settle();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const paths = ['/etc/passwd', '/etc/hosts', '/etc/group', '/etc/os-release'];
    for (let i = 0; i < 16; i++) paths.push(baseFile(i, (i * 7) % S, i % 10));
    const hostname = new Uint8Array(100).fill(0x61);
    const container = (lower) => {
      const union = new mod.UnionFileSystem({ lower });
      const ns = new mod.Namespace(union);
      for (const p of paths) statOf(mod, ns, p);
      const r = ns.resolve(ns.root, '/etc/hostname', false);
      if (typeof r === 'number' || r.node !== null) throw new Error('/etc/hostname: cannot create');
      const node = r.dir.fs.createFile(r.dir.node, r.name, 0o644);
      if (typeof node === 'number') throw new Error(`/etc/hostname: errno ${node}`);
      const h = r.dir.fs.open(node, { read: false, write: true });
      if (typeof h === 'number' || h.pwrite(hostname, 0) !== hostname.length) throw new Error('write failed');
      h.close();
      return ns;
    };
    const m0 = used();
    const lower = new mod.LowerStack([await unpackFile(mod, path.join(spec.dir, 'base.tar'), spec.base)]);
    const m1 = used();
    container(lower); // dropped: it only makes the merged views every container shares
    const m2 = used();
    const kept = [];
    for (let i = 0; i < spec.containers; i++) kept.push(container(lower));
    const m3 = used();
    if (kept.length !== spec.containers) throw new Error('lost a container');
    return {
      ok: true,
      samples: [0],
      imageBytes: m1 - m0,
      mergedBytes: m2 - m1,
      addedBytes: m3 - m2,
    };
  },

  /** unpackLayer of layer.tar.gz from /dev/shm, with node:zlib (spec.codec 'node') or DecompressionStream. */
  async unpack(spec, mod) {
    const file = path.join(spec.dir, 'layer.tar.gz');
    const gunzip = spec.codec === 'node' ? mod.nodeGunzip : undefined;
    const once = async () => {
      settle();
      const t = performance.now();
      const tree = await unpackFile(mod, file, spec.gz, gunzip);
      const ms = performance.now() - t;
      if (!tree) throw new Error('no tree');
      return ms;
    };
    await once();
    const samples = [];
    for (let i = 0; i < spec.runs; i++) samples.push(await once());
    return { ok: true, samples };
  },

  /** Spawned `tar -xzf layer.tar.gz -C <fresh dir on /dev/shm>`, wall time from spawn to exit. */
  async tar(spec) {
    const file = path.join(spec.dir, 'layer.tar.gz');
    let n = 0;
    const once = async () => {
      const out = path.join(spec.dir, `x${n++}`);
      fs.mkdirSync(out);
      settle();
      const t = performance.now();
      const { code, stderr } = await new Promise((resolve, reject) => {
        const child = spawn('tar', ['-xzf', file, '-C', out], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (c) => resolve({ code: c, stderr: err }));
      });
      const ms = performance.now() - t;
      if (code !== 0) throw new Error(`tar exit ${code}: ${stderr.trim().split('\n').pop()}`);
      const files = countFiles(out);
      fs.rmSync(out, { recursive: true, force: true });
      if (files !== spec.gz.files) throw new Error(`tar extracted ${files} files, expected ${spec.gz.files}`);
      return ms;
    };
    await once();
    const samples = [];
    for (let i = 0; i < spec.runs; i++) samples.push(await once());
    return { ok: true, samples };
  },
};

function countFiles(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}
