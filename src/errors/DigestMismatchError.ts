import { BerthError } from './BerthError';

/** Content whose SHA-256 is not the digest it was announced with. Nothing was stored. */
export class DigestMismatchError extends BerthError {
  static readonly code = 'DIGEST_MISMATCH';
  readonly code = DigestMismatchError.code;

  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest mismatch: expected ${expected}, got ${actual}`);
  }
}
