/**
 * What the WASI layer needs from its host, injected so the same code runs in Node, in a Web Worker and in
 * tests, and so a run can be made deterministic. Everything here is synchronous: a WASI call returns
 * before the guest continues, so blocking (stdin, sleeps) happens inside these functions.
 */

/** A guest's stdin (or any readable byte stream the host feeds). */
export interface InputStream {
  /**
   * Up to `max` bytes (at least one), or null at end of input. Blocks the calling thread until data or
   * EOF arrives; an implementation that cannot block (a page that is not cross-origin isolated) must be
   * given all its input up front.
   */
  read(max: number): Uint8Array | null;
  /** True when read() would return at once (data or EOF). Waits up to timeoutMs for that (0 = poll). */
  ready(timeoutMs: number): boolean;
}

/** A guest's stdout or stderr (or a pipe's write end). */
export interface OutputStream {
  /**
   * Receives the bytes of one write. The view aliases guest memory: copy it if you keep it. A stream
   * that cannot take them all throws BrokenPipe (the guest then gets EPIPE or a short count).
   */
  write(data: Uint8Array): void;
}

/** Thrown by OutputStream.write when nobody reads any more (a pipe whose read ends are all closed). */
export class BrokenPipe extends Error {
  constructor(readonly written: number) {
    super('broken pipe');
    this.name = 'BrokenPipe';
  }
}

/**
 * Thrown by a blocking host call that a terminal interrupt (Ctrl-C) cut short: the guest's call
 * returns EINTR.
 */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface WasiClock {
  /** CLOCKID_REALTIME, nanoseconds since the Unix epoch. */
  realtime(): bigint;
  /** CLOCKID_MONOTONIC (and the CPU-time clocks), nanoseconds from an arbitrary origin. */
  monotonic(): bigint;
  /** Resolution reported by clock_res_get, nanoseconds. */
  resolution: bigint;
}

/**
 * Thrown from a host callback to end the guest at once (kill, timeout, output cap). It unwinds through
 * the wasm stack like proc_exit; the runner turns it into a result. Never seen by the guest.
 */
export class WasiKill extends Error {
  constructor(
    readonly reason: 'killed' | 'timeout' | 'output-limit',
    message: string,
  ) {
    super(message);
    this.name = 'WasiKill';
  }
}

/** Thrown by proc_exit to unwind the guest; caught by start(). */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ProcExit';
  }
}
