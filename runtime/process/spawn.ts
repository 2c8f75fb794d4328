/**
 * spawn(): a guest in its own Worker, the way to run code you do not trust. The host stays responsive,
 * output streams out while the guest runs, stdin can be streamed in, and the guest can be stopped at any
 * moment: kill() and the wall-clock timeout terminate the worker thread.
 *
 * How fast a terminated worker really stops a spinning wasm loop depends on the engine: Node (V8 with
 * worker_threads) stops it at once — well under 100 ms —, Chromium's Worker.terminate() can take about
 * 2 s to take effect on a busy worker. Either way the host is not blocked meanwhile.
 *
 * A killed worker is never reused; a worker whose guest ended by itself (exit, trap, output cap) goes back
 * to the pool warm.
 */
import type { MemoryTreeSnapshot } from '../fs/MemoryFileSystem';
import { importsBerthProcess } from '../wasi/Preview1';
import { ContainerProcesses } from './container';
import { formatMs } from './format';
import { compile, memoryLimitOf } from './moduleCache';
import { poolFor, WorkerPool } from './pool';
import {
  STOP_REQUESTED,
  type MountSnapshot,
  type MountSpec,
  type RootSpec,
  type StartRequest,
  type StdinSpec,
  WINDOW_BYTES,
  WINDOW_POSTED,
  type WorkerToHost,
} from './protocol';
import type { RunResult } from './runInThread';
import { createStdinBuffer, StdinWriter } from './stdinChannel';
import type { WorkerHost, WorkerLike } from './types';

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface SpawnOptions {
  /** A compiled module, or its bytes (compiled through the module cache with memoryLimitBytes). */
  module: WebAssembly.Module | Uint8Array;
  /** argv, argv[0] included; default ['guest']. */
  args?: readonly string[];
  /** "KEY=value" strings, or a record. */
  env?: readonly string[] | Readonly<Record<string, string>>;
  /**
   * The guest's `/`; default a fresh empty in-memory tree. A union root's layers should all carry their
   * snapshots: each is sent only to a worker that does not hold that layer yet (WorkerPool.planLayers),
   * so pass the same snapshot objects every time.
   */
  root?: RootSpec;
  /** Mounted on top of the root, in order. */
  mounts?: readonly MountSpec[];
  /** Guest directories preopened for the guest; default ['/']. */
  preopens?: readonly string[];
  /**
   * Whether the guest's stdio are a terminal: isatty() is true in the guest (a shell prompts, stdout is
   * line-buffered). Default true; `docker run` gives a terminal only with -t.
   */
  terminal?: boolean;
  /**
   * stdin bytes given up front, or 'stream' to write them while the guest runs (GuestProcess.stdin).
   * Streaming needs SharedArrayBuffer: in a page that is not cross-origin isolated only bytes work.
   * Default: empty (EOF at once).
   */
  stdin?: Uint8Array | 'stream';
  /** Wall-clock limit from the start of the run; past it the worker is terminated (reason 'timeout'). */
  timeoutMs?: number;
  /**
   * Linear-memory cap. Applied when the module is compiled: with bytes, spawn compiles with it; with a
   * Module, it must have been compiled by compile(bytes, { memoryLimitBytes }) with the same value.
   */
  memoryLimitBytes?: number;
  /** Per stream; default 64 MiB. Past it the guest is ended with reason 'output-limit'. */
  maxOutputBytes?: number;
  /** Receives one strace-like line per syscall. */
  trace?: (line: string) => void;
  /** Deterministic run: fixed clock, seeded random; same inputs → byte-identical output. */
  seed?: bigint | number;
  /**
   * Return the root's final state with the result: a memory root's tree (SpawnResult.root), a union
   * root's upper layer (SpawnResult.upper). Memory mounts with returnSnapshot come back regardless.
   */
  returnRoot?: boolean;
  /** Shorthands for onStdout/onStderr, attached before anything can arrive. */
  onStdout?: OutputListener;
  onStderr?: OutputListener;
}

