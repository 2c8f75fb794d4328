/**
 * The messages between a host and a guest worker. All plain structured-cloneable data: a
 * WebAssembly.Module crosses postMessage without recompiling, a SharedArrayBuffer is shared, and
 * filesystems travel as MemoryFileSystem snapshots or as host paths the worker opens itself.
 *
 *   host → worker   StartRequest                 one per run; a worker runs one guest at a time
 *   worker → host   OutputMessage (stdout/stderr) as the guest writes, bytes copied and transferred
 *                   TraceMessage                 one per syscall when `trace` is set
 *                   ExitMessage                  the RunResult (and the root tree or upper layer when asked)
 *
 * After an ExitMessage the worker is idle and takes the next StartRequest (a warm pool).
 *
 * Union roots (a container on image layers): the worker keeps every layer it was sent, by diff_id, as a
 * read-only MemoryFileSystem, and one LowerStack per chain of diff_ids, for as long as it lives. So a
 * layer's tree crosses to a given worker once; later runs name it by diff_id alone and mount in O(1).
 * The host side keeps the matching bookkeeping (WorkerPool.planLayers): it sends a layer's snapshot only
 * to a worker that does not hold it, and tells the worker which layers to forget (`dropLayers`) to stay
 * within its layer budget.
 */
import type { MemoryTreeSnapshot } from '../fs/MemoryFileSystem';
import type { RunResult } from './runInThread';
import type { ContainerShared } from './shared';

export type { MemoryTreeSnapshot };

/**
 * A filesystem mounted on a guest directory. A memory mount is the worker's own copy: with
 * `returnSnapshot` its final tree comes back in the ExitMessage (`mounts`), so the host can keep the
 * changes (an in-memory named volume). A dev mount is the devices filesystem (fs/DevFileSystem.ts: null,
 * zero, full, random, urandom), reading the run's random source; on a union root its mount point is
 * made in an init layer between the image and the writable layer (as Docker's init layer does), so it
 * never shows in the container's changes.
 */
export type MountSpec =
  | {
      guestPath: string;
      kind: 'memory';
      snapshot?: MemoryTreeSnapshot;
      readOnly?: boolean;
      returnSnapshot?: boolean;
    }
  | { guestPath: string; kind: 'host'; hostPath: string; readOnly?: boolean }
  | { guestPath: string; kind: 'dev' };

/** The mount every container gets, as Docker gives every container a /dev. */
export const DEV_MOUNT: MountSpec = { guestPath: '/dev', kind: 'dev' };

/**
 * One read-only layer of a union root, named by its diff_id (any string that identifies the layer's
 * content). `snapshot` is the layer's tree; the host leaves it out when the worker already holds the
 * layer (see the file comment), and the run fails when a worker lacks a layer that came without one.
 */
export interface LayerSpec {
  diffId: string;
  snapshot?: MemoryTreeSnapshot;
}

/**
 * The guest's `/`:
 *   - memory: a fresh (or restored) writable in-memory tree;
 *   - union: read-only layers (bottom first, as in an OCI manifest) under a writable upper layer, fresh
 *     or restored from `upper` (a container's persisted writable layer, whiteouts included). `readOnly`
 *     makes the whole root read-only (Docker's --read-only); mounts stay as they are.
 */
export type RootSpec =
  | { kind: 'memory'; snapshot?: MemoryTreeSnapshot }
  | { kind: 'union'; layers: LayerSpec[]; upper?: MemoryTreeSnapshot; readOnly?: boolean };

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
 * Every process of a container shares the window, so the container's output is one stream.
 *
 * A second Int32 (WINDOW_POSTED) counts the chunks posted: messages from several workers may arrive
 * in any order, so when pid 1 has ended the host waits until it has received as many chunks as were
 * posted before it reports the end (a child's last line is not lost behind pid 1's exit).
 */
export const OUTPUT_WINDOW_BYTES = 1 << 20;
export const WINDOW_IN_FLIGHT = 0;
export const WINDOW_POSTED = 1;
export const WINDOW_BYTES = 8;

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
  /** Whether the guest's stdio are a terminal (isatty); default true. Children inherit it. */
  terminal?: boolean;
  /** When set: deterministic clock and seeded random, so the same inputs give byte-identical runs. */
  seed?: bigint;
  /** Output flow control (see OUTPUT_WINDOW_BYTES); absent where SharedArrayBuffer is not available. */
  outputWindow?: SharedArrayBuffer;
  /**
   * Send the root's final state back with the ExitMessage: a memory root's whole tree (`root`), a union
   * root's upper layer (`upper`).
   */
  returnRoot: boolean;
  /** Union roots: diff_ids the worker forgets before this run (the host's layer budget). */
  dropLayers?: string[];
  /**
   * Cooperative stop (see STOP_REQUESTED): one Int32 the host sets to ask the guest to end, so the run
   * still finishes inside the worker and its root (a container's writable layer) comes back.
   */
  control?: SharedArrayBuffer;
  /**
   * pid 1 of a container whose module imports berth_process: the shared process table and pipe arena.
   * The worker then runs the container's kernel (kernel.ts) next to the filesystem.
   */
  process?: ContainerShared;
  /** A child process of a container (the root and mounts are unused: its calls go to the kernel). */
  child?: ChildSpec;
}

/** What a child process's worker needs (see relay.ts and shared.ts). */
export interface ChildSpec {
  pid: number;
  ppid: number;
  slot: number;
  shared: ContainerShared;
  scratchControl: SharedArrayBuffer;
  scratchData: SharedArrayBuffer;
  /** The container's streamed stdin ring, when it has one (children read it themselves). */
  stdin: SharedArrayBuffer | null;
}

/**
 * The value of StartRequest.control's Int32 once the host asks the guest to stop. The guest is then
 * ended with reason 'killed' at its next host call — a clock or random read, a sleep (which wakes at
 * once), stdio — exactly as if it had been killed, but the worker finishes the run normally. A guest that
 * makes no such call is not reached: the host terminates its worker after a grace period instead.
 */
export const STOP_REQUESTED = 1;

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

/** The final tree of a memory mount that asked for it (MountSpec.returnSnapshot). */
export interface MountSnapshot {
  guestPath: string;
  snapshot: MemoryTreeSnapshot;
}

export interface ExitMessage {
  type: 'exit';
  runId: number;
  result: RunResult;
  /** A memory root's tree, when returnRoot was set. */
  root?: MemoryTreeSnapshot;
  /** A union root's upper layer (whiteouts and opaque markers included), when returnRoot was set. */
  upper?: MemoryTreeSnapshot;
  /** Memory mounts with returnSnapshot, in mount order. */
  mounts?: MountSnapshot[];
}

/** The kernel (pid 1's worker) asks the host to start a child process in a worker of its own. */
export interface SpawnChildMessage {
  type: 'spawn-child';
  runId: number;
  pid: number;
  ppid: number;
  slot: number;
  /** The program's bytes, read from the container's filesystem (compiled by the host's module cache). */
  module: Uint8Array;
  args: string[];
  env: string[];
  scratchControl: SharedArrayBuffer;
  scratchData: SharedArrayBuffer;
  /** BERTH_SPAWN_BACKGROUND: not ended by an interrupt (Ctrl-C). */
  background: boolean;
}

/** The kernel ended a child (berth_kill, status already recorded): the host terminates its worker. */
export interface KillChildMessage {
  type: 'kill-child';
  runId: number;
  pid: number;
}

export type KernelToHost = SpawnChildMessage | KillChildMessage;

export type WorkerToHost = OutputMessage | TraceMessage | ExitMessage | KernelToHost;
