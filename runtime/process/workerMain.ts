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
import { MemoryFileSystem } from '../fs/MemoryFileSystem';
import { Namespace } from '../fs/Namespace';
import type { FileSystem, FsClock } from '../fs/types';
import { ERRNO_NAMES } from '../wasi/defs';
import { type OutputStream, WasiKill } from '../wasi/host';
import { formatBytes } from './format';
import { bufferedInput, deterministicClock, seededRandom } from './hostDefaults';
import {
  type ExitMessage,
  type MountSpec,
  OUTPUT_WINDOW_BYTES,
  type StartRequest,
  type WorkerToHost,
} from './protocol';
import { type GuestOptions, type RunResult, runInThreadSync } from './runInThread';
import { SharedInput } from './stdinChannel';

/** The worker's end of the message channel, adapted by the entry script. */
export interface WorkerPort {
  postMessage(message: WorkerToHost, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
}

export interface HostServices {
  /** Opens a host directory as a FileSystem (Node: HostFileSystem over node:fs). Throws when impossible. */
  openHostDir(hostPath: string, readOnly: boolean): FileSystem;
}

export function serveWorker(port: WorkerPort, services: HostServices): void {
  port.onMessage((message) => {
    const req = message as StartRequest;
    if (req?.type !== 'start') return;
    const exit = runStart(req, services, port);
    port.postMessage(exit);
  });
}

/** Forwards each write to the host as its own chunk; ends the guest past the cap. */
class ForwardedOutput implements OutputStream {
  private written = 0;
  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly runId: number,
    private readonly limit: number,
    private readonly port: WorkerPort,
    private readonly window: Int32Array | null,
  ) {}

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    const room = this.limit - this.written;
    if (data.length > room) {
      if (room > 0) this.send(data.subarray(0, room));
      this.written = this.limit;
      throw new WasiKill(
        'output-limit',
        `${this.stream} exceeded the output limit of ${formatBytes(this.limit)}`,
      );
    }
    this.written += data.length;
    this.send(data);
  }

  private send(view: Uint8Array): void {
    // The view aliases guest memory: copy it, then hand the copy's buffer over instead of cloning it.
    const data = view.slice();
    const window = this.window;
    if (window) Atomics.add(window, 0, data.length);
    this.port.postMessage({ type: this.stream, runId: this.runId, data }, [data.buffer]);
    if (window) {
      // Backpressure: wait while the host has too much of our output still unconsumed.
      for (;;) {
        const inFlight = Atomics.load(window, 0);
        if (inFlight <= OUTPUT_WINDOW_BYTES) break;
        Atomics.wait(window, 0, inFlight, 1000);
      }
    }
  }
}

function openMount(spec: MountSpec, services: HostServices, clock: FsClock | undefined): FileSystem {
  if (spec.kind === 'host') return services.openHostDir(spec.hostPath, spec.readOnly ?? false);
  const options = { readOnly: spec.readOnly ?? false, ...(clock ? { clock } : {}) };
  return spec.snapshot
    ? MemoryFileSystem.fromSnapshot(spec.snapshot, options)
    : new MemoryFileSystem(options);
}

function failed(runId: number, message: string): ExitMessage {
  return { type: 'exit', runId, result: { exitCode: null, reason: 'error', message } };
}

/** Runs one guest to the end; returns the exit report (the caller posts it). */
export function runStart(req: StartRequest, services: HostServices, port: WorkerPort): ExitMessage {
  const { runId } = req;
  const clock = req.seed !== undefined ? deterministicClock() : undefined;
  const fsClock: FsClock | undefined = clock ? { now: () => clock.realtime() } : undefined;

  const fsOptions = fsClock ? { clock: fsClock } : {};
  let rootFs: MemoryFileSystem;
  try {
    rootFs = req.root.snapshot
      ? MemoryFileSystem.fromSnapshot(req.root.snapshot, fsOptions)
      : new MemoryFileSystem(fsOptions);
  } catch (e) {
    return failed(runId, `cannot restore the root filesystem: ${(e as Error).message}`);
  }
  const namespace = new Namespace(rootFs);
  for (const spec of req.mounts) {
    const where = spec.kind === 'host' ? `${spec.hostPath} at ${spec.guestPath}` : spec.guestPath;
    let fs: FileSystem;
    try {
      fs = openMount(spec, services, fsClock);
    } catch (e) {
      return failed(runId, `cannot mount ${where}: ${(e as Error).message}`);
    }
    const errno = namespace.mount(spec.guestPath, fs);
    if (errno !== 0) return failed(runId, `cannot mount ${where}: ${ERRNO_NAMES[errno] ?? `errno ${errno}`}`);
  }

  const window = req.outputWindow ? new Int32Array(req.outputWindow) : null;
  const opts: GuestOptions = {
    args: req.args,
    env: req.env,
    namespace,
    preopens: req.preopens ?? ['/'],
    stdin: req.stdin.kind === 'stream' ? new SharedInput(req.stdin.buffer) : bufferedInput(req.stdin.data),
    stdout: new ForwardedOutput('stdout', runId, req.limits.maxOutputBytes, port, window),
    stderr: new ForwardedOutput('stderr', runId, req.limits.maxOutputBytes, port, window),
    ...(req.limits.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.limits.memoryLimitBytes } : {}),
    ...(req.trace ? { trace: (line: string) => port.postMessage({ type: 'trace', runId, line }) } : {}),
  };
  if (clock) {
    opts.clock = clock;
    opts.sleep = clock.sleep;
    opts.random = seededRandom(req.seed!);
  }

  let result: RunResult;
  try {
    result = runInThreadSync(req.module, opts);
  } catch (e) {
    // Preview1's constructor throws when a preopen cannot be resolved.
    result = { exitCode: null, reason: 'error', message: (e as Error).message };
  }
  const exit: ExitMessage = { type: 'exit', runId, result };
  if (req.returnRoot) exit.root = rootFs.snapshot();
  return exit;
}
