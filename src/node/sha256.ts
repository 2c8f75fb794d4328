/** Streaming SHA-256 for Node (node:crypto), the HasherFactory the content stores take. */
import { createHash } from 'node:crypto';
import type { Hasher, HasherFactory } from '../platform/hasher';

export const nodeSha256: HasherFactory = (): Hasher => {
  const hash = createHash('sha256');
  return {
    update(chunk: Uint8Array): void {
      hash.update(chunk);
    },
    digest(): string {
      return `sha256:${hash.digest('hex')}`;
    },
  };
};
