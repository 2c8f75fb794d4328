#!/usr/bin/env node
// Runs every program in test/wasi/cases.json under Node's built-in WASI
// (node:wasi, i.e. uvwasi) to validate the *test programs themselves*.
// No dependencies.
//
//   node test/wasi/run-node-wasi.mjs [--filter SUBSTRING] [--verbose] [--no-bench]
//
// Each case runs in a child Node process (10 s timeout) with:
//   args     = [name-of-program, ...case.args]
//   env      = case.env
//   preopens = { "/": <fresh empty tmp dir> }
//              + { "/mnt": <tmp>/mnt } when case.needsMount; <tmp>/secret.txt is
//                the secret that must never leak. HOST_SECRET_PATH is also put in
//                the environment so attack_escape can try the real host path.
//   stdin    = case.stdin (a pipe, closed after the text)
//
// cases.json fields (array of objects):
//   name                  unique case name (also the .wasm name unless "wasm" is given)
//   wasm                  optional file in test/wasi/wasm/ (when several cases share one program)
//   args, env, stdin      as above
//   needsMount            mount a host dir at /mnt whose parent holds secret.txt
//   expectExit            number, or "killed" (runaway programs: a runtime must stop them)
//   expectStdout          optional exact stdout
//   expectStdoutContains  optional substring that stdout must contain
//   bench                 optional: benchmark program (its "# ..." timing line is shown)
//   notes                 free text
//
// Programs print "ok - ..." / "not ok - ...: got X, expected Y" and a final
// "# passed N failed M"; the table shows those counts and every "not ok" line.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wasmDir = path.join(here, 'wasm');
const SECRET = 'BERTH-HOST-SECRET do not leak 7f3a9c\n';
// Programs without resource limits under node:wasi: running them would hang or eat the machine.
const SKIP_UNDER_NODE = {
  attack_loop: 'infinite loop; node:wasi has no CPU/time limit',
  attack_flood: 'writes to stdout forever; node:wasi has no output limit',
  attack_memory: 'allocates until failure; node:wasi has no memory cap (would grow to 4 GiB)',
};

if (process.argv[2] === '--child') {
  await runChild(JSON.parse(process.argv[3]));
} else {
  await runParent();
}

