/**
 * Streaming stdin for a guest in a Worker: a single-producer single-consumer ring buffer in a
 * SharedArrayBuffer.
 *
 *   - The worker side (SharedInput) is an InputStream: the guest's fd_read blocks in Atomics.wait until
 *     bytes or EOF arrive, exactly like a blocking read(2) on a pipe.
 *   - The host side (StdinWriter) never blocks: write() queues the bytes and pushes what fits; when the
 *     ring is full it waits for the reader with Atomics.waitAsync (or, where that is missing — older
 *     Firefox —, re-checks on a short timer) and pushes the rest as space frees.
 *
 * Layout: HEADER_INTS Int32 cells, then `capacity` data bytes. HEAD and TAIL are running byte counts
 * (wrapping at 2^32; capacity is far below that, so `tail - head` is the fill level). WSEQ changes on
 * every write and on end() — the reader waits on it; RSEQ changes on every read — the writer waits on it.
 * Reading a sequence number before looking at the state and then waiting on that number closes the
 * lost-wake-up race in both directions.
 *
 * SharedArrayBuffer exists in Node and in cross-origin-isolated pages (COOP + COEP headers). A page that
 * is not isolated has none: there stdin must be given up front (spawn's `stdin: Uint8Array`, served by
 * bufferedInput), and `stdin: 'stream'` fails with an explanation (see sharedStdinAvailable).
 */
import type { InputStream } from '../wasi/host';

const HEAD = 0;
const TAIL = 1;
const EOF = 2;
const WSEQ = 3;
const RSEQ = 4;
const HEADER_INTS = 8;
const HEADER_BYTES = HEADER_INTS * 4;

export const DEFAULT_STDIN_CAPACITY = 64 * 1024;

/** True when this realm can share memory with a worker (Node; browsers only when cross-origin isolated). */
export function sharedStdinAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

export function createStdinBuffer(capacity = DEFAULT_STDIN_CAPACITY): SharedArrayBuffer {
  if (!sharedStdinAvailable()) {
    // Said for the person at `run -i` first; the last clause is for programs calling spawn().
    throw new Error(
      'interactive input (-i) needs a cross-origin isolated page, and this one is not: serve it with ' +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp ' +
        '(API callers: without SharedArrayBuffer stdin can only be given up front, as a Uint8Array)',
    );
  }
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** The worker side: blocking reads for the guest. */
export class SharedInput implements InputStream {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  read(max: number): Uint8Array | null {
    const h = this.header;
    if (max <= 0) return new Uint8Array(0);
    for (;;) {
      const seq = Atomics.load(h, WSEQ);
      const head = Atomics.load(h, HEAD) >>> 0;
      const avail = (Atomics.load(h, TAIL) - head) >>> 0;
      if (avail > 0) {
        const n = Math.min(max, avail);
        const out = new Uint8Array(n);
        const cap = this.data.length;
        const start = head % cap;
        const first = Math.min(n, cap - start);
        out.set(this.data.subarray(start, start + first));
        if (first < n) out.set(this.data.subarray(0, n - first), first);
        // Several processes of a container may read one stdin: the bytes are ours only if HEAD did not
        // move meanwhile (the writer only moves TAIL, so what we copied is still valid then).
        if (Atomics.compareExchange(h, HEAD, head | 0, (head + n) | 0) !== (head | 0)) continue;
        Atomics.add(h, RSEQ, 1);
        Atomics.notify(h, RSEQ);
        return out;
      }
      if (Atomics.load(h, EOF) !== 0) return null;
      Atomics.wait(h, WSEQ, seq);
    }
  }

  ready(timeoutMs: number): boolean {
    const h = this.header;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seq = Atomics.load(h, WSEQ);
      if (Atomics.load(h, TAIL) !== Atomics.load(h, HEAD) || Atomics.load(h, EOF) !== 0) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(h, WSEQ, seq, left);
    }
  }
}

