/**
 * Union roots in guest workers (runtime/process protocol): a layer's tree crosses to a worker once and is
 * named by diff_id afterwards, the pool's bookkeeping and layer budget, the upper layer (whiteouts
 * included) coming back, read-only roots with mounts, memory mounts returning their tree, cooperative
 * stop. Real workers (dist/node-worker.js).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { WorkerPool } from '../../runtime/process/pool';
import type { LayerSpec, StartRequest } from '../../runtime/process/protocol';
import { spawn, type SpawnOptions } from '../../runtime/process/spawn';
import type { WorkerHost, WorkerLike } from '../../runtime/process/types';

const repo = join(import.meta.dirname, '../..');
const tool = new Uint8Array(readFileSync(join(repo, 'test/process/fixtures/tool.wasm')));
const busy = new Uint8Array(readFileSync(join(repo, 'test/engine/fixtures/busy.wasm')));

/** A WorkerHost that records every StartRequest posted. */
class SpyHost implements WorkerHost {
  readonly sent: StartRequest[] = [];
  private readonly inner = new NodeWorkerHost();
  createWorker(): WorkerLike {
    const w = this.inner.createWorker();
    const post = w.postMessage.bind(w);
    w.postMessage = (m: unknown, t?: Transferable[]) => {
      this.sent.push(m as StartRequest);
      post(m, t);
    };
    return w;
  }
}

const pools: WorkerPool[] = [];
afterAll(() => pools.forEach((p) => p.close()));
function pool(host: WorkerHost, layerCacheBytes?: number): WorkerPool {
  const p = new WorkerPool(host, { size: 1, ...(layerCacheBytes !== undefined ? { layerCacheBytes } : {}) });
  pools.push(p);
  return p;
}

const layer = (diffId: string, json: Record<string, string | null>): LayerSpec => ({
  diffId,
  snapshot: MemoryFileSystem.fromJSON(json).snapshot(),
});
const A = layer('sha256:a', { '/etc/motd': 'from A\n', '/etc/rm-me': 'doomed\n' });
const B = layer('sha256:b', { '/etc/motd': 'from B\n' });
const C = layer('sha256:c', { '/opt/c.txt': 'from C\n' });

