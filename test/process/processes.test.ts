/**
 * Processes and pipes (berth_process, docs/berth_process.md) through the real spawn(): pid 1 in a worker
 * is the container's kernel, every child runs in a worker of its own. The programs are
 * test/process/fixtures/proc.c (modes listed at its top), put at /bin/proc in the container.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryFileSystem,
  NodeWorkerHost,
  spawn,
  WorkerPool,
  type GuestProcess,
  type SpawnOptions,
} from '../../runtime/node/index';

const repo = join(import.meta.dirname, '../..');
const procWasm = new Uint8Array(readFileSync(join(repo, 'test/process/fixtures/proc.wasm')));
const rootSnapshot = MemoryFileSystem.fromJSON({
  '/bin/proc': procWasm,
  '/data/notes.txt': 'just text\n',
  '/data/script': '#!/bin/proc echo\n',
  // WebAssembly's magic number, then garbage: only compiling it shows it is not a module.
  '/data/broken.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff, 0xff]),
  '/tmp': null,
}).snapshot();

const pool = new WorkerPool(new NodeWorkerHost(), { size: 4 });
const scratchDirs: string[] = [];
afterAll(() => {
  pool.close();
  for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  proc: GuestProcess;
  stdout: () => string;
  stderr: () => string;
}

function start(args: string[], options: Partial<SpawnOptions> = {}): Run {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const proc = spawn(pool, {
    module: procWasm,
    args: ['proc', ...args],
    env: ['PATH=/bin'],
    root: { kind: 'memory', snapshot: rootSnapshot },
    timeoutMs: 60_000,
    onStdout: (c) => void out.push(c),
    onStderr: (c) => void err.push(c),
    ...options,
  });
  const text = (chunks: Uint8Array[]) => () => Buffer.concat(chunks).toString('utf8');
  return { proc, stdout: text(out), stderr: text(err) };
}

async function runToEnd(args: string[], options: Partial<SpawnOptions> = {}) {
  const r = start(args, options);
  const result = await r.proc.wait();
  return { result, stdout: r.stdout(), stderr: r.stderr() };
}

describe('berth_process in Node workers', () => {
  it('pid 1 is the container first process; a child sees its own pid and its parent', async () => {
    expect((await runToEnd(['ids'])).stdout).toBe('pid=1 ppid=0\n');
    const nested = await runToEnd(['nested']);
    // pid 2 is `proc run proc ids`, which spawns pid 3.
    expect(nested.stdout).toBe('pid=3 ppid=2\nnested status 0\n');
    expect(nested.result).toEqual({ exitCode: 0, reason: 'exit' });
  });

  it('a two-stage pipeline streams through a pipe, and both statuses come back', async () => {
    const r = await runToEnd(['run', 'proc', 'produce', '1000000', '|', 'proc', 'count']);
    expect(r.stdout).toBe('1000000 bytes\n');
    expect(r.stderr).toBe('status 0 0\n');
    expect(r.result.exitCode).toBe(0);
  });

  it('yes | head -n 3 ends at once: the writer gets EPIPE when the reader is gone', async () => {
    const r = await runToEnd(['run', 'proc', 'yes', '|', 'proc', 'head', '3']);
    expect(r.stdout).toBe('y\ny\ny\n');
    expect(r.stderr).toContain('yes: errno 64\n');
    expect(r.stderr).toContain('status 3 0\n');
  });

  it('three stages, the last reading what the first wrote', async () => {
    const r = await runToEnd([
      'run',
      'proc',
      'echo',
      'through',
      'two',
      'pipes',
      '|',
      'proc',
      'cat',
      '|',
      'proc',
      'cat',
    ]);
    expect(r.stdout).toBe('through two pipes\n');
    expect(r.stderr).toBe('status 0 0 0\n');
  });

  it('more processes than the pool keeps warm: surplus workers are let go without harm to the run', async () => {
    const small = new WorkerPool(new NodeWorkerHost(), { size: 1 });
    try {
      const args = [
        'run',
        'proc',
        'echo',
        'five',
        '|',
        'proc',
        'cat',
        '|',
        'proc',
        'cat',
        '|',
        'proc',
        'cat',
        '|',
        'proc',
        'cat',
      ];
      for (let i = 0; i < 2; i++) {
        const out: Uint8Array[] = [];
        const proc = spawn(small, {
          module: procWasm,
          args: ['proc', ...args],
          env: ['PATH=/bin'],
          root: { kind: 'memory', snapshot: rootSnapshot },
          onStdout: (c) => void out.push(c),
        });
        expect(await proc.wait()).toEqual({ exitCode: 0, reason: 'exit' });
        expect(Buffer.concat(out).toString()).toBe('five\n');
      }
    } finally {
      small.close();
    }
  });

  it('a write into a pipe without readers fails with EPIPE, for the parent and for a child', async () => {
    const r = await runToEnd(['epipe']);
    expect(r.stdout).toBe('write to a pipe without readers: errno 64 (EPIPE)\nchild status 3\n');
    expect(r.stderr).toBe('produce: errno 64 after 0 bytes\n');
  });

  it('poll_oneoff understands pipe ends, in pid 1 and in a child', async () => {
    const r = await runToEnd(['pollpipe']);
    expect(r.stdout).toBe('empty: 0\ndata: 1 in 1\nread: polled\nchild status 0\neof: 1\nread at eof: 0\n');
    const child = await runToEnd(['run', 'proc', 'echo', 'hello', '|', 'proc', 'pollread']);
    expect(child.stdout).toBe('poll 1\nhello\n');
  });

  it('dup + fd_renumber redirect a child into a file and restore stdout after', async () => {
    const r = await runToEnd(['redirect', '/tmp/out'], { returnRoot: true });
    expect(r.stdout).toBe('child status 0\nwritten by the parent too\ninto the file\n');
    // The file is in the container filesystem that comes back with the result.
    const fs = MemoryFileSystem.fromSnapshot(r.result.root!);
    expect(fs.toJSON()['/tmp/out']).toBe('written by the parent too\ninto the file\n');
  });

  it('a file a child writes is there for the parent, and the reverse (one filesystem)', async () => {
    const r = await runToEnd(['files', '/tmp']);
    expect(r.stdout).toBe('write status 0\nchild was here\nparent was here\nreadfile status 0\n');
  });

  it('the same, in a host directory mounted into the container', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proc-'));
    scratchDirs.push(dir);
    const r = await runToEnd(['files', '/host'], {
      mounts: [{ kind: 'host', guestPath: '/host', hostPath: dir }],
    });
    expect(r.stdout).toBe('write status 0\nchild was here\nparent was here\nreadfile status 0\n');
    expect(readFileSync(join(dir, 'from-child'), 'utf8')).toBe('child was here\n');
  });

  it('wait for any child reaps each child once, whichever ends first; then ECHILD', async () => {
    const r = await runToEnd(['waitany']);
    const lines = r.stdout.trimEnd().split('\n');
    // The order is the order the children end in, which a busy machine may change: compare as a set.
    expect(lines.slice(0, 3).sort()).toEqual([
      'wait -> child 0 status 0 (errno 0)',
      'wait -> child 1 status 5 (errno 0)',
      'wait -> child 2 status 0 (errno 0)',
    ]);
    expect(lines[3]).toBe('wait with no children: errno 12');
  });

  it('WNOHANG returns pid 0 while the child runs, and its status once it ended', async () => {
    const r = await runToEnd(['wnohang']);
    expect(r.stdout).toBe(
      'wnohang while running: errno 0 pid 0\nwnohang after it ended: errno 0 same-pid 1 status 0\n',
    );
  });

  it('kill ends a child with 128 + sig; a reaped pid is gone (SRCH); bad signals are INVAL', async () => {
    const r = await runToEnd(['kill']);
    expect(r.stdout).toBe(
      'kill 0: errno 0\nkill 15: errno 0\nstatus 143\nkill after reaping: errno 71\nkill with signal 65: errno 28\n',
    );
  });

  it('killing a writer closes its pipe end: the reader drains what is left and gets EOF', async () => {
    const r = await runToEnd(['killwriter']);
    expect(r.stdout).toBe('read at least 200000: 1\nthen EOF: 0, writer status 137\n');
  });

  it('a writer blocks on a full 64 KiB pipe until the reader reads (backpressure)', async () => {
    const r = await runToEnd(['backpressure']);
    expect(r.stdout).toBe('writer still blocked on the full pipe: yes\nread 300000 bytes, writer status 0\n');
  });

  it("spawn's errors: not found, a directory, not a module, bad fd, bad cwd, bad pointer; #! scripts run", async () => {
    const r = await runToEnd(['errors']);
    expect(r.stdout).toBe(
      'missing program: 44\nmissing path: 44\na directory: 2\na text file: 45\nbad stdin fd: 8\n' +
        'wait without children: 12\n/data/script arg1\nscript: 0 status 0\nmissing cwd: 44\nbad pointer: 21\n',
    );
  });

  it('a file that looks like a module but does not compile: the child ends with 126 and Berth says why', async () => {
    const r = await runToEnd(['run', '/data/broken.wasm']);
    expect(r.stderr).toMatch(/^berth: \/data\/broken\.wasm: cannot run: .+\nstatus 126\n$/);
    expect(r.result.exitCode).toBe(126);
  });

  it('the process limit: 63 children next to pid 1, then EAGAIN', async () => {
    const r = await runToEnd(['limit']);
    expect(r.stdout).toBe('started 63, then errno 6\n63 ended with 137\n');
  });

  it('signalling pid 1 from a child stops the container with 128 + sig', async () => {
    const r = await runToEnd(['killself']);
    expect(r.result).toEqual({ exitCode: 137, reason: 'exit' });
    expect(r.stdout).toBe('');
  });

  it('children read the container stdin: streamed (shared ring) and given up front (relayed)', async () => {
    const streamed = start(['run', 'proc', 'cat'], { stdin: 'stream' });
    streamed.proc.stdin!.write('typed ');
    streamed.proc.stdin!.write('lines\n');
    streamed.proc.stdin!.end();
    expect((await streamed.proc.wait()).exitCode).toBe(0);
    expect(streamed.stdout()).toBe('typed lines\n');
    const upFront = await runToEnd(['run', 'proc', 'cat'], {
      stdin: new TextEncoder().encode('given up front\n'),
    });
    expect(upFront.stdout).toBe('given up front\n');
  });

  it('interrupt(): a foreground child ends with 130, pid 1 gets EINTR once, background children live on', async () => {
    const r = start(['waitintr']);
    await expect.poll(r.stdout, { timeout: 20_000 }).toBe('ready\n');
    expect(r.proc.interrupt()).toBe(true);
    const result = await r.proc.wait();
    expect(result.exitCode).toBe(0);
    expect(r.stdout()).toBe(
      'ready\nfirst wait: errno 27\nsecond wait: errno 0 status 130\nbackground: errno 0 status 0\n',
    );
  });

  it('interrupt(): a blocking stdin read of pid 1 returns EINTR', async () => {
    const r = start(['readintr'], { stdin: 'stream' });
    await expect.poll(r.stdout, { timeout: 20_000 }).toBe('ready\n');
    r.proc.interrupt();
    expect((await r.proc.wait()).exitCode).toBe(0);
    expect(r.stdout()).toBe('ready\nread: -1 errno 27 (EINTR)\n');
  });

  it('interrupt(): a shell between two calls gets it pending: the job it starts next ends at once', async () => {
    const r = start(['lateintr'], { stdin: 'stream' });
    r.proc.stdin!.write('go\n');
    await expect.poll(r.stdout, { timeout: 20_000 }).toBe('ready\n');
    // pid 1 computes now (no call), and has no child yet; it has read stdin before, so it is a shell.
    expect(r.proc.interrupt()).toBe(true);
    expect((await r.proc.wait()).exitCode).toBe(0);
    expect(r.stdout()).toBe('ready\nfirst wait: errno 27\nsecond wait: errno 0 status 130\n');
  });

  it('interrupt() of a program that never waits for input or children does nothing (the caller stops it)', async () => {
    const r = start(['spin']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.proc.interrupt()).toBe(false);
    r.proc.kill();
    expect((await r.proc.wait()).reason).toBe('killed');
  });

  it('a guest without berth_process has nothing to interrupt', async () => {
    const hello = new Uint8Array(readFileSync(join(repo, 'test/wasi/wasm/hello.wasm')));
    const proc = spawn(pool, { module: hello, args: ['hello'] });
    expect(proc.interrupt()).toBe(false);
    await proc.wait();
  });

  it('the memory limit covers the whole container: processes under it run, over it the container is OOM-killed', async () => {
    const MiB = 2 ** 20;
    const fits = await runToEnd(['memhog', '2', '8'], { memoryLimitBytes: 64 * MiB });
    expect(fits.stdout).toBe('statuses 0 0\n');
    // Each child alone fits under the 32 MiB cap; three together do not.
    const over = await runToEnd(['memhog', '3', '12'], { memoryLimitBytes: 32 * MiB });
    expect(over.result.reason).toBe('oom');
    expect(over.result.message).toMatch(/container's processes use [\d.]+ MiB, over its limit of 32.0 MiB/);
  });

  it('killing the container ends its runaway children too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proc-'));
    scratchDirs.push(dir);
    const ticks = join(dir, 'ticks');
    const r = start(['run', 'proc', 'tick', '/host/ticks', '|', 'proc', 'spin'], {
      mounts: [{ kind: 'host', guestPath: '/host', hostPath: dir }],
    });
    // The ticking child is running (it appends every 10 ms) next to one spinning without a syscall.
    await expect.poll(() => existsSync(ticks) && statSync(ticks).size > 20, { timeout: 20_000 }).toBe(true);
    r.proc.kill();
    expect((await r.proc.wait()).reason).toBe('killed');
    const size = statSync(ticks).size;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(ticks).size).toBe(size);
  });

  it('a cooperative stop reaches pid 1 blocked in wait: the run ends inside its worker, its root comes back', async () => {
    const r = start(['run', 'proc', 'sleep', '100000'], { returnRoot: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    r.proc.kill('stop', { graceMs: 20_000 });
    const result = await r.proc.wait();
    expect(result.reason).toBe('killed');
    // Ended by pid 1 itself at its next wake-up: a worker terminated after the grace period has no root.
    expect(result.root).toBeDefined();
  });

  it('the wall-clock limit of the container covers its children', async () => {
    const r = await runToEnd(['run', 'proc', 'spin'], { timeoutMs: 1000 });
    expect(r.result.reason).toBe('timeout');
  });

  it('100 MB through a pipe in bounded memory; figures: throughput, peak RSS, spawn and relay latency', async () => {
    // Warm up (workers, module cache), then measure the steady state.
    await runToEnd(['run', 'proc', 'produce', '1000000', '|', 'proc', 'count']);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const t0 = performance.now();
    const r = await runToEnd(['run', 'proc', 'produce', '100000000', '|', 'proc', 'count']);
    const ms = performance.now() - t0;
    clearInterval(sampler);
    expect(r.stdout, JSON.stringify(r.result) + r.stderr).toBe('100000000 bytes\n');
    expect(r.stderr).toBe('status 0 0\n');
    const grewMiB = (peak - base) / 2 ** 20;
    // The stream never accumulates: far less than the 100 MB that went through.
    expect(grewMiB).toBeLessThan(64);
    const spawnloop = await runToEnd(['spawnloop', '30']);
    const relay = await runToEnd(['run', 'proc', 'statloop', '5000']);
    console.log(
      `[processes] 100 MB pipe: ${ms.toFixed(0)} ms (${(100 / (ms / 1000)).toFixed(0)} MB/s incl. start), ` +
        `RSS ${(base / 2 ** 20).toFixed(0)} MiB -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${grewMiB.toFixed(1)}); ` +
        `spawn+wait ${spawnloop.stdout.trim()}; relayed stat ${relay.stdout.trim()}`,
    );
  });
});