type WaitAsync = (
  typedArray: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** How long the writer sleeps between checks where Atomics.waitAsync is missing. */
const POLL_MS = 4;

/** The host side: queues bytes and feeds the ring without ever blocking the host's thread. */
export class StdinWriter {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private eofSent = false;
  private closed = false;
  private waiting = false;
  private drainWaiters: (() => void)[] = [];

  /**
   * @param highWaterMark write() returns false once this many bytes wait in the queue (the ring itself
   *   not counted): the caller should wait for drained() before writing more, as with a Node stream.
   */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly highWaterMark = 1024 * 1024,
  ) {
    this.header = new Int32Array(buffer, 0, HEADER_INTS);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** Queues a copy of the bytes. False when the caller should wait for drained() before writing more. */
  write(bytes: Uint8Array | string): boolean {
    if (this.ended) throw new Error('stdin: write after end()');
    if (this.closed) return true;
    // A copy (new Uint8Array, not slice(): a Node Buffer's slice() is a view).
    const chunk = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
    if (chunk.length > 0) {
      this.queue.push(chunk);
      this.queued += chunk.length;
      this.pump();
    }
    return this.queued < this.highWaterMark;
  }

  /** Marks end of input: the guest reads EOF once it has taken everything queued before. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.closed) this.pump();
  }

  /** Resolves once the queue is below the high-water mark (at once if it is, or when the run is over). */
  drained(): Promise<void> {
    if (this.closed || this.queued < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Bytes accepted by write() that the ring has not taken yet. */
  get pending(): number {
    return this.queued;
  }

  /** The run is over: drop whatever is queued and stop waiting for the reader. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    this.releaseDrainWaiters();
    // Wakes a pending waitAsync so nothing is left waiting on a buffer nobody reads any more.
    Atomics.add(this.header, RSEQ, 1);
    Atomics.notify(this.header, RSEQ);
  }

  private pump(): void {
    if (this.closed || this.waiting) return;
    const h = this.header;
    const cap = this.data.length;
    // Read before looking at the free space: a read that frees space after this changes it.
    const rseq = Atomics.load(h, RSEQ);
    let tail = Atomics.load(h, TAIL) >>> 0;
    let free = cap - ((tail - (Atomics.load(h, HEAD) >>> 0)) >>> 0);
    let moved = false;
    while (this.queue.length > 0 && free > 0) {
      const chunk = this.queue[0]!;
      const n = Math.min(chunk.length, free);
      const start = tail % cap;
      const first = Math.min(n, cap - start);
      this.data.set(chunk.subarray(0, first), start);
      if (first < n) this.data.set(chunk.subarray(first, n), 0);
      tail = (tail + n) >>> 0;
      free -= n;
      this.queued -= n;
      if (n === chunk.length) this.queue.shift();
      else this.queue[0] = chunk.subarray(n);
      moved = true;
    }
    if (moved) Atomics.store(h, TAIL, tail | 0);
    if (this.queue.length === 0 && this.ended && !this.eofSent) {
      this.eofSent = true;
      Atomics.store(h, EOF, 1);
      moved = true;
    }
    if (moved) {
      Atomics.add(h, WSEQ, 1);
      Atomics.notify(h, WSEQ);
    }
    if (this.queued < this.highWaterMark) this.releaseDrainWaiters();
    if (this.queue.length > 0) this.waitForSpace(rseq);
  }

  private waitForSpace(rseq: number): void {
    this.waiting = true;
    const again = () => {
      this.waiting = false;
      this.pump();
    };
    if (waitAsync) {
      const r = waitAsync(this.header, RSEQ, rseq);
      if (r.async) void r.value.then(again);
      else queueMicrotask(again);
    } else {
      setTimeout(again, POLL_MS);
    }
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Feeds a host stream into a guest's stdin until the stream ends (then EOF for the guest) or the guest
 * does (`finished` settles), waiting for drained() whenever the ring is full. A failing source is end
 * of input for the guest, not an error of the run.
 */
export async function pumpStdin(
  source: AsyncIterable<Uint8Array>,
  sink: Pick<StdinWriter, 'write' | 'drained' | 'end'>,
  finished: Promise<unknown>,
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  const over = finished.then(() => null);
  try {
    for (;;) {
      const next = await Promise.race([it.next(), over]);
      if (next === null) break;
      if (next.done) {
        sink.end();
        return;
      }
      if (!sink.write(next.value)) {
        if ((await Promise.race([sink.drained(), over])) === null) break;
      }
    }
  } catch {
    sink.end();
    return;
  }
  void it.return?.();
}