async function run(p: WorkerPool, options: Partial<SpawnOptions> & { args: string[] }) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const proc = spawn(p, {
    module: tool,
    onStdout: (c) => void out.push(c),
    onStderr: (c) => void err.push(c),
    ...options,
  });
  const result = await proc.wait();
  return { result, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function readTree(snapshot: MemoryTreeSnapshot, path: string): string | undefined {
  const fs = MemoryFileSystem.fromSnapshot(snapshot);
  return fs.toJSON()[path] ?? undefined;
}

describe('union roots in workers', () => {
  it('should send each layer to a worker once and name it by diff_id afterwards', async () => {
    const spy = new SpyHost();
    const p = pool(spy);
    const r1 = await run(p, { args: ['tool', 'cat', '/etc/motd'], root: { kind: 'union', layers: [A, B] } });
    expect(r1.stdout).toBe('from B\n');
    const r2 = await run(p, { args: ['tool', 'cat', '/etc/rm-me'], root: { kind: 'union', layers: [A, B] } });
    expect(r2.stdout).toBe('doomed\n');
    const r3 = await run(p, { args: ['tool', 'cat', '/opt/c.txt'], root: { kind: 'union', layers: [A, C] } });
    expect(r3.stdout).toBe('from C\n');
    expect(p.created).toBe(1);
    const shipped = spy.sent.map((m) =>
      m.root.kind === 'union' ? m.root.layers.map((l) => l.snapshot !== undefined) : [],
    );
    expect(shipped).toEqual([
      [true, true],
      [false, false],
      [false, true],
    ]);
    expect(p.layersOf((p as unknown as { idle: { worker: WorkerLike }[] }).idle[0]!.worker)).toEqual([
      'sha256:b',
      'sha256:a',
      'sha256:c',
    ]);
  });

  it('should return the upper layer with its whiteouts, and restore one', async () => {
    const p = pool(new NodeWorkerHost());
    const w = await run(p, {
      args: ['tool', 'write', '/etc/motd', 'changed\n'],
      root: { kind: 'union', layers: [A] },
      returnRoot: true,
    });
    expect(w.result.exitCode).toBe(0);
    expect(readTree(w.result.upper!, '/etc/motd')).toBe('changed\n');
    expect(readTree(w.result.upper!, '/etc/rm-me')).toBeUndefined();
    expect(w.result.root).toBeUndefined();
    // An upper with a whiteout hides the lower file, and comes back with it.
    const upper = MemoryFileSystem.fromJSON({ '/etc/.wh.rm-me': '' }).snapshot();
    const r = await run(p, {
      args: ['tool', 'cat', '/etc/rm-me'],
      root: { kind: 'union', layers: [A], upper },
      returnRoot: true,
    });
    expect(r.result.exitCode).toBe(1);
    expect(readTree(r.result.upper!, '/etc/.wh.rm-me')).toBe('');
  });

  it('should make a read-only root, with mounts still writable and memory mounts returned', async () => {
    const p = pool(new NodeWorkerHost());
    const root = { kind: 'union' as const, layers: [A], readOnly: true };
    const denied = await run(p, { args: ['tool', 'write', '/etc/x', 'no'], root });
    expect(denied.result.exitCode).toBe(1);
    const data = MemoryFileSystem.fromJSON({ '/seed': 's' }).snapshot();
    const ok = await run(p, {
      args: ['tool', 'write', '/data/y', 'yes'],
      root,
      mounts: [{ kind: 'memory', guestPath: '/data', snapshot: data, returnSnapshot: true }],
      returnRoot: true,
    });
    expect(ok.result.exitCode).toBe(0);
    expect(ok.result.mounts).toHaveLength(1);
    expect(readTree(ok.result.mounts![0]!.snapshot, '/y')).toBe('yes');
    expect(readTree(ok.result.mounts![0]!.snapshot, '/seed')).toBe('s');
  });

  it('should drop layers past the budget and send them again when needed', async () => {
    const spy = new SpyHost();
    const p = pool(spy, 1);
    await run(p, { args: ['tool', 'cat', '/etc/motd'], root: { kind: 'union', layers: [A] } });
    await run(p, { args: ['tool', 'cat', '/opt/c.txt'], root: { kind: 'union', layers: [C] } });
    const r = await run(p, { args: ['tool', 'cat', '/etc/motd'], root: { kind: 'union', layers: [A] } });
    expect(r.stdout).toBe('from A\n');
    expect(spy.sent.map((m) => m.dropLayers ?? [])).toEqual([[], ['sha256:a'], ['sha256:c']]);
    expect(
      spy.sent.map((m) => (m.root.kind === 'union' ? m.root.layers[0]!.snapshot !== undefined : null)),
    ).toEqual([true, true, true]);
  });

  it('should fail clearly for a layer the worker lacks and that came without its tree', async () => {
    const p = pool(new NodeWorkerHost());
    const r = await run(p, {
      args: ['tool', 'echo'],
      root: { kind: 'union', layers: [{ diffId: 'sha256:zzz' }] },
    });
    expect(r.result).toMatchObject({ exitCode: null, reason: 'error' });
    expect(r.result.message).toMatch(/sha256:zzz has no snapshot/);
  });

  it('should stop a guest at its next WASI call and return its upper; terminate one that makes none', async () => {
    const p = pool(new NodeWorkerHost());
    let written!: () => void;
    const ready = new Promise<void>((r) => (written = r));
    const sleeper = spawn(p, {
      module: busy,
      args: ['busy', 'write-then-sleep', '/kept', 'k'],
      root: { kind: 'union', layers: [A] },
      returnRoot: true,
      onStdout: () => written(),
    });
    await ready;
    sleeper.kill('stop', { graceMs: 5000 });
    const r = await sleeper.wait();
    expect(r).toMatchObject({ reason: 'killed', exitCode: null, message: 'killed: stop' });
    expect(readTree(r.upper!, '/kept')).toBe('k');

    let spun!: () => void;
    const spinning = new Promise<void>((res) => (spun = res));
    const spinner = spawn(p, {
      module: busy,
      args: ['busy', 'write-then-spin', '/lost', 'l'],
      root: { kind: 'union', layers: [A] },
      returnRoot: true,
      onStdout: () => spun(),
    });
    await spinning;
    const t0 = Date.now();
    spinner.kill(undefined, { graceMs: 200 });
    const s = await spinner.wait();
    expect(s.reason).toBe('killed');
    expect(s.upper).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
