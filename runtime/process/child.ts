/**
 * A child process of a container, in a worker of its own. It has no filesystem: its preview1 calls go to
 * the kernel (pid 1) through the relay (relay.ts), except what it can do alone, which is most of the
 * traffic of a pipeline:
 *   - args, environ, clocks, random, sched_yield, proc_exit: a local Preview1;
 *   - reads and writes on pipe ends, the container's stdout/stderr (posted to the host directly, under
 *     the shared output window) and its streamed stdin: the local Preview1 too, once the kernel has said
 *     what the fd is (berth:fd_info, cached until the fd is closed, renumbered or its flags change);
 *   - poll_oneoff, with the fds it names looked up the same way (files and directories are always
 *     ready).
 * Everything else (files, directories, paths, spawn, wait, pipe, dup, kill) is relayed.
 */
import { MemoryFileSystem } from '../fs/MemoryFileSystem';
import { Namespace } from '../fs/Namespace';
import * as W from '../wasi/defs';
import { StdioFd, stdioFiletype } from '../wasi/fds';
import { type InputStream, type OutputStream, ProcExit, WasiKill } from '../wasi/host';
import type { ImportFn, Preview1, WasiImports } from '../wasi/Preview1';
import { bufferedInput } from './hostDefaults';
import { ForwardedOutput, type StopCheck, type WorkerPort } from './output';
import type { ExitMessage, StartRequest } from './protocol';
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
  KERNEL_OPS,
  MAX_ARGS,
  OP_IDS,
  parseSignature,
  RELAYED,
  type Token,
  WOULD_BLOCK,
} from './relay';
import { type RunResult, runInThreadSync } from './runInThread';
import {
  ATTENTION,
  endSlot,
  EVENTS,
  PipeReader,
  PipeRing,
  PipeWriter,
  REQUEST_DONE,
  REQUEST_IDLE,
  REQUEST_SENT,
  signalEvents,
  SLOT_MEMORY,
  SLOT_PID,
  SLOT_REQUEST,
  SLOT_STATE,
  slotIndex,
  STATE_RUNNING,
  type Waiter,
} from './shared';
import { SharedInput } from './stdinChannel';

/** The status a shell sees for a child that did not exit by itself (128 + the nearest signal). */
export function statusOfResult(result: RunResult): number {
  switch (result.reason) {
    case 'exit':
      return (result.exitCode ?? 0) & 0xff;
    case 'trap':
      return 128 + 6; // SIGABRT: the program crashed
    case 'oom':
    case 'killed':
    case 'timeout':
      return 128 + 9; // SIGKILL
    case 'output-limit':
      return 128 + 25; // SIGXFSZ
    case 'error':
      return 126; // could not be run
  }
}

const nullInput: InputStream = { read: () => null, ready: () => true };
const discard: OutputStream = { write() {} };
/** Stands in for a relayed fd (a file) while the local poll_oneoff looks at it: always ready. */
const alwaysReady: InputStream = { read: () => null, ready: () => true };

