/**
 * Container records in IndexedDB (see ContainerStore in src/engine/types.ts), keyed by id with an index
 * on the name. create, update and delete are each one readwrite transaction: the name check and the write
 * happen together, and transactions on one object store run one at a time, in every tab of the origin,
 * so a name is never held twice and a change computed from a stale record is never written.
 */
import { EngineError } from '../../engine/errors';
import { nameConflict, noSuchContainer } from '../../engine/memoryStores';
import type { ContainerRecord, ContainerStore } from '../../engine/types';
import type { BerthDatabase } from './database';

export class IdbContainerStore implements ContainerStore {
  constructor(private readonly db: BerthDatabase) {}

  async get(id: string): Promise<ContainerRecord | undefined> {
    return this.db.get('containers', id);
  }

  async getByName(name: string): Promise<ContainerRecord | undefined> {
    return this.db.getFromIndex('containers', 'name', name);
  }

  async list(): Promise<ContainerRecord[]> {
    const records = await this.db.getAll('containers');
    return records.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  }

  async create(record: ContainerRecord): Promise<ContainerRecord> {
    const stored: ContainerRecord = { ...structuredClone(record), revision: 1 };
    const tx = this.db.transaction('containers', 'readwrite');
    if ((await tx.store.getKey(record.id)) !== undefined) {
      throw new EngineError('conflict', `container ${record.id} exists`);
    }
    const holder = await tx.store.index('name').get(record.name);
    if (holder !== undefined) throw nameConflict(record.name, holder.id);
    await tx.store.add(stored);
    await tx.done;
    return stored;
  }

  async update(
    id: string,
    change: (current: ContainerRecord) => ContainerRecord | undefined,
  ): Promise<ContainerRecord> {
    const tx = this.db.transaction('containers', 'readwrite');
    const current = await tx.store.get(id);
    if (current === undefined) throw noSuchContainer(id);
    const next = change(structuredClone(current));
    if (next === undefined) return current;
    if (next.name !== current.name) {
      const holder = await tx.store.index('name').get(next.name);
      if (holder !== undefined && holder.id !== id) throw nameConflict(next.name, holder.id);
    }
    const stored: ContainerRecord = { ...structuredClone(next), id, revision: current.revision + 1 };
    await tx.store.put(stored);
    await tx.done;
    return stored;
  }

  async delete(id: string): Promise<boolean> {
    const tx = this.db.transaction('containers', 'readwrite');
    const existed = (await tx.store.getKey(id)) !== undefined;
    if (existed) await tx.store.delete(id);
    await tx.done;
    return existed;
  }
}
