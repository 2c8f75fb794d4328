/* global WebAssembly */
// A benchmark child: measures one (runtime, case) pair and reports back over the IPC channel.
// bench/run.mjs forks one per pair, so every measurement starts from a fresh heap and JIT state, only
// one runtime is loaded at a time, and a runtime that hangs or is too slow can be killed (60 s cap).
//
// Request (first IPC message):
//   { runtime, wasm, args, mode: 'start' | 'hello' | 'hello-worker', bundleFile, ...knobs }
// Reply:
//   { ok: true, samples: [ms, ...], note? }
//   { ok: false, error: 'why' }

import fs from 'node:fs';
import { loadRunner } from './runners.mjs';
import { helloWorker } from './worker-path.mjs';

/** Timed-case policy: one warm-up, then up to `runs` timed runs, fewer when one run is slow. */
const DEFAULTS = {
  runs: 5,
  // When the warm-up alone takes this long, it is the only sample (repeating would blow the time budget;
  // a run this long is not sensitive to JIT warm-up anyway).
  soloMs: 10_000,
  // Timed runs are limited to what fits this budget, judging by the warm-up's duration.
  budgetMs: 12_000,
  helloIterations: 200,
  helloWarmup: 20,
};

process.once('message', async (spec) => {
  let reply;
  try {
    reply = await measure({ ...DEFAULTS, ...spec });
  } catch (e) {
    reply = { ok: false, error: oneLine(e) };
  }
  process.send(reply, () => process.exit(0));
});

function oneLine(e) {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.split('\n')[0].slice(0, 200);
}

/** The last non-empty line of guest output, for failure messages. */
function lastLine(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length ? lines[lines.length - 1].slice(0, 160) : '(no output)';
}

async function measure(spec) {
  const module = new WebAssembly.Module(fs.readFileSync(spec.wasm)); // compiled once, never timed
  if (spec.mode === 'hello-worker') return helloWorker(spec, module);
  const runner = await loadRunner(spec.runtime, spec);
  try {
    return spec.mode === 'hello' ? hello(runner, module, spec) : timedStarts(runner, module, spec);
  } finally {
    runner.close?.();
  }
}

/** One run on a fresh filesystem; only start() is inside the clock. Throws when the guest fails. */
function oneRun(runner, module, args) {
  const run = runner.prepare(module, args);
  try {
    let code;
    const t0 = performance.now();
    try {
      code = run.start();
    } catch (e) {
      throw new Error(`threw ${oneLine(e)}`);
    }
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`exit ${code}: ${lastLine(run.output())}`);
    return ms;
  } finally {
    run.dispose();
  }
}

function timedStarts(runner, module, spec) {
  const warm = oneRun(runner, module, spec.args);
  if (warm >= spec.soloMs) {
    return { ok: true, samples: [warm], note: 'one run only (the warm-up): too slow to repeat' };
  }
  const runs = Math.max(1, Math.min(spec.runs, Math.floor(spec.budgetMs / Math.max(warm, 1e-3))));
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(oneRun(runner, module, spec.args));
  return { ok: true, samples, ...(runs < spec.runs ? { note: `${runs} runs (time budget)` } : {}) };
}

function hello(runner, module, spec) {
  const once = () => {
    const t0 = performance.now();
    let code;
    try {
      code = runner.hello(module, spec.args);
    } catch (e) {
      throw new Error(`threw ${oneLine(e)}`);
    }
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`exit ${code}`);
    return ms;
  };
  for (let i = 0; i < spec.helloWarmup; i++) once();
  const samples = [];
  for (let i = 0; i < spec.helloIterations; i++) samples.push(once());
  return { ok: true, samples };
}
