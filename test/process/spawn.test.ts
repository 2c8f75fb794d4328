/**
 * spawn(): real guests in real worker threads (the built dist/node-worker.js), no mocks.
 * Programs: test/wasi/wasm/*.wasm (hello, stdin_echo, attack_*) and test/process/fixtures/tool.wasm, all
 * compiled by test/global-setup.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compile,
  memoryLimitOf,
  MemoryFileSystem,
  NodeWorkerHost,
  spawn,
  WorkerPool,
  type GuestProcess,
  type SpawnOptions,
} from '../../runtime/node/index';
import { moduleCacheStats } from '../../runtime/process/moduleCache';

const root = join(import.meta.dirname, '../..');

function wasmBytes(name: string): Uint8Array {
  const file =
    name === 'tool'
      ? join(root, 'test/process/fixtures/tool.wasm')
      : join(root, `test/wasi/wasm/${name}.wasm`);
  if (!existsSync(file))
    throw new Error(`test program ${file} is missing (needs clang-16 + wasi-libc to build)`);
  return new Uint8Array(readFileSync(file));
}

const host = new NodeWorkerHost();
const pools: WorkerPool[] = [];
function newPool(size: number): WorkerPool {
  const pool = new WorkerPool(host, { size });
  pools.push(pool);
  return pool;
}
afterAll(() => {
  for (const p of pools) p.close();
});

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

interface Collected {
  proc: GuestProcess;
  stdout: Uint8Array[];
  stderr: Uint8Array[];
  stdoutTimes: number[];
}

function run(options: SpawnOptions, on: WorkerPool | NodeWorkerHost = host): Collected {
  const proc = spawn(on, options);
  const c: Collected = { proc, stdout: [], stderr: [], stdoutTimes: [] };
  proc.onStdout((chunk) => {
    c.stdout.push(chunk);
    c.stdoutTimes.push(performance.now());
  });
  proc.onStderr((chunk) => c.stderr.push(chunk));
  return c;
}

/** The host is healthy: its event loop turns promptly and a fresh guest still runs. */
async function expectHostHealthy(): Promise<void> {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 10));
  expect(performance.now() - t0).toBeLessThan(500);
  const c = run({ module: wasmBytes('tool'), args: ['tool', 'echo', 'still alive'] });
  const result = await c.proc.wait();
  expect(result).toEqual({ exitCode: 0, reason: 'exit' });
  expect(text(c.stdout)).toBe('still alive\n');
}

