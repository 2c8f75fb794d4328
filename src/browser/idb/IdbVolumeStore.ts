/**
 * Named volumes in IndexedDB: the record and the volume's tree (a MemoryTreeSnapshot) in one value. As
 * with memory volumes (src/engine/memoryStores.ts), a run gets a copy of the tree in its worker and the
 * tree it leaves behind replaces the stored one when it ends: two containers writing one volume at the
 * same time, the last to exit wins.
 */
import { MemoryFileSystem } from '../../../runtime/fs/MemoryFileSystem';
import { bytesOfSnapshot } from '../../../runtime/process/pool';
import { EngineError } from '../../engine/errors';
import type { VolumeMount, VolumeRecord, VolumeStore } from '../../engine/types';
import type { BerthDatabase, StoredVolume } from './database';

export interface IdbVolumeStoreOptions {
  db: BerthDatabase;
  now?: () => Date;
}

export class IdbVolumeStore implements VolumeStore {
  private readonly db: BerthDatabase;
  private readonly now: () => Date;

  constructor(options: IdbVolumeStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
  }

  async create(
    name: string,
    options: { labels?: Record<string, string>; options?: Record<string, string> },
  ): Promise<{ volume: VolumeRecord; created: boolean }> {
    const tx = this.db.transaction('volumes', 'readwrite');
    const existing = await tx.store.get(name);
    if (existing) return { volume: existing.record, created: false };
    const record: VolumeRecord = {
      Name: name,
      Driver: 'local',
      Mountpoint: `indexeddb://${this.db.name}/volumes/${name}`,
      CreatedAt: this.now().toISOString(),
      Labels: { ...options.labels },
      Options: { ...options.options },
      Scope: 'local',
    };
    await tx.store.add({ name, record, tree: new MemoryFileSystem().snapshot() });
    await tx.done;
    return { volume: record, created: true };
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    return (await this.db.get('volumes', name))?.record;
  }

  async list(): Promise<VolumeRecord[]> {
    return (await this.db.getAll('volumes')).map((v) => v.record);
  }

  async remove(name: string): Promise<boolean> {
    const tx = this.db.transaction('volumes', 'readwrite');
    const existed = (await tx.store.getKey(name)) !== undefined;
    if (existed) await tx.store.delete(name);
    await tx.done;
    return existed;
  }

  async mount(name: string, guestPath: string, readOnly: boolean): Promise<VolumeMount> {
    const volume = await this.entry(name);
    return {
      spec: { kind: 'memory', guestPath, snapshot: volume.tree, readOnly, returnSnapshot: !readOnly },
      keep: (tree) => this.keep(name, tree),
    };
  }

  async open(name: string) {
    const fs = MemoryFileSystem.fromSnapshot((await this.entry(name)).tree);
    return { fs, close: () => this.keep(name, fs.snapshot()) };
  }

  async size(name: string): Promise<number> {
    return bytesOfSnapshot((await this.entry(name)).tree);
  }

  /** Replaces the volume's tree, unless the volume was removed meanwhile. */
  private async keep(name: string, tree: StoredVolume['tree']): Promise<void> {
    const tx = this.db.transaction('volumes', 'readwrite');
    const current = await tx.store.get(name);
    if (current) await tx.store.put({ ...current, tree });
    await tx.done;
  }

  private async entry(name: string): Promise<StoredVolume> {
    const volume = await this.db.get('volumes', name);
    if (!volume) throw new EngineError('no-such-volume', `get ${name}: no such volume`);
    return volume;
  }
}
