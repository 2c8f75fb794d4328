/**
 * A ContentStore in IndexedDB (see src/content/types.ts for the contract). A committed blob is one record
 * of the `blobs` object store: digest, size, commit time and the bytes as a Blob, which the browser keeps
 * outside the JavaScript heap (on disk for large ones) and reads back in slices.
 *
 * An ingest collects its chunks as Blobs while they are hashed (IngestVerifier); commit checks size and
 * digest and only then writes the record, in one readwrite transaction that first looks for the digest:
 * a blob is visible whole or not at all, and a second commit of the same content leaves the first.
 */
import { IngestVerifier } from '../../content/IngestVerifier';
import { checkRange } from '../../content/checkRange';
import type { ContentStore, Expected, Info, ReadRange, Writer } from '../../content/types';
import { NotFoundError } from '../../errors/NotFoundError';
import { WriterClosedError } from '../../errors/WriterClosedError';
import { parseDigest, type Digest } from '../../oci/digest';
import type { HasherFactory } from '../../platform/hasher';
import type { BerthDatabase, StoredBlob } from './database';

export interface IdbContentStoreOptions {
  db: BerthDatabase;
  /** Streaming SHA-256. */
  hasher: HasherFactory;
  /** The clock for Info.createdAt; default the current time. */
  now?: () => Date;
}

/** The largest chunk read() yields: big enough to keep the per-slice overhead small. */
const READ_SLICE = 1024 * 1024;

export class IdbContentStore implements ContentStore {
  private readonly db: BerthDatabase;
  private readonly hasher: HasherFactory;
  private readonly now: () => Date;

  constructor(options: IdbContentStoreOptions) {
    this.db = options.db;
    this.hasher = options.hasher;
    this.now = options.now ?? (() => new Date());
  }

  async info(digest: Digest): Promise<Info> {
    return toInfo(await this.get(digest));
  }

  async *read(digest: Digest, range: ReadRange = {}): AsyncIterable<Uint8Array> {
    const blob = await this.get(digest);
    checkRange(range);
    const start = Math.min(range.offset ?? 0, blob.size);
    const end = range.length === undefined ? blob.size : Math.min(blob.size, start + range.length);
    for (let at = start; at < end; at += READ_SLICE) {
      yield await readSlice(blob, at, Math.min(end, at + READ_SLICE));
    }
  }

  async readBytes(digest: Digest): Promise<Uint8Array> {
    const blob = await this.get(digest);
    return readSlice(blob, 0, blob.size);
  }

  async writer(expected: Expected = {}): Promise<Writer> {
    return new IdbWriter(new IngestVerifier(this.hasher, expected), (digest, data) =>
      this.publish(digest, data),
    );
  }

  async list(): Promise<Info[]> {
    return (await this.db.getAll('blobs')).map(toInfo);
  }

  async delete(digest: Digest): Promise<boolean> {
    const key = parseDigest(digest);
    const tx = this.db.transaction('blobs', 'readwrite');
    const existed = (await tx.store.getKey(key)) !== undefined;
    if (existed) await tx.store.delete(key);
    await tx.done;
    return existed;
  }

  /** Stores a verified blob unless the digest is stored already; one transaction. */
  private async publish(digest: Digest, data: Blob): Promise<Info> {
    const tx = this.db.transaction('blobs', 'readwrite');
    let stored = await tx.store.get(digest);
    if (stored === undefined) {
      stored = { digest, size: data.size, createdAt: this.now().getTime(), data };
      await tx.store.put(stored);
    }
    await tx.done;
    return toInfo(stored);
  }

  private async get(digest: Digest): Promise<StoredBlob> {
    const blob = await this.db.get('blobs', parseDigest(digest));
    if (blob === undefined) throw new NotFoundError('blob', digest);
    return blob;
  }
}

function toInfo(blob: StoredBlob): Info {
  return { digest: blob.digest as Digest, size: blob.size, createdAt: new Date(blob.createdAt) };
}

/** Bytes [from, to) of a stored blob. A blob deleted while it is read may fail here: NotFoundError. */
async function readSlice(blob: StoredBlob, from: number, to: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await blob.data.slice(from, to).arrayBuffer());
  } catch {
    throw new NotFoundError('blob', blob.digest);
  }
}

class IdbWriter implements Writer {
  private parts: Blob[] = [];
  private state: 'open' | 'committed' | 'aborted' | 'failed' = 'open';

  constructor(
    private readonly verifier: IngestVerifier,
    private readonly publish: (digest: Digest, data: Blob) => Promise<Info>,
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
    // new Blob copies the bytes: the caller may reuse its buffer.
    this.parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
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
    const data = new Blob(this.parts);
    this.parts = [];
    return this.publish(digest, data);
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.parts = [];
  }

  private fail(): void {
    this.state = 'failed';
    this.parts = [];
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new WriterClosedError(this.verifier.subject, this.state);
  }
}
