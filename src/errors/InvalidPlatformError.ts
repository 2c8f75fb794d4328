import { BerthError } from './BerthError';

/** A platform string that is not `os/architecture[/variant]`. */
export class InvalidPlatformError extends BerthError {
  static readonly code = 'INVALID_PLATFORM';
  readonly code = InvalidPlatformError.code;

  constructor(readonly value: string) {
    super(`invalid platform ${JSON.stringify(value)}: expected os/architecture[/variant], e.g. wasi/wasm`);
  }
}
