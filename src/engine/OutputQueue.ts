/**
 * A guest's output as an AsyncIterable (StartOptions 'stream'), with backpressure: push() resolves when
 * the reader has taken the chunk, and the guest's output window (runtime/process/spawn.ts) holds the guest
 * back meanwhile. Iterate it once.
 */
export class OutputQueue implements AsyncIterable<Uint8Array> {
  private readonly items: { chunk: Uint8Array; taken: () => void }[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  private abandoned = false;

  push(chunk: Uint8Array): Promise<void> {
    if (this.abandoned) return Promise.resolve();
    return new Promise((taken) => {
      this.items.push({ chunk, taken });
      this.notify();
    });
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const item = this.items.shift();
        if (item !== undefined) {
          item.taken();
          yield item.chunk;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // A reader that stops early must not hold the guest back.
      this.abandoned = true;
      for (const item of this.items.splice(0)) item.taken();
    }
  }
}
