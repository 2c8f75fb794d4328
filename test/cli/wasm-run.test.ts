/**
 * `berth wasm run` end to end: the real bin/berth.js (running the built dist/berth.js) as a child
 * process, real wasm programs, real files.
 */
import { spawn as spawnChild } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/berth.js');
const TOOL = join(root, 'test/process/fixtures/tool.wasm');
const wasm = (name: string) => join(root, `test/wasi/wasm/${name}.wasm`);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function berth(args: string[], options: { stdin?: string | Buffer; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawnChild(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: performance.now() - t0,
      }),
    );
    child.stdin.on('error', () => {}); // a guest that never reads stdin may leave it unread
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

let dir: string;
beforeAll(() => {
  for (const f of [TOOL, wasm('hello'), wasm('stdin_echo'), wasm('attack_loop')]) {
    if (!existsSync(f)) throw new Error(`test program ${f} is missing (needs clang-16 + wasi-libc to build)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('berth wasm run', () => {
  it('runs hello', async () => {
    const r = await berth(['wasm', 'run', wasm('hello')]);
    expect(r).toMatchObject({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('passes arguments, with argv[0] the file name as given', async () => {
    const rel = relative(root, TOOL);
    const r = await berth(['wasm', 'run', rel, 'argv', 'a b', '--not-a-berth-flag', '']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${rel}\nargv\na b\n--not-a-berth-flag\n\n`);
    const dashdash = await berth(['wasm', 'run', '--', rel, 'echo', 'x']);
    expect(dashdash.stdout).toBe('x\n');
  });

  it('passes the exit status through', async () => {
    expect((await berth(['wasm', 'run', TOOL, 'exit', '42'])).code).toBe(42);
    expect((await berth(['wasm', 'run', TOOL, 'exit', '0'])).code).toBe(0);
  });

  it('sets environment variables with --env', async () => {
    const r = await berth([
      'wasm',
      'run',
      '--env',
      'GREETING=hello world',
      '--env=OTHER=x=y',
      TOOL,
      'env',
      'GREETING',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: 'hello world\n' });
    const other = await berth(['wasm', 'run', '--env=OTHER=x=y', TOOL, 'env', 'OTHER']);
    expect(other.stdout).toBe('x=y\n');
  });

  it('gives the guest a writable in-memory / with no host directory', async () => {
    const r = await berth(['wasm', 'run', TOOL, 'write', '/scratch.txt', 'data']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('reads and writes a host directory mounted with --dir', async () => {
    writeFileSync(join(dir, 'in.txt'), 'host file contents\n');
    const read = await berth(['wasm', 'run', '--dir', `${dir}::/data`, TOOL, 'cat', '/data/in.txt']);
    expect(read).toMatchObject({ code: 0, stdout: 'host file contents\n' });

    const write = await berth([
      'wasm',
      'run',
      '--dir',
      `${dir}::/data`,
      TOOL,
      'write',
      '/data/out.txt',
      'from the guest',
    ]);
    expect(write.code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('from the guest');

    // Default guest path: the host path itself.
    const same = await berth(['wasm', 'run', `--dir=${dir}`, TOOL, 'cat', `${dir}/in.txt`]);
    expect(same.stdout).toBe('host file contents\n');

    // :ro refuses writes.
    const ro = await berth(['wasm', 'run', '--dir', `${dir}::/data:ro`, TOOL, 'write', '/data/no.txt', 'x']);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(/Read-only file system/);
    expect(existsSync(join(dir, 'no.txt'))).toBe(false);
  });

  it('streams stdin through to the guest', async () => {
    const input = 'line one\nline two\n' + 'x'.repeat(200_000) + '\n';
    const r = await berth(['wasm', 'run', wasm('stdin_echo')], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('ends a runaway module at --timeout with exit 124', async () => {
    const r = await berth(['wasm', 'run', '--timeout', '1', wasm('attack_loop')]);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/^berth: .*attack_loop\.wasm: timed out after 1 s \(--timeout 1\)\n$/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('reports a trap with exit 134', async () => {
    const r = await berth(['wasm', 'run', TOOL, 'trap']);
    expect(r.code).toBe(134);
    expect(r.stderr).toMatch(/^berth: .*tool\.wasm: wasm trap: unreachable/);
  });

  it('caps memory with --memory', async () => {
    const r = await berth(['wasm', 'run', '--memory', '64m', wasm('attack_memory')]);
    expect([0, 137]).toContain(r.code);
    if (r.code === 0) expect(r.stdout).toMatch(/alloc failed after \d+ MiB/);
  });

  it('prints syscalls with --trace', async () => {
    const r = await berth(['wasm', 'run', '--trace', TOOL, 'exit', '5']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^args_sizes_get\(/m);
    expect(r.stderr).toMatch(/^proc_exit\(rval=5\)/m);
  });

  describe('its own errors exit 125 with one berth: line', () => {
    it('unknown flag', async () => {
      const r = await berth(['wasm', 'run', '--frobnicate', TOOL]);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe('berth: unknown flag --frobnicate for "wasm run" (see berth wasm run --help)\n');
    });

    it('missing file', async () => {
      const r = await berth(['wasm', 'run', 'no-such-module.wasm']);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe('berth: no-such-module.wasm: no such file\n');
    });

    it('not a wasm module', async () => {
      const file = join(dir, 'script.sh');
      writeFileSync(file, '#!/bin/sh\necho hi\n');
      const r = await berth(['wasm', 'run', file]);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe(`berth: ${file} is not a WebAssembly module (bad magic number)\n`);
    });

    it('bad --memory, --timeout and --dir values', async () => {
      const mem = await berth(['wasm', 'run', '--memory', 'lots', TOOL]);
      expect(mem.code).toBe(125);
      expect(mem.stderr).toMatch(/^berth: --memory lots: /);
      const time = await berth(['wasm', 'run', '--timeout', '-3', TOOL]);
      expect(time.code).toBe(125);
      expect(time.stderr).toMatch(/^berth: --timeout -3: /);
      const missing = await berth(['wasm', 'run', '--dir', join(dir, 'nope'), TOOL]);
      expect(missing.code).toBe(125);
      expect(missing.stderr).toMatch(/no such directory/);
      const relGuest = await berth(['wasm', 'run', '--dir', `${dir}::data`, TOOL]);
      expect(relGuest.code).toBe(125);
      expect(relGuest.stderr).toMatch(/must be absolute/);
    });

    it('no module and unknown command', async () => {
      expect((await berth(['wasm', 'run'])).code).toBe(125);
      const r = await berth(['frobnicate']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^berth: unknown command "frobnicate"/);
    });
  });

  it('prints help and version', async () => {
    const help = await berth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/wasm run/);
    const runHelp = await berth(['wasm', 'run', '--help']);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toMatch(/--dir HOST\[::GUEST\]\[:ro\]/);
    const version = await berth(['--version']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `berth ${pkg.version}\n` });
  });
});
