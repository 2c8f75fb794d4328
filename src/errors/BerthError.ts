/**
 * The base of Berth's own errors. Every subclass carries a stable `code` (also as a static, so callers can
 * write `err.code === NotFoundError.code` or `err instanceof NotFoundError`) and a message that names the
 * offending value, so that a CLI can print `err.message` as it is.
 */
export abstract class BerthError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
