/**
 * Recording a container's output, Docker json-file style: one entry per line (the newline included),
 * stamped with the time it arrived. A line longer than MAX_LINE is split; the unfinished line at the end of
 * a run is recorded as it is. Entries are appended in batches (every FLUSH_MS while output flows) so a
 * chatty guest does not cost a store write per line; close() writes what is left.
 */
import type { Clock, LogEntry, LogStore } from './types';

/** Docker's json-file splits lines at 16 KiB. */
export const MAX_LINE = 16 * 1024;
const FLUSH_MS = 25;
const NEWLINE = 0x0a;

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
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly id: string,
    private readonly store: LogStore,
    private readonly clock: Clock,
    /** Called after each batch is stored (wakes `logs -f` readers in this process). */
    private readonly stored: () => void,
  ) {}

  /** Takes a chunk of output (the bytes are copied). */
  push(stream: LogEntry['stream'], chunk: Uint8Array): void {
    let buffer = concat(this.partial[stream], chunk);
    const time = logTime(this.clock.now());
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      if (buffer[i] === NEWLINE || i - start + 1 >= MAX_LINE) {
        this.pending.push({ stream, time, data: buffer.slice(start, i + 1) });
        start = i + 1;
      }
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
    this.partial[stream] = buffer;
    if (this.pending.length > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, FLUSH_MS);
    }
  }

  /** Writes the unfinished lines and everything pending; resolves when stored. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const time = logTime(this.clock.now());
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream].length > 0) this.pending.push({ stream, time, data: this.partial[stream] });
      this.partial[stream] = new Uint8Array(0);
    }
    this.flush();
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      try {
        await this.store.append(this.id, batch);
        this.stored();
      } catch (e) {
        this.failure ??= e;
      }
    });
  }
}

/** The last `n` entries of the selected streams. */
export function tailEntries(entries: readonly LogEntry[], tail: number | 'all' | undefined): LogEntry[] {
  if (tail === undefined || tail === 'all' || tail < 0) return [...entries];
  return tail === 0 ? [] : entries.slice(-tail);
}
