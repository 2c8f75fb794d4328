import { BerthError } from './BerthError';

/** A lock (e.g. the image store's lock file) that another process kept holding for too long. */
export class LockTimeoutError extends BerthError {
  static readonly code = 'LOCK_TIMEOUT';
  readonly code = LockTimeoutError.code;

  constructor(
    /** The lock, e.g. its file path. */
    readonly lock: string,
    readonly waitedMs: number,
  ) {
    super(
      `timed out after ${waitedMs} ms waiting for the lock ${lock}; remove it if no berth process is running`,
    );
  }
}
