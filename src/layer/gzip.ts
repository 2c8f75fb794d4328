/**
 * gzip for layers, isomorphic, as async iterables of chunks so nothing is buffered whole.
 *
 * Compression is fflate's deflate (pure JavaScript) on every host: a layer's gzip bytes, so its digest and
 * the image's manifest digest, must not depend on where it was built. Native deflaters differ: Node
 * bundles Chromium's zlib fork, while a Chromium built against the system zlib (Debian's) deflates the
 * same tar to other bytes, so CompressionStream gave other layer digests in the tab than the CLI in Node.
 *
 * Decompression has one answer whatever the implementation, so it stays native where that is faster:
 * DecompressionStream here, node:zlib in src/node/gzip.ts.
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

/**
 * Compresses with the host's CompressionStream('gzip'). Not for layers: its bytes differ between hosts
 * (see the header); layers use `layerGzip`.
 */
export const webGzip: ChunkTransform = (source) =>
  throughStream(source, new CompressionStream('gzip'), gzipError('gzip compression failed'));

/**
 * The size of the pieces fed to the deflater. fflate's streaming deflate ends a block where a push ends
 * (once 8 KiB or more are pending), so its output depends on how the input was cut: re-cutting every
 * source into pieces of one fixed size makes the output a function of the bytes alone. 64 KiB fills
 * fflate's window buffer (32 KiB lookback + 64 KiB) exactly.
 */
const DEFLATE_PIECE = 64 * 1024;

/** The level of `gzip -6`, zlib's default and Docker's. */
const DEFLATE_LEVEL = 6;

/**
 * gzip for layers on every host: fflate's deflate at level 6, header MTIME 0 and no name (pass the output
 * through canonicalGzipHeader for OS 255, as packLayer does). The same bytes in give the same bytes out in
 * Node and in any browser, whatever chunks the source yields.
 */
export const layerGzip: ChunkTransform = async function* (source) {
  // Loaded on first use: fflate builds its tables when it loads (5 ms of every CLI start on the CI VM),
  // and most commands compress nothing.
  const { Gzip } = await import('fflate');
  const out: Uint8Array[] = [];
  const deflater = new Gzip({ level: DEFLATE_LEVEL, mtime: 0 }, (chunk) => void out.push(chunk));
  const push = (piece: Uint8Array, final: boolean): void => {
    try {
      deflater.push(piece, final);
    } catch (error) {
      throw gzipError('gzip compression failed')(error);
    }
  };
  const pending = new Uint8Array(DEFLATE_PIECE);
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(DEFLATE_PIECE - filled, chunk.length - at);
      pending.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === DEFLATE_PIECE) {
        // fflate copies the piece into its own window before push returns.
        push(pending, false);
        filled = 0;
      }
    }
    if (out.length > 0) yield* out.splice(0);
  }
  push(pending.subarray(0, filled), true);
  yield* out.splice(0);
};

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
