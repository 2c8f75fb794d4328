/**
 * The messages between a host and a guest worker. All plain structured-cloneable data: a
 * WebAssembly.Module crosses postMessage without recompiling, a SharedArrayBuffer is shared, and
 * filesystems travel as MemoryFileSystem snapshots or as host paths the worker opens itself.
 *
 *   host → worker   StartRequest                 one per run; a worker runs one guest at a time
 *   worker → host   OutputMessage (stdout/stderr) as the guest writes, bytes copied and transferred
 *                   TraceMessage                 one per syscall when `trace` is set
 *                   ExitMessage                  the RunResult (and the root tree when asked)
 *
 * After an ExitMessage the worker is idle and takes the next StartRequest (a warm pool).
 */
import type { MemoryTreeSnapshot } from '../fs/MemoryFileSystem';
import type { RunResult } from './runInThread';

export type { MemoryTreeSnapshot };

/** A filesystem mounted on a guest directory. */
export type MountSpec =
  | { guestPath: string; kind: 'memory'; snapshot?: MemoryTreeSnapshot; readOnly?: boolean }
  | { guestPath: string; kind: 'host'; hostPath: string; readOnly?: boolean };

/** The guest's `/`: a fresh (or restored) writable in-memory tree. */
export interface RootSpec {
  kind: 'memory';
  snapshot?: MemoryTreeSnapshot;
}

/**
 * stdin given up front (`buffer`) or streamed through a shared ring buffer (`stream`, see
 * stdinChannel.ts). Streaming needs SharedArrayBuffer, which a page only has when cross-origin isolated.
 */
export type StdinSpec = { kind: 'buffer'; data: Uint8Array } | { kind: 'stream'; buffer: SharedArrayBuffer };

/**
 * Output flow control: one Int32 counting the output bytes posted but not yet consumed by the host.
 * The worker adds before posting and blocks (Atomics.wait) while the count is over OUTPUT_WINDOW_BYTES;
 * the host subtracts once its listeners are done with a chunk. So a guest that writes faster than the
 * host's consumer (a slow pipe, a terminal) is slowed down instead of filling the host's memory.
 */
export const OUTPUT_WINDOW_BYTES = 1 << 20;

export interface Limits {
  /** Bytes per stream (stdout, stderr); past it the guest is ended with reason 'output-limit'. */
  maxOutputBytes: number;
  /** The cap the module was compiled with (capMemory), so a trap near it is reported as 'oom'. */
  memoryLimitBytes?: number;
}

export interface StartRequest {
  type: 'start';
  /** Echoed in every reply, so a late message of an earlier run is never taken for this one. */
  runId: number;
  module: WebAssembly.Module;
  /** argv, argv[0] included. */
  args: string[];
  /** "KEY=value" strings. */
  env: string[];
  root: RootSpec;
  /** Applied in order, on top of the root. */
  mounts: MountSpec[];
  /** Guest directories preopened as fds 3, 4, …; default ['/']. */
  preopens?: string[];
  stdin: StdinSpec;
  limits: Limits;
  /** Report every syscall as a TraceMessage. */
  trace: boolean;
  /** When set: deterministic clock and seeded random, so the same inputs give byte-identical runs. */
  seed?: bigint;
  /** Output flow control (see OUTPUT_WINDOW_BYTES); absent where SharedArrayBuffer is not available. */
  outputWindow?: SharedArrayBuffer;
  /** Send the root tree's snapshot back with the ExitMessage. */
  returnRoot: boolean;
}

export type HostToWorker = StartRequest;

export interface OutputMessage {
  type: 'stdout' | 'stderr';
  runId: number;
  data: Uint8Array;
}

export interface TraceMessage {
  type: 'trace';
  runId: number;
  line: string;
}

export interface ExitMessage {
  type: 'exit';
  runId: number;
  result: RunResult;
  root?: MemoryTreeSnapshot;
}

export type WorkerToHost = OutputMessage | TraceMessage | ExitMessage;
