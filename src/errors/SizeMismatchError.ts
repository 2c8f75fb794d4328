import { BerthError } from './BerthError';

/** Content whose length is not the size it was announced with. Nothing was stored. */
export class SizeMismatchError extends BerthError {
  static readonly code = 'SIZE_MISMATCH';
  readonly code = SizeMismatchError.code;

  constructor(
    /** What the content is, for the message: usually its expected digest. */
    readonly subject: string,
    readonly expected: number,
    /** The bytes seen. When writing was stopped early for going past `expected`, a lower bound. */
    readonly actual: number,
    /** True when `actual` is only a lower bound (the write was cut off once it exceeded `expected`). */
    readonly atLeast = false,
  ) {
    super(
      `size mismatch for ${subject}: expected ${expected} bytes, got ${atLeast ? 'at least ' : ''}${actual}`,
    );
  }
}
