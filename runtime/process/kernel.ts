/**
 * The kernel of a container: lives in pid 1's worker, next to the container's filesystem, and owns the
 * process table and every process's fd table (one Preview1 instance per process). See
 * docs/berth_process.md for the contract and the design.
 *
 * It runs only when pid 1 makes a call: at every syscall entry of pid 1 it looks at one shared counter
 * (ATTENTION) and serves what its children asked for (relayed syscalls, exits); whenever pid 1 blocks
 * (berth_wait, a pipe, stdin, a sleep) it waits on the container's EVENTS counter and serves in between.
 * The price: while pid 1 computes without making calls, its children's filesystem calls wait.
 */
import type { Namespace } from '../fs/Namespace';
import type { FileSystem, FsNode } from '../fs/types';
import * as W from '../wasi/defs';
import { retain, StdioFd, type Fd } from '../wasi/fds';
import {
  type InputStream,
  Interrupted,
  type OutputStream,
  ProcExit,
  type WasiClock,
  WasiKill,
} from '../wasi/host';
import { type ImportFn, Preview1, type WasiImports } from '../wasi/Preview1';
import { isWasm } from './moduleCache';
import type { KernelToHost } from './protocol';
import {
  CTL_I32,
  CTL_I64_BYTE_OFFSET,
  CTL_OP,
  CTL_RESULT,
  FD_BAD,
  FD_NULL,
  FD_PIPE_READ,
  FD_PIPE_WRITE,
  FD_REMOTE,
  FD_STDERR,
  FD_STDIN,
  FD_STDOUT,
  MAX_ARGS,
  OP_NAMES,
  paramIsI64,
  parseSignature,
  RELAYED,
  SCRATCH_BYTES,
  SCRATCH_CONTROL_BYTES,
  WOULD_BLOCK,
} from './relay';
import {
  ATTENTION,
  type ContainerShared,
  endedState,
  EVENTS,
  INIT_MEMORY,
  INTERRUPT,
  INTERRUPTIBLE,
  MAX_PIPES,
  MAX_PROCESSES,
  PipeReader,
  PipeRing,
  PipeWriter,
  REQUEST_BUSY,
  REQUEST_DONE,
  REQUEST_IDLE,
  REQUEST_SENT,
  signalEvents,
  SLOT_FLAG_BACKGROUND,
  SLOT_FLAGS,
  SLOT_PID,
  SLOT_REQUEST,
  SLOT_STATE,
  slotIndex,
  STATE_ENDED,
  STATE_FREE,
  STATE_RUNNING,
  statusOf,
  type Waiter,
} from './shared';

export const BERTH_SPAWN_BACKGROUND = 1;
export const BERTH_WNOHANG = 1;
/** Ctrl-C's signal: a foreground job it ends has status 130. */
const SIGINT = 2;
/** Signals are 0..64 (berth_kill); a killed process's status is 128 + sig. */
const MAX_SIGNAL = 64;
/** Longest `#!` line read, as Linux's BINPRM_BUF_SIZE. */
const SHEBANG_MAX = 256;
/** The longest a blocked pid 1 sleeps before re-checking stop requests (cooperative stop). */
const MAX_BLOCK_MS = 100;
/** How often pid 1 looks at a streamed stdin while blocked (its writer does not bump EVENTS). */
const STDIN_POLL_MS = 10;

/** What the kernel needs from the worker it runs in. */
export interface KernelOptions {
  shared: ContainerShared;
  namespace: Namespace;
  preopens: readonly string[];
  clock: WasiClock;
  random: (dst: Uint8Array) => void;
  /** Posts to the host (spawn a worker, terminate one). */
  post: (message: KernelToHost, transfer?: Transferable[]) => void;
  runId: number;
  /** Throws WasiKill when the host asked the container to stop (cooperative stop); else a no-op. */
  stop: () => void;
  /** True when the container's stdin is a shared ring children can read themselves. */
  sharedStdin: boolean;
}

interface Process {
  pid: number;
  ppid: number;
  /** -1 for pid 1 (it has no slot: the host ends the container when it ends). */
  slot: number;
  wasi: Preview1;
  alive: boolean;
  status: number;
  background: boolean;
  /** Children only: the relay's scratch control block, its i64 view, and the scratch bytes. */
  ctl: Int32Array | null;
  i64: BigInt64Array | null;
  scratch: Uint8Array | null;
}

