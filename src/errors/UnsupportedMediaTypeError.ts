import { BerthError } from './BerthError';

/** A descriptor whose media type Berth cannot handle where it was found. */
export class UnsupportedMediaTypeError extends BerthError {
  static readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly code = UnsupportedMediaTypeError.code;

  constructor(
    readonly mediaType: string,
    /** Where it was found, e.g. 'image target sha256:…'. */
    readonly where: string,
  ) {
    super(`unsupported media type ${JSON.stringify(mediaType)} for ${where}`);
  }
}
