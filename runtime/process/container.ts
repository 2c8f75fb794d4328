/**
 * The host side of a container's processes: starts a worker for each child the kernel (pid 1's worker)
 * asks for, routes the children's output into the container's one stdout/stderr stream, terminates the
 * workers of killed children, and delivers Ctrl-C (interrupt). The process table itself is the kernel's;
 * the host only touches a child's slot to end it (a worker that died, Ctrl-C), with the same single
 * compareExchange the child and the kernel use (shared.ts endSlot).
 */
import { compile } from './moduleCache';
import type { WorkerPool } from './pool';
import type { KernelToHost, SpawnChildMessage, StartRequest, WorkerToHost } from './protocol';
import { statusOfResult } from './child';
import {
  type ContainerShared,
  createContainerShared,
  endSlot,
  INTERRUPT,
  INTERRUPTIBLE,
  MAX_PROCESSES,
  memoryInUse,
  signalEvents,
  SLOT_FLAG_BACKGROUND,
  SLOT_FLAGS,
  SLOT_PID,
  SLOT_STATE,
  slotIndex,
  STATE_RUNNING,
} from './shared';
import type { WorkerLike } from './types';

/** Idle workers the pool keeps in addition to its size while a container with processes runs. */
const EXTRA_WARM_WORKERS = 4;

/** SIGINT: what Ctrl-C ends foreground children with (status 130). */
const SIGINT = 2;

export interface ContainerHooks {
  pool: WorkerPool;
  runId: number;
  /** The container's output window (shared by every process). */
  window: SharedArrayBuffer | null;
  /** The container's streamed stdin ring, if it has one. */
  stdin: SharedArrayBuffer | null;
  memoryLimitBytes: number | undefined;
  maxOutputBytes: number;
  trace: boolean;
  /** Whether stdio are a terminal (StartRequest.terminal), for every process. */
  terminal: boolean;
  /** A chunk a child posted (counted against the output window). */
  output(stream: 'stdout' | 'stderr', chunk: Uint8Array): void;
  /** A line the host itself says on the container's stderr (a child that could not start or crashed). */
  notice(text: string): void;
  traceLine(line: string): void;
}

interface Child {
  pid: number;
  slot: number;
  name: string;
  background: boolean;
  worker: WorkerLike | null;
}

export class ContainerProcesses {
  readonly shared: ContainerShared = createContainerShared();
  private readonly control = new Int32Array(this.shared.control);
  private readonly children = new Map<number, Child>();
  private over = false;

  /** Ends the pool hold (see WorkerPool.hold). */
  private readonly unhold: () => void;

  constructor(private readonly hooks: ContainerHooks) {
    // Children should not wait for workers to boot (tens to hundreds of ms each): while the container
    // runs, the pool keeps a few more warm, and one is started right away.
    this.unhold = hooks.pool.hold(EXTRA_WARM_WORKERS);
    hooks.pool.prewarm(1);
  }

  /** A message of the kernel (pid 1's worker). */
  handle(msg: KernelToHost): void {
    if (this.over) return;
    if (msg.type === 'spawn-child') void this.start(msg);
    else this.terminate(msg.pid);
  }

  /**
   * Ctrl-C: ends every child that was not started in the background with SIGINT (status 130), and makes
   * pid 1's blocking berth_wait or stdin read return EINTR. False when there was nothing to interrupt:
   * no foreground child, and pid 1 is computing or blocked elsewhere (the caller then stops it).
   */
  interrupt(): boolean {
    // The process table is the truth (a child the kernel started may not have reached us yet).
    const foreground: { slot: number; pid: number }[] = [];
    for (let slot = 0; slot < MAX_PROCESSES - 1; slot++) {
      const at = (field: number) => Atomics.load(this.control, slotIndex(slot, field));
      if (at(SLOT_STATE) !== STATE_RUNNING || (at(SLOT_FLAGS) & SLOT_FLAG_BACKGROUND) !== 0) continue;
      foreground.push({ slot, pid: at(SLOT_PID) });
    }
    // Nothing to interrupt: no foreground child, and pid 1 never waits for input or children (it is not
    // a shell; the caller stops it instead). A shell between two calls gets the Ctrl-C pending: the job
    // it is about to start ends at once, and its wait returns EINTR.
    if (foreground.length === 0 && Atomics.load(this.control, INTERRUPTIBLE) === 0) return false;
    // The flag first: pid 1 woken by a child's end must already see it (EINTR before the status).
    Atomics.store(this.control, INTERRUPT, 1);
    for (const child of foreground) {
      if (endSlot(this.control, child.slot, child.pid, 128 + SIGINT, true)) this.terminate(child.pid);
    }
    signalEvents(this.control);
    return true;
  }

  /** Wakes every blocked process (a stop request for pid 1 is checked when it wakes). */
  wake(): void {
    signalEvents(this.control);
  }

