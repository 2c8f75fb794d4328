/**
 * The memory every process of a container shares (see docs/berth_process.md, "Implementation"): one
 * control block and one pipe arena, both SharedArrayBuffers made by the host when a container's first
 * module imports berth_process, and handed to every process's worker.
 *
 * Control block (Int32 cells):
 *   EVENTS     bumped (and notified) on anything a blocked process may wait for: a pipe read/write/close,
 *              a child's exit, a relay request, an interrupt, a stop. Every blocked process of the
 *              container waits on this one address, so none has to know what exactly it waits for.
 *   ATTENTION  bumped when the kernel (pid 1) has work: a relay request or a process that ended. The
 *              kernel compares it with the value it last served at every syscall entry (one Atomics.load).
 *   INTERRUPT  set by the host on Ctrl-C; the next blocking berth_wait / stdin read of pid 1 takes it
 *              and returns EINTR.
 *   INTERRUPTIBLE 1 while pid 1 blocks in berth_wait or a stdin read, 2 once it has (a shell): the host delivers Ctrl-C as EINTR
 *              only then, and otherwise says there was nothing to interrupt (the CLI then stops the
 *              container, as a terminal's INTR ends a program that is not a shell).
 *   INIT_MEMORY pid 1's memory size at its last syscall.
 *   slots      MAX_PROCESSES x SLOT_INTS: STATE, PID, REQUEST, MEMORY, FLAGS of each child process. MEMORY is
 *              the child's memory size at its last syscall; the host sums them for the container's
 *              memory limit (memoryInUse).
 *
 * A slot's STATE packs the whole outcome into one word, so the child (exit), the kernel (berth_kill) and
 * the host (Ctrl-C, a dead worker) race on it with one compareExchange and exactly one wins:
 *   RUNNING, or ENDED | KILLED? | status << 8.
 *
 * Pipe arena: MAX_PIPES rings of PIPE_BUF bytes, each with a small header. HEAD and TAIL are running
 * byte counts (wrapping at 2^32; `tail - head` is the fill level); READ_OPEN/WRITE_OPEN say whether an
 * end is still open anywhere (the kernel maintains them: it counts the fds sharing each end).
 */
import { BrokenPipe, type InputStream, type OutputStream } from '../wasi/host';

/** The container's process limit (pid 1 included); spawn past it fails with EAGAIN. */
export const MAX_PROCESSES = 64;
/** Pipes open at once in a container; pipe() past it fails with NFILE. */
export const MAX_PIPES = 64;
/** Bytes per pipe: BERTH_PIPE_BUF of include/berth_process.h. */
export const PIPE_BUF = 65536;

export const EVENTS = 0;
export const ATTENTION = 1;
export const INTERRUPT = 2;
/** pid 1's linear memory in bytes, as of its last syscall (children report in their slot's MEMORY). */
export const INIT_MEMORY = 3;
export const INTERRUPTIBLE = 4;
const HEADER_INTS = 8;
const SLOT_INTS = 5;
export const SLOT_STATE = 0;
export const SLOT_PID = 1;
export const SLOT_REQUEST = 2;
export const SLOT_MEMORY = 3;
/** SLOT_FLAG_*: set by the kernel before the slot turns RUNNING. */
export const SLOT_FLAGS = 4;
/** Started with BERTH_SPAWN_BACKGROUND (or by a background process): Ctrl-C does not end it. */
export const SLOT_FLAG_BACKGROUND = 1;

export const STATE_FREE = 0;
export const STATE_RUNNING = 1;
export const STATE_ENDED = 2;
/** With STATE_ENDED: ended by a signal from outside (kill, Ctrl-C, a dead worker), not by itself. */
export const STATE_KILLED = 4;

export const REQUEST_IDLE = 0;
export const REQUEST_SENT = 1;
export const REQUEST_DONE = 2;
/** The kernel is running the request (a nested serve() while it blocks must not take it again). */
export const REQUEST_BUSY = 3;

const PIPE_HEAD = 0;
const PIPE_TAIL = 1;
const PIPE_READ_OPEN = 2;
const PIPE_WRITE_OPEN = 3;
const PIPE_WLOCK = 4;
const PIPE_RLOCK = 5;
const PIPE_HEADER_INTS = 8;

/** The shared buffers of a container, as they travel in StartRequests. */
export interface ContainerShared {
  control: SharedArrayBuffer;
  pipes: SharedArrayBuffer;
}