/** How the kernel knows what a stream fd is (FdInfo.kind), for children doing their own I/O. */
interface StreamKind {
  kind: number;
  pipe: number;
}

const nullInput: InputStream = { read: () => null, ready: () => true };
const discard: OutputStream = { write() {} };
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A guest path made absolute and free of '.', '..' and repeated slashes ('..' stops at '/'). */
export function normalizePath(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** Splits NUL-terminated strings laid end to end; a missing final NUL ends the last string anyway. */
function splitStrings(bytes: Uint8Array): string[] | null {
  const out: string[] = [];
  let start = 0;
  try {
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0) {
        if (i === bytes.length && i === start) break;
        out.push(utf8Strict.decode(bytes.slice(start, i)));
        start = i + 1;
      }
    }
  } catch {
    return null;
  }
  return out;
}

export class Kernel implements Waiter {
  readonly control: Int32Array;
  private readonly procs = new Map<number, Process>();
  private readonly slots: (Process | null)[] = new Array<Process | null>(MAX_PROCESSES - 1).fill(null);
  private readonly pipeUsed: boolean[] = new Array<boolean>(MAX_PIPES).fill(false);
  private readonly rings: PipeRing[] = [];
  private readonly streams = new WeakMap<Fd, StreamKind>();
  private nextPid = 2;
  private nextPipe = 0;
  private served = 0;
  private readonly paramTypes = new Map<string, boolean[]>();

  constructor(private readonly opts: KernelOptions) {
    this.control = new Int32Array(opts.shared.control);
    for (let i = 0; i < MAX_PIPES; i++) this.rings.push(new PipeRing(opts.shared.pipes, i));
    for (const [name, sig] of Object.entries(RELAYED))
      this.paramTypes.set(name, paramIsI64(parseSignature(sig)));
  }

  // --- pid 1 ------------------------------------------------------------------------------------------

  /** stdin for pid 1: while it waits for input it serves its children, and Ctrl-C interrupts it. */
  wrapStdin(inner: InputStream): InputStream {
    return {
      read: (max) =>
        this.interruptible(() => {
          for (;;) {
            if (inner.ready(0)) return inner.read(max);
            // Only a read that would block is interrupted (stdin given up front never is).
            this.takeInterrupt();
            this.pause(STDIN_POLL_MS);
          }
        }),
      ready: (timeoutMs) => {
        const deadline = performance.now() + timeoutMs;
        for (;;) {
          if (inner.ready(0)) return true;
          const left = deadline - performance.now();
          if (left <= 0) return false;
          this.pause(Math.min(left, STDIN_POLL_MS));
        }
      },
    };
  }

  /** pid 1's sleep: serves its children until the time is up. */
  sleep(ns: bigint): void {
    const deadline = performance.now() + Number(ns) / 1e6;
    for (;;) {
      this.serve();
      const left = deadline - performance.now();
      if (left <= 0) return;
      this.pause(left);
    }
  }

  /** The berth_process functions of pid 1, bound to its Preview1 (its fd table). */
  pid1Imports(wasi: Preview1): Record<string, ImportFn> {
    const init: Process = {
      pid: 1,
      ppid: 0,
      slot: -1,
      wasi,
      alive: true,
      status: 0,
      background: false,
      ctl: null,
      i64: null,
      scratch: null,
    };
    this.procs.set(1, init);
    const kinds = [FD_STDIN, FD_STDOUT, FD_STDERR];
    for (let fd = 0; fd < 3; fd++) {
      const f = wasi.fdObject(fd);
      if (f === undefined) continue;
      this.streams.set(f, { kind: fd === 0 && !this.opts.sharedStdin ? FD_REMOTE : kinds[fd]!, pipe: -1 });
    }
    const mem = () => wasi.memoryBytes();
    const call = (fn: () => number): number => {
      this.serve();
      try {
        return fn();
      } catch (e) {
        if (e instanceof ProcExit || e instanceof WasiKill) throw e;
        if (e instanceof Interrupted) return W.ERRNO_INTR;
        return W.ERRNO_IO;
      }
    };
    return {
      spawn: (reqPtr: number, pidOut: number) => call(() => this.spawn(init, mem(), reqPtr, pidOut)),
      wait: (pid: number, options: number, pidOut: number, statusOut: number) =>
        call(() => this.waitBlocking(init, mem, pid, options, pidOut, statusOut)),
      pipe: (fdsOut: number) => call(() => this.pipe(init, mem(), fdsOut)),
      dup: (fd: number, fdOut: number) => call(() => this.dup(init, mem(), fd, fdOut)),
      kill: (pid: number, sig: number) => call(() => this.kill(init, pid, sig)),
      getpid: (out: number) => call(() => putU32(mem(), out, 1)),
      getppid: (out: number) => call(() => putU32(mem(), out, 0)),
    } as unknown as Record<string, ImportFn>;
  }

