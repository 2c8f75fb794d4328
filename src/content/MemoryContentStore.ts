/**
 * A ContentStore in memory, for the browser and for tests. A blob is kept as the list of chunks it was
 * written in (each copied once on write), so a large blob is never held twice: not concatenated on commit,
 * and only joined when readBytes() asks for one array.
 */
import { NotFoundError } from '../errors/NotFoundError';
import { WriterClosedError } from '../errors/WriterClosedError';
import type { Digest } from '../oci/digest';
import { parseDigest } from '../oci/digest';
import type { HasherFactory } from '../platform/hasher';
import { concatBytes } from '../util/concatBytes';
import { checkRange } from './checkRange';
import { IngestVerifier } from './IngestVerifier';
import type { ContentStore, Expected, Info, ReadRange, Writer } from './types';

export interface MemoryContentStoreOptions {
  /** Streaming SHA-256 (src/node/sha256.ts in Node). */
  hasher: HasherFactory;
  /** The clock for Info.createdAt; defaults to the current time. */
  now?: () => Date;
}

interface Blob {
  chunks: Uint8Array[];
  size: number;
  createdAt: Date;
}

export class MemoryContentStore implements ContentStore {
  private readonly blobs = new Map<Digest, Blob>();
  private readonly hasher: HasherFactory;
  private readonly now: () => Date;

  constructor(options: MemoryContentStoreOptions) {
    this.hasher = options.hasher;
    this.now = options.now ?? (() => new Date());
  }

  async info(digest: Digest): Promise<Info> {
    return this.toInfo(digest, this.get(digest));
  }

  async *read(digest: Digest, range: ReadRange = {}): AsyncIterable<Uint8Array> {
    const blob = this.get(digest);
    checkRange(range);
    const start = range.offset ?? 0;
    const end = range.length === undefined ? blob.size : Math.min(blob.size, start + range.length);
    let at = 0;
    for (const chunk of blob.chunks) {
      const from = Math.max(start - at, 0);
      const to = Math.min(end - at, chunk.length);
      at += chunk.length;
      if (to <= from) {
        if (at >= end) break;
        continue;
      }
      yield chunk.slice(from, to);
    }
  }

  async readBytes(digest: Digest): Promise<Uint8Array> {
    return concatBytes(this.get(digest).chunks);
  }

  async writer(expected: Expected = {}): Promise<Writer> {
    return new MemoryWriter(new IngestVerifier(this.hasher, expected), (digest, chunks, size) =>
      this.publish(digest, chunks, size),
    );
  }

  async list(): Promise<Info[]> {
    return [...this.blobs].map(([digest, blob]) => this.toInfo(digest, blob));
  }

  async delete(digest: Digest): Promise<boolean> {
    return this.blobs.delete(parseDigest(digest));
  }

  private publish(digest: Digest, chunks: Uint8Array[], size: number): Info {
    let blob = this.blobs.get(digest);
    if (blob === undefined) {
      blob = { chunks, size, createdAt: this.now() };
      this.blobs.set(digest, blob);
    }
    return this.toInfo(digest, blob);
  }

  private get(digest: Digest): Blob {
    const blob = this.blobs.get(parseDigest(digest));
    if (blob === undefined) throw new NotFoundError('blob', digest);
    return blob;
  }

  private toInfo(digest: Digest, blob: Blob): Info {
    return { digest, size: blob.size, createdAt: blob.createdAt };
  }
}

class MemoryWriter implements Writer {
  private chunks: Uint8Array[] = [];
  private state: 'open' | 'committed' | 'aborted' | 'failed' = 'open';

  constructor(
    private readonly verifier: IngestVerifier,
    private readonly publish: (digest: Digest, chunks: Uint8Array[], size: number) => Info,
  ) {}

  get expected(): Readonly<Expected> {
    return this.verifier.expected;
  }

  get offset(): number {
    return this.verifier.offset;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.checkOpen();
    if (chunk.length === 0) return;
    try {
      this.verifier.update(chunk);
    } catch (err) {
      this.fail();
      throw err;
    }
    this.chunks.push(chunk.slice());
  }

  async commit(): Promise<Info> {
    this.checkOpen();
    let digest: Digest;
    try {
      digest = this.verifier.finish();
    } catch (err) {
      this.fail();
      throw err;
    }
    this.state = 'committed';
    const chunks = this.chunks;
    this.chunks = [];
    return this.publish(digest, chunks, this.verifier.offset);
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.chunks = [];
  }

  private fail(): void {
    this.state = 'failed';
    this.chunks = [];
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new WriterClosedError(this.verifier.subject, this.state);
  }
}
