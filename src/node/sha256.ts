/** Streaming SHA-256 for Node (node:crypto), the HasherFactory the content stores take. */
import type { Hasher, HasherFactory } from '../platform/hasher';
import { nodeCrypto } from './lazyBuiltins';

export const nodeSha256: HasherFactory = (): Hasher => {
  const hash = nodeCrypto().createHash('sha256');
  return {
    update(chunk: Uint8Array): void {
      hash.update(chunk);
    },
    digest(): string {
      return `sha256:${hash.digest('hex')}`;
    },
  };
};