  private pid1Memory(): number {
    return this.procs.get(1)?.wasi.memoryBytes().length ?? 0;
  }

  /** Wraps pid 1's preview1 functions so each first serves pending child requests (one Atomics.load). */
  wrapImports(imports: WasiImports): WasiImports {
    const table: Record<string, ImportFn> = {};
    for (const [name, fn] of Object.entries(imports.wasi_snapshot_preview1)) {
      const f = fn as (...a: unknown[]) => number;
      // Fixed parameters rather than rest/spread (no arguments array per call); preview1 has at most 9.
      table[name] = ((
        a: unknown,
        b: unknown,
        c: unknown,
        d: unknown,
        e: unknown,
        g: unknown,
        h: unknown,
        i: unknown,
        j: unknown,
      ) => {
        if (Atomics.load(this.control, ATTENTION) !== this.served) this.serve();
        // For the container's memory limit (the host sums what every process reports).
        Atomics.store(this.control, INIT_MEMORY, this.pid1Memory());
        return f(a, b, c, d, e, g, h, i, j);
      }) as unknown as ImportFn;
    }
    return { ...imports, wasi_snapshot_preview1: table };
  }

  // --- blocking and serving ---------------------------------------------------------------------------

  /** Waiter: pid 1 blocks here (pipes, wait), serving its children meanwhile. */
  block(seen: number, timeoutMs: number): void {
    this.opts.stop();
    this.serve();
    if (Atomics.load(this.control, EVENTS) === seen) {
      Atomics.wait(this.control, EVENTS, seen, Math.min(timeoutMs, MAX_BLOCK_MS));
    }
    this.serve();
    this.opts.stop();
  }

  /** Waits up to ms for any container event, serving before and after. */
  private pause(ms: number): void {
    this.opts.stop();
    const seen = Atomics.load(this.control, EVENTS);
    this.serve();
    Atomics.wait(this.control, EVENTS, seen, Math.min(ms, MAX_BLOCK_MS));
    this.serve();
  }

  private takeInterrupt(): void {
    if (Atomics.load(this.control, INTERRUPT) !== 0 && Atomics.exchange(this.control, INTERRUPT, 0) !== 0) {
      throw new Interrupted();
    }
  }

