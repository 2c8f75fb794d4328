import { BerthError } from '../errors/BerthError';

/**
 * An OCI layout or docker-save archive that cannot be imported (or images that cannot be exported): a
 * missing or corrupt file, a digest or size that does not match, malformed JSON, a truncated tar. The
 * message names the file and, where one is to blame, the JSON field: `index.json: manifests[0].digest: …`.
 */
export class InvalidArchiveError extends BerthError {
  static readonly code = 'INVALID_ARCHIVE';
  readonly code = InvalidArchiveError.code;

  constructor(
    /** The file inside the layout or archive, e.g. `index.json`, `blobs/sha256/…`, or the archive itself. */
    readonly file: string,
    /** The JSON field (path) at fault, e.g. `manifests[0].digest`, when there is one. */
    readonly field: string | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${field === undefined ? '' : `: ${field}`}: ${reason}`, options);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
