/**
 * A ContentStore in a directory, laid out like an OCI image layout's blob store:
 *
 *   <root>/blobs/sha256/<hex>   committed blobs, one file each, never modified in place
 *   <root>/ingest/<random>      ingests in progress (invisible: nothing reads this folder but cleanup)
 *
 * A writer streams every chunk straight into its own temporary file under ingest/ (nothing is buffered
 * beyond the chunk being written) while hashing it. commit() checks size and digest, fsyncs the file,
 * renames it to its blob path (atomic within one filesystem, and ingest/ is next to blobs/) and fsyncs
 * the directory. So a process killed at any moment (kill -9) leaves either no blob or the whole blob;
 * what it leaves behind is an orphan in ingest/, which removeStaleIngests() clears. A digest or size
 * mismatch, an abort or a failed write removes the temporary file.
 *
 * Several processes may share a root: temporary names are random, a rename over an existing blob replaces
 * it with identical bytes, and readers holding a blob open keep reading it after a delete (POSIX).
 */
import { statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from './asyncFs';
import type { FileHandle } from './asyncFs';
import { join } from 'node:path';
import { checkRange } from '../content/checkRange';
import { IngestVerifier } from '../content/IngestVerifier';
import type { ContentStore, Expected, Info, ReadRange, Writer } from '../content/types';
import { NotFoundError } from '../errors/NotFoundError';
import { WriterClosedError } from '../errors/WriterClosedError';
import type { Digest } from '../oci/digest';
import { digestHex, parseDigest } from '../oci/digest';
import type { HasherFactory } from '../platform/hasher';
import { nodeSha256 } from './sha256';
import { isErrnoCode, readSmallFile, syncDirectory } from './fsHelpers';
import { stateRoot } from './stateRoot';
import { randomHex } from './lazyBuiltins';

export interface DiskContentStoreOptions {
  /** The store's directory; default stateRoot() (`$BERTH_ROOT` or `~/.local/share/berth`). Created on demand. */
  root?: string;
  /** Streaming SHA-256; default node:crypto. */
  hasher?: HasherFactory;
}

/** Chunk size of read(). */
export const READ_CHUNK_SIZE = 64 * 1024;
/** removeStaleIngests() default: an ingest untouched this long belongs to a dead process. */
export const STALE_INGEST_AGE_MS = 24 * 60 * 60 * 1000;

const HEX64 = /^[a-f0-9]{64}$/;

export class DiskContentStore implements ContentStore {
  readonly root: string;
  readonly blobsDir: string;
  readonly ingestDir: string;
  private readonly hasher: HasherFactory;

  constructor(options: DiskContentStoreOptions = {}) {
    this.root = options.root ?? stateRoot();
    this.blobsDir = join(this.root, 'blobs', 'sha256');
    this.ingestDir = join(this.root, 'ingest');
    this.hasher = options.hasher ?? nodeSha256;
  }

  /** The file of a committed blob (whether or not it exists). */
  blobPath(digest: Digest): string {
    return join(this.blobsDir, digestHex(parseDigest(digest)));
  }

  async info(digest: Digest): Promise<Info> {
    const path = this.blobPath(digest);
    try {
      // One stat syscall: cheaper than its round trip through the thread pool (see fsHelpers).
      const s = statSync(path);
      return { digest, size: s.size, createdAt: s.mtime };
    } catch (err) {
      throw notFound(err, digest);
    }
  }

  async *read(digest: Digest, range: ReadRange = {}): AsyncIterable<Uint8Array> {
    const path = this.blobPath(digest);
    checkRange(range);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      throw notFound(err, digest);
    }
    try {
      let position = range.offset ?? 0;
      let remaining = range.length ?? Infinity;
      while (remaining > 0) {
        const buffer = new Uint8Array(Math.min(READ_CHUNK_SIZE, remaining));
        const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        remaining -= bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }

  async readBytes(digest: Digest): Promise<Uint8Array> {
    const path = this.blobPath(digest);
    try {
      // Manifests and configs (a few KB) synchronously, layers through the thread pool (fsHelpers).
      const b = readSmallFile(path)?.bytes ?? (await readFile(path));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      throw notFound(err, digest);
    }
  }

  async writer(expected: Expected = {}): Promise<Writer> {
    const verifier = new IngestVerifier(this.hasher, expected);
    await mkdir(this.ingestDir, { recursive: true });
    const tempPath = join(this.ingestDir, randomHex(16));
    const fh = await open(tempPath, 'wx', 0o644);
    return new DiskWriter(verifier, fh, tempPath, (digest) => this.publish(digest, tempPath));
  }

  async list(): Promise<Info[]> {
    let names: string[];
    try {
      names = await readdir(this.blobsDir);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return [];
      throw err;
    }
    const out: Info[] = [];
    for (const name of names) {
      if (!HEX64.test(name)) continue;
      try {
        out.push(await this.info(`sha256:${name}` as Digest));
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err; // deleted meanwhile
      }
    }
    return out;
  }

  async delete(digest: Digest): Promise<boolean> {
    try {
      await unlink(this.blobPath(digest));
      return true;
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /**
   * Removes temporary files left in ingest/ by processes that died mid-write: those not modified for
   * `olderThanMs`. A live writer touches its file on every chunk, so the default day is far on the safe
   * side. Returns how many were removed.
   */
  async removeStaleIngests(olderThanMs = STALE_INGEST_AGE_MS, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.ingestDir);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.ingestDir, name);
      try {
        if (now - (await stat(path)).mtimeMs < olderThanMs) continue;
        await unlink(path);
        removed++;
      } catch (err) {
        if (!isErrnoCode(err, 'ENOENT')) throw err;
      }
    }
    return removed;
  }

  /** Moves a verified, fsynced temporary file into place (or drops it when the blob exists already). */
  private async publish(digest: Digest, tempPath: string): Promise<Info> {
    let existing: Info | undefined;
    try {
      existing = await this.info(digest);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (existing !== undefined) {
      await unlink(tempPath);
      return existing;
    }
    await mkdir(this.blobsDir, { recursive: true });
    await rename(tempPath, this.blobPath(digest));
    await syncDirectory(this.blobsDir);
    return this.info(digest);
  }
}

class DiskWriter implements Writer {
  private state: 'open' | 'committing' | 'committed' | 'aborted' | 'failed' = 'open';
  /** The queue of pending writes; never rejects (each write's own promise carries its error). */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly verifier: IngestVerifier,
    private readonly fh: FileHandle,
    private readonly tempPath: string,
    private readonly publish: (digest: Digest) => Promise<Info>,
  ) {}

  get expected(): Readonly<Expected> {
    return this.verifier.expected;
  }

  get offset(): number {
    return this.verifier.offset;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const run = this.queue.then(async () => {
      // An earlier queued write may have failed, or abort() may have come in meanwhile.
      if (this.state === 'failed' || this.state === 'aborted') throw this.closedError();
      if (chunk.length === 0) return;
      try {
        this.verifier.update(chunk);
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await this.fh.write(chunk, done, chunk.length - done);
          done += bytesWritten;
        }
      } catch (err) {
        await this.discard('failed');
        throw err;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async commit(): Promise<Info> {
    if (this.state !== 'open') throw this.closedError();
    this.state = 'committing';
    await this.queue; // the writes sent before commit()
    if (this.isFailed()) throw this.closedError();
    try {
      const digest = this.verifier.finish();
      await this.fh.sync();
      await this.close();
      const info = await this.publish(digest);
      this.state = 'committed';
      return info;
    } catch (err) {
      await this.discard('failed');
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.queue;
    await this.discard('aborted');
  }

  private isFailed(): boolean {
    return this.state === 'failed';
  }

  private closedError(): WriterClosedError {
    const shown = this.state === 'open' || this.state === 'committing' ? 'committed' : this.state;
    return new WriterClosedError(this.verifier.subject, shown);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  /** Closes and removes the temporary file; the writer ends in `state`. */
  private async discard(state: 'aborted' | 'failed'): Promise<void> {
    this.state = state;
    try {
      await this.close();
    } catch {
      // the file is being removed anyway
    }
    try {
      await unlink(this.tempPath);
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
  }
}

function notFound(err: unknown, digest: Digest): unknown {
  return isErrnoCode(err, 'ENOENT') ? new NotFoundError('blob', digest) : err;
}
