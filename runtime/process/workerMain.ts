/**
 * The worker side of spawn(): takes StartRequests, runs each guest to the end on this thread, and reports
 * back (see protocol.ts). Host-neutral: the entry scripts (runtime/node/worker.ts,
 * runtime/browser/worker.ts) adapt their message port and say how to open a host directory, which only a
 * Node worker can.
 *
 * The run is synchronous: while the guest runs this thread does nothing else, which is what a blocking
 * stdin read or sleep needs. Output is posted as it is written (postMessage from a busy worker is
 * delivered at once). Limits that can be checked here are enforced here — the output cap throws WasiKill
 * from the write, which unwinds the guest —; the wall-clock limit is the host's job (it terminates us).
 */
import { DevFileSystem } from '../fs/DevFileSystem';
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../fs/MemoryFileSystem';
import { Namespace } from '../fs/Namespace';
import { readOnly } from '../fs/ReadOnlyFileSystem';
import type { FileSystem, FsClock } from '../fs/types';
import { LowerStack, UnionFileSystem } from '../fs/UnionFileSystem';
import { ERRNO_NAMES, ERRNO_NOENT } from '../wasi/defs';
import { type InputStream, type WasiClock, WasiKill } from '../wasi/host';
import { importsBerthProcess } from '../wasi/Preview1';
import { bufferedInput, cryptoRandom, deterministicClock, realClock, seededRandom } from './hostDefaults';
import {
  type ExitMessage,
  type LayerSpec,
  type MountSnapshot,
  type MountSpec,
  STOP_REQUESTED,
  type StartRequest,
} from './protocol';
import { runChild } from './child';
import { Kernel } from './kernel';
import { ForwardedOutput, type StopCheck, type WorkerPort } from './output';
import { type GuestOptions, type RunResult, runInThreadSync } from './runInThread';
import { SharedInput } from './stdinChannel';

export type { WorkerPort };

export interface HostServices {
  /** Opens a host directory as a FileSystem (Node: HostFileSystem over node:fs). Throws when impossible. */
  openHostDir(hostPath: string, readOnly: boolean): FileSystem;
}

export function serveWorker(port: WorkerPort, services: HostServices): void {
  const layers = new LayerCache();
  port.onMessage((message) => {
    const req = message as StartRequest;
    if (req?.type !== 'start') return;
    const exit = runStart(req, services, port, layers);
    port.postMessage(exit);
  });
}

/** How many chains of layers keep their LowerStack (and its merged directory views) in one worker. */
export const MAX_CACHED_STACKS = 16;

/**
 * The image layers a worker holds for union roots (see protocol.ts): each layer's read-only tree by
 * diff_id, and one LowerStack per chain of diff_ids, so the merged view of an image's directories is
 * computed once per worker and shared by every run on that image.
 */
export class LayerCache {
  private readonly layers = new Map<string, MemoryFileSystem>();
  /** Keyed by the chain's diff_ids joined with '\n'; least recently used first. */
  private readonly stacks = new Map<string, LowerStack>();

  /** The diff_ids held, for tests. */
  get diffIds(): string[] {
    return [...this.layers.keys()];
  }

  drop(diffIds: readonly string[]): void {
    for (const diffId of diffIds) {
      if (!this.layers.delete(diffId)) continue;
      for (const key of [...this.stacks.keys()]) {
        if (key.split('\0')[0]!.split('\n').includes(diffId)) this.stacks.delete(key);
      }
    }
  }

  /**
   * The LowerStack of a chain, taking in the layers that came with snapshots. Throws naming a missing
   * layer. `initDirs` (absolute paths) are directories of an init layer on top of the chain: mount points
   * the run needs that must not land in the writable layer.
   */
  stack(specs: readonly LayerSpec[], initDirs: readonly string[] = []): LowerStack {
    for (const spec of specs) {
      if (spec.snapshot !== undefined && !this.layers.has(spec.diffId)) {
        this.layers.set(spec.diffId, MemoryFileSystem.fromSnapshot(spec.snapshot, { readOnly: true }));
      }
    }
    const chainKey = specs.map((s) => s.diffId).join('\n');
    // A NUL cannot occur in a diff_id or a path, so a chain with an init layer never meets one without.
    const key = initDirs.length > 0 ? `${chainKey}\0${initDirs.join('\0')}` : chainKey;
    let stack = this.stacks.get(key);
    if (stack !== undefined) {
      this.stacks.delete(key);
    } else {
      const chain = specs.map((s) => {
        const fs = this.layers.get(s.diffId);
        if (fs === undefined) throw new Error(`layer ${s.diffId} is not in this worker and was not sent`);
        return fs;
      });
      stack = new LowerStack(initDirs.length > 0 ? [...chain, initLayer(initDirs)] : chain);
    }
    this.stacks.set(key, stack);
    while (this.stacks.size > MAX_CACHED_STACKS) this.stacks.delete(this.stacks.keys().next().value!);
    return stack;
  }
}