export interface SpawnResult extends RunResult {
  /** The root filesystem after the run, when returnRoot was asked and the run ended inside the worker. */
  root?: MemoryTreeSnapshot;
  /** A union root's upper layer after the run, likewise. */
  upper?: MemoryTreeSnapshot;
  /** The final trees of memory mounts with returnSnapshot, when the run ended inside the worker. */
  mounts?: MountSnapshot[];
}

export interface GuestProcess {
  readonly pid: number;
  /** The stdin writer when spawned with stdin: 'stream', else null. */
  readonly stdin: StdinWriter | null;
  /**
   * Output chunks as the guest writes them. Chunks that arrive before the first listener is attached are
   * held and handed to it.
   */
  onStdout(listener: OutputListener): void;
  onStderr(listener: OutputListener): void;
  /**
   * Ends the guest (reason 'killed'); no-op once it has ended. By default its worker is terminated at
   * once. With `graceMs`, the guest is first asked to stop at its next WASI call (a sleeping or
   * stdin-blocked guest wakes for it), so the run ends inside the worker and its root comes back
   * (returnRoot); only a guest that makes no such call within graceMs has its worker terminated.
   */
  kill(reason?: string, options?: { graceMs?: number }): void;
  /**
   * The terminal's Ctrl-C, for a guest that starts processes (its module imports berth_process): every
   * process but pid 1 that was not started with BERTH_SPAWN_BACKGROUND ends with SIGINT (status 130),
   * and pid 1's blocking berth_wait or stdin read returns EINTR once. Returns false (and does nothing)
   * for a guest without processes, or when there is no foreground child and pid 1 is not blocked in
   * berth_wait or a stdin read: the caller decides then (usually kill()).
   */
  interrupt(): boolean;
  /** Settles when the guest has ended and, if it was terminated, its worker is gone. */
  wait(): Promise<SpawnResult>;
}

/** How long the end of a container waits for output its processes posted but the host has not seen. */
const OUTPUT_DRAIN_MS = 1000;
/** How often the host sums a container's process memory against its limit. */
const MEMORY_CHECK_MS = 50;

let lastPid = 0;
let lastRunId = 0;

/** How long wait() waits for a terminated worker to confirm it is gone before settling anyway. */
const TERMINATE_GRACE_MS = 3000;

function envList(env: SpawnOptions['env']): string[] {
  if (env === undefined) return [];
  if (Array.isArray(env)) return [...(env as readonly string[])];
  return Object.entries(env as Record<string, string>).map(([k, v]) => `${k}=${v}`);
}

type Stream = 'stdout' | 'stderr';

/**
 * Receives output chunks in order. Returning a promise (e.g. resolved when a slow pipe has taken the
 * bytes) holds the guest back: it blocks once about OUTPUT_WINDOW_BYTES are unconsumed.
 */
export type OutputListener = (chunk: Uint8Array) => unknown;

