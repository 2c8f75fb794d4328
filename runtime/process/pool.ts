/**
 * A few warm workers, so that a repeat start skips loading the worker script and only instantiates the
 * (cached) module. A worker goes back to the pool only after a run that ended inside it; one that was
 * terminated (kill, timeout) or failed is never reused.
 *
 * Idle workers do not hold the host up: in Node they are unref'd (the process may exit while they idle),
 * and after idleTimeoutMs they are terminated anyway to give their memory back.
 */
import type { MemoryTreeSnapshot } from '../fs/MemoryFileSystem';
import type { LayerSpec } from './protocol';
import type { WorkerHost, WorkerLike } from './types';

export interface PoolOptions {
  /** Idle workers kept warm; default 2. 0 disables pooling (a fresh worker per run). */
  size?: number;
  /** An idle worker is terminated after this long unused; default 30 s. */
  idleTimeoutMs?: number;
  /**
   * Union roots: about how many bytes of image layers one worker may hold (file contents counted); past
   * it the least recently used layers are dropped from the worker before the next run. Default 512 MiB.
   * A single run's own layers are never dropped, whatever their size.
   */
  layerCacheBytes?: number;
}

export const DEFAULT_POOL_SIZE = 2;
const DEFAULT_IDLE_MS = 30_000;
export const DEFAULT_LAYER_CACHE_BYTES = 512 * 1024 * 1024;

/** What a union run sends: the layers to send whole, and the diff_ids the worker must forget first. */
export interface LayerPlan {
  /** The layers as they go into the StartRequest: snapshots only for layers the worker lacks. */
  layers: LayerSpec[];
  /** diff_ids to drop before the run (StartRequest.dropLayers). */
  drop: string[];
  /** diff_ids of layers the worker lacks and that came without a snapshot: the run cannot start. */
  missing: string[];
}

const snapshotBytes = new WeakMap<MemoryTreeSnapshot, number>();

/** The bytes of file contents in a snapshot (memoised: snapshots of image layers are reused). */
export function bytesOfSnapshot(snapshot: MemoryTreeSnapshot): number {
  let bytes = snapshotBytes.get(snapshot);
  if (bytes === undefined) {
    bytes = 0;
    for (const inode of snapshot.inodes)
      bytes += inode.kind === 'file' ? inode.data.length : inode.target.length;
    snapshotBytes.set(snapshot, bytes);
  }
  return bytes;
}

interface Idle {
  worker: WorkerLike;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class WorkerPool {
  readonly size: number;
  private readonly idleTimeoutMs: number;
  private readonly layerCacheBytes: number;
  private readonly idle: Idle[] = [];
  /**
   * The host's copy of each worker's layer cache (see protocol.ts): diff_id → bytes, least recently used
   * first. A worker that is terminated simply drops out (its next incarnation is a new object).
   */
  private readonly layers = new WeakMap<WorkerLike, Map<string, number>>();
  /** Workers created over the pool's life (for tests and stats). */
  created = 0;
  /** Extra idle workers kept while someone holds them (hold()): a container running pipelines. */
  private held = 0;

  constructor(
    readonly host: WorkerHost,
    options: PoolOptions = {},
  ) {
    this.size = Math.max(0, options.size ?? DEFAULT_POOL_SIZE);
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    this.layerCacheBytes = options.layerCacheBytes ?? DEFAULT_LAYER_CACHE_BYTES;
  }

  /**
   * A warm worker if one is idle, otherwise a new one. Held (ref'd) until release or discard. With
   * `affinity` (the diff_ids a union run needs), the idle worker holding most of them is preferred.
   */
  acquire(affinity?: readonly string[]): WorkerLike {
    if (affinity !== undefined && affinity.length > 0 && this.idle.length > 1) {
      let best = this.idle.length - 1;
      let bestCount = -1;
      for (let i = this.idle.length - 1; i >= 0; i--) {
        const held = this.layers.get(this.idle[i]!.worker);
        const count = held === undefined ? 0 : affinity.filter((d) => held.has(d)).length;
        if (count > bestCount) {
          best = i;
          bestCount = count;
        }
      }
      const [entry] = this.idle.splice(best, 1);
      this.idle.push(entry!);
    }
    const entry = this.idle.pop();
    if (entry) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.worker.onerror = null;
      entry.worker.onexit = null;
      entry.worker.ref?.();
      return entry.worker;
    }
    this.created++;
    return this.host.createWorker();
  }

  /** Idle workers kept right now: the pool size plus what hold() added. */
  get capacity(): number {
    return this.size + this.held;
  }

