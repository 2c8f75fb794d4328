/** The builder's layer cache in IndexedDB: cache key → the step's image (see src/build/cache.ts). */
import { isCacheKey, isImageId, type BuildCache, type CachedStep } from '../../build/cache';
import type { BerthDatabase } from './database';

export class IdbBuildCache implements BuildCache {
  constructor(private readonly db: BerthDatabase) {}

  async get(key: string): Promise<CachedStep | undefined> {
    const entry = await this.db.get('buildCache', key);
    return entry && isImageId(entry.step.image) ? { ...entry.step } : undefined;
  }

  async put(key: string, step: CachedStep): Promise<void> {
    if (!isCacheKey(key)) throw new Error(`IdbBuildCache: not a cache key: ${JSON.stringify(key)}`);
    if (!isImageId(step.image))
      throw new Error(`IdbBuildCache: not an image id: ${JSON.stringify(step.image)}`);
    await this.db.put('buildCache', {
      key,
      step: { image: step.image, ...(isImageId(step.manifest) ? { manifest: step.manifest } : {}) },
    });
  }
}
