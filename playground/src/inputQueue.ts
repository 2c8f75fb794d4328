/**
 * A container's stdin as the terminal feeds it: lines are pushed as they are typed, close() is end of
 * input (Ctrl-D). The engine reads it as an AsyncIterable and pumps it into the guest (through the
 * SharedArrayBuffer channel when the page is cross-origin isolated, so a guest blocked in read() wakes
 * as soon as a line arrives).
 *
 * One reader: the iterator is taken once. What was pushed before the reader came is kept in order.
 */
export class InputQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private closed = false;
  private wake: (() => void) | undefined;
  private taken = false;

  push(chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Whether a reader has started on it (a run with -i attached it). */
  get attached(): boolean {
    return this.taken;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.taken) throw new Error('InputQueue: stdin has one reader');
    this.taken = true;
    for (;;) {
      const next = this.chunks.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
