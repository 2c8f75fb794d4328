import { BerthError } from './BerthError';

/** An OCI/Docker document (index, manifest, image config, descriptor) that does not have the required shape. */
export class InvalidManifestError extends BerthError {
  static readonly code = 'INVALID_MANIFEST';
  readonly code = InvalidManifestError.code;

  constructor(
    /** Which document: e.g. 'image manifest sha256:…', 'image index', 'image config sha256:…'. */
    readonly subject: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid ${subject}: ${reason}`, options);
  }
}
