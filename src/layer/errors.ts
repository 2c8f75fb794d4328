import { BerthError } from '../errors/BerthError';

/**
 * A layer tar that cannot be unpacked, or entries that cannot be packed: a path escaping the root, a hard
 * link to a missing target, a truncated or corrupt archive. Nothing is written outside the tree; the tree
 * being built is dropped.
 */
export class InvalidLayerError extends BerthError {
  static readonly code = 'INVALID_LAYER';
  readonly code = InvalidLayerError.code;

  constructor(
    /** The offending tar entry's name as it appears in the archive, when one is to blame. */
    readonly entry: string | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      entry === undefined
        ? `invalid layer: ${reason}`
        : `invalid layer entry ${JSON.stringify(entry)}: ${reason}`,
      options,
    );
  }
}
