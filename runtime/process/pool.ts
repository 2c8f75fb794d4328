/**
 * A few warm workers, so that a repeat start skips loading the worker script and only instantiates the
 * (cached) module. A worker goes back to the pool only after a run that ended inside it; one that was
 * terminated (kill, timeout) or failed is never reused.
 *
 * Idle workers do not hold the host up: in Node they are unref'd (the process may exit while they idle),
 * and after idleTimeoutMs they are terminated anyway to give their memory back.
 */
import type { WorkerHost, WorkerLike } from './types';

export interface PoolOptions {
  /** Idle workers kept warm; default 2. 0 disables pooling (a fresh worker per run). */
  size?: number;
  /** An idle worker is terminated after this long unused; default 30 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_POOL_SIZE = 2;
const DEFAULT_IDLE_MS = 30_000;

interface Idle {
  worker: WorkerLike;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class WorkerPool {
  readonly size: number;
  private readonly idleTimeoutMs: number;
  private readonly idle: Idle[] = [];
  /** Workers created over the pool's life (for tests and stats). */
  created = 0;

  constructor(
    readonly host: WorkerHost,
    options: PoolOptions = {},
  ) {
    this.size = Math.max(0, options.size ?? DEFAULT_POOL_SIZE);
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  }

  /** A warm worker if one is idle, otherwise a new one. Held (ref'd) until release or discard. */
  acquire(): WorkerLike {
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

  /** Starts workers ahead of need, up to the pool size. */
  prewarm(count = this.size): void {
    while (this.idle.length < Math.min(count, this.size)) {
      this.created++;
      this.park(this.host.createWorker());
    }
  }

  /** Returns a worker that finished a run cleanly. */
  release(worker: WorkerLike): void {
    worker.onmessage = null;
    if (this.idle.length >= this.size) {
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
