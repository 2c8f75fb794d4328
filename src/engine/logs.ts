/**
 * Recording a container's output, Docker json-file style: one entry per line (the newline included),
 * stamped with the time it arrived. A line longer than MAX_LINE is split; the unfinished line at the end of
 * a run is recorded as it is.
 *
 * Writes are coalesced: at most one store write is in flight per container, and the lines that arrive
 * meanwhile go in the next one (a quiet guest's lines wait FLUSH_MS to share a write). So a flood costs a
 * few large writes, not one per line or per chunk.
 *
 * Backpressure, as Docker's json-file driver blocks a container whose logger falls behind: once
 * PENDING_COST worth of lines are waiting, push() returns a promise that resolves when the store has
 * caught up. The engine returns it from the guest's output listener, so it joins the output window (see
 * runtime/process/spawn.ts OutputListener) in holding the guest back. Where nothing holds the guest back
 * (no output window: a page that is not cross-origin isolated) lines pile up past DROP_COST; from there they are dropped, and the log records a stderr line saying how many, rather than
 * growing memory without limit.
 */
import type { Clock, LogEntry, LogStore } from './types';

/** Docker's json-file splits lines at 16 KiB. */
export const MAX_LINE = 16 * 1024;
const FLUSH_MS = 25;
const NEWLINE = 0x0a;
/** What a waiting line costs in memory beyond its bytes (the entry object, its time string). */
const ENTRY_COST = 64;
/** Waiting cost past which push() asks the producer to wait: about 14,000 short lines, or 1 MiB. */
export const PENDING_COST = 1 << 20;
/**
 * Waiting cost past which lines are dropped. Above what the output window can deliver while the guest is
 * held back (OUTPUT_WINDOW_BYTES of chunks, at worst a million one-byte lines), so a guest that is held
 * back never loses a line; reached only when nothing holds the guest back.
 */
const DROP_COST = 96 << 20;

/** RFC 3339 with nine fractional digits, as Docker's log timestamps. */
export function logTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export class LogCapture {
  private readonly partial: Record<LogEntry['stream'], Uint8Array> = {
    stdout: new Uint8Array(0),
    stderr: new Uint8Array(0),
  };
  private pending: LogEntry[] = [];
  private pendingCost = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The one write in flight, if any. */
  private writing: Promise<void> | null = null;
  /** The promise push() hands out while the log is behind, and what settles it. */
  private roomPromise: Promise<void> | null = null;
  private wake: () => void = () => undefined;
  private dropped = 0;
  private failure: unknown;

  constructor(
    private readonly id: string,
    private readonly store: LogStore,
    private readonly clock: Clock,
    /** Called after each batch is stored (wakes `logs -f` readers in this process). */
    private readonly stored: () => void,
    /** The waiting costs (see PENDING_COST, DROP_COST); smaller ones let tests reach them quickly. */
    private readonly limits: { pendingCost: number; dropCost: number } = {
      pendingCost: PENDING_COST,
      dropCost: DROP_COST,
    },
  ) {}

  /**
   * Takes a chunk of output (the bytes are copied). Returns a promise when the log is behind: the
   * producer should wait for it before giving more.
   */
  push(stream: LogEntry['stream'], chunk: Uint8Array): Promise<void> | undefined {
    if (this.overflowing()) {
      // Nobody waited: keep memory bounded, and say so in the log once the store catches up.
      const lines = chunk.reduce((n, b) => (b === NEWLINE ? n + 1 : n), 0);
      this.dropped += Math.max(lines, 1);
      return this.room();
    }
    let buffer = concat(this.partial[stream], chunk);
    const time = logTime(this.clock.now());
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      if (buffer[i] === NEWLINE || i - start + 1 >= MAX_LINE) {
        this.add({ stream, time, data: buffer.slice(start, i + 1) });
        start = i + 1;
      }
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
    this.partial[stream] = buffer;
    if (this.full()) {
      this.flush();
      return this.room();
    }
    if (this.pending.length > 0 && this.timer === undefined && this.writing === null) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, FLUSH_MS);
    }
    return undefined;
  }

  /** Writes the unfinished lines and everything pending; resolves when stored. */
  async close(): Promise<void> {
    const time = logTime(this.clock.now());
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream].length > 0) this.add({ stream, time, data: this.partial[stream] });
      this.partial[stream] = new Uint8Array(0);
    }
    this.noteDropped();
    this.flush();
    while (this.writing !== null) await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  private add(entry: LogEntry): void {
    this.pending.push(entry);
    this.pendingCost += entry.data.length + ENTRY_COST;
  }

  private full(): boolean {
    return this.pendingCost >= this.limits.pendingCost;
  }

  private overflowing(): boolean {
    return this.pendingCost >= this.limits.dropCost;
  }

  private room(): Promise<void> {
    // One promise for every producer waiting at once: a flood of small chunks makes no pile of them.
    return (this.roomPromise ??= new Promise((resolve) => (this.wake = resolve)));
  }

  private noteDropped(): void {
    if (this.dropped === 0) return;
    const note = `[berth: ${this.dropped} lines of output were not logged: the log store fell behind]\n`;
    this.add({ stream: 'stderr', time: logTime(this.clock.now()), data: new TextEncoder().encode(note) });
    this.dropped = 0;
  }

  /** Starts a write of everything pending, unless one is in flight (its end starts the next). */
  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing !== null) return;
    if (!this.overflowing()) this.noteDropped();
    if (this.pending.length === 0) {
      this.release();
      return;
    }
    const batch = this.pending;
    this.pending = [];
    this.pendingCost = 0;
    this.release();
    this.writing = (async () => {
      try {
        await this.store.append(this.id, batch);
        this.stored();
      } catch (e) {
        this.failure ??= e;
      }
      this.writing = null;
      this.flush();
    })();
  }

  /** Wakes the waiting producers (called when the waiting lines have gone into a write). */
  private release(): void {
    this.roomPromise = null;
    this.wake();
    this.wake = () => undefined;
  }
}

/** The last `n` entries of the selected streams. */
export function tailEntries(entries: readonly LogEntry[], tail: number | 'all' | undefined): LogEntry[] {
  if (tail === undefined || tail === 'all' || tail < 0) return [...entries];
  return tail === 0 ? [] : entries.slice(-tail);
}

/**
 * One output listener's result from two: a promise settling when both have (either may be a promise or
 * nothing), or the second's result when the first asks for no wait.
 */
export function bothSettled(log: Promise<void> | undefined, other: unknown): unknown {
  if (log === undefined) return other;
  const isPromise = (other as PromiseLike<unknown> | undefined)?.then !== undefined;
  return isPromise ? Promise.allSettled([log, other]) : log;
}
