/**
 * The build cache on disk: one small file per key, `<root>/buildcache/<key>`, holding the step's image
 * as JSON: `{"image":"sha256:…","manifest":"sha256:…"}`.
 *
 * Writes are atomic (writeFileAtomic: a temporary `*.tmp` file, fsynced, renamed over the key), so a
 * reader sees no entry or a whole one, also after a crash. No lock is taken: two builds writing the same key
 * write equally valid ids and the later rename wins. A file that does not hold an image id (damaged by
 * hand) reads as a miss.
 */
import { mkdir } from './asyncFs';
import { join } from 'node:path';
import { isCacheKey, isImageId, type BuildCache, type CachedStep } from '../build/cache';
import { writeFileAtomic } from './atomicFile';
import { isErrnoCode, readSmallFile } from './fsHelpers';
import { stateRoot } from './stateRoot';

export interface DiskBuildCacheOptions {
  /** The state root; the cache lives in `<root>/buildcache`. Default stateRoot(). */
  root?: string;
}

export class DiskBuildCache implements BuildCache {
  readonly dir: string;

  constructor(options: DiskBuildCacheOptions = {}) {
    this.dir = join(options.root ?? stateRoot(), 'buildcache');
  }

  private file(key: string): string {
    if (!isCacheKey(key)) throw new Error(`DiskBuildCache: not a cache key: ${JSON.stringify(key)}`);
    return join(this.dir, key);
  }

  async get(key: string): Promise<CachedStep | undefined> {
    let text: string;
    try {
      // An entry is some 150 bytes: read it at once rather than through the thread pool (fsHelpers).
      const file = readSmallFile(this.file(key));
      if (file === undefined) return undefined;
      text = file.bytes.toString('utf8');
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return undefined;
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    const { image, manifest } = (value ?? {}) as Record<string, unknown>;
    if (!isImageId(image)) return undefined;
    return isImageId(manifest) ? { image, manifest } : { image };
  }

  async put(key: string, step: CachedStep): Promise<void> {
    if (!isImageId(step.image))
      throw new Error(`DiskBuildCache: not an image id: ${JSON.stringify(step.image)}`);
    const target = this.file(key);
    await mkdir(this.dir, { recursive: true });
    const value: CachedStep = {
      image: step.image,
      ...(isImageId(step.manifest) ? { manifest: step.manifest } : {}),
    };
    await writeFileAtomic(target, `${JSON.stringify(value)}\n`);
  }
}
