/** An ImageStore in IndexedDB: one record per canonical name in the `images` object store. See src/image/types.ts. */
import { byName, makeRecord, toReference } from '../../image/records';
import type { ImageRecord, ImageStore } from '../../image/types';
import type { ImageReference } from '../../oci/reference';
import type { Descriptor } from '../../oci/types';
import type { BerthDatabase } from './database';

export interface IdbImageStoreOptions {
  db: BerthDatabase;
  /** The clock for createdAt/updatedAt; default the current time. */
  now?: () => Date;
}

export class IdbImageStore implements ImageStore {
  private readonly db: BerthDatabase;
  private readonly now: () => Date;

  constructor(options: IdbImageStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
  }

  async get(reference: string | ImageReference): Promise<ImageRecord | undefined> {
    return this.db.get('images', toReference(reference).canonical);
  }

  async list(): Promise<ImageRecord[]> {
    return (await this.db.getAll('images')).sort(byName);
  }

  async put(reference: string | ImageReference, target: Descriptor): Promise<ImageRecord> {
    const ref = toReference(reference);
    const tx = this.db.transaction('images', 'readwrite');
    // makeRecord throws on a bad target before anything is written; the transaction then just ends.
    const record = makeRecord(ref, target, await tx.store.get(ref.canonical), this.now());
    await tx.store.put(record);
    await tx.done;
    return record;
  }

  async delete(reference: string | ImageReference): Promise<boolean> {
    const key = toReference(reference).canonical;
    const tx = this.db.transaction('images', 'readwrite');
    const existed = (await tx.store.getKey(key)) !== undefined;
    if (existed) await tx.store.delete(key);
    await tx.done;
    return existed;
  }
}