describe('spawn', () => {
  it('runs hello and reports its exit', async () => {
    const c = run({ module: wasmBytes('hello'), args: ['hello'] });
    const result = await c.proc.wait();
    expect(result).toEqual({ exitCode: 0, reason: 'exit' });
    expect(text(c.stdout)).toBe('hello\n');
    expect(c.proc.pid).toBeGreaterThan(0);
  });

  it('delivers stdout in chunks while the guest runs', async () => {
    const c = run({ module: wasmBytes('tool'), args: ['tool', 'ticker', '5', '80'] });
    const result = await c.proc.wait();
    const ended = performance.now();
    expect(result.exitCode).toBe(0);
    expect(text(c.stdout)).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
    // At least one chunk per tick (libc may split a line over two writes).
    expect(c.stdout.length).toBeGreaterThanOrEqual(5);
    // The first tick arrived well before the guest ended (4 sleeps of 80 ms after it).
    expect(ended - c.stdoutTimes[0]!).toBeGreaterThan(200);
  });

  it('passes args, env and exit codes; reports traps', async () => {
    const c = run({
      module: wasmBytes('tool'),
      args: ['tool', 'env', 'GREETING'],
      env: { GREETING: 'hi there' },
    });
    expect((await c.proc.wait()).exitCode).toBe(0);
    expect(text(c.stdout)).toBe('hi there\n');

    const exit = run({ module: wasmBytes('tool'), args: ['tool', 'exit', '42'] });
    expect(await exit.proc.wait()).toEqual({ exitCode: 42, reason: 'exit' });

    const trap = run({ module: wasmBytes('tool'), args: ['tool', 'trap'] });
    const r = await trap.proc.wait();
    expect(r.reason).toBe('trap');
    expect(r.exitCode).toBeNull();
    expect(r.message).toMatch(/unreachable/);
  });

  it('streams stdin: each line is echoed back before the next is written', async () => {
    const c = run({ module: wasmBytes('stdin_echo'), args: ['stdin_echo'], stdin: 'stream' });
    const stdin = c.proc.stdin!;
    expect(stdin).not.toBeNull();
    for (const line of ['first line\n', 'second line\n', 'third\n']) {
      const want = text(c.stdout) + line;
      stdin.write(line);
      await expect.poll(() => text(c.stdout), { timeout: 5000, interval: 5 }).toBe(want);
    }
    stdin.end();
    const result = await c.proc.wait();
    expect(result).toEqual({ exitCode: 0, reason: 'exit' });
    expect(text(c.stdout)).toBe('first line\nsecond line\nthird\n');
  });

  it('streams a large stdin through the ring buffer intact, with backpressure', async () => {
    const input = new Uint8Array(3 * 1024 * 1024 + 12345);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7919 + (i >> 11)) & 0xff;
    const c = run({ module: wasmBytes('stdin_echo'), args: ['stdin_echo', '1000'], stdin: 'stream' });
    const stdin = c.proc.stdin!;
    let waits = 0;
    for (let off = 0; off < input.length; off += 100_000) {
      if (!stdin.write(input.subarray(off, off + 100_000))) {
        waits++;
        await stdin.drained();
      }
    }
    stdin.end();
    const result = await c.proc.wait();
    expect(result).toEqual({ exitCode: 0, reason: 'exit' });
    const out = Buffer.concat(c.stdout);
    expect(out.length).toBe(input.length);
    expect(out.equals(Buffer.from(input))).toBe(true);
    expect(waits).toBeGreaterThan(0);
  });

  it('takes stdin given up front, copying it (a pooled Buffer is left intact)', async () => {
    const given = Buffer.from('all at once'); // a view into Node's shared Buffer pool
    const c = run({ module: wasmBytes('stdin_echo'), args: ['stdin_echo'], stdin: given });
    expect((await c.proc.wait()).exitCode).toBe(0);
    expect(text(c.stdout)).toBe('all at once');
    expect(given.toString()).toBe('all at once');
    expect(given.buffer.byteLength).toBeGreaterThan(0);
  });

  it('ends a runaway loop at its timeout, promptly, and the host stays healthy', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 20);
    const t0 = performance.now();
    const c = run({ module: wasmBytes('attack_loop'), args: ['attack_loop'], timeoutMs: 300 });
    const result = await c.proc.wait();
    const elapsed = performance.now() - t0;
    clearInterval(interval);
    expect(result.reason).toBe('timeout');
    expect(result.exitCode).toBeNull();
    expect(result.message).toContain('300 ms');
    // wait() settles only once the worker is gone; Node stops the loop at once (~tens of ms).
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(2300);
    // The host's event loop kept turning while the guest spun.
    expect(ticks).toBeGreaterThan(5);
    await expectHostHealthy();
  });

  it('caps memory: attack_memory under 64 MiB ends, and the host stays healthy', async () => {
    const limit = 64 * 1024 * 1024;
    const c = run({
      module: wasmBytes('attack_memory'),
      args: ['attack_memory'],
      memoryLimitBytes: limit,
      timeoutMs: 20_000,
    });
    const result = await c.proc.wait();
    // malloc returns NULL at the cap: the program reports it and exits, or it traps near the cap (oom).
    expect(['exit', 'oom']).toContain(result.reason);
    await expectHostHealthy();
  });

  it('stops an output flood at the cap with reason output-limit', async () => {
    const cap = 1024 * 1024;
    const c = run({
      module: wasmBytes('attack_flood'),
      args: ['attack_flood'],
      maxOutputBytes: cap,
      timeoutMs: 20_000,
    });
    const result = await c.proc.wait();
    expect(result.reason).toBe('output-limit');
    expect(result.message).toMatch(/1 MiB/);
    const total = c.stdout.reduce((n, b) => n + b.length, 0) + c.stderr.reduce((n, b) => n + b.length, 0);
    expect(total).toBeLessThanOrEqual(2 * cap);
    expect(Math.max(Buffer.concat(c.stdout).length, Buffer.concat(c.stderr).length)).toBe(cap);
  });

  it('kill() ends a guest blocked on stdin and one spinning', async () => {
    const blocked = run({ module: wasmBytes('stdin_echo'), args: ['stdin_echo'], stdin: 'stream' });
    blocked.proc.stdin!.write('x\n');
    await expect.poll(() => text(blocked.stdout), { timeout: 5000, interval: 5 }).toBe('x\n');
    blocked.proc.kill('test is over');
    expect(await blocked.proc.wait()).toEqual({
      exitCode: null,
      reason: 'killed',
      message: 'killed: test is over',
    });

    const spinning = run({ module: wasmBytes('attack_loop'), args: ['attack_loop'] });
    await new Promise((r) => setTimeout(r, 100));
    spinning.proc.kill();
    expect((await spinning.proc.wait()).reason).toBe('killed');
    await expectHostHealthy();
  });

  it('reuses a warm worker from the pool, and never a killed one', async () => {
    const pool = newPool(1);
    const a = run({ module: wasmBytes('hello'), args: ['hello'] }, pool);
    const ra = await a.proc.wait();
    const b = run({ module: wasmBytes('hello'), args: ['hello'] }, pool);
    const rb = await b.proc.wait();
    expect(rb).toEqual(ra);
    expect(text(b.stdout)).toBe(text(a.stdout));
    expect(pool.created).toBe(1);
    expect(pool.idleCount).toBe(1);

    const k = run({ module: wasmBytes('attack_loop'), args: ['attack_loop'], timeoutMs: 100 }, pool);
    expect((await k.proc.wait()).reason).toBe('timeout');
    expect(pool.idleCount).toBe(0);
    const c = run({ module: wasmBytes('hello'), args: ['hello'] }, pool);
    expect(await c.proc.wait()).toEqual(ra);
    expect(pool.created).toBe(2);
  });

  it('gives byte-identical output for the same seed', async () => {
    const module = await compile(wasmBytes('tool'));
    const once = async (seed?: number) => {
      const c = run({ module, args: ['tool', 'random'], ...(seed !== undefined ? { seed } : {}) });
      expect((await c.proc.wait()).exitCode).toBe(0);
      return text(c.stdout);
    };
    const a = await once(42);
    const b = await once(42);
    expect(a).toMatch(/^[0-9a-f]{32}\nrealtime \d+\nmonotonic \d+\n$/);
    expect(b).toBe(a);
    expect(await once(43)).not.toBe(a);
    expect(await once()).not.toBe(await once());
  });

  it('mounts host and memory directories and returns the root tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-spawn-'));
    try {
      writeFileSync(join(dir, 'in.txt'), 'from the host\n');
      const c = run({
        module: wasmBytes('tool'),
        args: ['tool', 'cat', '/host/in.txt'],
        mounts: [{ kind: 'host', guestPath: '/host', hostPath: dir, readOnly: true }],
      });
      expect((await c.proc.wait()).exitCode).toBe(0);
      expect(text(c.stdout)).toBe('from the host\n');

      const seeded = MemoryFileSystem.fromJSON({ '/greeting.txt': 'from memory\n' }).snapshot();
      const m = run({
        module: wasmBytes('tool'),
        args: ['tool', 'cat', '/data/greeting.txt'],
        mounts: [{ kind: 'memory', guestPath: '/data', snapshot: seeded, readOnly: true }],
      });
      expect((await m.proc.wait()).exitCode).toBe(0);
      expect(text(m.stdout)).toBe('from memory\n');

      const w = run({
        module: wasmBytes('tool'),
        args: ['tool', 'write', '/made.txt', 'new file'],
        returnRoot: true,
      });
      const result = await w.proc.wait();
      expect(result.exitCode).toBe(0);
      const tree = MemoryFileSystem.fromSnapshot(result.root!);
      const node = tree.lookup(tree.root(), 'made.txt');
      expect(typeof node).toBe('object');
      const handle = tree.open(node as object, { read: true, write: false });
      const buf = new Uint8Array(64);
      const n = (handle as { pread(d: Uint8Array, p: number): number }).pread(buf, 0);
      expect(Buffer.from(buf.subarray(0, n)).toString()).toBe('new file');

      const bad = run({
        module: wasmBytes('tool'),
        args: ['tool'],
        mounts: [{ kind: 'host', guestPath: '/x', hostPath: join(dir, 'nope') }],
      });
      const br = await bad.proc.wait();
      expect(br.reason).toBe('error');
      expect(br.message).toContain('cannot mount');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the trace of every syscall', async () => {
    const lines: string[] = [];
    const c = run({ module: wasmBytes('tool'), args: ['tool', 'exit', '3'], trace: (l) => lines.push(l) });
    expect((await c.proc.wait()).exitCode).toBe(3);
    expect(lines.some((l) => l.startsWith('args_get('))).toBe(true);
    expect(lines.at(-1)).toMatch(/^proc_exit\(rval=3\)/);
  });
});

describe('module cache', () => {
  it('returns the same Module for the same bytes without compiling again', async () => {
    const bytes = wasmBytes('hello');
    const before = moduleCacheStats.compiles;
    const a = await compile(bytes);
    const b = await compile(bytes.slice());
    expect(b).toBe(a);
    expect(moduleCacheStats.compiles - before).toBeLessThanOrEqual(1);
    const capped = await compile(bytes, { memoryLimitBytes: 16 * 1024 * 1024 });
    expect(capped).not.toBe(a);
    expect(memoryLimitOf(capped)).toBe(16 * 1024 * 1024);
    expect(await compile(bytes, { memoryLimitBytes: 16 * 1024 * 1024 })).toBe(capped);
  });

  it('rejects what is not a wasm module', async () => {
    await expect(compile(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).rejects.toThrow(
      /not a WebAssembly module/,
    );
  });

  it('refuses a Module compiled without the memory cap asked for', async () => {
    const module = await compile(wasmBytes('hello'));
    expect(() => spawn(host, { module, memoryLimitBytes: 64 * 1024 * 1024 })).toThrow(/compile/);
  });
});
