/**
 * The content store: immutable blobs addressed by their SHA-256 digest (manifests, indexes, configs,
 * layers). The contract is split into small roles, like containerd's core/content, so that a caller
 * depends only on what it uses (an unpacker on Provider, a puller on Ingester + Provider, the garbage
 * collector on Provider + Manager):
 *
 *   Provider  read committed blobs: info, read (a stream of chunks), readBytes
 *   Ingester  write new blobs: writer() → write()… → commit()
 *   Manager   info, list, delete
 *   ContentStore = Provider & Ingester & Manager
 *
 * # Lifecycle and visibility
 *
 * 1. `writer(expected)` opens an ingest. Nothing of it is visible: info/read/list do not see it, and the
 *    garbage collector cannot remove it.
 * 2. `write(chunk)`… streams the bytes. The store hashes and counts them as they arrive; it does not wait
 *    for the end to start verifying and (for a disk store) does not hold the whole blob in memory.
 * 3. `commit()` checks the size and the digest. On success the blob becomes visible *at once and whole*:
 *    a reader sees either no blob or all of it, never a prefix, even if the process dies at any moment
 *    (a disk store writes to a temporary file and renames it into place). On a mismatch NOTHING is stored
 *    and commit throws DigestMismatchError (naming the expected and actual digests) or SizeMismatchError.
 *    `abort()` discards an ingest; so does any failure.
 * 4. A committed blob never changes. It stays until `delete` (or the garbage collector) removes it.
 *
 * # Ownership
 *
 * - A Writer belongs to the caller that opened it; it is not shared. Its write() calls are applied in call
 *   order (a store queues them), but a caller should await each before sending the next so that
 *   back-pressure works. Chunks passed to write() stay the caller's: the store copies or consumes them
 *   before write() resolves and keeps no reference, so the caller may reuse its buffer afterwards.
 * - Chunks yielded by read() and the array returned by readBytes() belong to the caller (they are fresh
 *   copies, or views nothing else holds), so mutating them cannot corrupt the store.
 * - Blobs belong to the store. Who *needs* a blob is expressed only by references from a root (an image
 *   record's target) through index → manifest → config/layers: see gc.ts. Nothing is reference-counted.
 *
 * # Concurrency
 *
 * - Several writers may ingest the same digest at the same time (two pulls sharing a layer). Each one
 *   verifies its own bytes; the first commit stores the blob and every later commit of the same verified
 *   content succeeds without changing it. Writing content that is already stored is therefore idempotent.
 * - `delete` of a blob that is being read does not corrupt the read: it either completes or fails with
 *   NotFoundError on its first chunk.
 * - A blob committed but not yet referenced from a root can be removed by a concurrent gc(); callers that
 *   pull or build hold off gc until their image record is written (there are no leases yet).
 */
import type { Digest } from '../oci/digest';

/** What the store knows about a committed blob. */
export interface Info {
  digest: Digest;
  /** Bytes. */
  size: number;
  /** When the blob was committed (for a disk store: its file's modification time). */
  createdAt: Date;
}

/**
 * What a writer is expected to receive. A full Descriptor fits. With `digest`, commit verifies it; without
 * one (building a layer whose digest is not known yet) the blob is stored under the digest of what was
 * written. With `size`, a write that goes past it fails at once and commit fails when short of it.
 */
export interface Expected {
  digest?: Digest;
  size?: number;
}

/** An optional byte range of a read: from `offset` (default 0), at most `length` bytes (default: to the end). */
export interface ReadRange {
  offset?: number;
  length?: number;
}

/** Reads committed blobs. */
export interface Provider {
  /** The committed blob's info; throws NotFoundError if there is none. */
  info(digest: Digest): Promise<Info>;
  /**
   * The blob's bytes as a stream of chunks (no chunk is empty; the sizes are the store's choice). A missing
   * blob throws NotFoundError on the first iteration. `range` reads part of it (for resumable transfers);
   * a range past the end yields nothing.
   */
  read(digest: Digest, range?: ReadRange): AsyncIterable<Uint8Array>;
  /** The whole blob in one array; for small blobs (manifests, configs). Throws NotFoundError. */
  readBytes(digest: Digest): Promise<Uint8Array>;
}

/** One ingest in progress, owned by the caller that opened it. */
export interface Writer {
  /** The expectation it was opened with. */
  readonly expected: Readonly<Expected>;
  /** Bytes written so far. */
  readonly offset: number;
  /**
   * Appends a chunk and feeds it to the running digest. Throws SizeMismatchError (and aborts the ingest)
   * as soon as the total passes the expected size; throws WriterClosedError after commit/abort/failure.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Verifies size and digest and publishes the blob (see the lifecycle above). Returns the stored blob's
   * info, also when the same content was stored already. On DigestMismatchError / SizeMismatchError
   * nothing is stored and the ingest is gone. A writer commits at most once.
   */
  commit(): Promise<Info>;
  /** Discards the ingest; harmless after commit or a failure. */
  abort(): Promise<void>;
}

/** Starts ingests. */
export interface Ingester {
  /**
   * Opens an ingest for one blob. It does not fail when the digest is already stored: commit then
   * succeeds idempotently. Callers wanting to skip a download check `info()` first.
   */
  writer(expected?: Expected): Promise<Writer>;
}

/** Lists and removes committed blobs. Ingests in progress are not listed and cannot be deleted. */
export interface Manager {
  info(digest: Digest): Promise<Info>;
  /** Every committed blob, in no particular order. */
  list(): Promise<Info[]>;
  /** Removes a committed blob; returns false when there was none. */
  delete(digest: Digest): Promise<boolean>;
}

/** A complete content store: read, write, list and delete. */
export interface ContentStore extends Provider, Ingester, Manager {}