export function createContainerShared(): ContainerShared {
  return {
    control: new SharedArrayBuffer((HEADER_INTS + MAX_PROCESSES * SLOT_INTS) * 4),
    pipes: new SharedArrayBuffer(MAX_PIPES * (PIPE_HEADER_INTS * 4 + PIPE_BUF)),
  };
}

/** The Int32 index of a slot's field in the control block. */
export function slotIndex(slot: number, field: number): number {
  return HEADER_INTS + slot * SLOT_INTS + field;
}

export function endedState(status: number, killed: boolean): number {
  return STATE_ENDED | (killed ? STATE_KILLED : 0) | ((status & 0xff) << 8);
}

export function statusOf(state: number): number {
  return (state >>> 8) & 0xff;
}

/** Wakes every process blocked on the container (see EVENTS). */
export function signalEvents(control: Int32Array): void {
  Atomics.add(control, EVENTS, 1);
  Atomics.notify(control, EVENTS);
}

/**
 * Ends a slot's process with a status unless it has ended already; true when this call ended it. The
 * kernel is told (ATTENTION) and blocked processes wake.
 */
export function endSlot(
  control: Int32Array,
  slot: number,
  pid: number,
  status: number,
  killed: boolean,
): boolean {
  if (Atomics.load(control, slotIndex(slot, SLOT_PID)) !== pid) return false;
  const won =
    Atomics.compareExchange(
      control,
      slotIndex(slot, SLOT_STATE),
      STATE_RUNNING,
      endedState(status, killed),
    ) === STATE_RUNNING;
  if (won) {
    Atomics.add(control, ATTENTION, 1);
    signalEvents(control);
    // A child blocked on its own relay request (the kernel will never answer it now) wakes and stops.
    Atomics.notify(control, slotIndex(slot, SLOT_REQUEST));
  }
  return won;
}

/** The container's memory as its processes last reported it: pid 1 plus every running child. */
export function memoryInUse(control: Int32Array): number {
  let total = Atomics.load(control, INIT_MEMORY) >>> 0;
  for (let slot = 0; slot < MAX_PROCESSES - 1; slot++) {
    if (Atomics.load(control, slotIndex(slot, SLOT_STATE)) === STATE_RUNNING) {
      total += Atomics.load(control, slotIndex(slot, SLOT_MEMORY)) >>> 0;
    }
  }
  return total;
}

/**
 * How a process blocks: `block` returns once EVENTS is no longer `seen` (or after about timeoutMs;
 * spurious returns are fine, callers re-check). The kernel serves its children's requests in there; a
 * child checks whether it has been killed.
 */
export interface Waiter {
  readonly control: Int32Array;
  block(seen: number, timeoutMs: number): void;
}

/** A lock word: short critical sections, so spinning on Atomics.wait with a 1 ms timeout is fine. */
function lock(h: Int32Array, at: number): void {
  for (let tries = 0; Atomics.compareExchange(h, at, 0, 1) !== 0; tries++) {
    // A process terminated inside its critical section leaves the word set: take it over after 1 s.
    if (tries > 1000) {
      Atomics.store(h, at, 1);
      return;
    }
    Atomics.wait(h, at, 1, 1);
  }
}

function unlock(h: Int32Array, at: number): void {
  Atomics.store(h, at, 0);
  Atomics.notify(h, at, 1);
}

/** One pipe of the arena: the byte ring and its two open flags. */
export class PipeRing {
  private readonly h: Int32Array;
  private readonly data: Uint8Array;

  constructor(
    arena: SharedArrayBuffer,
    readonly index: number,
  ) {
    const base = index * (PIPE_HEADER_INTS * 4 + PIPE_BUF);
    this.h = new Int32Array(arena, base, PIPE_HEADER_INTS);
    this.data = new Uint8Array(arena, base + PIPE_HEADER_INTS * 4, PIPE_BUF);
  }

  /** A fresh pipe: empty, both ends open. Only the kernel calls this, on a free ring. */
  reset(): void {
    Atomics.store(this.h, PIPE_HEAD, 0);
    Atomics.store(this.h, PIPE_TAIL, 0);
    Atomics.store(this.h, PIPE_WLOCK, 0);
    Atomics.store(this.h, PIPE_RLOCK, 0);
    Atomics.store(this.h, PIPE_READ_OPEN, 1);
    Atomics.store(this.h, PIPE_WRITE_OPEN, 1);
  }

  closeEnd(end: 'read' | 'write', control: Int32Array): void {
    Atomics.store(this.h, end === 'read' ? PIPE_READ_OPEN : PIPE_WRITE_OPEN, 0);
    signalEvents(control);
  }

