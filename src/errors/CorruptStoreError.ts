import { BerthError } from './BerthError';

/** Persisted state that cannot be read back (e.g. an image store file that is not what Berth wrote). */
export class CorruptStoreError extends BerthError {
  static readonly code = 'CORRUPT_STORE';
  readonly code = CorruptStoreError.code;

  constructor(
    /** The file or store, e.g. its path. */
    readonly location: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt store ${location}: ${reason}`, options);
  }
}
