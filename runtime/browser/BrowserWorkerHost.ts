/**
 * WorkerHost over module Web Workers. The caller says where the worker entry is: the built
 * dist/browser/worker.js, served from the caller's origin (a Worker script must be same-origin).
 *
 * Streaming stdin (spawn's stdin: 'stream') needs SharedArrayBuffer, so a cross-origin-isolated page
 * (COOP: same-origin, COEP: require-corp); elsewhere give stdin up front.
 *
 * Worker.terminate() stops a worker spinning in wasm, but Chromium may take about 2 s to do it; the page
 * is not blocked meanwhile.
 */
import type { WorkerHost, WorkerLike } from '../process/types';

class BrowserWorker implements WorkerLike {
  onmessage: ((data: unknown) => void) | null = null;
  onerror: ((error: Error) => void) | null = null;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent) => this.onmessage?.(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.onerror?.(new Error(ev.message || 'worker script failed to load or threw'));
    };
    worker.onmessageerror = () =>
      this.onerror?.(new Error('a message from the guest worker could not be read'));
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer ?? []);
  }

  terminate(): void {
    this.worker.terminate();
  }
}

export class BrowserWorkerHost implements WorkerHost {
  /** @param workerUrl URL of dist/browser/worker.js (an ES module worker). */
  constructor(private readonly workerUrl: string | URL) {}

  createWorker(): WorkerLike {
    return new BrowserWorker(new Worker(this.workerUrl, { type: 'module', name: 'berth-guest' }));
  }
}