class Guest implements GuestProcess {
  readonly pid = ++lastPid;
  readonly stdin: StdinWriter | null;
  private readonly runId = ++lastRunId;
  private readonly listeners: Record<Stream, OutputListener[]> = { stdout: [], stderr: [] };
  // Shared with the worker: output bytes posted but not yet consumed here (see OUTPUT_WINDOW_BYTES).
  private readonly window: Int32Array | null =
    typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(WINDOW_BYTES)) : null;
  // Shared with the worker: the cooperative stop flag (see STOP_REQUESTED).
  private readonly control: Int32Array | null =
    typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly held: Record<Stream, Uint8Array[]> = { stdout: [], stderr: [] };
  private readonly result: Promise<SpawnResult>;
  private settle!: (r: SpawnResult) => void;
  private worker: WorkerLike | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private settled = false;
  /** The run has a union root (its worker's layer bookkeeping is reset when the run fails). */
  private union = false;
  /** The kill message while a cooperative stop is pending. */
  private stopMessage: string | undefined;
  private readonly stdinSpec: StdinSpec;
  /** The container's other processes, when its module imports berth_process. */
  private container: ContainerProcesses | null = null;
  /** Output chunks received from every worker of the run (see WINDOW_POSTED). */
  private received = 0;
  private memoryTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly options: SpawnOptions,
  ) {
    this.result = new Promise((resolve) => (this.settle = resolve));
    if (options.onStdout) this.listeners.stdout.push(options.onStdout);
    if (options.onStderr) this.listeners.stderr.push(options.onStderr);
    if (options.stdin === 'stream') {
      const buffer = createStdinBuffer();
      this.stdin = new StdinWriter(buffer);
      this.stdinSpec = { kind: 'stream', buffer };
    } else {
      this.stdin = null;
      // A fresh, exactly-sized copy (a Node Buffer's slice() would alias its pool): its buffer is transferred.
      this.stdinSpec = {
        kind: 'buffer',
        data: options.stdin ? new Uint8Array(options.stdin) : new Uint8Array(0),
      };
    }
    const { module, memoryLimitBytes } = options;
    if (module instanceof WebAssembly.Module && memoryLimitBytes !== undefined) {
      if (memoryLimitOf(module) !== memoryLimitBytes) {
        throw new Error(
          'spawn: memoryLimitBytes is applied at compile time: pass the bytes, or a Module from ' +
            'compile(bytes, { memoryLimitBytes }) with the same limit',
        );
      }
    }
    void this.launch();
  }

  onStdout(listener: OutputListener): void {
    this.listen('stdout', listener);
  }

  onStderr(listener: OutputListener): void {
    this.listen('stderr', listener);
  }

  kill(reason?: string, options: { graceMs?: number } = {}): void {
    const message = reason ? `killed: ${reason}` : 'killed';
    const graceMs = options.graceMs ?? 0;
    if (graceMs <= 0 || this.control === null || this.worker === null || this.done) {
      this.abort('killed', message);
      return;
    }
    if (this.stopTimer !== undefined) return; // already stopping
    Atomics.store(this.control, 0, STOP_REQUESTED);
    Atomics.notify(this.control, 0);
    this.container?.wake();
    // A guest blocked on stdin wakes with EOF and meets the stop request on its way out.
    this.stdin?.close();
    this.stopMessage = message;
    this.stopTimer = setTimeout(() => this.abort('killed', message), graceMs);
  }

  wait(): Promise<SpawnResult> {
    return this.result;
  }

  interrupt(): boolean {
    if (this.container === null || this.done) return false;
    return this.container.interrupt();
  }

  private listen(stream: Stream, listener: OutputListener): void {
    this.listeners[stream].push(listener);
    const held = this.held[stream];
    if (held.length > 0) {
      this.held[stream] = [];
      for (const chunk of held) this.deliver([listener], chunk);
    }
  }

  private emit(stream: Stream, chunk: Uint8Array, windowed = true): void {
    const listeners = this.listeners[stream];
    if (listeners.length === 0) this.held[stream].push(windowed ? chunk : hostChunk(chunk));
    else this.deliver(listeners, windowed ? chunk : hostChunk(chunk));
  }

  /** Hands a chunk to the listeners, then gives its bytes back to the worker's output window. */
  private deliver(listeners: OutputListener[], chunk: Uint8Array): void {
    if (hostChunks.has(chunk)) {
      for (const l of listeners) void l(chunk);
      return;
    }
    const pending: PromiseLike<unknown>[] = [];
    for (const l of listeners) {
      const r = l(chunk);
      if (r && typeof (r as PromiseLike<unknown>).then === 'function')
        pending.push(r as PromiseLike<unknown>);
    }
    if (pending.length === 0) this.consumed(chunk.length);
    else void Promise.allSettled(pending).then(() => this.consumed(chunk.length));
  }

  private consumed(bytes: number): void {
    if (!this.window) return;
    Atomics.sub(this.window, 0, bytes);
    Atomics.notify(this.window, 0);
  }

  private async launch(): Promise<void> {
    const { options } = this;
    let module: WebAssembly.Module;
    try {
      module =
        options.module instanceof WebAssembly.Module
          ? options.module
          : await compile(options.module, { memoryLimitBytes: options.memoryLimitBytes });
    } catch (e) {
      this.finish({ exitCode: null, reason: 'error', message: (e as Error).message });
      return;
    }
    if (this.done) return; // killed while compiling

    const root: RootSpec = options.root ?? { kind: 'memory' };
    let worker: WorkerLike;
    try {
      worker = this.pool.acquire(root.kind === 'union' ? root.layers.map((l) => l.diffId) : undefined);
    } catch (e) {
      this.finish({
        exitCode: null,
        reason: 'error',
        message: `cannot create a guest worker: ${(e as Error).message}`,
      });
      return;
    }
    this.worker = worker;
    worker.onmessage = (data) => this.onMessage(data as WorkerToHost);
    worker.onerror = (e) => this.abort('error', `guest worker failed: ${e.message}`);
    worker.onexit = (code) => this.abort('error', `guest worker exited unexpectedly (code ${code})`);

    let sentRoot = root;
    let dropLayers: string[] = [];
    if (root.kind === 'union') {
      const plan = this.pool.planLayers(worker, root.layers);
      if (plan.missing.length > 0) {
        this.abort('error', `cannot start the guest: layer ${plan.missing[0]} has no snapshot to send`);
        return;
      }
      sentRoot = { ...root, layers: plan.layers };
      dropLayers = plan.drop;
      this.union = true;
    }

    const limit = options.memoryLimitBytes ?? memoryLimitOf(module);
    if (this.window !== null && importsBerthProcess(module)) {
      this.container = new ContainerProcesses({
        pool: this.pool,
        runId: this.runId,
        window: this.window.buffer as SharedArrayBuffer,
        stdin: this.stdinSpec.kind === 'stream' ? this.stdinSpec.buffer : null,
        memoryLimitBytes: limit,
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        trace: options.trace !== undefined,
        terminal: options.terminal ?? true,
        output: (stream, chunk) => {
          this.received++;
          this.emit(stream, chunk);
        },
        notice: (text) => this.emit('stderr', new TextEncoder().encode(text), false),
        traceLine: (line) => this.options.trace?.(line),
      });
      if (limit !== undefined) this.watchMemory(this.container, limit);
    }
    const req: StartRequest = {
      type: 'start',
      runId: this.runId,
      module,
      args: options.args ? [...options.args] : ['guest'],
      env: envList(options.env),
      root: sentRoot,
      ...(dropLayers.length > 0 ? { dropLayers } : {}),
      mounts: options.mounts ? [...options.mounts] : [],
      ...(options.preopens ? { preopens: [...options.preopens] } : {}),
      stdin: this.stdinSpec,
      limits: {
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        ...(limit !== undefined ? { memoryLimitBytes: limit } : {}),
      },
      trace: options.trace !== undefined,
      ...(options.terminal !== undefined ? { terminal: options.terminal } : {}),
      ...(options.seed !== undefined ? { seed: BigInt(options.seed) } : {}),
      returnRoot: options.returnRoot ?? false,
      ...(this.window ? { outputWindow: this.window.buffer as SharedArrayBuffer } : {}),
      ...(this.control ? { control: this.control.buffer as SharedArrayBuffer } : {}),
      ...(this.container ? { process: this.container.shared } : {}),
    };
    try {
      // stdin given up front is our own copy: hand its buffer over instead of cloning it again.
      worker.postMessage(
        req,
        this.stdinSpec.kind === 'buffer' ? [this.stdinSpec.data.buffer as ArrayBuffer] : [],
      );
    } catch (e) {
      this.abort('error', `cannot start the guest worker: ${(e as Error).message}`);
      return;
    }
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(
        () => this.abort('timeout', `timed out: ran past its time limit of ${formatMs(timeoutMs)}`),
        Math.max(0, timeoutMs),
      );
    }
  }

  private onMessage(msg: WorkerToHost): void {
    if (msg.runId !== this.runId) return;
    // After a kill, output the guest wrote before it was stopped is still delivered until wait() settles.
    if (this.done && (this.settled || msg.type === 'exit')) return;
    switch (msg.type) {
      case 'stdout':
      case 'stderr':
        this.received++;
        this.emit(msg.type, msg.data);
        break;
      case 'spawn-child':
      case 'kill-child':
        this.container?.handle(msg);
        break;
      case 'trace':
        this.options.trace?.(msg.line);
        break;
      case 'exit': {
        const worker = this.worker!;
        this.worker = null;
        if (this.union && msg.result.reason === 'error') this.pool.forgetLayers(worker);
        this.pool.release(worker);
        const result: SpawnResult = { ...msg.result };
        if (this.stopMessage !== undefined && result.reason === 'killed') result.message = this.stopMessage;
        if (msg.root) result.root = msg.root;
        if (msg.upper) result.upper = msg.upper;
        if (msg.mounts) result.mounts = msg.mounts;
        if (this.container === null) {
          this.finish(result);
          break;
        }
        // pid 1 ended: so does the container (Docker's rule). Its other processes are terminated, and
        // the output they posted before is still delivered.
        void this.container.end().then(async () => {
          await this.drainOutput();
          this.finish(result);
        });
        break;
      }
    }
  }

  /**
   * The memory limit covers the whole container: every process has the per-module cap, and their sum
   * (as each reports at its syscalls) may not pass it either, or the container is OOM-killed.
   */
  private watchMemory(container: ContainerProcesses, limit: number): void {
    this.memoryTimer = setInterval(() => {
      const used = container.memoryInUse();
      if (used > limit) {
        const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
        this.abort(
          'oom',
          `out of memory: the container's processes use ${mib(used)}, over its limit of ${mib(limit)}`,
        );
      }
    }, MEMORY_CHECK_MS);
    (this.memoryTimer as { unref?: () => void }).unref?.();
  }

  /** Waits (a bounded time) until every output chunk any process posted has arrived. */
  private async drainOutput(): Promise<void> {
    const window = this.window;
    if (window === null) return;
    const deadline = performance.now() + OUTPUT_DRAIN_MS;
    while (Atomics.load(window, WINDOW_POSTED) > this.received && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Ends the run from the host side: the worker is terminated and never reused. */
  private abort(reason: RunResult['reason'], message: string): void {
    if (this.done) return;
    const worker = this.worker;
    this.worker = null;
    const children = this.container?.end() ?? Promise.resolve();
    const gone = Promise.all([worker ? this.pool.discard(worker) : Promise.resolve(), children]).then(
      () => undefined,
    );
    this.finish({ exitCode: null, reason, message }, gone);
  }

  private finish(result: SpawnResult, gone: Promise<void> = Promise.resolve()): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.memoryTimer !== undefined) clearInterval(this.memoryTimer);
    if (this.stopTimer !== undefined) clearTimeout(this.stopTimer);
    this.stdin?.close();
    let grace: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      grace = setTimeout(resolve, TERMINATE_GRACE_MS);
      (grace as { unref?: () => void }).unref?.();
    });
    void Promise.race([gone, timeout]).then(() => {
      clearTimeout(grace);
      this.settled = true;
      this.settle(result);
    });
  }
}

/** Chunks the host writes itself (not posted by a worker, so not counted in the output window). */
const hostChunks = new WeakSet<Uint8Array>();
function hostChunk(chunk: Uint8Array): Uint8Array {
  hostChunks.add(chunk);
  return chunk;
}

/**
 * Starts a guest in a worker. `host` is a WorkerHost (its shared pool is used) or a WorkerPool.
 * Throws synchronously only for contradictory options; everything else ends up in wait()'s result.
 */
export function spawn(host: WorkerHost | WorkerPool, options: SpawnOptions): GuestProcess {
  const pool = host instanceof WorkerPool ? host : poolFor(host);
  return new Guest(pool, options);
}
