import { BerthError } from './BerthError';

/** A content writer used after it was committed, aborted or failed. */
export class WriterClosedError extends BerthError {
  static readonly code = 'WRITER_CLOSED';
  readonly code = WriterClosedError.code;

  constructor(
    /** What the writer was writing: its expected digest, or 'unknown digest'. */
    readonly subject: string,
    readonly state: 'committed' | 'aborted' | 'failed',
  ) {
    super(`writer for ${subject} is closed (${state})`);
  }
}
