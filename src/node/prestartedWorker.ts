/**
 * A WorkerHost that hands out the worker bin/berth.js started before the bundle loaded (boot.ts
 * prestartWorker), then creates workers as `inner` does. The first run of `berth run` then finds its
 * worker booted, or nearly, instead of starting it once the image is read.
 */
import type { WorkerHost, WorkerLike } from '../../runtime/process/types';
import { PRESTARTED_WORKER, type PrestartedWorker } from './boot';

/** Takes the prestarted worker, if there is one (once). */
function takePrestarted(): PrestartedWorker | undefined {
  const slot = globalThis as Record<symbol, unknown>;
  const entry = slot[PRESTARTED_WORKER] as PrestartedWorker | undefined;
  delete slot[PRESTARTED_WORKER];
  return entry;
}

/**
 * WorkerLike over a node:worker_threads Worker, as runtime/node/NodeWorkerHost makes them (its class is
 * private to it); an error or exit that came before adoption is reported on the next tick.
 */
function adopt(entry: PrestartedWorker): WorkerLike {
  const { worker } = entry;
  const like: WorkerLike = {
    onmessage: null,
    onerror: null,
    onexit: null,
    postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
    terminate: () => worker.terminate(),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
  worker.on('message', (data: unknown) => like.onmessage?.(data));
  worker.on('error', (error: Error) => like.onerror?.(error));
  worker.on('exit', (code: number) => like.onexit?.(code));
  if (entry.error !== undefined || entry.exitCode !== undefined) {
    setImmediate(() => {
      if (entry.error !== undefined) like.onerror?.(entry.error);
      else like.onexit?.(entry.exitCode!);
    });
  }
  return like;
}

export class PrestartedWorkerHost implements WorkerHost {
  constructor(private readonly inner: WorkerHost) {}

  createWorker(): WorkerLike {
    const entry = takePrestarted();
    return entry !== undefined ? adopt(entry) : this.inner.createWorker();
  }
}
