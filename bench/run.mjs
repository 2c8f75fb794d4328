#!/usr/bin/env node
// `npm run bench`: Berth's WASI runtime against node:wasi, @bjorn3/browser_wasi_shim and @wasmer/wasi,
// side by side, in one run.
//
//   node bench/run.mjs [--wasm-dir DIR] [--only SUBSTRING]
//
// Cases (programs in test/wasi/wasm/, built from test/wasi/c/):
//   1. N x 16-byte write() to one file (bench_write.wasm, N = argv[1]) at 50k and 200k, whose time
//      ratio shows whether the cost is linear in N;
//   2. 20k x (open, read 1 KiB, close) (bench_open_read.wasm);
//   3. 20k x stat (bench_stat.wasm);
//   4. hello.wasm: create + instantiate + start with the module compiled once, median of 200; for Berth
//      both in-thread (runInThreadSync) and through spawn() on a warm worker pool (bench/worker-path.mjs).
//   5. Images (bench/images.mjs): mounting a container on a 10,000-file / 50 MB image, stat through 20
//      layers vs 1, memory of 100 containers, unpacking a 50 MB .tar.gz layer vs tar -xzf; on layers
//      generated at run time on /dev/shm. --only images runs just this table.
//   6. The berth CLI (bench/cli.mjs): wall time of `berth run --rm hello`, `run --rm box true` and a
//      cached six-step build, each a new process, next to `node -e 0` in the same rounds (--only cli).
//
// Method: every (runtime, case) pair runs in its own child process (bench/child.mjs), killed after 60 s.
// For cases 1-3 only start() is timed — compile, the fresh filesystem, the WASI object and instantiation
// happen before the clock starts —, median of 5 after one warm-up (fewer when a single run is slow, see
// child.mjs), on a fresh filesystem every run. Every run must exit 0, or the cell says why not.
// The report goes to stdout; progress goes to stderr. --only runs the cases whose id or label contains
// SUBSTRING ('hello' for the start-up table); --wasm-dir takes the programs from elsewhere.

import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleImages, bundleRuntime } from './bundle.mjs';
import { fmtMs, fmtRatio, median, table } from './format.mjs';
import { measureCli } from './cli.mjs';
import { measureImages } from './images.mjs';
import { scratchBase } from './runners.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const CASE_TIMEOUT_MS = 60_000;
const PEERS = ['node:wasi', 'browser_wasi_shim', '@wasmer/wasi'];

const argv = process.argv.slice(2);
const flag = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const wasmDir = path.resolve(flag('--wasm-dir') ?? path.join(repoRoot, 'test/wasi/wasm'));
const only = flag('--only');

/**
 * The file-system cases. `target` compares Berth with one peer: Berth/peer must be <= max.
 * args[0] is the program name, as a shell would pass it.
 */
const FS_CASES = [
  { id: 'write50k', label: '50k x write 16 B', wasm: 'bench_write.wasm', args: ['bench_write', '50000'] },
  {
    id: 'write200k',
    label: '200k x write 16 B',
    wasm: 'bench_write.wasm',
    args: ['bench_write', '200000'],
    target: { peer: 'node:wasi', max: 1.0 },
  },
  {
    id: 'openread',
    label: '20k x open+read 1 KiB+close',
    wasm: 'bench_open_read.wasm',
    args: ['bench_open_read', '20000'],
    target: { peer: 'browser_wasi_shim', max: 0.8 },
  },
  {
    id: 'stat',
    label: '20k x stat',
    wasm: 'bench_stat.wasm',
    args: ['bench_stat', '20000'],
    target: { peer: 'browser_wasi_shim', max: 1.0 },
  },
];
const HELLO = { wasm: 'hello.wasm', args: ['hello'], maxMs: 0.1 };

// --- running one (runtime, case) pair in a child ----------------------------------------------------------

/**
 * Forks bench/child.mjs (or `script`) with `spec`; resolves to its reply, or { ok: false, timeout } / a
 * crash reason.
 */
function runChild(spec, { script = path.join(here, 'child.mjs'), execArgv = [] } = {}) {
  return new Promise((resolve) => {
    const child = fork(script, [], {
      execArgv: ['--no-warnings', ...execArgv],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    let reply = null;
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => {
      reply = { ok: false, timeout: true, error: `> ${CASE_TIMEOUT_MS / 1000} s` };
      child.kill('SIGKILL');
    }, CASE_TIMEOUT_MS);
    child.on('message', (m) => {
      reply ??= m;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply) return resolve(reply);
      const last = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
      resolve({ ok: false, error: `child died (${signal ?? `exit ${code}`}) ${last}`.trim() });
    });
    child.send(spec);
  });
}