/** A sealed tree holding only the given directories (Docker's init layer), with fixed times. */
function initLayer(dirs: readonly string[]): MemoryFileSystem {
  const fs = new MemoryFileSystem({ clock: { now: () => 0n } });
  for (const dir of dirs) mkdirp(fs, dir);
  fs.seal();
  return fs;
}

const noStop: StopCheck = () => {};

function stopCheck(control: Int32Array | null): StopCheck {
  if (control === null) return noStop;
  return () => {
    if (Atomics.load(control, 0) === STOP_REQUESTED) throw new WasiKill('killed', 'killed');
  };
}

/** The host services a guest calls, each checking for a stop request first (and after blocking). */
function stoppable(opts: GuestOptions, control: Int32Array, stop: StopCheck): void {
  const clock: WasiClock = opts.clock ?? realClock();
  opts.clock = {
    resolution: clock.resolution,
    realtime: () => (stop(), clock.realtime()),
    monotonic: () => (stop(), clock.monotonic()),
  };
  const sleep = opts.sleep;
  opts.sleep = (ns: bigint) => {
    stop();
    if (sleep !== undefined) sleep(ns);
    else if (ns > 0n) {
      // Sleep on the control word itself, so a stop request wakes the guest at once.
      Atomics.wait(control, 0, 0, Number(ns) / 1e6);
    }
    stop();
  };
  const random = opts.random ?? cryptoRandom;
  opts.random = (dst) => {
    stop();
    random(dst);
  };
  const stdin: InputStream = opts.stdin ?? bufferedInput();
  opts.stdin = {
    read(max) {
      stop();
      const data = stdin.read(max);
      stop();
      return data;
    },
    ready(timeoutMs) {
      stop();
      const ready = stdin.ready(timeoutMs);
      stop();
      return ready;
    },
  };
}

function openMount(
  spec: MountSpec,
  services: HostServices,
  clock: FsClock | undefined,
  random: (dst: Uint8Array) => void,
): FileSystem {
  if (spec.kind === 'host') return services.openHostDir(spec.hostPath, spec.readOnly ?? false);
  if (spec.kind === 'dev') return new DevFileSystem({ random, ...(clock ? { clock } : {}) });
  const options = { readOnly: spec.readOnly ?? false, ...(clock ? { clock } : {}) };
  return spec.snapshot
    ? MemoryFileSystem.fromSnapshot(spec.snapshot, options)
    : new MemoryFileSystem(options);
}

function failed(runId: number, message: string): ExitMessage {
  return { type: 'exit', runId, result: { exitCode: null, reason: 'error', message } };
}

/**
 * Runs one guest to the end; returns the exit report (the caller posts it). `layers` is the worker's
 * layer cache for union roots (a fresh one when omitted: every layer must then come with its snapshot).
 */
