/**
 * Node built-ins that only some commands need, loaded on first use instead of at every start. Loading
 * node:crypto, node:zlib and node:stream costs `berth --version` or a fully cached `berth build` several
 * milliseconds each on a small VM (their code, and the fresh memory it touches), for nothing.
 * node:fs, node:path and node:fs/promises stay ordinary imports: nearly every command uses them.
 */
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

function lazy<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireBuiltin(name) as T);
}

export const nodeCrypto = lazy<typeof import('node:crypto')>('node:crypto');
export const nodeZlib = lazy<typeof import('node:zlib')>('node:zlib');
export const nodeStream = lazy<typeof import('node:stream')>('node:stream');
export const nodeStreamPromises = lazy<typeof import('node:stream/promises')>('node:stream/promises');
export const nodeOs = lazy<typeof import('node:os')>('node:os');

/** `bytes` random bytes as hex: temp-file names, lock tokens, ids. */
export function randomHex(bytes: number): string {
  return nodeCrypto().randomBytes(bytes).toString('hex');
}
