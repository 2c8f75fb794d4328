/**
 * Container records on disk, one directory per container:
 *
 *   <root>/containers/<id>/config.json       the record (replaced whole: writeFileAtomic)
 *   <root>/containers/<id>/upper.tree        its writable layer (DiskWritableLayerStore)
 *   <root>/containers/<id>/<id>-json.log     its output (DiskLogStore)
 *   <root>/containers/names/<name>           the id that holds the name (the name index)
 *   <root>/containers/.lock                  held while a record changes
 *
 * Reads take no lock and see whole records only. Every change (create, update, delete) is a
 * read-modify-write under the lock, across processes, so names stay unique and a change computed from a
 * stale record is never written (update re-reads under the lock; `revision` counts the writes). A
 * directory without config.json (a create killed half-way) is not a container. delete renames the
 * directory out of the way first (`.trash-…`), so a container is gone at once, whole, even if removing
 * its files is interrupted; leftovers are cleared by the next delete.
 *
 * The name index makes create, rename and lookup by name O(1) instead of reading every record. A name
 * file is written before the record that takes the name, and it only counts while the record it points
 * to exists and has that name; so whatever step a crash interrupts, a name is never held twice and a
 * stale name file is simply taken over.
 */
import { mkdir, readdir, readFile, rename, rm, unlink } from './asyncFs';
import { join } from 'node:path';
import { EngineError } from '../engine/errors';
import { nameConflict, noSuchContainer } from '../engine/memoryStores';
import type { ContainerRecord, ContainerStore } from '../engine/types';
import { CorruptStoreError } from '../errors/CorruptStoreError';
import { writeFileAtomic } from './atomicFile';
import { isErrnoCode } from './fsHelpers';
import { withLock } from './lockFile';
import { randomHex } from './lazyBuiltins';

const RECORD = 'config.json';
const ID = /^[a-f0-9]{64}$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class DiskContainerStore implements ContainerStore {
  readonly dir: string;
  private readonly lockFile: string;
  private readonly namesDir: string;

  constructor(root: string) {
    this.dir = join(root, 'containers');
    this.lockFile = join(this.dir, '.lock');
    this.namesDir = join(this.dir, 'names');
  }

  async getByName(name: string): Promise<ContainerRecord | undefined> {
    if (!NAME.test(name)) return undefined;
    const holder = await this.nameHolder(name);
    if (holder !== undefined) return holder;
    // A record the index does not know (written by a Berth without it): look through them all.
    const found = (await this.list()).find((r) => r.name === name);
    if (found) await this.writeName(name, found.id).catch(() => undefined);
    return found;
  }

  /** The record holding `name` by the index, if the index entry is valid. */
  private async nameHolder(name: string): Promise<ContainerRecord | undefined> {
    let id: string;
    try {
      id = (await readFile(join(this.namesDir, name), 'utf8')).trim();
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return undefined;
      throw err;
    }
    const record = ID.test(id) ? await this.read(id) : undefined;
    return record?.name === name ? record : undefined;
  }

  /** Under the lock: throws if another container holds the name (by the index or, for old state, by scan). */
  private async claimName(name: string, id: string): Promise<void> {
    const holder = await this.nameHolder(name);
    if (holder !== undefined && holder.id !== id) throw nameConflict(name, holder.id);
    await this.writeName(name, id);
  }

  private async writeName(name: string, id: string): Promise<void> {
    await mkdir(this.namesDir, { recursive: true });
    await writeFileAtomic(join(this.namesDir, name), `${id}\n`);
  }

  private async releaseName(name: string, id: string): Promise<void> {
    try {
      const holder = (await readFile(join(this.namesDir, name), 'utf8')).trim();
      if (holder === id) await unlink(join(this.namesDir, name));
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
  }

  /** The directory of a container (its writable layer and log live there too). */
  containerDir(id: string): string {
    if (!ID.test(id)) throw new EngineError('invalid-argument', `invalid container id ${JSON.stringify(id)}`);
    return join(this.dir, id);
  }

  async get(id: string): Promise<ContainerRecord | undefined> {
    if (!ID.test(id)) return undefined;
    return this.read(id);
  }

  async list(): Promise<ContainerRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return [];
      throw err;
    }
    const records = await Promise.all(names.filter((n) => ID.test(n)).map((id) => this.read(id)));
    return records
      .filter((r): r is ContainerRecord => r !== undefined)
      .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  }

  async create(record: ContainerRecord): Promise<ContainerRecord> {
    await mkdir(this.dir, { recursive: true });
    if (!NAME.test(record.name)) {
      throw new EngineError('invalid-argument', `invalid container name ${record.name}`);
    }
    return withLock(this.lockFile, async () => {
      if ((await this.read(record.id)) !== undefined) {
        throw new EngineError('conflict', `container ${record.id} exists`);
      }
      await this.claimName(record.name, record.id);
      const stored = { ...record, revision: 1 };
      await mkdir(this.containerDir(record.id), { recursive: true });
      await writeFileAtomic(
        join(this.containerDir(record.id), RECORD),
        JSON.stringify(stored, null, 2) + '\n',
      );
      return stored;
    });
  }

  async update(
    id: string,
    change: (current: ContainerRecord) => ContainerRecord | undefined,
  ): Promise<ContainerRecord> {
    await mkdir(this.dir, { recursive: true });
    return withLock(this.lockFile, async () => {
      const current = await this.read(id);
      if (current === undefined) throw noSuchContainer(id);
      const next = change(structuredClone(current));
      if (next === undefined) return current;
      if (next.name !== current.name) {
        if (!NAME.test(next.name))
          throw new EngineError('invalid-argument', `invalid container name ${next.name}`);
        await this.claimName(next.name, id);
      }
      const stored = { ...next, id, revision: current.revision + 1 };
      // The previous version is a valid state: after a power loss it may come back (see writeFileAtomic).
      await writeFileAtomic(join(this.containerDir(id), RECORD), JSON.stringify(stored, null, 2) + '\n', {
        durable: next.name !== current.name,
      });
      if (next.name !== current.name) await this.releaseName(current.name, id);
      return stored;
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    await mkdir(this.dir, { recursive: true });
    const trash = join(this.dir, `.trash-${id}-${randomHex(4)}`);
    const existed = await withLock(this.lockFile, async () => {
      const current = await this.read(id);
      if (current === undefined) return false;
      await rename(this.containerDir(id), trash);
      await this.releaseName(current.name, id);
      return true;
    });
    if (existed) await rm(trash, { recursive: true, force: true });
    await this.clearTrash();
    return existed;
  }

  private async clearTrash(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) {
      if (n.startsWith('.trash-'))
        await rm(join(this.dir, n), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async read(id: string): Promise<ContainerRecord | undefined> {
    const file = join(this.dir, id, RECORD);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
      throw err;
    }
    let record: ContainerRecord;
    try {
      record = JSON.parse(text) as ContainerRecord;
    } catch (err) {
      throw new CorruptStoreError(file, 'not JSON', { cause: err });
    }
    if (record?.schemaVersion !== 1 || record.id !== id) {
      throw new CorruptStoreError(file, 'not a container record of this id');
    }
    return record;
  }
}