export function runStart(
  req: StartRequest,
  services: HostServices,
  port: WorkerPort,
  layers: LayerCache = new LayerCache(),
): ExitMessage {
  const { runId } = req;
  if (req.child) return runChild(req, port);
  const clock = req.seed !== undefined ? deterministicClock() : undefined;
  const fsClock: FsClock | undefined = clock ? { now: () => clock.realtime() } : undefined;

  const fsOptions = fsClock ? { clock: fsClock } : {};
  if (req.dropLayers) layers.drop(req.dropLayers);
  let rootFs: MemoryFileSystem | null = null;
  let union: UnionFileSystem | null = null;
  let rootView: FileSystem;
  try {
    if (req.root.kind === 'union') {
      const upper = req.root.upper ? MemoryFileSystem.fromSnapshot(req.root.upper, fsOptions) : undefined;
      const devMountPoints = req.mounts.filter((m) => m.kind === 'dev').map((m) => m.guestPath);
      union = new UnionFileSystem({
        lower: layers.stack(req.root.layers, devMountPoints),
        ...(upper ? { upper } : {}),
        ...(fsClock ? { clock: fsClock } : {}),
      });
      if (req.root.readOnly) {
        // Mount points go into the writable layer first (as Docker makes them in the container's layer),
        // so that mounts still work on a read-only root.
        for (const spec of req.mounts) mkdirp(union, spec.guestPath);
        rootView = readOnly(union);
      } else {
        rootView = union;
      }
    } else {
      rootFs = req.root.snapshot
        ? MemoryFileSystem.fromSnapshot(req.root.snapshot, fsOptions)
        : new MemoryFileSystem(fsOptions);
      rootView = rootFs;
    }
  } catch (e) {
    return failed(runId, `cannot restore the root filesystem: ${(e as Error).message}`);
  }
  const namespace = new Namespace(rootView);
  const returned: { guestPath: string; fs: MemoryFileSystem }[] = [];
  // Devices read the guest's random source, looked up when read: opts (below) has the final one.
  const devRandom = (dst: Uint8Array): void => (opts.random ?? cryptoRandom)(dst);
  for (const spec of req.mounts) {
    const where = spec.kind === 'host' ? `${spec.hostPath} at ${spec.guestPath}` : spec.guestPath;
    let fs: FileSystem;
    try {
      fs = openMount(spec, services, fsClock, devRandom);
    } catch (e) {
      return failed(runId, `cannot mount ${where}: ${(e as Error).message}`);
    }
    const errno = namespace.mount(spec.guestPath, fs);
    if (errno !== 0) return failed(runId, `cannot mount ${where}: ${ERRNO_NAMES[errno] ?? `errno ${errno}`}`);
    if (spec.kind === 'memory' && spec.returnSnapshot) {
      returned.push({ guestPath: spec.guestPath, fs: fs as MemoryFileSystem });
    }
  }

  const window = req.outputWindow ? new Int32Array(req.outputWindow) : null;
  const control = req.control ? new Int32Array(req.control) : null;
  const stop = stopCheck(control);
  const opts: GuestOptions = {
    args: req.args,
    env: req.env,
    namespace,
    preopens: req.preopens ?? ['/'],
    stdin: req.stdin.kind === 'stream' ? new SharedInput(req.stdin.buffer) : bufferedInput(req.stdin.data),
    stdout: new ForwardedOutput('stdout', runId, req.limits.maxOutputBytes, port, window, stop),
    stderr: new ForwardedOutput('stderr', runId, req.limits.maxOutputBytes, port, window, stop),
    ...(req.limits.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.limits.memoryLimitBytes } : {}),
    ...(req.trace ? { trace: (line: string) => port.postMessage({ type: 'trace', runId, line }) } : {}),
    ...(req.terminal !== undefined ? { terminal: req.terminal } : {}),
  };
  if (clock) {
    opts.clock = clock;
    opts.sleep = clock.sleep;
    opts.random = seededRandom(req.seed!);
  }
  if (req.process && importsBerthProcess(req.module)) {
    // pid 1 of a container that may start processes: its worker is the container's kernel.
    const kernel = new Kernel({
      shared: req.process,
      namespace,
      preopens: opts.preopens ?? ['/'],
      clock: realClock(),
      random: opts.random ?? cryptoRandom,
      post: (message, transfer) => port.postMessage(message, transfer),
      runId,
      stop,
      sharedStdin: req.stdin.kind === 'stream',
    });
    opts.stdin = kernel.wrapStdin(opts.stdin!);
    if (!clock) opts.sleep = (ns) => kernel.sleep(ns);
    opts.processImports = (wasi) => kernel.pid1Imports(wasi);
    opts.wrapImports = (imports) => kernel.wrapImports(imports);
  }
  if (control !== null) stoppable(opts, control, stop);

  let result: RunResult;
  try {
    result = runInThreadSync(req.module, opts);
  } catch (e) {
    // Preview1's constructor throws when a preopen cannot be resolved.
    result = { exitCode: null, reason: 'error', message: (e as Error).message };
  }
  const exit: ExitMessage = { type: 'exit', runId, result };
  try {
    if (req.returnRoot && rootFs) exit.root = rootFs.snapshot();
    if (req.returnRoot && union) exit.upper = upperSnapshot(union);
    if (returned.length > 0) {
      exit.mounts = returned.map((m): MountSnapshot => ({
        guestPath: m.guestPath,
        snapshot: m.fs.snapshot(),
      }));
    }
  } catch (e) {
    exit.result = {
      exitCode: null,
      reason: 'error',
      message: `cannot save the filesystem: ${(e as Error).message}`,
    };
  }
  return exit;
}

/** mkdir -p; errors are left for the mount to report. */
function mkdirp(fs: FileSystem, path: string): void {
  let dir = fs.root();
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..') continue;
    let next = fs.lookup(dir, part);
    if (next === ERRNO_NOENT) next = fs.mkdir(dir, part, 0o755);
    if (typeof next === 'number') return;
    dir = next;
  }
}

/** The union's writable layer as it would be committed: hard links of copied-up files made whole first. */
function upperSnapshot(union: UnionFileSystem): MemoryTreeSnapshot {
  union.materializeHardLinks();
  return union.upper.snapshot();
}
