import { BerthError } from './BerthError';

/** A string that is not a digest Berth can use: `sha256:` followed by 64 lowercase hex digits. */
export class InvalidDigestError extends BerthError {
  static readonly code = 'INVALID_DIGEST';
  readonly code = InvalidDigestError.code;

  constructor(
    /** The rejected value, as given. */
    readonly value: string,
    reason: string,
  ) {
    super(`invalid digest ${JSON.stringify(value)}: ${reason}`);
  }
}
