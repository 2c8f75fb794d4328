import { BerthError } from './BerthError';

/** An image reference that does not follow the distribution reference grammar. */
export class InvalidReferenceError extends BerthError {
  static readonly code = 'INVALID_REFERENCE';
  readonly code = InvalidReferenceError.code;

  constructor(
    /** The rejected reference, as given. */
    readonly value: string,
    reason: string,
  ) {
    super(`invalid reference ${JSON.stringify(value)}: ${reason}`);
  }
}