export function runChild(req: StartRequest, port: WorkerPort): ExitMessage {
  const spec = req.child!;
  const control = new Int32Array(spec.shared.control);
  const stateAt = slotIndex(spec.slot, SLOT_STATE);
  const pidAt = slotIndex(spec.slot, SLOT_PID);
  const memoryAt = slotIndex(spec.slot, SLOT_MEMORY);
  let memory: (() => number) | null = null;
  const alive: StopCheck = () => {
    if (Atomics.load(control, stateAt) !== STATE_RUNNING || Atomics.load(control, pidAt) !== spec.pid) {
      throw new WasiKill('killed', 'killed');
    }
    // For the container's memory limit (the host sums what every process reports).
    if (memory !== null) Atomics.store(control, memoryAt, memory());
  };
  const window = req.outputWindow ? new Int32Array(req.outputWindow) : null;
  const limit = req.limits.maxOutputBytes;
  const relay = new ChildRelay(
    spec.pid,
    spec.ppid,
    control,
    spec.slot,
    spec.shared.pipes,
    new Int32Array(spec.scratchControl),
    new BigInt64Array(spec.scratchControl, CTL_I64_BYTE_OFFSET, MAX_ARGS),
    new Uint8Array(spec.scratchData),
    alive,
    new ForwardedOutput('stdout', req.runId, limit, port, window, alive),
    new ForwardedOutput('stderr', req.runId, limit, port, window, alive),
    spec.stdin ? new SharedInput(spec.stdin) : null,
    stdioFiletype(req.terminal ?? true),
  );
  let result: RunResult;
  try {
    result = runInThreadSync(req.module, {
      args: req.args,
      env: req.env,
      namespace: new Namespace(new MemoryFileSystem()),
      preopens: [],
      stdin: bufferedInput(),
      ...(req.limits.memoryLimitBytes !== undefined ? { memoryLimitBytes: req.limits.memoryLimitBytes } : {}),
      ...(req.trace
        ? { trace: (line: string) => port.postMessage({ type: 'trace', runId: req.runId, line }) }
        : {}),
      processImports: () => relay.processImports(),
      wrapImports: (imports, wasi) => {
        memory = () => wasi.memoryBytes().length;
        return relay.imports(imports, wasi);
      },
    });
  } catch (e) {
    result = { exitCode: null, reason: 'error', message: (e as Error).message };
  }
  // The status goes to the kernel; a kill that came first has recorded its own (endSlot loses then).
  endSlot(control, spec.slot, spec.pid, statusOfResult(result), false);
  return { type: 'exit', runId: req.runId, result };
}

class ChildRelay implements Waiter {
  private wasi!: Preview1;
  /** fd → FD_* kind as the kernel last said (FD_BAD is never cached: a later call may open it). */
  private readonly kinds = new Map<number, number>();
  private readonly rings = new Map<number, PipeRing>();
  private readonly requestAt: number;
  private readonly tokens = new Map<string, Token[]>();
  private scratchView: DataView;

  constructor(
    private readonly pid: number,
    private readonly ppid: number,
    readonly control: Int32Array,
    slot: number,
    private readonly pipes: SharedArrayBuffer,
    private readonly ctl: Int32Array,
    private readonly i64: BigInt64Array,
    private readonly scratch: Uint8Array,
    private readonly alive: StopCheck,
    private readonly stdout: OutputStream,
    private readonly stderr: OutputStream,
    private readonly stdin: InputStream | null,
    /** The filetype of the container's stdio (terminal or not). */
    private readonly stdioType: number,
  ) {
    this.requestAt = slotIndex(slot, SLOT_REQUEST);
    this.scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
    for (const [name, sig] of [...Object.entries(RELAYED), ...Object.entries(KERNEL_OPS)]) {
      this.tokens.set(name, parseSignature(sig));
    }
  }

  /** Waiter: a blocked child sleeps on the container's EVENTS and stops when it has been killed. */
  block(seen: number, timeoutMs: number): void {
    this.alive();
    Atomics.wait(this.control, EVENTS, seen, Math.min(timeoutMs, 1000));
    this.alive();
  }

  imports(local: WasiImports, wasi: Preview1): WasiImports {
    this.wasi = wasi;
    // The local fd table starts empty: every fd is looked up in the kernel on first use.
    for (let fd = 0; fd < 3; fd++) wasi.fdForget(fd);
    const own = local.wasi_snapshot_preview1;
    const table: Record<string, ImportFn> = {};
    for (const name of Object.keys(own)) {
      const localFn = own[name] as unknown as (...a: unknown[]) => number;
      const checked = ((...a: unknown[]) => {
        this.alive();
        return localFn(...a);
      }) as unknown as ImportFn;
      if (name === 'fd_read' || name === 'fd_write') {
        const relayed = this.relayFn(name);
        table[name] = ((fd: number, iovs: number, n: number, out: number) => {
          this.alive();
          return this.isStream(this.kindOf(fd)) ? localFn(fd, iovs, n, out) : relayed(fd, iovs, n, out);
        }) as unknown as ImportFn;
      } else if (name === 'poll_oneoff') {
        table[name] = ((inPtr: number, outPtr: number, nsubs: number, nevents: number) => {
          this.alive();
          const placed = this.preparePoll(inPtr, nsubs);
          try {
            return localFn(inPtr, outPtr, nsubs, nevents);
          } finally {
            for (const fd of placed) wasi.fdForget(fd);
          }
        }) as unknown as ImportFn;
      } else if (name in RELAYED) {
        const relayed = this.relayFn(name);
        if (name === 'fd_close' || name === 'fd_fdstat_set_flags') {
          table[name] = ((fd: number, ...rest: unknown[]) => {
            this.forget(fd);
            return relayed(fd, ...rest);
          }) as unknown as ImportFn;
        } else if (name === 'fd_renumber') {
          table[name] = ((from: number, to: number) => {
            this.forget(from);
            this.forget(to);
            return relayed(from, to);
          }) as unknown as ImportFn;
        } else {
          table[name] = relayed as unknown as ImportFn;
        }
      } else {
        table[name] = checked;
      }
    }
    return { ...local, wasi_snapshot_preview1: table };
  }

