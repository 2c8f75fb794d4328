/**
 * The host capability spawn() needs: making a Worker. Injected, so runtime/process stays host-neutral:
 * runtime/node/NodeWorkerHost.ts wraps worker_threads, runtime/browser/BrowserWorkerHost.ts wraps a module
 * Web Worker.
 */

/** The slice of a Worker spawn() uses. Handlers receive the message data itself, not an event. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((data: unknown) => void) | null;
  /** An uncaught error in the worker, or its script failing to load. The worker is unusable after it. */
  onerror: ((error: Error) => void) | null;
  /** The worker thread ended on its own (Node only; browsers have no such event). */
  onexit?: ((code: number) => void) | null;
  /** Stops the worker at once, even inside a spinning wasm loop; the promise settles when it is gone. */
  terminate(): void | Promise<unknown>;
  /** Node: let an idle worker not keep the process alive (unref) and hold it again while it runs (ref). */
  ref?(): void;
  unref?(): void;
}

export interface WorkerHost {
  createWorker(): WorkerLike;
}
