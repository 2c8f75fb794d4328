/** An ImageStore in memory (the browser, tests). See types.ts for the rules. */
import type { ImageReference } from '../oci/reference';
import type { Descriptor } from '../oci/types';
import { byName, makeRecord, toReference } from './records';
import type { ImageRecord, ImageStore } from './types';

export interface MemoryImageStoreOptions {
  /** The clock for createdAt/updatedAt; defaults to the current time. */
  now?: () => Date;
}

export class MemoryImageStore implements ImageStore {
  private readonly records = new Map<string, ImageRecord>();
  private readonly now: () => Date;

  constructor(options: MemoryImageStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async get(reference: string | ImageReference): Promise<ImageRecord | undefined> {
    const record = this.records.get(toReference(reference).canonical);
    return record && structuredClone(record);
  }

  async list(): Promise<ImageRecord[]> {
    return [...this.records.values()].sort(byName).map((r) => structuredClone(r));
  }

  async put(reference: string | ImageReference, target: Descriptor): Promise<ImageRecord> {
    const ref = toReference(reference);
    const record = makeRecord(ref, target, this.records.get(ref.canonical), this.now());
    this.records.set(record.name, record);
    return structuredClone(record);
  }

  async delete(reference: string | ImageReference): Promise<boolean> {
    return this.records.delete(toReference(reference).canonical);
  }
}