async function runChild(spec) {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({
    version: 'preview1',
    args: spec.args,
    env: spec.env,
    preopens: spec.preopens,
    returnOnExit: true,
  });
  try {
    const module = await WebAssembly.compile(fs.readFileSync(spec.wasm));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    const code = wasi.start(instance);
    process.exitCode = code;
  } catch (err) {
    process.stderr.write(`# node-runner: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 134;
  }
}

function listTree(dir, skip) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === skip) continue;
      out.push(r);
      if (e.isDirectory()) walk(path.join(d, e.name), r);
    }
  };
  walk(dir, '');
  return out.sort();
}

async function runParent() {
  const argv = process.argv.slice(2);
  const filter = argv.includes('--filter') ? argv[argv.indexOf('--filter') + 1] : null;
  const verbose = argv.includes('--verbose');
  const noBench = argv.includes('--no-bench');
  const cases = JSON.parse(fs.readFileSync(path.join(here, 'cases.json'), 'utf8'));
  const rows = [];
  let bad = 0;

  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    if (noBench && c.bench) continue;
    const wasmName = c.wasm || `${c.name}.wasm`;
    const row = { name: c.name, exit: '', checks: '', result: '', notOk: [], info: [] };
    rows.push(row);
    const progName = path.basename(wasmName, '.wasm');
    if (SKIP_UNDER_NODE[progName]) {
      row.exit = '-';
      row.checks = '-';
      row.result = 'SKIP';
      row.info.push(`skipped under node:wasi: ${SKIP_UNDER_NODE[progName]}`);
      continue;
    }
    const wasm = path.join(wasmDir, wasmName);
    if (!fs.existsSync(wasm)) {
      row.result = 'FAIL';
      row.info.push(`missing ${wasm} (run scripts/build-test-wasm.sh)`);
      bad++;
      continue;
    }
    const base = fs.mkdtempSync(path.join(os.tmpdir(), `berth-nodewasi-${c.name}-`));
    const root = path.join(base, 'root');
    fs.mkdirSync(root);
    const preopens = { '/': root };
    const env = { ...(c.env || {}) };
    let hostParent = null;
    let before = null;
    if (c.needsMount) {
      hostParent = path.join(base, 'host');
      fs.mkdirSync(path.join(hostParent, 'mnt'), { recursive: true });
      fs.writeFileSync(path.join(hostParent, 'secret.txt'), SECRET);
      preopens['/mnt'] = path.join(hostParent, 'mnt');
      env.HOST_SECRET_PATH = path.join(hostParent, 'secret.txt');
      before = listTree(hostParent, 'mnt');
    }
    const spec = { wasm, args: [progName, ...(c.args || [])], env, preopens };
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--no-warnings', fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)], {
      input: c.stdin || '',
      timeout: 10_000,
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const stdout = r.stdout || '';
    const stderr = r.stderr || '';
    const timedOut = r.error && r.error.code === 'ETIMEDOUT';
    row.exit = timedOut ? 'timeout' : r.signal ? r.signal : String(r.status);
    const lines = stdout.split('\n');
    const okN = lines.filter((l) => l.startsWith('ok - ')).length;
    const notOk = lines.filter((l) => l.startsWith('not ok - '));
    const summary = lines.find((l) => /^# passed \d+ failed \d+/.test(l));
    row.checks = summary || okN + notOk.length ? `${okN}/${okN + notOk.length}` : '-';
    row.notOk = notOk;
    let pass = true;
    const why = [];
    if (c.expectExit === 'killed') {
      if (!timedOut && r.status === 0) { pass = false; why.push('expected the runtime to kill it'); }
    } else if (String(c.expectExit ?? 0) !== row.exit) {
      pass = false;
      why.push(`exit ${row.exit}, expected ${c.expectExit ?? 0}`);
    }
    if (c.expectStdout !== undefined && stdout !== c.expectStdout) {
      pass = false;
      why.push(`stdout differs (${stdout.length} bytes, expected ${c.expectStdout.length})`);
    }
    if (c.expectStdoutContains !== undefined && !stdout.includes(c.expectStdoutContains)) {
      pass = false;
      why.push(`stdout lacks ${JSON.stringify(c.expectStdoutContains)}`);
    }
    if (summary) {
      const m = /failed (\d+)/.exec(summary);
      if (m && Number(m[1]) !== notOk.length) why.push(`summary says ${m[1]} failed but ${notOk.length} "not ok" lines`);
    }
    if (hostParent) {
      const secretNow = fs.readFileSync(path.join(hostParent, 'secret.txt'), 'utf8');
      if (secretNow !== SECRET) { pass = false; why.push('HOST SECRET WAS MODIFIED'); }
      const after = listTree(hostParent, 'mnt');
      const added = after.filter((x) => !before.includes(x));
      const removed = before.filter((x) => !after.includes(x));
      if (added.length || removed.length) {
        pass = false;
        why.push(`host files outside the mount changed: +[${added}] -[${removed}]`);
      }
      if (stdout.includes(SECRET.trim())) { pass = false; why.push('SECRET CONTENT APPEARED ON STDOUT'); }
    }
    if (c.bench) {
      const b = lines.find((l) => l.startsWith('# bench'));
      if (b) row.info.push(`${b.slice(2)} (wall ${ms.toFixed(0)} ms incl. node startup)`);
    }
    const nodeErr = stderr.split('\n').filter((l) => l.startsWith('# node-runner'));
    if (nodeErr.length) row.info.push(...nodeErr);
    if (verbose) row.info.push(...stdout.split('\n').filter(Boolean).map((l) => `| ${l}`));
    row.result = pass ? (notOk.length ? 'PASS*' : 'PASS') : 'FAIL';
    if (why.length) row.info.push(...why);
    if (!pass) bad++;
    fs.rmSync(base, { recursive: true, force: true });
  }

  const w = Math.max(8, ...rows.map((r) => r.name.length));
  console.log(`${'program'.padEnd(w)}  ${'exit'.padEnd(7)}  ${'checks ok'.padEnd(10)}  result`);
  console.log(`${'-'.repeat(w)}  -------  ----------  ------`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${r.exit.padEnd(7)}  ${r.checks.padEnd(10)}  ${r.result}`);
    for (const l of r.notOk) console.log(`${' '.repeat(w)}    ${l}`);
    for (const l of r.info) console.log(`${' '.repeat(w)}    ${l}`);
  }
  console.log('');
  console.log('PASS  = exit code / stdout as expected and every check ok');
  console.log('PASS* = exit code as expected by cases.json, but some checks failed (see NODE_WASI_DEVIATIONS.md)');
  console.log('SKIP  = not run under node:wasi (no resource limits there)');
  process.exitCode = bad ? 1 : 0;
}
