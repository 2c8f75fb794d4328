/**
 * box's sh against the host's dash: every script in test/images/sh/ runs under `/bin/sh` (dash) in a
 * fresh directory on the host, and under box's sh in a container of the box image (built from
 * images/box by the real CLI) with a fresh host directory mounted at /work as its working directory.
 * stdout and the exit status must be the same. Each script runs a second time whole as the first stage
 * of `{ SCRIPT } | { cat; }`, which box's sh hands to a new shell process as text printed from its tree. Scripts use only commands both sides have (box applets
 * and GNU coreutils agree on them) and avoid what the two shells do differently on purpose (dash's echo
 * interprets backslashes; box's is GNU's): see images/box/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERTH, removeTree, ROOT } from './harness';

const SCRIPTS = join(ROOT, 'test/images/sh');
const IMAGE = 'berth-sh-test-box';
const HOST_ENV = { PATH: '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC', HOME: '/root' };

let state: string;
let scratch: string;

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

function berth(args: string[], input?: string): Result {
  const r = spawnSync(process.execPath, [BERTH, ...args], {
    env: { ...process.env, BERTH_ROOT: state },
    input: input ?? '',
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code: r.status };
}

function dash(script: string, cwd: string): Result {
  const r = spawnSync('/bin/sh', [script], { cwd, env: HOST_ENV, maxBuffer: 64 << 20, timeout: 60_000 });
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code: r.status };
}

function boxSh(args: string[], opts: { input?: string; image?: string; scripts?: string } = {}): Result {
  const work = mkdtempSync(join(scratch, 'box-'));
  return berth(
    [
      'run',
      '--rm',
      ...(opts.input !== undefined ? ['-i'] : []),
      '-v',
      `${work}:/work`,
      '-v',
      `${opts.scripts ?? SCRIPTS}:/scripts:ro`,
      '-w',
      '/work',
      opts.image ?? IMAGE,
      'sh',
      ...args,
    ],
    opts.input,
  );
}

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'berth-sh-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'berth-sh-work-'));
  const built = berth(['build', '-q', '-t', IMAGE, join(ROOT, 'images/box')]);
  if (built.code !== 0) throw new Error(`building the box image failed:\n${built.stderr}`);
}, 180_000);

afterAll(() => {
  removeTree(state);
  removeTree(scratch);
});

const scripts = readdirSync(SCRIPTS)
  .filter((f) => f.endsWith('.sh'))
  .sort();

describe('sh scripts: box sh in a container vs the host dash', () => {
  it('has the scripts', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(14);
  });
  for (const name of scripts) {
    it(
      name,
      () => {
        const hostDir = mkdtempSync(join(scratch, 'dash-'));
        const want = dash(join(SCRIPTS, name), hostDir);
        const got = boxSh([`/scripts/${name}`]);
        expect({ stdout: got.stdout, code: got.code }, got.stderr).toEqual({
          stdout: want.stdout,
          code: want.code,
        });
      },
      120_000,
    );
  }
});

describe('the same scripts whole in a new shell: { SCRIPT } | { cat; }', () => {
  // Both stages are builtins, so the first runs as `sh -c TEXT` with TEXT printed back from the tree:
  // this checks that printing and the shell state written ahead of it lose nothing.
  for (const name of scripts) {
    it(
      name,
      () => {
        const wrapped = join(scratch, 'wrapped');
        mkdirSync(wrapped, { recursive: true });
        writeFileSync(join(wrapped, name), `{\n${readFileSync(join(SCRIPTS, name), 'utf8')}\n} | { cat; }\n`);
        const want = dash(join(wrapped, name), mkdtempSync(join(scratch, 'dash-')));
        const got = boxSh([`/scripts/${name}`], { scripts: wrapped });
        expect(got.stdout, got.stderr).toBe(want.stdout);
      },
      120_000,
    );
  }
});

describe('sh invocation', () => {
  it('-c STRING with $0 and arguments', () => {
    const r = boxSh(['-c', 'echo "$0|$1|$#"; exit 4', 'name', 'one', 'two']);
    expect([r.stdout, r.code]).toEqual(['name|one|2\n', 4]);
  }, 60_000);

  it('reads the script from stdin (and -s with arguments), a line at a time as POSIX asks', () => {
    // a command reading stdin gets the line after its own (dash reads a pipe in blocks; bash and box do not)
    const r = boxSh(['-s', 'a', 'b'], {
      input: 'echo "args $*"\nread line\nthe next line\necho "rest: $line"\n',
    });
    expect([r.stdout, r.code]).toEqual(['args a b\nrest: the next line\n', 0]);
  }, 60_000);

  it('-e and -x flags on the command line', () => {
    const r = boxSh(['-e', '-x', '-c', 'echo one; false; echo two']);
    expect(r.stdout).toBe('one\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('+ echo one');
  }, 60_000);

  it('set -o pipefail (bash and ksh have it; dash does not): the rightmost failing stage', () => {
    const r = boxSh([
      '-c',
      'set -o pipefail; false | true; echo "$?"; (exit 3) | (exit 4) | true; echo "$?"; set +o pipefail; false | true; echo "$?"',
    ]);
    expect([r.stdout, r.code]).toEqual(['1\n4\n0\n', 0]);
  }, 60_000);

  it('with a read-only root (no temporary files), $( ) runs in a new shell that sees functions and variables', () => {
    const r = berth([
      'run',
      '--rm',
      '--read-only',
      IMAGE,
      'sh',
      '-c',
      'v=unexported; f() { echo "fn $1 $v"; }; x=$(f a; echo more); echo "$x"; echo "$(seq 1 30000 | tail -n 1)"',
    ]);
    expect([r.stdout, r.code], r.stderr).toEqual(['fn a unexported\nmore\n30000\n', 0]);
  }, 60_000);

  it('a syntax error exits 2 after running the commands before it', () => {
    const r = boxSh(['-c', 'echo before\nif then fi\necho after']);
    expect([r.stdout, r.code]).toEqual(['before\n', 2]);
    expect(r.stderr).toMatch(/Syntax error/);
  }, 60_000);

  it('interactive with -i: PS1 prompts on stderr, commands run, Ctrl-D (EOF) exits with the last status', () => {
    const r = boxSh(['-i'], { input: 'PS1="box> "\necho hi\nfalse\n' });
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toContain('$ ');
    expect(r.stderr).toContain('box> ');
    expect(r.code).toBe(1);
  }, 60_000);

  it('Ctrl-C (SIGINT to berth run -it) ends the running program; the shell shows a new prompt', async () => {
    const child = spawn(process.execPath, [BERTH, 'run', '--rm', '-i', '-t', IMAGE, 'sh', '-i'], {
      env: { ...process.env, BERTH_ROOT: state },
    });
    let out = '';
    let err = '';
    let interrupted = false;
    let resumed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!interrupted && out.includes('started')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // the fresh prompt after the interrupted line
      if (interrupted && !resumed && /\n\$ $/.test(err)) {
        resumed = true;
        child.stdin.write('echo "next $?"\nexit 7\n');
      }
    });
    child.stdin.write('echo started; sleep 60; echo after\n');
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect({ out, code }, err).toEqual({ out: 'started\nnext 130\n', code: 7 });
  }, 60_000);

  it('is the image command: sh is /bin/sh and the default CMD', () => {
    const r = berth(
      ['run', '--rm', '-i', IMAGE],
      'echo "$(command -v sh) $0"; ls -l /bin/sh | grep -c box\n',
    );
    expect(r.stdout).toBe('/bin/sh sh\n1\n');
  }, 60_000);

  it('runs a #! script and a script without #! from PATH', () => {
    const r = boxSh([
      '-c',
      `printf '#!/bin/sh\\necho "shebang $1"\\n' > a.sh; printf 'echo "plain $1"\\n' > b.sh
       ./a.sh x; ./b.sh y; sh a.sh z`,
    ]);
    expect([r.stdout, r.code]).toEqual(['shebang x\nplain y\nshebang z\n', 0]);
  }, 60_000);
});

describe('other applets start programs through berth_process', () => {
  it('xargs, find -exec and env run sh (not in-process: it is a program)', () => {
    const r = boxSh([
      '-c',
      `printf 'a\\nb\\n' | xargs -n1 sh -c 'echo "xargs gave $0"'
       find /scripts -name arith.sh -exec sh -c 'echo "find gave $1"' sh {} \\;
       env GREETING=hi sh -c 'echo "env gave $GREETING"'`,
    ]);
    expect([r.stdout, r.code], r.stderr).toEqual([
      'xargs gave a\nxargs gave b\nfind gave /scripts/arith.sh\nenv gave hi\n',
      0,
    ]);
  }, 60_000);
});

describe("the issue's pipelines", () => {
  it('yes | head -n 3 ends (yes dies of the closed pipe)', () => {
    const r = boxSh(['-c', 'yes | head -n 3; echo "status $?"']);
    expect(r.stdout).toBe('y\ny\ny\nstatus 0\n');
  }, 60_000);

  it('seq 1 1000000 | sort -n | tail -n 1', () => {
    const r = boxSh(['-c', 'seq 1 1000000 | sort -n | tail -n 1']);
    expect([r.stdout, r.code]).toEqual(['1000000\n', 0]);
  }, 120_000);

  it("find / -name '*.txt' | xargs grep -l x, in an image with such files", () => {
    const ctx = mkdtempSync(join(scratch, 'ctx-'));
    mkdirSync(join(ctx, 'files/deep'), { recursive: true });
    writeFileSync(join(ctx, 'files/a.txt'), 'has x here\n');
    writeFileSync(join(ctx, 'files/b.txt'), 'nothing\n');
    writeFileSync(join(ctx, 'files/deep/c.txt'), 'xylophone\n');
    writeFileSync(join(ctx, 'files/deep/d.md'), 'x but not txt\n');
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMAGE}\nCOPY files/ /files/\n`);
    const built = berth(['build', '-q', '-t', 'berth-sh-test-files', ctx]);
    expect(built.code, built.stderr).toBe(0);
    const r = berth([
      'run',
      '--rm',
      'berth-sh-test-files',
      'sh',
      '-c',
      "find / -name '*.txt' | xargs grep -l x | sort",
    ]);
    expect([r.stdout, r.code], r.stderr).toEqual(['/files/a.txt\n/files/deep/c.txt\n', 0]);
  }, 120_000);
});