  get readOpen(): boolean {
    return Atomics.load(this.h, PIPE_READ_OPEN) !== 0;
  }

  get writeOpen(): boolean {
    return Atomics.load(this.h, PIPE_WRITE_OPEN) !== 0;
  }

  /** Bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.h, PIPE_TAIL) - Atomics.load(this.h, PIPE_HEAD)) >>> 0;
  }

  /** Copies up to dst.length waiting bytes into dst; returns how many (0 when empty). */
  take(dst: Uint8Array, control: Int32Array): number {
    const h = this.h;
    lock(h, PIPE_RLOCK);
    const head = Atomics.load(h, PIPE_HEAD) >>> 0;
    const avail = (Atomics.load(h, PIPE_TAIL) - head) >>> 0;
    const n = Math.min(dst.length, avail);
    if (n > 0) {
      const start = head % PIPE_BUF;
      const first = Math.min(n, PIPE_BUF - start);
      dst.set(this.data.subarray(start, start + first));
      if (first < n) dst.set(this.data.subarray(0, n - first), first);
      Atomics.store(h, PIPE_HEAD, (head + n) | 0);
    }
    unlock(h, PIPE_RLOCK);
    if (n > 0) signalEvents(control);
    return n;
  }

  /**
   * Appends src if at least `min` bytes fit (all of src when it fits, else as much as fits); returns the
   * bytes taken (0 when fewer than min fit).
   */
  put(src: Uint8Array, min: number, control: Int32Array): number {
    const h = this.h;
    lock(h, PIPE_WLOCK);
    const tail = Atomics.load(h, PIPE_TAIL) >>> 0;
    const free = PIPE_BUF - ((tail - (Atomics.load(h, PIPE_HEAD) >>> 0)) >>> 0);
    const n = free >= min ? Math.min(free, src.length) : 0;
    if (n > 0) {
      const start = tail % PIPE_BUF;
      const first = Math.min(n, PIPE_BUF - start);
      this.data.set(src.subarray(0, first), start);
      if (first < n) this.data.set(src.subarray(first, n), 0);
      Atomics.store(h, PIPE_TAIL, (tail + n) | 0);
    }
    unlock(h, PIPE_WLOCK);
    if (n > 0) signalEvents(control);
    return n;
  }

  /** Free bytes right now. */
  room(): number {
    return PIPE_BUF - this.available();
  }
}

/** A pipe's read end as a blocking InputStream: waits for data, 0 bytes (EOF) once no writer is left. */
export class PipeReader implements InputStream {
  constructor(
    readonly ring: PipeRing,
    private readonly waiter: Waiter,
  ) {}

  read(max: number): Uint8Array | null {
    if (max <= 0) return new Uint8Array(0);
    const control = this.waiter.control;
    for (;;) {
      const seen = Atomics.load(control, EVENTS);
      const avail = this.ring.available();
      if (avail > 0) {
        const out = new Uint8Array(Math.min(max, avail));
        const n = this.ring.take(out, control);
        if (n > 0) return n === out.length ? out : out.subarray(0, n);
        continue; // another reader took them
      }
      if (!this.ring.writeOpen && this.ring.available() === 0) return null;
      this.waiter.block(seen, Infinity);
    }
  }

  ready(timeoutMs: number): boolean {
    const control = this.waiter.control;
    const seen = Atomics.load(control, EVENTS);
    if (this.ring.available() > 0 || !this.ring.writeOpen) return true;
    if (timeoutMs <= 0) return false;
    // One wake-up is enough: poll_oneoff re-checks everything it waits for and calls again.
    this.waiter.block(seen, timeoutMs);
    return this.ring.available() > 0 || !this.ring.writeOpen;
  }
}

/**
 * A pipe's write end as a blocking OutputStream: writes of at most PIPE_BUF bytes go in whole (atomic,
 * as POSIX says), longer ones in pieces as room frees; with no reader left it throws BrokenPipe.
 */
export class PipeWriter implements OutputStream {
  constructor(
    readonly ring: PipeRing,
    private readonly waiter: Waiter,
  ) {}

  write(data: Uint8Array): void {
    const control = this.waiter.control;
    let written = 0;
    while (written < data.length) {
      const seen = Atomics.load(control, EVENTS);
      if (!this.ring.readOpen) throw new BrokenPipe(written);
      const rest = data.subarray(written);
      const n = this.ring.put(rest, rest.length <= PIPE_BUF ? rest.length : 1, control);
      if (n > 0) {
        written += n;
        continue;
      }
      this.waiter.block(seen, Infinity);
    }
  }
}
