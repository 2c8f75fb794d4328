/** Small helpers for streams of chunks (AsyncIterable<Uint8Array>). */
import type { Extract } from 'tar-stream';

export interface Peeked {
  /** The first bytes of the stream (fewer when it is shorter). */
  readonly head: Uint8Array;
  /** The whole stream again, from its first byte. Iterate it at most once. */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Closes the source when `stream` will not be iterated after all. */
  cancel(): Promise<void>;
}

/** Reads the first `want` bytes of a stream without losing them. */
export async function peekBytes(source: AsyncIterable<Uint8Array>, want: number): Promise<Peeked> {
  const input = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  while (have < want) {
    const next = await input.next();
    if (next.done) {
      ended = true;
      break;
    }
    if (next.value.length === 0) continue;
    seen.push(next.value);
    have += next.value.length;
  }
  const head = new Uint8Array(Math.min(have, want));
  let at = 0;
  for (const chunk of seen) {
    if (at >= head.length) break;
    const part = chunk.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    let finished = ended;
    try {
      yield* seen;
      while (!finished) {
        const next = await input.next();
        if (next.done) {
          finished = true;
          break;
        }
        yield next.value;
      }
    } finally {
      if (!finished) await input.return?.();
    }
  }
  return {
    head,
    stream: replay(),
    async cancel(): Promise<void> {
      if (!ended) await input.return?.();
    },
  };
}

/** Resolves when a tar extractor wants more input again (or has closed): write backpressure. */
export function drained(stream: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
