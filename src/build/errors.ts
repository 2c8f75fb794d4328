import { BerthError } from '../errors/BerthError';

/**
 * A Dockerfile that cannot be parsed or resolved. The message reads like Docker's own,
 * `Dockerfile:3: FROM requires either one or three arguments`; `line` is the 1-based line where the
 * offending instruction starts (undefined for whole-file problems such as an unknown --target).
 */
export class DockerfileError extends BerthError {
  static readonly code = 'DOCKERFILE';
  readonly code = DockerfileError.code;

  constructor(
    /** The Dockerfile's name as given to the parser (default `Dockerfile`). */
    readonly file: string,
    readonly line: number | undefined,
    /** The message without the `file:line: ` prefix. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`, options);
  }
}

/** A `.dockerignore` line that is not a valid pattern (`!` alone, an unclosed `[`, a trailing `\`). */
export class DockerignoreError extends BerthError {
  static readonly code = 'DOCKERIGNORE';
  readonly code = DockerignoreError.code;

  constructor(
    readonly line: number,
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`.dockerignore:${line}: ${reason}`);
  }
}

/** A glob (Go `filepath.Match` syntax) that is malformed: Go's `ErrBadPattern`. */
export class GlobPatternError extends BerthError {
  static readonly code = 'GLOB_PATTERN';
  readonly code = GlobPatternError.code;

  constructor(readonly pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
  }
}

/** A COPY/ADD whose sources cannot be taken from the build context (missing, excluded, outside it). */
export class BuildContextError extends BerthError {
  static readonly code = 'BUILD_CONTEXT';
  readonly code = BuildContextError.code;

  constructor(reason: string) {
    super(reason);
  }
}