// --- the report ---------------------------------------------------------------------------------------------

/** Footnotes collected while rendering cells: failures and reduced sample counts. */
const notes = [];
function footnote(text) {
  let i = notes.indexOf(text);
  if (i < 0) i = notes.push(text) - 1;
  return `[${i + 1}]`;
}

/** A result's headline time in ms, or null when it failed. */
const timeOf = (r) => (r?.ok ? median(r.samples) : null);

function cell(r, who, label) {
  if (!r) return '-';
  if (r.ok) {
    const t = fmtMs(median(r.samples));
    return r.note ? `${t} ${footnote(`${who}, ${label}: ${r.note}`)}` : t;
  }
  if (r.timeout) return r.error;
  if (r.na) return `n/a ${footnote(`${who}, ${label}: ${r.error}`)}`;
  return `FAIL ${footnote(`${who}, ${label}: ${r.error}`)}`;
}

function ratioCell(berth, peer) {
  const b = timeOf(berth);
  const p = timeOf(peer);
  return b !== null && p !== null ? fmtRatio(b / p) : '-';
}

/** How fast freshly allocated memory is first written: on some VMs page faults dominate memory-heavy cases. */
function firstTouchMBps() {
  const bytes = 64 * 1024 * 1024;
  const t0 = performance.now();
  new Uint8Array(bytes).fill(1);
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

function environment(load) {
  const cpus = os.cpus();
  const version = (pkg) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8'))
        .version;
    } catch {
      return '?';
    }
  };
  return [
    `node ${process.version} (V8 ${process.versions.v8}) on ${os.platform()} ${os.arch()}`,
    `CPU: ${cpus[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores`,
    `peers: node:wasi (uvwasi ${process.versions.uvwasi ?? '?'}), @bjorn3/browser_wasi_shim ${version('@bjorn3/browser_wasi_shim')}, ` +
      `@wasmer/wasi ${version('@wasmer/wasi')}`,
    `node:wasi scratch directories on ${scratchBase()}`,
    // Other work on the machine skews the numbers; say how busy it was.
    `load average at start: ${load.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min)` +
      (load[0] > os.availableParallelism() / 2
        ? ': the machine is busy, timings are inflated and noisy'
        : ''),
    `fresh memory, first touch: ${firstTouchMBps().toFixed(0)} MB/s (page faults; large appends and instantiation pay it)`,
  ].join('\n');
}

