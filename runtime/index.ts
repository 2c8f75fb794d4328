/**
 * The isomorphic public API of the Berth runtime: nothing here reaches node:* or DOM-only globals, so it
 * bundles for Node and for browsers alike. Host specifics (making workers) live in runtime/node and
 * runtime/browser, which re-export all of this.
 */
export type * from './fs/types';
export { Namespace, MAX_SYMLINK_HOPS, type Location, type Resolved } from './fs/Namespace';
export {
  MemoryFileSystem,
  type MemoryFileSystemOptions,
  type MemoryTreeJSON,
  type MemoryTreeSnapshot,
} from './fs/MemoryFileSystem';
export { HostFileSystem, type HostFileSystemOptions, type SyncFs } from './fs/HostFileSystem';
export { readOnly } from './fs/ReadOnlyFileSystem';
export {
  LowerStack,
  UnionFileSystem,
  upperLayerEntries,
  OPAQUE_MARKER,
  WHITEOUT_PREFIX,
  type Change,
  type LayerEntry,
  type UnionFileSystemOptions,
} from './fs/UnionFileSystem';

export {
  BERTH_PROCESS_FUNCTIONS,
  importsBerthProcess,
  Preview1,
  unsupportedProcessImports,
  type Preview1Options,
  type WasiImports,
} from './wasi/Preview1';
export { MAX_PIPES, MAX_PROCESSES, PIPE_BUF } from './process/shared';
export { ProcExit, WasiKill, type InputStream, type OutputStream, type WasiClock } from './wasi/host';

export { runInThread, runInThreadSync, type GuestOptions, type RunResult } from './process/runInThread';
export {
  blockingSleep,
  bufferedInput,
  CollectingOutput,
  cryptoRandom,
  deterministicClock,
  realClock,
  seededRandom,
} from './process/hostDefaults';
export { capMemory, ModuleFormatError } from './process/memoryCap';
export { compile, clearModuleCache, isWasm, memoryLimitOf, type CompileOptions } from './process/moduleCache';
export {
  spawn,
  DEFAULT_MAX_OUTPUT_BYTES,
  type GuestProcess,
  type SpawnOptions,
  type SpawnResult,
} from './process/spawn';
export { WorkerPool, poolFor, type PoolOptions } from './process/pool';
export { StdinWriter, SharedInput, sharedStdinAvailable, pumpStdin } from './process/stdinChannel';
export { serveWorker, type HostServices, type WorkerPort } from './process/workerMain';
export type { MountSpec, RootSpec, StartRequest, WorkerToHost } from './process/protocol';
export type { WorkerHost, WorkerLike } from './process/types';
export { formatBytes, formatMs } from './process/format';
