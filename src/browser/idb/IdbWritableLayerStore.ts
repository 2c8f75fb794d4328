/** Containers' writable layers in IndexedDB: one MemoryTreeSnapshot per container id, replaced whole by put. */
import type { MemoryTreeSnapshot } from '../../../runtime/fs/MemoryFileSystem';
import { bytesOfSnapshot } from '../../../runtime/process/pool';
import type { WritableLayerStore } from '../../engine/types';
import type { BerthDatabase } from './database';

export class IdbWritableLayerStore implements WritableLayerStore {
  constructor(private readonly db: BerthDatabase) {}

  async get(id: string): Promise<MemoryTreeSnapshot | undefined> {
    return (await this.db.get('layers', id))?.tree;
  }

  async put(id: string, upper: MemoryTreeSnapshot): Promise<void> {
    await this.db.put('layers', { id, tree: upper });
  }

  async delete(id: string): Promise<boolean> {
    const tx = this.db.transaction('layers', 'readwrite');
    const existed = (await tx.store.getKey(id)) !== undefined;
    if (existed) await tx.store.delete(id);
    await tx.done;
    return existed;
  }

  async size(id: string): Promise<number> {
    const layer = await this.get(id);
    return layer ? bytesOfSnapshot(layer) : 0;
  }
}
