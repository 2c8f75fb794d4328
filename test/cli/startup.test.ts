/**
 * What a `berth run --rm hello` costs, next to Node starting and doing nothing: 20 runs of each with
 * process.hrtime, the figures printed. The bound asserted is loose (machines and load differ); the
 * numbers are for the report.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, freshRoot, removeRoot, root, seedImages, wasm } from './helpers';

const RUNS = 20;
let state: string;

beforeAll(async () => {
  state = freshRoot();
  await seedImages(state);
});
afterAll(() => removeRoot(state));

interface Figures {
  median: number;
  min: number;
  p90: number;
  mean: number;
}

function measure(args: string[]): Figures {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, {
      cwd: root,
      env: { ...process.env, BERTH_ROOT: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    median: round(ms[RUNS >> 1]!),
    min: round(ms[0]!),
    p90: round(ms[Math.floor(RUNS * 0.9)]!),
    mean: round(ms.reduce((a, b) => a + b, 0) / RUNS),
  };
}

describe('startup', () => {
  it('measures berth run --rm hello against node -e 0', () => {
    const node = measure(['-e', '0']);
    const version = measure([bin, '--version']);
    const run = measure([bin, 'run', '--rm', 'hello']);
    const wasmRun = measure([bin, 'wasm', 'run', wasm('hello')]);
    console.log(
      `${RUNS} runs each, ms:\n` +
        `  node -e 0               ${JSON.stringify(node)}\n` +
        `  berth --version         ${JSON.stringify(version)}\n` +
        `  berth wasm run hello    ${JSON.stringify(wasmRun)}\n` +
        `  berth run --rm hello    ${JSON.stringify(run)}\n` +
        `  run - node (median)     ${Math.round(run.median - node.median)}`,
    );
    expect(run.median).toBeLessThan(node.median + 3000);
  }, 300_000);
});