async function main() {
  const started = performance.now();
  // Describe the machine before the benchmark loads it.
  const env = environment(os.loadavg());
  const log = (s) => process.stderr.write(s);

  const missing = [...new Set([...FS_CASES.map((c) => c.wasm), HELLO.wasm])].filter(
    (f) => !fs.existsSync(path.join(wasmDir, f)),
  );
  if (missing.length) {
    console.error(`bench: missing programs in ${wasmDir}: ${missing.join(', ')} (npm run wasm:compile)`);
    process.exit(1);
  }

  log('bench: bundling runtime/ with esbuild ...\n');
  const bundle = await bundleRuntime(repoRoot);
  // Snapshot the programs next to the bundle: test/wasi/wasm/ may be rebuilt while the benchmark runs.
  const programs = path.join(bundle.dir, 'wasm');
  fs.mkdirSync(programs);
  for (const f of new Set([...FS_CASES.map((c) => c.wasm), HELLO.wasm])) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(programs, f));
  }

  try {
    const results = {}; // results[caseId][runtime]
    const measure = async (id, label, runtime, spec) => {
      log(`  ${label.padEnd(34)} ${runtime.padEnd(22)} `);
      const r = await runChild({ runtime, bundleFile: bundle.file, ...spec });
      log(`${r.ok ? fmtMs(median(r.samples)) : r.error}\n`);
      (results[id] ??= {})[runtime] = r;
    };

    for (const c of FS_CASES) {
      if (only && !c.label.includes(only) && !c.id.includes(only)) continue;
      for (const rt of ['berth', ...PEERS]) {
        await measure(c.id, c.label, rt, { mode: 'start', wasm: path.join(programs, c.wasm), args: c.args });
      }
    }
    const helloSpec = { wasm: path.join(programs, HELLO.wasm), args: HELLO.args };
    if (!only || 'hello'.includes(only)) {
      for (const rt of ['berth', ...PEERS])
        await measure('hello', 'hello', rt, { mode: 'hello', ...helloSpec });
      await measure('helloWorker', 'hello (warm worker)', 'berth', { mode: 'hello-worker', ...helloSpec });
    }
    let cliReport = null;
    if (!only || 'cli'.includes(only)) {
      // Last of the measurements, each a new berth process; node -e 0 runs in the same rounds.
      cliReport = await measureCli({ runs: 20, log });
    }
    let renderImages = null;
    if (!only || 'images'.includes(only)) {
      log('bench: bundling the image pieces of runtime/ and src/ with esbuild ...\n');
      const imagesFile = await bundleImages(repoRoot, bundle.dir);
      renderImages = await measureImages({ runChild, imagesFile, log });
    }

    // --- print --------------------------------------------------------------------------------------------
    const out = [];
    out.push('Berth WASI runtime benchmark', '', env, '');
    const header = ['case', 'berth'];
    for (const p of PEERS) header.push(p, 'ratio');
    header.push('target');

    const fsRows = [header];
    for (const c of FS_CASES) {
      const rs = results[c.id];
      if (!rs) continue;
      const row = [c.label, cell(rs.berth, 'berth', c.label)];
      for (const p of PEERS) row.push(cell(rs[p], p, c.label), ratioCell(rs.berth, rs[p]));
      if (c.target) {
        const b = timeOf(rs.berth);
        const p = timeOf(rs[c.target.peer]);
        const verdict = b === null || p === null ? 'n/a' : b / p <= c.target.max ? 'PASS' : 'FAIL';
        row.push(`<= ${c.target.max.toFixed(2)}x ${c.target.peer}: ${verdict}`);
      } else row.push('');
      fsRows.push(row);
    }
    if (fsRows.length > 1) {
      out.push(
        'File-system syscalls. Measured: _start() only (compile, fresh filesystem, WASI object and instance ' +
          'before the clock), median of 5 after 1 warm-up; ratio = berth / peer.',
      );
      out.push(table(fsRows));
      if (results.write50k && results.write200k) {
        const lin = ['berth', ...PEERS].map((rt) => {
          const a = timeOf(results.write50k[rt]);
          const b = timeOf(results.write200k[rt]);
          if (a !== null && b !== null) return `${rt} ${(b / a).toFixed(2)}`;
          // A 200k run that hit the cap still bounds the ratio from below.
          if (a !== null && results.write200k[rt]?.timeout)
            return `${rt} > ${(CASE_TIMEOUT_MS / a).toFixed(1)}`;
          return `${rt} n/a`;
        });
        out.push(`Linearity, time(200k writes) / time(50k writes), 4.00 = linear: ${lin.join(', ')}`);
        // The fastest runs are the least disturbed by other load on the machine.
        const best = ['berth', 'node:wasi', '@wasmer/wasi']
          .filter((rt) => results.write50k[rt]?.ok && results.write200k[rt]?.ok)
          .map(
            (rt) =>
              `${rt} ${(Math.min(...results.write200k[rt].samples) / Math.min(...results.write50k[rt].samples)).toFixed(2)}`,
          );
        if (best.length) out.push(`  same, fastest run of each: ${best.join(', ')}`);
      }
      out.push('');
    }

    if (results.hello) {
      const rows = [header];
      const helloRow = (label, berthResult) => {
        const row = [label, cell(berthResult, 'berth', label)];
        for (const p of PEERS)
          row.push(cell(results.hello[p], p, 'hello'), ratioCell(berthResult, results.hello[p]));
        const b = timeOf(berthResult);
        row.push(`<= ${fmtMs(HELLO.maxMs)}: ${b === null ? 'n/a' : b <= HELLO.maxMs ? 'PASS' : 'FAIL'}`);
        return row;
      };
      rows.push(helloRow('hello, in-thread (runInThreadSync)', results.hello.berth));
      rows.push(helloRow('hello, warm worker (spawn)', results.helloWorker?.berth));
      out.push(
        'Start-up. Measured: new WASI object (fresh filesystem) + instantiate + _start of hello.wasm, module ' +
          'compiled once; median of 200 after 20 warm-up; peers run in-thread in both rows.',
      );
      out.push(table(rows));
      out.push('');
    }

    if (renderImages) out.push(...renderImages(footnote));
    if (cliReport) out.push(cliReport, '');

    if (notes.length) {
      out.push('Notes:');
      notes.forEach((n, i) => out.push(`  [${i + 1}] ${n}`));
      out.push('');
    }
    out.push(`Total time ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    console.log(out.join('\n'));
  } finally {
    fs.rmSync(bundle.dir, { recursive: true, force: true });
  }
}

await main();
