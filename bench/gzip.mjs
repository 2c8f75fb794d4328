#!/usr/bin/env node
// Layer compression: what one deflater for every host costs. Compresses a 50 MB layer-like input (the
// test WASI modules repeated with small changes, every tenth block random) with
//   - layerGzip (src/layer/gzip.ts: fflate, level 6, 64 KiB pieces), what Node and the browser use, and
//   - node:zlib's createGzip (level 6, 256 KiB chunks), what Node used before,
// three times each, and prints times and sizes. Needs dist/ (npm run build).
//
//   node bench/gzip.mjs [MEGABYTES]
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { layerGzip } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const size = Number(process.argv[2] ?? 50) * 1024 * 1024;
const wasmDir = join(root, 'test/wasi/wasm');
const modules = readdirSync(wasmDir)
  .filter((f) => f.endsWith('.wasm'))
  .map((f) => readFileSync(join(wasmDir, f)));
const input = Buffer.alloc(size);
for (let at = 0, k = 0; at < size; k++) {
  const block = k % 10 === 9 ? randomBytes(64 * 1024) : modules[k % modules.length];
  block.copy(input, at);
  input[at] ^= k & 0xff;
  at += block.length;
}

async function* chunks() {
  for (let at = 0; at < size; at += 64 * 1024) yield input.subarray(at, at + 64 * 1024);
}

async function fflateRun() {
  let bytes = 0;
  for await (const c of layerGzip(chunks())) bytes += c.length;
  return bytes;
}

function zlibRun() {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const z = createGzip({ chunkSize: 256 * 1024 });
    z.on('data', (c) => (bytes += c.length));
    z.on('end', () => resolve(bytes));
    z.on('error', reject);
    (async () => {
      for await (const c of chunks()) if (!z.write(c)) await new Promise((r) => z.once('drain', r));
      z.end();
    })();
  });
}

const mb = (n) => (n / 1024 / 1024).toFixed(1);
console.log(`layer gzip, ${mb(size)} MB input (node ${process.version}, zlib ${process.versions.zlib})`);
for (let i = 1; i <= 3; i++) {
  let t = performance.now();
  const a = await fflateRun();
  const fflateMs = performance.now() - t;
  t = performance.now();
  const b = await zlibRun();
  const zlibMs = performance.now() - t;
  console.log(
    `run ${i}: layerGzip (fflate) ${fflateMs.toFixed(0)} ms -> ${mb(a)} MB | node:zlib ${zlibMs.toFixed(0)} ms -> ${mb(b)} MB | ` +
      `time ${(fflateMs / zlibMs).toFixed(2)}x, size ${((a / b - 1) * 100).toFixed(1)}% larger`,
  );
}