  processImports(): Record<string, ImportFn> {
    const guarded = (fn: () => number) => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof ProcExit || e instanceof WasiKill) throw e;
        return W.ERRNO_IO;
      }
    };
    const wait = this.relayFn('berth:wait');
    const pipe = this.relayFn('berth:pipe');
    const dup = this.relayFn('berth:dup');
    const kill = this.relayFn('berth:kill');
    const put = (ptr: number, value: number) => {
      const mem = this.wasi.memoryBytes();
      ptr >>>= 0;
      if (ptr + 4 > mem.length) return W.ERRNO_FAULT;
      new DataView(mem.buffer, mem.byteOffset, mem.byteLength).setInt32(ptr, value, true);
      return W.ERRNO_SUCCESS;
    };
    return {
      spawn: (reqPtr: number, pidOut: number) => guarded(() => this.spawn(reqPtr, pidOut)),
      wait: (pid: number, options: number, pidOut: number, statusOut: number) =>
        guarded(() => {
          for (;;) {
            const seen = Atomics.load(this.control, EVENTS);
            const r = wait(pid, options, pidOut, statusOut);
            if (r !== WOULD_BLOCK) return r;
            this.block(seen, Infinity);
          }
        }),
      pipe: (fdsOut: number) => guarded(() => pipe(fdsOut)),
      dup: (fd: number, fdOut: number) => guarded(() => dup(fd, fdOut)),
      kill: (pid: number, sig: number) => guarded(() => kill(pid, sig)),
      getpid: (out: number) => guarded(() => put(out, this.pid)),
      getppid: (out: number) => guarded(() => put(out, this.ppid)),
    } as unknown as Record<string, ImportFn>;
  }

  // --- fd kinds ---------------------------------------------------------------------------------------

  private isStream(kind: number): boolean {
    return kind !== FD_REMOTE && kind !== FD_BAD;
  }

  private forget(fd: number): void {
    if (this.kinds.delete(fd)) this.wasi.fdForget(fd);
  }

  /** What fd is, asking the kernel the first time; a stream fd gets its local description. */
  private kindOf(fd: number): number {
    const known = this.kinds.get(fd);
    if (known !== undefined) return known;
    const out = 0;
    this.ctl[CTL_I32] = fd;
    this.ctl[CTL_I32 + 1] = out;
    const err = this.send(OP_IDS.get('berth:fd_info')!);
    if (err !== 0) return FD_BAD;
    const v = this.scratchView;
    const kind = v.getUint32(out, true);
    const pipe = v.getInt32(out + 4, true);
    const fdflags = v.getUint32(out + 8, true);
    const rights = v.getUint32(out + 12, true);
    if (kind === FD_BAD) return kind;
    if (kind !== FD_REMOTE) {
      const f = this.streamFd(kind, pipe);
      f.fdflags = fdflags;
      f.rights = rights;
      this.wasi.fdPlace(fd, f);
    }
    this.kinds.set(fd, kind);
    return kind;
  }

  private streamFd(kind: number, pipe: number): StdioFd {
    const ring = () => {
      let r = this.rings.get(pipe);
      if (r === undefined) this.rings.set(pipe, (r = new PipeRing(this.pipes, pipe)));
      return r;
    };
    switch (kind) {
      case FD_PIPE_READ:
        return new StdioFd(new PipeReader(ring(), this), null, 1000 + pipe * 2, W.FILETYPE_UNKNOWN);
      case FD_PIPE_WRITE:
        return new StdioFd(null, new PipeWriter(ring(), this), 1001 + pipe * 2, W.FILETYPE_UNKNOWN);
      case FD_STDIN:
        return new StdioFd(this.stdin ?? nullInput, null, 0, this.stdioType);
      case FD_STDOUT:
        return new StdioFd(null, this.stdout, 1, this.stdioType);
      case FD_STDERR:
        return new StdioFd(null, this.stderr, 2, this.stdioType);
      case FD_NULL:
      default:
        return new StdioFd(nullInput, discard, 2000);
    }
  }

  /** Makes every fd a poll subscription names known locally; returns the placeholders to remove after. */
  private preparePoll(inPtr: number, nsubs: number): number[] {
    const placed: number[] = [];
    const mem = this.wasi.memoryBytes();
    inPtr >>>= 0;
    nsubs >>>= 0;
    if (inPtr + nsubs * W.SIZEOF_SUBSCRIPTION > mem.length) return placed; // the local poll says EFAULT
    const v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    for (let i = 0; i < nsubs; i++) {
      const s = inPtr + i * W.SIZEOF_SUBSCRIPTION;
      const tag = v.getUint8(s + 8);
      if (tag !== W.EVENTTYPE_FD_READ && tag !== W.EVENTTYPE_FD_WRITE) continue;
      const fd = v.getUint32(s + 16, true);
      if (this.kindOf(fd) === FD_REMOTE && this.wasi.fdObject(fd) === undefined) {
        this.wasi.fdPlace(fd, new StdioFd(alwaysReady, discard, 3000));
        placed.push(fd);
      }
    }
    return placed;
  }

  // --- the relay --------------------------------------------------------------------------------------

  /** Sends the request in the scratch control block and waits for the kernel's answer. */
  private send(op: number): number {
    this.alive();
    const control = this.control;
    this.ctl[CTL_OP] = op;
    Atomics.store(control, this.requestAt, REQUEST_SENT);
    Atomics.add(control, ATTENTION, 1);
    signalEvents(control);
    for (let state = REQUEST_SENT; state !== REQUEST_DONE; state = Atomics.load(control, this.requestAt)) {
      Atomics.wait(control, this.requestAt, state, 1000);
      this.alive();
    }
    Atomics.store(control, this.requestAt, REQUEST_IDLE);
    return this.ctl[CTL_RESULT]!;
  }

  /** A function that relays `name`: copies its inputs to scratch, sends, copies its outputs back. */
  private relayFn(name: string): (...args: unknown[]) => number {
    const tokens = this.tokens.get(name)!;
    const op = OP_IDS.get(name)!;
    return (...args: unknown[]) => this.relay(op, tokens, args);
  }

  private relay(op: number, tokens: readonly Token[], args: readonly unknown[]): number {
    this.alive();
    const mem = this.wasi.memoryBytes();
    const gv = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    const scratch = this.scratch;
    const sv = this.scratchView;
    const ctl = this.ctl;
    let used = 0;
    const alloc = (n: number) => {
      const at = used;
      used = (used + n + 7) & ~7;
      return at;
    };
    const room = () => Math.max(0, scratch.length - used - 64);
    const backs: ((count: number) => void)[] = [];
    let countAt = -1;
    let param = 0;
    let a = 0;
    const arg = () => args[a++];
    const i32 = () => (arg() as number) | 0;
    const setI32 = (v: number) => (ctl[CTL_I32 + param++] = v);
    for (const t of tokens) {
      switch (t.kind) {
        case 'i':
          setI32(i32());
          break;
        case 'I':
          this.i64[param++] = arg() as bigint;
          break;
        case 'o': {
          const ptr = i32() >>> 0;
          if (ptr + t.size > mem.length) return W.ERRNO_FAULT;
          const at = alloc(t.size);
          scratch.fill(0, at, at + t.size);
          setI32(at);
          if (t.size === 4) countAt = at;
          backs.push(() => mem.set(scratch.subarray(at, at + t.size), ptr));
          break;
        }
        case 's': {
          const ptr = i32() >>> 0;
          const len = i32() >>> 0;
          if (ptr + len > mem.length) return W.ERRNO_FAULT;
          if (len > room()) return W.ERRNO_NAMETOOLONG;
          const at = alloc(len);
          scratch.set(mem.subarray(ptr, ptr + len), at);
          setI32(at);
          setI32(len);
          break;
        }
        case 'b':
        case 'B': {
          const ptr = i32() >>> 0;
          const len = i32() >>> 0;
          if (ptr + len > mem.length) return W.ERRNO_FAULT;
          const n = Math.min(len, room());
          const at = alloc(n);
          setI32(at);
          setI32(n);
          const whole = t.kind === 'b';
          backs.push((count) => {
            const k = whole ? n : Math.min(count, n);
            mem.set(scratch.subarray(at, at + k), ptr);
          });
          break;
        }
        case 'w':
        case 'r': {
          const iovs = i32() >>> 0;
          const count = i32() >>> 0;
          if (iovs + count * 8 > mem.length) return W.ERRNO_FAULT;
          const parts: [number, number][] = [];
          let total = 0;
          for (let i = 0; i < count; i++) {
            const buf = gv.getUint32(iovs + i * 8, true);
            const len = gv.getUint32(iovs + i * 8 + 4, true);
            if (buf + len > mem.length) return W.ERRNO_FAULT;
            parts.push([buf, len]);
            total += len;
          }
          const iov = alloc(8);
          const n = Math.min(total, room());
          const at = alloc(n);
          sv.setUint32(iov, at, true);
          sv.setUint32(iov + 4, n, true);
          setI32(iov);
          setI32(1);
          if (t.kind === 'w') {
            let off = 0;
            for (const [buf, len] of parts) {
              const k = Math.min(len, n - off);
              if (k <= 0) break;
              scratch.set(mem.subarray(buf, buf + k), at + off);
              off += k;
            }
          } else {
            backs.push((got) => {
              let off = 0;
              const k = Math.min(got, n);
              for (const [buf, len] of parts) {
                const c = Math.min(len, k - off);
                if (c <= 0) break;
                mem.set(scratch.subarray(at + off, at + off + c), buf);
                off += c;
              }
            });
          }
          break;
        }
      }
    }
    const err = this.send(op);
    if (err === W.ERRNO_SUCCESS && backs.length > 0) {
      const count = countAt >= 0 ? sv.getUint32(countAt, true) : 0;
      // Guest memory may have been replaced only by the guest itself, which is not running: mem is fresh.
      for (const back of backs) back(count);
    }
    return err;
  }

  /** berth_spawn: the request and its four strings go to scratch, pointers rewritten. */
  private spawn(reqPtr: number, pidOut: number): number {
    const mem = this.wasi.memoryBytes();
    reqPtr >>>= 0;
    pidOut >>>= 0;
    if (reqPtr + 48 > mem.length || pidOut + 4 > mem.length) return W.ERRNO_FAULT;
    const gv = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    const sv = this.scratchView;
    const req = 0;
    const out = 48;
    let used = 56;
    for (let i = 0; i < 4; i++) {
      const ptr = gv.getUint32(reqPtr + i * 8, true);
      const len = gv.getUint32(reqPtr + i * 8 + 4, true);
      if (ptr + len > mem.length) return W.ERRNO_FAULT;
      if (used + len > this.scratch.length) return W.ERRNO_2BIG;
      this.scratch.set(mem.subarray(ptr, ptr + len), used);
      sv.setUint32(req + i * 8, used, true);
      sv.setUint32(req + i * 8 + 4, len, true);
      used += len;
    }
    for (let i = 32; i < 48; i += 4) sv.setUint32(req + i, gv.getUint32(reqPtr + i, true), true);
    this.ctl[CTL_I32] = req;
    this.ctl[CTL_I32 + 1] = out;
    const err = this.send(OP_IDS.get('berth:spawn')!);
    if (err === W.ERRNO_SUCCESS) gv.setInt32(pidOut, sv.getInt32(out, true), true);
    return err;
  }
}
