import { BerthError } from './BerthError';

/** An image (or image index) that has nothing for the requested platform. */
export class NoMatchingPlatformError extends BerthError {
  static readonly code = 'NO_MATCHING_PLATFORM';
  readonly code = NoMatchingPlatformError.code;

  constructor(
    /** The requested platform, as `os/architecture[/variant]`. */
    readonly wanted: string,
    /** The platforms that were offered, in the same form. */
    readonly available: readonly string[],
    /** The image, e.g. its digest. */
    readonly subject: string,
  ) {
    super(
      `no ${wanted} image in ${subject}` +
        (available.length > 0 ? ` (it has: ${available.join(', ')})` : ' (it names no platform)'),
    );
  }
}