  /**
   * Keeps `extra` more idle workers while the hold lasts (a container whose processes come and go: a
   * shell script's pipelines then start in warm workers). The returned function ends the hold; surplus
   * idle workers are terminated then.
   */
  hold(extra: number): () => void {
    if (this.size === 0) return () => {};
    this.held += extra;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.held -= extra;
      while (this.idle.length > this.capacity) {
        const entry = this.idle.shift()!;
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        entry.worker.onerror = null;
        entry.worker.onexit = null;
        void entry.worker.terminate();
      }
    };
  }

  /** Starts workers ahead of need, up to the pool's capacity. */
  prewarm(count = this.size): void {
    while (this.idle.length < Math.min(count, this.capacity)) {
      this.created++;
      this.park(this.host.createWorker());
    }
  }

  /** Returns a worker that finished a run cleanly. */
  release(worker: WorkerLike): void {
    worker.onmessage = null;
    // The run's handlers go with it: terminating a surplus worker must not look like a crash to its run.
    worker.onerror = null;
    worker.onexit = null;
    if (this.idle.length >= this.capacity) {
      void worker.terminate();
      return;
    }
    this.park(worker);
  }

  /**
   * Terminates a worker that must not be reused. The promise settles when the worker is gone; until then
   * its onmessage stays attached, so output it sent before being stopped still arrives.
   */
  discard(worker: WorkerLike): Promise<void> {
    worker.onerror = null;
    if (worker.onexit) worker.onexit = null;
    const detach = () => {
      worker.onmessage = null;
    };
    return Promise.resolve(worker.terminate()).then(detach, detach);
  }

  /** The diff_ids a worker holds, as far as this pool has sent them (least recently used first). */
  layersOf(worker: WorkerLike): string[] {
    return [...(this.layers.get(worker)?.keys() ?? [])];
  }

  /**
   * Plans the layers of a union run on `worker` and records the worker's cache as it will be once the
   * StartRequest is taken: layers it holds go without their snapshot, the others with it; the least
   * recently used layers not needed by this run are dropped while the worker would hold more than
   * layerCacheBytes.
   */
  planLayers(worker: WorkerLike, layers: readonly LayerSpec[]): LayerPlan {
    let held = this.layers.get(worker);
    if (held === undefined) this.layers.set(worker, (held = new Map()));
    const plan: LayerPlan = { layers: [], drop: [], missing: [] };
    const needed = new Set(layers.map((l) => l.diffId));
    for (const layer of layers) {
      const bytes = held.get(layer.diffId);
      if (bytes !== undefined) {
        plan.layers.push({ diffId: layer.diffId });
        held.delete(layer.diffId);
        held.set(layer.diffId, bytes);
      } else if (layer.snapshot !== undefined) {
        plan.layers.push({ diffId: layer.diffId, snapshot: layer.snapshot });
        held.set(layer.diffId, bytesOfSnapshot(layer.snapshot));
      } else {
        plan.missing.push(layer.diffId);
      }
    }
    let total = 0;
    for (const bytes of held.values()) total += bytes;
    for (const [diffId, bytes] of held) {
      if (total <= this.layerCacheBytes) break;
      if (needed.has(diffId)) continue;
      held.delete(diffId);
      plan.drop.push(diffId);
      total -= bytes;
    }
    return plan;
  }

  /** Forgets what a worker holds (after a failed run): its layers are sent again next time. */
  forgetLayers(worker: WorkerLike): void {
    this.layers.delete(worker);
  }

  /** Idle workers right now. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Terminates every idle worker. */
  close(): void {
    for (const entry of this.idle.splice(0)) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      void entry.worker.terminate();
    }
  }

  private park(worker: WorkerLike): void {
    const entry: Idle = { worker, timer: undefined };
    const drop = () => {
      const i = this.idle.indexOf(entry);
      if (i >= 0) this.idle.splice(i, 1);
      if (entry.timer !== undefined) clearTimeout(entry.timer);
    };
    // An idle worker that dies is just forgotten.
    worker.onerror = () => {
      drop();
      void worker.terminate();
    };
    worker.onexit = drop;
    worker.unref?.();
    if (this.idleTimeoutMs !== Infinity) {
      entry.timer = setTimeout(() => {
        drop();
        void worker.terminate();
      }, this.idleTimeoutMs);
      // Node: the timer must not keep the process alive either.
      (entry.timer as { unref?: () => void }).unref?.();
    }
    this.idle.push(entry);
  }
}

const defaultPools = new WeakMap<WorkerHost, WorkerPool>();

/** The shared pool of a WorkerHost (default options), created on first use. */
export function poolFor(host: WorkerHost): WorkerPool {
  let pool = defaultPools.get(host);
  if (!pool) defaultPools.set(host, (pool = new WorkerPool(host)));
  return pool;
}
