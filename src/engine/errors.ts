import { BerthError } from '../errors/BerthError';

/**
 * What went wrong, as a CLI needs to tell it apart:
 *   not-found         the command to run does not exist in the container (docker run exits 127)
 *   not-executable    it exists but is not a WebAssembly module, or is a directory (exit 126)
 *   no-such-container / no-such-image / no-such-volume   a name or ID that matches nothing
 *   no-such-path      `cp` of a path that is not in the container (or on the host)
 *   ambiguous         an ID prefix that matches more than one object
 *   conflict          a name in use, a running container that must be stopped first, an image in use
 *   not-running       kill/… of a container that is not running
 *   invalid-argument  a bad option (name, -v spec, platform, …)
 *   unsupported       something Berth cannot do (a bind mount without host directories, …)
 *   internal          anything else
 * Every kind but the first two makes `docker run` exit 125.
 */
export type EngineErrorKind =
  | 'not-found'
  | 'not-executable'
  | 'no-such-container'
  | 'no-such-image'
  | 'no-such-volume'
  | 'no-such-path'
  | 'ambiguous'
  | 'conflict'
  | 'not-running'
  | 'invalid-argument'
  | 'unsupported'
  | 'internal';

/** `docker run`'s exit status for Berth's own failures. */
export const EXIT_ENGINE_ERROR = 125;
/** The command exists but cannot be run. */
export const EXIT_NOT_EXECUTABLE = 126;
/** The command does not exist. */
export const EXIT_NOT_FOUND = 127;

export class EngineError extends BerthError {
  static readonly code = 'ENGINE';
  readonly code = EngineError.code;

  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The exit status `docker run` gives for this error: 127, 126 or 125. */
  get exitCode(): number {
    if (this.kind === 'not-found') return EXIT_NOT_FOUND;
    if (this.kind === 'not-executable') return EXIT_NOT_EXECUTABLE;
    return EXIT_ENGINE_ERROR;
  }
}

/** The exit status for any error thrown by the engine (125 unless it is a not-found/not-executable). */
export function exitCodeOfError(error: unknown): number {
  return error instanceof EngineError ? error.exitCode : EXIT_ENGINE_ERROR;
}
