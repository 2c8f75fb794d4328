/**
 * Streaming SHA-256 for Node, the HasherFactory of the Node host. Small inputs (cache keys, configs,
 * manifests: a few hundred bytes) are hashed in JavaScript: loading node:crypto costs a fresh process some
 * 7 ms, more than a cached `berth build` spends on all its hashing otherwise. Past JS_LIMIT bytes a hash
 * moves to node:crypto, many times faster on layers and large files, with the bytes it already took.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Hasher, HasherFactory } from '../platform/hasher';
import { nodeCrypto } from './lazyBuiltins';

const JS_LIMIT = 64 * 1024;

class NodeHasher implements Hasher {
  /** Copies of the chunks so far, while the input is small. */
  private held: Uint8Array[] | undefined = [];
  private heldBytes = 0;
  private native: import('node:crypto').Hash | undefined;

  update(chunk: Uint8Array): void {
    if (this.native !== undefined) {
      this.native.update(chunk);
      return;
    }
    this.held!.push(chunk.slice());
    this.heldBytes += chunk.length;
    if (this.heldBytes > JS_LIMIT) {
      this.native = nodeCrypto().createHash('sha256');
      for (const c of this.held!) this.native.update(c);
      this.held = undefined;
    }
  }

  digest(): string {
    if (this.native !== undefined) return `sha256:${this.native.digest('hex')}`;
    const h = sha256.create();
    for (const c of this.held!) h.update(c);
    this.held = undefined;
    return `sha256:${bytesToHex(h.digest())}`;
  }
}

export const nodeSha256: HasherFactory = (): Hasher => new NodeHasher();
