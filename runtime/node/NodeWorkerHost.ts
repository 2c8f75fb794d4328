/**
 * WorkerHost over node:worker_threads. The worker runs the bundled entry dist/node-worker.js (built from
 * runtime/node/worker.ts by scripts/build.mjs), found relative to this module: next to it when this code
 * is itself bundled into dist/, otherwise in <package root>/dist/ (running from the TypeScript sources,
 * e.g. under vitest — build first).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResourceLimits, TransferListItem, Worker } from 'node:worker_threads';
import type { WorkerHost, WorkerLike } from '../process/types';

export interface NodeWorkerHostOptions {
  /** The worker script; default: the bundled dist/node-worker.js. */
  workerScript?: string | URL;
  /** V8 heap limits for each worker (wasm memory is not counted in them). */
  resourceLimits?: ResourceLimits;
}

const WORKER_FILE = 'node-worker.js';

/**
 * node:worker_threads, loaded when the first worker starts: a command that runs no guest (most of them)
 * would otherwise pay several milliseconds of every start for it.
 */
let workerThreads: typeof import('node:worker_threads') | undefined;
function loadWorkerThreads(): typeof import('node:worker_threads') {
  return (workerThreads ??= createRequire(import.meta.url)(
    'node:worker_threads',
  ) as typeof import('node:worker_threads'));
}

/** Finds dist/node-worker.js from this module's location. */
export function defaultWorkerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, WORKER_FILE)];
  for (let dir = here, i = 0; i < 6; i++) {
    candidates.push(join(dir, 'dist', WORKER_FILE));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      `berth: cannot find the worker bundle ${WORKER_FILE} (looked in ${candidates.join(', ')}); ` +
        'run npm install (or npm run build) first',
    );
  }
  return found;
}

class NodeWorker implements WorkerLike {
  onmessage: ((data: unknown) => void) | null = null;
  onerror: ((error: Error) => void) | null = null;
  onexit: ((code: number) => void) | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (data: unknown) => this.onmessage?.(data));
    worker.on('error', (err: Error) => this.onerror?.(err));
    worker.on('exit', (code: number) => this.onexit?.(code));
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as TransferListItem[] | undefined);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }
}

export class NodeWorkerHost implements WorkerHost {
  private script: string | URL | undefined;

  constructor(private readonly options: NodeWorkerHostOptions = {}) {
    this.script = options.workerScript;
  }

  createWorker(): WorkerLike {
    this.script ??= defaultWorkerScript();
    const { Worker } = loadWorkerThreads();
    return new NodeWorker(
      new Worker(this.script, {
        ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
        // The guest's output goes through messages; the worker itself never prints.
        stdout: false,
        stderr: false,
      }),
    );
  }
}
