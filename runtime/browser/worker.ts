/**
 * The browser worker entry (bundled to dist/browser/worker.js). A page has no host filesystem: every
 * mount is an in-memory tree, and a host-directory mount is refused with an explanation.
 */
import { serveWorker } from '../process/workerMain';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;

serveWorker(
  {
    postMessage: (message, transfer) => scope.postMessage(message, transfer ?? []),
    onMessage: (handler) => {
      scope.onmessage = (ev) => handler(ev.data);
    },
  },
  {
    openHostDir: (hostPath) => {
      throw new Error(
        `host directories cannot be mounted in a browser (asked for ${hostPath}); ` +
          'mount an in-memory tree (kind: "memory") instead',
      );
    },
  },
);