  /** The container is over (pid 1 ended, or it was killed): every child worker is terminated. */
  end(): Promise<void> {
    if (!this.over) this.unhold();
    this.over = true;
    const gone: Promise<void>[] = [];
    for (const child of this.children.values()) {
      if (child.worker !== null) gone.push(this.hooks.pool.discard(child.worker));
      child.worker = null;
    }
    this.children.clear();
    return Promise.all(gone).then(() => undefined);
  }

  /** Bytes of linear memory the container's processes reported at their last syscalls. */
  memoryInUse(): number {
    return memoryInUse(this.control);
  }

  /** Children alive right now (for tests). */
  get count(): number {
    return this.children.size;
  }

  private running(child: Child): boolean {
    return (
      Atomics.load(this.control, slotIndex(child.slot, SLOT_PID)) === child.pid &&
      Atomics.load(this.control, slotIndex(child.slot, SLOT_STATE)) === STATE_RUNNING
    );
  }

  private async start(msg: SpawnChildMessage): Promise<void> {
    const child: Child = {
      pid: msg.pid,
      slot: msg.slot,
      name: msg.args[0] ?? `pid ${msg.pid}`,
      background: msg.background,
      worker: null,
    };
    this.children.set(child.pid, child);
    let module: WebAssembly.Module;
    try {
      module = await compile(msg.module, { memoryLimitBytes: this.hooks.memoryLimitBytes });
    } catch (e) {
      this.fail(child, `${child.name}: cannot run: ${(e as Error).message}`);
      return;
    }
    if (this.over || !this.running(child)) {
      this.children.delete(child.pid);
      return;
    }
    let worker: WorkerLike;
    try {
      worker = this.hooks.pool.acquire();
    } catch (e) {
      this.fail(child, `${child.name}: cannot create a worker: ${(e as Error).message}`);
      return;
    }
    child.worker = worker;
    worker.onmessage = (data) => this.onChildMessage(child, data as WorkerToHost);
    worker.onerror = (e) => this.lost(child, `worker failed: ${e.message}`);
    worker.onexit = (code) => this.lost(child, `worker exited unexpectedly (code ${code})`);
    const { hooks } = this;
    const req: StartRequest = {
      type: 'start',
      runId: hooks.runId,
      module,
      args: msg.args,
      env: msg.env,
      root: { kind: 'memory' },
      mounts: [],
      stdin: { kind: 'buffer', data: new Uint8Array(0) },
      limits: {
        maxOutputBytes: hooks.maxOutputBytes,
        ...(hooks.memoryLimitBytes !== undefined ? { memoryLimitBytes: hooks.memoryLimitBytes } : {}),
      },
      trace: hooks.trace,
      terminal: hooks.terminal,
      returnRoot: false,
      ...(hooks.window ? { outputWindow: hooks.window } : {}),
      child: {
        pid: msg.pid,
        ppid: msg.ppid,
        slot: msg.slot,
        shared: this.shared,
        scratchControl: msg.scratchControl,
        scratchData: msg.scratchData,
        stdin: hooks.stdin,
      },
    };
    try {
      worker.postMessage(req);
    } catch (e) {
      this.lost(child, `cannot start the worker: ${(e as Error).message}`);
    }
  }

  private onChildMessage(child: Child, msg: WorkerToHost): void {
    // Output keeps coming after the end: what a child wrote before it was stopped is still shown.
    if (msg.runId !== this.hooks.runId) return;
    if (this.over && msg.type !== 'stdout' && msg.type !== 'stderr') return;
    switch (msg.type) {
      case 'stdout':
      case 'stderr':
        this.hooks.output(msg.type, msg.data);
        break;
      case 'trace':
        this.hooks.traceLine(`[pid ${child.pid}] ${msg.line}`);
        break;
      case 'exit': {
        const worker = child.worker;
        child.worker = null;
        this.children.delete(child.pid);
        const { result } = msg;
        endSlot(this.control, child.slot, child.pid, statusOfResult(result), false);
        if (result.reason !== 'exit' && result.reason !== 'killed' && result.message) {
          this.hooks.notice(`berth: ${child.name} (pid ${child.pid}): ${result.message}\n`);
        }
        // The run ended inside the worker, so it is clean and goes back to the pool.
        if (worker !== null) this.hooks.pool.release(worker);
        break;
      }
    }
  }

  /** Ends a child whose worker cannot run it (status 126, as a shell reports "cannot execute"). */
  private fail(child: Child, message: string): void {
    this.children.delete(child.pid);
    endSlot(this.control, child.slot, child.pid, 126, false);
    this.hooks.notice(`berth: ${message}\n`);
  }

  /** A child's worker died under it: the child is ended as if killed (SIGKILL, 137). */
  private lost(child: Child, message: string): void {
    if (endSlot(this.control, child.slot, child.pid, 128 + 9, true)) {
      this.hooks.notice(`berth: ${child.name} (pid ${child.pid}): ${message}\n`);
    }
    this.terminate(child.pid);
  }

  private terminate(pid: number): void {
    const child = this.children.get(pid);
    if (child === undefined) return;
    this.children.delete(pid);
    if (child.worker !== null) void this.hooks.pool.discard(child.worker);
    child.worker = null;
  }
}
