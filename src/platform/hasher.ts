/**
 * Streaming SHA-256, injected by the host: Node's node:crypto (src/node/sha256.ts) or, in the browser, a
 * JavaScript implementation (WebCrypto's subtle.digest cannot hash incrementally).
 *
 * Types only: this folder imports nothing and holds no code.
 */

/**
 * One running SHA-256 computation. Feed it with update() in order, then call digest() once; a Hasher is
 * not reusable after digest(). update() must not keep a reference to `chunk` after it returns (the caller
 * may reuse the buffer).
 */
export interface Hasher {
  update(chunk: Uint8Array): void;
  /** The result as an OCI digest string: `sha256:` followed by 64 lowercase hex digits. */
  digest(): string;
}

/** Makes a fresh Hasher; each call is independent, so concurrent writers each get their own. */
export type HasherFactory = () => Hasher;