  /** Handles what the children asked for: ended processes first, then relay requests. */
  serve(): void {
    const attention = Atomics.load(this.control, ATTENTION);
    if (attention === this.served) return;
    this.served = attention;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const p = this.slots[slot];
      if (p === null || !p.alive) continue;
      const state = Atomics.load(this.control, slotIndex(slot, SLOT_STATE));
      if (state & STATE_ENDED) {
        this.ended(p, statusOf(state));
        continue;
      }
      if (Atomics.load(this.control, slotIndex(slot, SLOT_REQUEST)) === REQUEST_SENT) {
        Atomics.store(this.control, slotIndex(slot, SLOT_REQUEST), REQUEST_BUSY);
        p.ctl![CTL_RESULT] = this.handle(p);
        Atomics.store(this.control, slotIndex(slot, SLOT_REQUEST), REQUEST_DONE);
        Atomics.notify(this.control, slotIndex(slot, SLOT_REQUEST));
      }
    }
  }

  /** Runs one relayed call of a child. */
  private handle(p: Process): number {
    const ctl = p.ctl!;
    const name = OP_NAMES[ctl[CTL_OP]!];
    if (name === undefined) return W.ERRNO_NOSYS;
    const i32 = (i: number) => ctl[CTL_I32 + i]!;
    const mem = p.scratch!;
    try {
      const types = this.paramTypes.get(name);
      if (types !== undefined) {
        const args: (number | bigint)[] = [];
        for (let i = 0; i < types.length && i < MAX_ARGS; i++) args.push(types[i] ? p.i64![i]! : i32(i));
        const fn = (p.wasi as unknown as Record<string, (...a: (number | bigint)[]) => number>)[name]!;
        return fn.apply(p.wasi, args);
      }
      switch (name) {
        case 'berth:fd_info':
          return this.fdInfo(p, mem, i32(0), i32(1));
        case 'berth:spawn':
          return this.spawn(p, mem, i32(0), i32(1));
        case 'berth:wait':
          return this.waitOnce(p, mem, i32(0), i32(1), i32(2), i32(3));
        case 'berth:pipe':
          return this.pipe(p, mem, i32(0));
        case 'berth:dup':
          return this.dup(p, mem, i32(0), i32(1));
        case 'berth:kill':
          return this.kill(p, i32(0), i32(1));
      }
      return W.ERRNO_NOSYS;
    } catch (e) {
      if (e instanceof ProcExit || e instanceof WasiKill) throw e;
      return W.ERRNO_IO;
    }
  }

  /** A process ended (its slot says so, or it was killed here): its fds close, its parent may reap it. */
  private ended(p: Process, status: number): void {
    if (!p.alive) return;
    p.alive = false;
    p.status = status;
    p.wasi.closeAll();
    for (const child of this.procs.values()) {
      if (child.ppid !== p.pid) continue;
      // Orphans are reaped by nobody: the kernel drops them once they end (a subreaper that discards).
      child.ppid = 0;
      if (!child.alive) this.reap(child);
    }
    const parent = this.procs.get(p.ppid);
    if (parent === undefined || !parent.alive) this.reap(p);
  }

  private reap(p: Process): void {
    this.procs.delete(p.pid);
    if (p.slot >= 0) {
      this.slots[p.slot] = null;
      Atomics.store(this.control, slotIndex(p.slot, SLOT_PID), 0);
      Atomics.store(this.control, slotIndex(p.slot, SLOT_STATE), STATE_FREE);
    }
  }

  // --- berth_process ----------------------------------------------------------------------------------

  private spawn(caller: Process, mem: Uint8Array, reqPtr: number, pidOut: number): number {
    reqPtr >>>= 0;
    pidOut >>>= 0;
    if (reqPtr + 48 > mem.length || pidOut + 4 > mem.length) return W.ERRNO_FAULT;
    const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    const field = (i: number) => v.getUint32(reqPtr + i * 4, true);
    const bytes = (ptr: number, len: number): Uint8Array | null =>
      ptr + len > mem.length ? null : mem.slice(ptr, ptr + len);
    const pathBytes = bytes(field(0), field(1));
    const argvBytes = bytes(field(2), field(3));
    const envBytes = bytes(field(4), field(5));
    const cwdBytes = bytes(field(6), field(7));
    if (pathBytes === null || argvBytes === null || envBytes === null || cwdBytes === null)
      return W.ERRNO_FAULT;
    const stdio = [
      v.getInt32(reqPtr + 32, true),
      v.getInt32(reqPtr + 36, true),
      v.getInt32(reqPtr + 40, true),
    ];
    const flags = field(11);
    const pathStrings = splitStrings(pathBytes);
    const path = pathStrings?.length === 1 ? pathStrings[0] : pathStrings?.length === 0 ? '' : undefined;
    const argv = splitStrings(argvBytes);
    const envp = splitStrings(envBytes);
    const cwdText = splitStrings(cwdBytes)?.[0];
    if (path === undefined || argv === null || envp === null || cwdText === undefined) return W.ERRNO_INVAL;
    if (path === '') return W.ERRNO_NOENT;
    if (!cwdText.startsWith('/')) return W.ERRNO_INVAL;

    const fds: Fd[] = [];
    for (const fd of stdio) {
      if (fd === -1) {
        fds.push(this.nullFd());
        continue;
      }
      const f = caller.wasi.fdObject(fd);
      if (f === undefined) return W.ERRNO_BADF;
      fds.push(f);
    }
    const cwd = normalizePath(cwdText);
    const cwdRes = this.lookup(cwd);
    if (typeof cwdRes === 'number') return cwdRes;
    if (cwdRes.filetype !== W.FILETYPE_DIRECTORY) return W.ERRNO_NOTDIR;

    const envPath = envp.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/bin';
    const found = this.findProgram(path, cwd, envPath);
    if (typeof found === 'number') return found;
    let program = found;
    let args = argv.length > 0 ? argv : [path];
    if (!isWasm(program.bytes)) {
      const shebang = parseShebang(program.bytes);
      if (shebang === null) return W.ERRNO_NOEXEC;
      const interp = this.findProgram(shebang.interpreter, cwd, '');
      if (typeof interp === 'number') return interp;
      if (!isWasm(interp.bytes)) return W.ERRNO_NOEXEC;
      args = [
        shebang.interpreter,
        ...(shebang.arg !== null ? [shebang.arg] : []),
        program.path,
        ...args.slice(1),
      ];
      program = interp;
    }

    const slot = this.slots.indexOf(null);
    if (slot < 0) return W.ERRNO_AGAIN;
    const env = [...envp.filter((e) => !e.startsWith('PWD=')), `PWD=${cwd}`];
    const scratchControl = new SharedArrayBuffer(SCRATCH_CONTROL_BYTES);
    const scratchData = new SharedArrayBuffer(SCRATCH_BYTES);
    const wasi = new Preview1({
      args,
      env,
      namespace: this.opts.namespace,
      preopens: this.opts.preopens,
      stdin: nullInput,
      stdout: discard,
      stderr: discard,
      clock: this.opts.clock,
      random: this.opts.random,
      sleep: () => {},
    });
    wasi.bindBuffer(scratchData);
    for (let fd = 0; fd < 3; fd++) wasi.fdPlace(fd, retain(fds[fd]!));
    const pid = this.nextPid++;
    const p: Process = {
      pid,
      ppid: caller.pid,
      slot,
      wasi,
      alive: true,
      status: 0,
      // A background job's children are in the background too (one process group, as a shell's `&`).
      background: (flags & BERTH_SPAWN_BACKGROUND) !== 0 || caller.background,
      ctl: new Int32Array(scratchControl),
      i64: new BigInt64Array(scratchControl, CTL_I64_BYTE_OFFSET, MAX_ARGS),
      scratch: new Uint8Array(scratchData),
    };
    this.slots[slot] = p;
    this.procs.set(pid, p);
    Atomics.store(this.control, slotIndex(slot, SLOT_REQUEST), REQUEST_IDLE);
    Atomics.store(this.control, slotIndex(slot, SLOT_PID), pid);
    Atomics.store(this.control, slotIndex(slot, SLOT_FLAGS), p.background ? SLOT_FLAG_BACKGROUND : 0);
    Atomics.store(this.control, slotIndex(slot, SLOT_STATE), STATE_RUNNING);
    new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setInt32(pidOut, pid, true);
    if (!p.background && Atomics.load(this.control, INTERRUPT) !== 0) {
      // Ctrl-C came while the shell was on its way to start this job: it ends as it starts (130), and
      // the pending EINTR tells the shell at its wait.
      Atomics.store(this.control, slotIndex(slot, SLOT_STATE), endedState(128 + SIGINT, true));
      this.ended(p, 128 + SIGINT);
      return W.ERRNO_SUCCESS;
    }
    const module = program.bytes;
    this.opts.post(
      {
        type: 'spawn-child',
        runId: this.opts.runId,
        pid,
        ppid: caller.pid,
        slot,
        module,
        args,
        env,
        scratchControl,
        scratchData,
        background: p.background,
      },
      [module.buffer as ArrayBuffer],
    );
    return W.ERRNO_SUCCESS;
  }

  /** The program at `path`: with a '/', from cwd; without, the first PATH directory holding it. */
  private findProgram(
    path: string,
    cwd: string,
    envPath: string,
  ): { path: string; bytes: Uint8Array } | number {
    if (path.includes('/')) {
      const bytes = this.readProgram(normalizePath(path, cwd));
      return typeof bytes === 'number' ? bytes : { path, bytes };
    }
    let err: number = W.ERRNO_NOENT;
    for (const dir of envPath.split(':')) {
      const full = normalizePath(`${dir === '' ? '.' : dir}/${path}`, cwd);
      const bytes = this.readProgram(full);
      if (typeof bytes !== 'number') return { path: full, bytes };
      // As execvp: a directory or unreadable match is remembered, but the search goes on.
      if (bytes !== W.ERRNO_NOENT && bytes !== W.ERRNO_NOTDIR) err = bytes;
    }
    return err;
  }

  private lookup(abs: string): { filetype: number; loc: { fs: FileSystem; node: FsNode } } | number {
    const ns = this.opts.namespace;
    const rel = abs.slice(1);
    const res = rel === '' ? { fs: ns.root.fs, node: ns.root.node } : ns.resolve(ns.root, rel, true);
    if (typeof res === 'number') return res;
    if (res.node === null) return W.ERRNO_NOENT;
    return { filetype: res.fs.stat(res.node).filetype, loc: { fs: res.fs, node: res.node } };
  }

  private readProgram(abs: string): Uint8Array | number {
    const res = this.lookup(abs);
    if (typeof res === 'number') return res;
    if (res.filetype === W.FILETYPE_DIRECTORY) return W.ERRNO_ACCES;
    if (res.filetype !== W.FILETYPE_REGULAR_FILE) return W.ERRNO_NOEXEC;
    const handle = res.loc.fs.open(res.loc.node, { read: true, write: false });
    if (typeof handle === 'number') return handle;
    try {
      const out = new Uint8Array(handle.size());
      let off = 0;
      while (off < out.length) {
        const n = handle.pread(out.subarray(off), off);
        if (n < 0) return -n;
        if (n === 0) break;
        off += n;
      }
      return off === out.length ? out : out.slice(0, off);
    } finally {
      handle.close();
    }
  }

  /** pid 1's berth_wait: blocks (serving the children) until a child can be reaped. */
  private waitBlocking(
    caller: Process,
    mem: () => Uint8Array,
    pid: number,
    options: number,
    pidOut: number,
    statusOut: number,
  ): number {
    const loop = (): number => {
      for (;;) {
        // A Ctrl-C comes first, even when a child is ready to be reaped: the shell then waits again.
        if ((options & BERTH_WNOHANG) === 0) this.takeInterrupt();
        const seen = Atomics.load(this.control, EVENTS);
        const r = this.waitOnce(caller, mem(), pid, options, pidOut, statusOut);
        if (r !== WOULD_BLOCK) return r;
        this.block(seen, Infinity);
      }
    };
    return (options & BERTH_WNOHANG) === 0 ? this.interruptible(loop) : loop();
  }

  /** Runs a blocking call of pid 1 during which Ctrl-C may interrupt it (INTERRUPTIBLE in shared.ts). */
  private interruptible<T>(body: () => T): T {
    Atomics.store(this.control, INTERRUPTIBLE, 1);
    try {
      return body();
    } finally {
      // 2: not now, but pid 1 is a program that waits for input or children (a shell), so a Ctrl-C
      // while it is between two calls is still for it (see ContainerProcesses.interrupt).
      Atomics.store(this.control, INTERRUPTIBLE, 2);
    }
  }

  /** One look for a child to reap; WOULD_BLOCK when there is none yet (and no WNOHANG). */
  private waitOnce(
    caller: Process,
    mem: Uint8Array,
    pid: number,
    options: number,
    pidOut: number,
    statusOut: number,
  ): number {
    pidOut >>>= 0;
    statusOut >>>= 0;
    if (pidOut + 4 > mem.length || statusOut + 4 > mem.length) return W.ERRNO_FAULT;
    this.serve();
    let any = false;
    for (const p of this.procs.values()) {
      if (p.ppid !== caller.pid || (pid !== -1 && p.pid !== pid)) continue;
      any = true;
      if (p.alive) continue;
      this.reap(p);
      const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
      v.setInt32(pidOut, p.pid, true);
      v.setInt32(statusOut, p.status, true);
      return W.ERRNO_SUCCESS;
    }
    if (!any) return W.ERRNO_CHILD;
    if ((options & BERTH_WNOHANG) !== 0) {
      new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setInt32(pidOut, 0, true);
      return W.ERRNO_SUCCESS;
    }
    return WOULD_BLOCK;
  }

  private pipe(caller: Process, mem: Uint8Array, fdsOut: number): number {
    fdsOut >>>= 0;
    if (fdsOut + 8 > mem.length) return W.ERRNO_FAULT;
    let index = -1;
    for (let i = 0; i < MAX_PIPES; i++) {
      const at = (this.nextPipe + i) % MAX_PIPES;
      if (!this.pipeUsed[at]) {
        index = at;
        break;
      }
    }
    if (index < 0) return W.ERRNO_NFILE;
    // Round robin: a ring is reused as late as possible (a killed process's worker may linger briefly).
    this.nextPipe = (index + 1) % MAX_PIPES;
    const ring = this.rings[index]!;
    ring.reset();
    this.pipeUsed[index] = true;
    let open = 2;
    const closeEnd = (end: 'read' | 'write') => () => {
      ring.closeEnd(end, this.control);
      if (--open === 0) this.pipeUsed[index] = false;
    };
    const reader = new StdioFd(new PipeReader(ring, this), null, 1000 + index * 2, W.FILETYPE_UNKNOWN);
    const writer = new StdioFd(null, new PipeWriter(ring, this), 1001 + index * 2, W.FILETYPE_UNKNOWN);
    reader.onLastClose = closeEnd('read');
    writer.onLastClose = closeEnd('write');
    this.streams.set(reader, { kind: FD_PIPE_READ, pipe: index });
    this.streams.set(writer, { kind: FD_PIPE_WRITE, pipe: index });
    const r = caller.wasi.fdInstall(reader);
    const w = caller.wasi.fdInstall(writer);
    const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    v.setInt32(fdsOut, r, true);
    v.setInt32(fdsOut + 4, w, true);
    return W.ERRNO_SUCCESS;
  }

  private dup(caller: Process, mem: Uint8Array, fd: number, fdOut: number): number {
    fdOut >>>= 0;
    if (fdOut + 4 > mem.length) return W.ERRNO_FAULT;
    const f = caller.wasi.fdObject(fd);
    if (f === undefined) return W.ERRNO_BADF;
    const copy = caller.wasi.fdInstall(retain(f));
    new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setInt32(fdOut, copy, true);
    return W.ERRNO_SUCCESS;
  }

  private kill(_caller: Process, pid: number, sig: number): number {
    if (sig < 0 || sig > MAX_SIGNAL) return W.ERRNO_INVAL;
    const p = this.procs.get(pid);
    if (p === undefined) return W.ERRNO_SRCH;
    if (sig === 0 || !p.alive) return W.ERRNO_SUCCESS;
    // Signalling pid 1 stops the container, whoever sends it (Docker's docker kill).
    if (pid === 1) throw new ProcExit(128 + sig);
    const won =
      Atomics.compareExchange(
        this.control,
        slotIndex(p.slot, SLOT_STATE),
        STATE_RUNNING,
        endedState(128 + sig, true),
      ) === STATE_RUNNING;
    if (won) {
      signalEvents(this.control);
      Atomics.notify(this.control, slotIndex(p.slot, SLOT_REQUEST));
      this.opts.post({ type: 'kill-child', runId: this.opts.runId, pid });
      this.ended(p, 128 + sig);
    }
    return W.ERRNO_SUCCESS;
  }

  /** FdInfo of a child's fd (relay.ts): kind, pipe index, fdflags, rights. */
  private fdInfo(p: Process, mem: Uint8Array, fd: number, out: number): number {
    out >>>= 0;
    if (out + 16 > mem.length) return W.ERRNO_FAULT;
    const f = p.wasi.fdObject(fd);
    const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    const kind =
      f === undefined ? { kind: FD_BAD, pipe: -1 } : (this.streams.get(f) ?? { kind: FD_REMOTE, pipe: -1 });
    v.setUint32(out, kind.kind, true);
    v.setInt32(out + 4, kind.pipe, true);
    v.setUint32(out + 8, f?.fdflags ?? 0, true);
    v.setUint32(out + 12, f?.rights ?? 0, true);
    return W.ERRNO_SUCCESS;
  }

  private nullFd(): StdioFd {
    const f = new StdioFd(nullInput, discard, 2000, W.FILETYPE_CHARACTER_DEVICE);
    this.streams.set(f, { kind: FD_NULL, pipe: -1 });
    // The new description's first reference is taken by the child's table (retain in spawn).
    f.refs = 0;
    return f;
  }
}

function putU32(mem: Uint8Array, ptr: number, value: number): number {
  ptr >>>= 0;
  if (ptr + 4 > mem.length) return W.ERRNO_FAULT;
  new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setInt32(ptr, value, true);
  return W.ERRNO_SUCCESS;
}

/** The `#!interpreter [arg]` line of a script, as execve reads it; null when there is none. */
export function parseShebang(bytes: Uint8Array): { interpreter: string; arg: string | null } | null {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return null;
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = bytes.length;
  const line = new TextDecoder().decode(bytes.subarray(2, Math.min(end, SHEBANG_MAX))).trim();
  if (line === '') return null;
  const space = line.search(/[ \t]/);
  if (space < 0) return { interpreter: line, arg: null };
  const arg = line.slice(space).trim();
  return { interpreter: line.slice(0, space), arg: arg === '' ? null : arg };
}
