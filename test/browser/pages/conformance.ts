/**
 * The page script of conformance.html (bundled by the test with esbuild, platform=browser). It runs the
 * C conformance programs of test/wasi through Berth's browser runtime, either on the page's own thread
 * (runInThread) or in a module Web Worker (spawn + BrowserWorkerHost), and exposes that to the test as
 * `window.runCase(name, args, env, stdin, mode, options?)`.
 *
 * The worker script's URL comes from the page's `?worker=` query parameter (relative to the page);
 * default: the repository's dist/browser/worker.js.
 */
import {
  BrowserWorkerHost,
  bufferedInput,
  CollectingOutput,
  compile,
  MemoryFileSystem,
  Namespace,
  runInThread,
  sharedStdinAvailable,
  spawn,
  WasiKill,
  WorkerPool,
} from '../../../runtime/browser/index';

export type Mode = 'thread' | 'worker';

export interface RunOptions {
  /** The .wasm in test/wasi/wasm/ when it is not named like the case. */
  wasm?: string;
  /** Worker mode: wall-clock limit. */
  timeoutMs?: number;
  /** Linear-memory cap, applied when the module is compiled. */
  memoryLimitBytes?: number;
  /** Per stream; past it the guest is ended with reason 'output-limit'. */
  maxOutputBytes?: number;
  /** Worker mode: 'stream' (SharedArrayBuffer ring) or 'buffer' (given up front). Default: stream when the
   * page is cross-origin isolated. */
  stdinMode?: 'stream' | 'buffer';
  /** Return at most this many characters of stdout/stderr (the start); default: all of it. */
  maxReturnChars?: number;
}

export interface CaseResult {
  exitCode: number | null;
  reason: string;
  message?: string;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  elapsedMs: number;
  stdinMode?: 'stream' | 'buffer';
}

export interface PageInfo {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  sharedStdin: boolean;
  workerUrl: string;
}

declare global {
  interface Window {
    runCase(
      name: string,
      args: string[],
      env: Record<string, string>,
      stdin: string,
      mode: Mode,
      options?: RunOptions,
    ): Promise<CaseResult>;
    pageInfo(): PageInfo;
    berthReady: boolean;
  }
}

const workerUrl = new URL(
  new URLSearchParams(location.search).get('worker') ?? '../../../dist/browser/worker.js',
  location.href,
).href;
// A small pool: consecutive worker runs reuse a warm worker; a terminated one is never reused.
const pool = new WorkerPool(new BrowserWorkerHost(workerUrl), { size: 2 });

const bytesCache = new Map<string, Promise<Uint8Array>>();

function wasmBytes(file: string): Promise<Uint8Array> {
  let p = bytesCache.get(file);
  if (!p) {
    p = (async () => {
      const res = await fetch(new URL(`../../wasi/wasm/${file}.wasm`, location.href));
      if (!res.ok) throw new Error(`cannot fetch ${file}.wasm: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    })();
    bytesCache.set(file, p);
    p.catch(() => bytesCache.delete(file));
  }
  return p;
}

function decode(chunks: Uint8Array[]): { text: string; bytes: number } {
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(bytes);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return { text: new TextDecoder().decode(all), bytes };
}

function clip(text: string, max: number | undefined): string {
  return max !== undefined && text.length > max ? text.slice(0, max) : text;
}

function log(line: string): void {
  const pre = document.createElement('pre');
  pre.textContent = line;
  document.getElementById('log')?.append(pre);
}

async function runThread(
  name: string,
  args: string[],
  env: Record<string, string>,
  stdin: string,
  options: RunOptions,
): Promise<CaseResult> {
  const module = await compile(await wasmBytes(options.wasm ?? name), {
    ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  const cap = options.maxOutputBytes ?? Infinity;
  const overflow = (stream: string) => () => {
    throw new WasiKill('output-limit', `${stream} exceeded the output limit of ${cap} bytes`);
  };
  const stdout = new CollectingOutput(cap, overflow('stdout'));
  const stderr = new CollectingOutput(cap, overflow('stderr'));
  const started = performance.now();
  const result = await runInThread(module, {
    args: [name, ...args],
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    namespace: new Namespace(new MemoryFileSystem()),
    stdin: bufferedInput(stdin),
    stdout,
    stderr,
    ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  const elapsedMs = performance.now() - started;
  return {
    exitCode: result.exitCode,
    reason: result.reason,
    ...(result.message !== undefined ? { message: result.message } : {}),
    stdout: clip(stdout.text(), options.maxReturnChars),
    stderr: clip(stderr.text(), options.maxReturnChars),
    stdoutBytes: stdout.length,
    stderrBytes: stderr.length,
    elapsedMs,
  };
}

async function runWorker(
  name: string,
  args: string[],
  env: Record<string, string>,
  stdin: string,
  options: RunOptions,
): Promise<CaseResult> {
  const bytes = await wasmBytes(options.wasm ?? name);
  const stdinMode = options.stdinMode ?? (sharedStdinAvailable() ? 'stream' : 'buffer');
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const started = performance.now();
  const proc = spawn(pool, {
    module: bytes,
    args: [name, ...args],
    env,
    stdin: stdinMode === 'stream' ? 'stream' : new TextEncoder().encode(stdin),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
    ...(options.maxOutputBytes !== undefined ? { maxOutputBytes: options.maxOutputBytes } : {}),
    onStdout: (chunk) => out.push(chunk),
    onStderr: (chunk) => err.push(chunk),
  });
  if (proc.stdin) {
    // Streamed while the guest runs: it blocks in fd_read until these bytes (then EOF) arrive.
    proc.stdin.write(stdin);
    proc.stdin.end();
  }
  const result = await proc.wait();
  const elapsedMs = performance.now() - started;
  const stdout = decode(out);
  const stderr = decode(err);
  return {
    exitCode: result.exitCode,
    reason: result.reason,
    ...(result.message !== undefined ? { message: result.message } : {}),
    stdout: clip(stdout.text, options.maxReturnChars),
    stderr: clip(stderr.text, options.maxReturnChars),
    stdoutBytes: stdout.bytes,
    stderrBytes: stderr.bytes,
    elapsedMs,
    stdinMode,
  };
}

window.runCase = async (name, args, env, stdin, mode, options = {}) => {
  const result =
    mode === 'thread'
      ? await runThread(name, args, env, stdin, options)
      : await runWorker(name, args, env, stdin, options);
  const failed = result.stdout.split('\n').filter((l) => l.startsWith('not ok'));
  log(
    `${name} [${mode}] → ${result.reason} ${result.exitCode ?? ''} in ${result.elapsedMs.toFixed(1)} ms` +
      (failed.length ? `, ${failed.length} failed checks` : '') +
      (result.message ? ` (${result.message})` : '') +
      failed.map((l) => `\n  ${l}`).join(''),
  );
  return result;
};

window.pageInfo = () => ({
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
  sharedStdin: sharedStdinAvailable(),
  workerUrl,
});

window.berthReady = true;
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
const coi = document.getElementById('coi');
if (coi) coi.textContent = String(globalThis.crossOriginIsolated === true);
