/**
 * The layer cache of `berth build`, keyed like Docker's classic builder: a step is reused when an image
 * was built before from the same parent image by the same instruction — the instruction text after
 * variable substitution (for RUN with the build args it runs with, as Docker's `|1 A=b /bin/sh -c …`
 * command line carries them), and for COPY/ADD the content digests of the copied files including their
 * metadata (path, type, mode, size, link target; not the timestamps, as in Docker).
 *
 * The key is a SHA-256 over those parts; the value is the resulting image: its ID (`sha256:…`, the
 * config digest) and its manifest digest (so the image can be read without scanning the image list). A
 * cache only maps keys to images: the builder checks that the image still exists before it trusts an
 * entry, so a stale entry (the image was removed) is a miss, never an error.
 *
 * Implementations: MemoryBuildCache here (browser, tests), DiskBuildCache in src/node (one file per
 * key, written atomically), so that concurrent builds on one state root need no lock: two builds that
 * race on one key both write a valid id and either one may win.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HasherFactory } from '../platform/hasher';

/** What a step made. */
export interface CachedStep {
  /** `sha256:…`: the image ID (config digest). */
  image: string;
  /** `sha256:…`: the image's manifest digest, when known. */
  manifest?: string;
}

export interface BuildCache {
  /** The step stored under `key`, or undefined. */
  get(key: string): Promise<CachedStep | undefined>;
  /** Stores (or replaces) the step for `key`. */
  put(key: string, step: CachedStep): Promise<void>;
}

export class MemoryBuildCache implements BuildCache {
  private readonly entries = new Map<string, CachedStep>();

  async get(key: string): Promise<CachedStep | undefined> {
    const step = this.entries.get(key);
    return step && { ...step };
  }

  async put(key: string, step: CachedStep): Promise<void> {
    this.entries.set(key, { ...step });
  }

  /** Number of entries (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

/** Bump when the meaning of a key changes, so old entries stop matching. */
const KEY_VERSION = 'berth-build-cache-v1';
const utf8 = new TextEncoder();

/**
 * The cache key of one step: 64 hex digits. `parent` is the image the step starts from (its id);
 * `step` the step's command line as recorded in the image history (it contains the substituted
 * instruction, the RUN build args and the COPY/ADD content hash). `hasher` is the host's SHA-256 when
 * it has one: in a fresh process JavaScript SHA-256 runs in V8's interpreter, slower than the native
 * hash by far for the few keys a build makes; the key is the same either way.
 */
export function cacheKey(parent: string, step: string, hasher?: HasherFactory): string {
  const input = utf8.encode(`${KEY_VERSION}\u0000${parent}\u0000${step}`);
  if (hasher === undefined) return bytesToHex(sha256(input));
  const h = hasher();
  h.update(input);
  return h.digest().slice('sha256:'.length);
}

/** Whether `key` looks like a key made by cacheKey (disk caches use it as a file name). */
export function isCacheKey(key: string): boolean {
  return /^[0-9a-f]{64}$/.test(key);
}

/** Whether `id` looks like an image ID or manifest digest: `sha256:` and 64 hex digits. */
export function isImageId(id: unknown): id is string {
  return typeof id === 'string' && /^sha256:[0-9a-f]{64}$/.test(id);
}
