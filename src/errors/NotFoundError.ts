import { BerthError } from './BerthError';

/** A blob, image or other named thing that does not exist (or is not visible yet). */
export class NotFoundError extends BerthError {
  static readonly code = 'NOT_FOUND';
  readonly code = NotFoundError.code;

  constructor(
    /** What kind of thing: 'blob', 'image', … */
    readonly kind: string,
    /** Its name or digest. */
    readonly id: string,
  ) {
    super(`${kind} ${id} not found`);
  }
}
