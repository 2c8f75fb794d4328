import { DigestMismatchError } from '../errors/DigestMismatchError';
import { SizeMismatchError } from '../errors/SizeMismatchError';
import type { Digest } from '../oci/digest';
import { parseDigest } from '../oci/digest';
import type { Hasher, HasherFactory } from '../platform/hasher';
import type { Expected } from './types';

/**
 * The checks every ContentStore writer makes, shared by the implementations: counts and hashes chunks as
 * they stream through, stops at the first byte past the expected size, and at the end compares the size
 * and the digest. It holds no data, only the running hash.
 */
export class IngestVerifier {
  readonly expected: Readonly<Expected>;
  /** Bytes seen so far. */
  offset = 0;
  private readonly hasher: Hasher;

  constructor(hasherFactory: HasherFactory, expected: Expected = {}) {
    if (expected.digest !== undefined) parseDigest(expected.digest);
    if (expected.size !== undefined && (!Number.isSafeInteger(expected.size) || expected.size < 0)) {
      throw new RangeError(`expected size must be a non-negative integer, got ${expected.size}`);
    }
    this.expected = Object.freeze({ ...expected });
    this.hasher = hasherFactory();
  }

  /** For messages: the expected digest, or 'unknown digest'. */
  get subject(): string {
    return this.expected.digest ?? 'unknown digest';
  }

  /** Accounts for a chunk. Throws SizeMismatchError, before hashing it, if it would pass the expected size. */
  update(chunk: Uint8Array): void {
    const next = this.offset + chunk.length;
    const { size } = this.expected;
    if (size !== undefined && next > size) throw new SizeMismatchError(this.subject, size, next, true);
    this.hasher.update(chunk);
    this.offset = next;
  }

  /** Checks the total size and the digest; returns the actual digest. */
  finish(): Digest {
    const { size, digest } = this.expected;
    if (size !== undefined && this.offset !== size)
      throw new SizeMismatchError(this.subject, size, this.offset);
    const actual = parseDigest(this.hasher.digest());
    if (digest !== undefined && actual !== digest) throw new DigestMismatchError(digest, actual);
    return actual;
  }
}
