/**
 * The page script of processes.html (bundled by processes.browser.test.ts). It runs
 * test/process/fixtures/proc.wasm as pid 1 of a container in module Web Workers, with the program at
 * /bin/proc, and exposes `window.runProc(args, options)` to the test.
 */
import { BrowserWorkerHost, MemoryFileSystem, spawn, WorkerPool } from '../../../runtime/browser/index';

export interface ProcOptions {
  /** Streamed stdin bytes (then EOF). */
  stdin?: string;
  /** Call interrupt() once stdout reads "ready\n". */
  interruptOnReady?: boolean;
}

export interface ProcResult {
  exitCode: number | null;
  reason: string;
  message?: string;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  crossOriginIsolated: boolean;
}

declare global {
  interface Window {
    runProc(args: string[], options?: ProcOptions): Promise<ProcResult>;
    berthReady: boolean;
  }
}

const workerUrl = new URL('../../../dist/browser/worker.js', location.href).href;
const pool = new WorkerPool(new BrowserWorkerHost(workerUrl), { size: 4 });
const procWasm = fetch('../../process/fixtures/proc.wasm').then(
  async (r) => new Uint8Array(await r.arrayBuffer()),
);

window.runProc = async (args, options = {}) => {
  const bytes = await procWasm;
  const root = MemoryFileSystem.fromJSON({ '/bin/proc': bytes, '/tmp': null }).snapshot();
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const decode = (chunks: Uint8Array[]) => new TextDecoder().decode(join(chunks));
  const started = performance.now();
  let interrupted = false;
  const proc = spawn(pool, {
    module: bytes,
    args: ['proc', ...args],
    env: ['PATH=/bin'],
    root: { kind: 'memory', snapshot: root },
    stdin: options.stdin !== undefined ? 'stream' : new Uint8Array(0),
    timeoutMs: 30_000,
    onStdout: (c) => {
      out.push(c);
      if (options.interruptOnReady && !interrupted && decode(out) === 'ready\n') {
        interrupted = true;
        proc.interrupt();
      }
    },
    onStderr: (c) => void err.push(c),
  });
  if (options.stdin !== undefined) {
    proc.stdin!.write(options.stdin);
    proc.stdin!.end();
  }
  const result = await proc.wait();
  return {
    exitCode: result.exitCode,
    reason: result.reason,
    ...(result.message ? { message: result.message } : {}),
    stdout: decode(out),
    stderr: decode(err),
    elapsedMs: performance.now() - started,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
};

function join(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return all;
}

document.getElementById('status')!.textContent = 'ready';
window.berthReady = true;
