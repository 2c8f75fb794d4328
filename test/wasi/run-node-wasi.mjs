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
//                the environment so attack_escape can try the real host path, and
//                host-side symlinks mnt/hostlink_rel -> ../secret.txt,
//                mnt/hostlink_abs -> <abs secret path>, mnt/hostlink_dir -> .. are planted.
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
// "# passed N failed M"; the table shows those counts and every "not ok" line
// that is not a known node:wasi deviation (NODE_WASI_DEVIATIONS.md; --verbose
// shows all lines and the full program output).

/* global WebAssembly */
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

// Known node:wasi deviations: the markdown table in NODE_WASI_DEVIATIONS.md.
function loadDeviations() {
  const file = path.join(here, 'NODE_WASI_DEVIATIONS.md');
  const rows = [];
  if (!fs.existsSync(file)) return rows;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| ---') || line.startsWith('| program')) continue;
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split(/(?<!\\)\|/)
      .map((x) =>
        x
          .trim()
          .replace(/^`(.*)`$/, '$1')
          .replace(/\\\|/g, '|'),
      );
    if (cells.length < 2) continue;
    const [program, check] = cells;
    const re = new RegExp(
      '^' +
        check
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    rows.push({ program, check, re });
  }
  return rows;
}
function checkText(notOkLine) {
  const body = notOkLine.slice('not ok - '.length);
  const i = body.indexOf(': got ');
  return i >= 0 ? body.slice(0, i) : body;
}

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
  const deviations = loadDeviations();
  const rows = [];
  let bad = 0;

  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    if (noBench && c.bench) continue;
    const wasmName = c.wasm || `${c.name}.wasm`;
    const row = { name: c.name, exit: '', checks: '', result: '', notOk: [], info: [], known: 0 };
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
      // symlinks planted by the host inside the mount, pointing outside of it
      fs.symlinkSync('../secret.txt', path.join(hostParent, 'mnt', 'hostlink_rel'));
      fs.symlinkSync(path.join(hostParent, 'secret.txt'), path.join(hostParent, 'mnt', 'hostlink_abs'));
      fs.symlinkSync('..', path.join(hostParent, 'mnt', 'hostlink_dir'));
      before = listTree(hostParent, 'mnt');
    }
    const spec = { wasm, args: [progName, ...(c.args || [])], env, preopens };
    const t0 = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      ['--no-warnings', fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)],
      {
        input: c.stdin || '',
        timeout: 10_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
    );
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
    const devRows = deviations.filter((d) => d.program === c.name || d.program === progName);
    const known = notOk.filter((l) => devRows.some((d) => d.re.test(checkText(l))));
    const unknown = notOk.filter((l) => !known.includes(l));
    row.notOk = verbose ? notOk : unknown;
    row.known = known.length;
    let pass = true;
    let exitExplained = false;
    const why = [];
    if (c.expectExit === 'killed') {
      if (!timedOut && r.status === 0) {
        pass = false;
        why.push('expected the runtime to kill it');
      }
    } else if (String(c.expectExit ?? 0) !== row.exit) {
      pass = false;
      // exit 1 from a self-checking program that only failed known checks, or a
      // crash/timeout listed as "(exit)" in the deviations file, is explained
      exitExplained = (row.exit === '1' && notOk.length > 0) || devRows.some((d) => d.check === '(exit)');
      why.push(
        `exit ${row.exit}, expected ${c.expectExit ?? 0}${exitExplained ? ' (known node:wasi deviation)' : ''}`,
      );
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
      if (m && Number(m[1]) !== notOk.length)
        why.push(`summary says ${m[1]} failed but ${notOk.length} "not ok" lines`);
    }
    if (hostParent) {
      const secretNow = fs.readFileSync(path.join(hostParent, 'secret.txt'), 'utf8');
      if (secretNow !== SECRET) {
        pass = false;
        why.push('HOST SECRET WAS MODIFIED');
      }
      const after = listTree(hostParent, 'mnt');
      const added = after.filter((x) => !before.includes(x));
      const removed = before.filter((x) => !after.includes(x));
      if (added.length || removed.length) {
        pass = false;
        why.push(`host files outside the mount changed: +[${added}] -[${removed}]`);
      }
      if (stdout.includes(SECRET.trim())) {
        pass = false;
        why.push('SECRET CONTENT APPEARED ON STDOUT');
      }
    }
    if (c.bench) {
      const b = lines.find((l) => l.startsWith('# bench'));
      if (b) row.info.push(`${b.slice(2)} (wall ${ms.toFixed(0)} ms incl. node startup)`);
    }
    const nodeErr = stderr.split('\n').filter((l) => l.startsWith('# node-runner'));
    if (nodeErr.length) row.info.push(...nodeErr);
    if (verbose)
      row.info.push(
        ...stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => `| ${l}`),
      );
    // a modified secret or new host files are never excused; the secret showing up on
    // stdout is excused only when the checks that detected the leak are listed deviations
    const hostProblem = why.some((w) => /MODIFIED|host files/.test(w));
    if (pass && notOk.length === 0) row.result = 'PASS';
    else if (!hostProblem && unknown.length === 0 && (pass || exitExplained)) row.result = 'DEV';
    else row.result = 'FAIL';
    if (known.length)
      row.info.push(
        `${known.length} failed check(s) are known node:wasi deviations${verbose ? '' : ' (--verbose lists them)'}`,
      );
    if (why.length) row.info.push(...why);
    if (row.result === 'FAIL') bad++;
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
  const count = (k) => rows.filter((r) => r.result === k).length;
  console.log('PASS = exit code / stdout as expected and every check ok');
  console.log('DEV  = every failure is a known node:wasi deviation listed in NODE_WASI_DEVIATIONS.md');
  console.log('FAIL = unexpected failure (a bug in the test program, or an unlisted node:wasi deviation)');
  console.log('SKIP = not run under node:wasi (no resource limits there)');
  console.log(
    `\ntotal: ${count('PASS')} PASS, ${count('DEV')} DEV, ${count('FAIL')} FAIL, ${count('SKIP')} SKIP`,
  );
  process.exitCode = bad ? 1 : 0;
}
