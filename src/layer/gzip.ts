/**
 * gzip for layers, isomorphic: the web-standard CompressionStream / DecompressionStream ('gzip'), global in
 * Node 18+ and every current browser, driven as async iterables of chunks so nothing is buffered whole.
 * A host may inject a faster codec with the same shape (src/node/gzip.ts wraps node:zlib directly).
 */
import { InvalidLayerError } from './errors';

/** Turns a stream of chunks into another (a decompressor or compressor); errors of the source pass through. */
export type ChunkTransform = (source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

const noop = (): void => {};

/** RFC 1952: ID1 ID2. */
export function hasGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** RFC 8878 frame magic 0xFD2FB528, little-endian. */
export function hasZstdMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
}

/** Whether an error came from the source iterable (passed on as it is) rather than from the codec. */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `source` through a TransformStream, yielding its output as it comes. The writer side respects the
 * stream's backpressure. If the consumer stops early, the stream is cancelled and the source closed.
 * A failure of the source is rethrown as it is; a failure of the stream itself goes through `wrap`.
 */
async function* throughStream(
  source: AsyncIterable<Uint8Array>,
  stream: ReadableWritablePair<Uint8Array, BufferSource>,
  wrap: (error: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let failure: SourceFailure | undefined;
  const pump = async (): Promise<void> => {
    const input = source[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await input.next();
      } catch (error) {
        failure = new SourceFailure(error);
        await writer.abort(error).catch(noop);
        return;
      }
      if (next.done) break;
      try {
        await writer.ready;
      } catch {
        // The stream failed or was cancelled: the reader reports why. Close the source.
        await input.return?.().catch(noop);
        return;
      }
      writer.write(next.value as Uint8Array<ArrayBuffer>).catch(noop);
    }
    await writer.close().catch(noop);
  };
  const pumping = pump();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (failure !== undefined) throw failure.error;
        throw wrap(error);
      }
      if (result.done) break;
      yield result.value;
    }
    await pumping;
    if (failure !== undefined) throw failure.error;
  } finally {
    reader.cancel().catch(noop);
  }
}

function gzipError(what: string): (error: unknown) => unknown {
  return (error) =>
    new InvalidLayerError(undefined, `${what}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
}

/** Decompresses gzip with DecompressionStream. A corrupt or truncated stream is an InvalidLayerError. */
export const webGunzip: ChunkTransform = (source) =>
  throughStream(source, new DecompressionStream('gzip'), gzipError('gzip decompression failed'));

/** Compresses with CompressionStream('gzip') (zlib's default level in Node and in browsers). */
export const webGzip: ChunkTransform = (source) =>
  throughStream(source, new CompressionStream('gzip'), gzipError('gzip compression failed'));

/**
 * Makes the 10-byte gzip header of a compressor's output canonical, so equal content gives equal bytes
 * on every host: MTIME 0 and OS 255 ("unknown", as Go's compress/gzip writes it). zlib already writes
 * MTIME 0 and no FNAME, but its OS byte depends on the platform it was built for (3 on Unix, 19 on macOS,
 * 10 on Windows). Fails if a header carries optional fields (FLG != 0), which the codecs used here never
 * write.
 */
export async function* canonicalGzipHeader(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of source) {
    if (seen >= 10) {
      yield chunk;
      continue;
    }
    const out = chunk.slice();
    for (let i = 0; i < out.length && seen + i < 10; i++) {
      const at = seen + i;
      if (at === 0 && out[i] !== 0x1f)
        throw new InvalidLayerError(undefined, 'compressor output is not gzip');
      if (at === 3 && out[i] !== 0) {
        throw new InvalidLayerError(
          undefined,
          `compressor wrote gzip header flags 0x${out[i]!.toString(16)}`,
        );
      }
      if (at >= 4 && at <= 7) out[i] = 0;
      if (at === 9) out[i] = 0xff;
    }
    seen += out.length;
    yield out;
  }
}
