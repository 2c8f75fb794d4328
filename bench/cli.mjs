#!/usr/bin/env node
// The berth command's wall time, next to `node -e 0` in the same run (issue #4's targets):
//
//   node bench/cli.mjs [--runs N] [--only SUBSTRING]
//
// Cases, each a new process of the built CLI (bin/berth.js → dist/berth.cjs) on a fresh state root made
// here: `berth --version`, `berth run --rm hello`, `berth run --rm box true`, and `berth build` of a
// six-step Dockerfile whose steps are all cached. The cases run round-robin (one of each, N times), so a
// burst of load from elsewhere on the machine hits every case alike; the report gives medians and the
// ratio to `node -e 0`. Setup (seeding the images, the first build) is not timed.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, table } from './format.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const bin = path.join(repoRoot, 'bin/berth.js');

const SIX_STEPS = [
  'FROM scratch',
  'COPY tool.wasm /bin/tool.wasm',
  'WORKDIR /work',
  'ENV GREETING=hello',
  'RUN ["/bin/tool.wasm", "write", "/work/out.txt", "built"]',
  'CMD ["/bin/tool.wasm", "cat", "/work/out.txt"]',
  '',
].join('\n');

/** Runs one command to the end; throws with its stderr when it fails. Returns the wall time in ms. */
function timed(args, { env, cwd }) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  }
  return { ms, stdout: r.stdout.toString() };
}

/**
 * Measures the CLI cases and returns the report text. `log` gets progress lines.
 * @param {{ runs?: number, only?: string, log?: (s: string) => void }} options
 */
export async function measureCli({ runs = 20, only, log = () => {} } = {}) {
  if (!fs.existsSync(path.join(repoRoot, 'dist/berth.cjs'))) {
    throw new Error('dist/berth.cjs is missing: npm run build');
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-cli-'));
  try {
    const env = { ...process.env, BERTH_ROOT: path.join(work, 'state') };
    delete env.SOURCE_DATE_EPOCH;
    const opts = { env, cwd: work };
    const context = path.join(work, 'six');
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, 'Dockerfile'), SIX_STEPS);
    fs.copyFileSync(path.join(repoRoot, 'test/process/fixtures/tool.wasm'), path.join(context, 'tool.wasm'));

    log('bench cli: seeding hello, box and the six-step image ...\n');
    timed([bin, 'run', '--rm', 'hello'], opts);
    timed([bin, 'run', '--rm', 'box', 'true'], opts);
    timed([bin, 'build', '-t', 'six', context], opts);
    const cached = timed([bin, 'build', '-t', 'six', context], opts).stdout;
    if ((cached.match(/Using cache/g) ?? []).length !== 5) {
      throw new Error(`the rebuild was not fully cached:\n${cached}`);
    }

    const cases = [
      { label: 'node -e 0', args: ['-e', '0'] },
      { label: 'berth --version', args: [bin, '--version'] },
      { label: 'berth run --rm hello', args: [bin, 'run', '--rm', 'hello'], target: { ratio: 2.5 } },
      { label: 'berth run --rm box true', args: [bin, 'run', '--rm', 'box', 'true'] },
      { label: 'berth build (6 steps, all cached)', args: [bin, 'build', '-t', 'six', context], target: { ms: 150 } }, // prettier-ignore
    ].filter((c) => c.label === 'node -e 0' || !only || c.label.includes(only));
    const samples = new Map(cases.map((c) => [c, []]));
    for (let i = 0; i < runs; i++) {
      log(`\rbench cli: round ${i + 1}/${runs}`);
      for (const c of cases) samples.get(c).push(timed(c.args, opts).ms);
    }
    log('\n');

    const base = median(samples.get(cases[0]));
    const rows = [['case', 'median', 'min', 'vs node -e 0', 'target']];
    for (const c of cases) {
      const xs = samples.get(c);
      const m = median(xs);
      let target = '';
      if (c.target?.ratio)
        target = `<= ${c.target.ratio}x node: ${m / base <= c.target.ratio ? 'PASS' : 'MISSED'}`;
      if (c.target?.ms) target = `<= ${c.target.ms} ms: ${m <= c.target.ms ? 'PASS' : 'MISSED'}`;
      rows.push([c.label, fmtMs(m), fmtMs(Math.min(...xs)), `${(m / base).toFixed(2)}x`, target]);
    }
    return [
      `The berth CLI, wall time of a new process, ${runs} rounds (cases interleaved), load average at end ` +
        `${os.loadavg()[0].toFixed(2)}:`,
      table(rows),
    ].join('\n');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const flag = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const runs = Number(flag('--runs') ?? 20);
  console.log(await measureCli({ runs, only: flag('--only'), log: (s) => process.stderr.write(s) }));
}
