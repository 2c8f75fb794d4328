/**
 * The Node worker entry (bundled to dist/node-worker.js): serves StartRequests from the parent thread.
 * Host directories are opened with node:fs, confined by HostFileSystem.
 */
import { parentPort } from 'node:worker_threads';
import { serveWorker } from '../process/workerMain';
import { nodeHostDir } from './hostDir';

if (!parentPort) throw new Error('runtime/node/worker.ts must run in a worker thread');
const port = parentPort;

serveWorker(
  {
    postMessage: (message, transfer) => port.postMessage(message, transfer as never),
    onMessage: (handler) => port.on('message', handler),
  },
  { openHostDir: nodeHostDir },
);
