/**
 * Containers' writable layers on disk: `<root>/containers/<id>/upper.tree` (src/engine/treeCodec.ts),
 * replaced whole and atomically. Nothing is written for a container whose directory is gone (removed
 * meanwhile).
 */
import { readFile, stat, unlink } from './asyncFs';
import { join } from 'node:path';
import type { MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { decodeTree, encodeTree } from '../engine/treeCodec';
import type { WritableLayerStore } from '../engine/types';
import { writeFileAtomic } from './atomicFile';
import { isErrnoCode } from './fsHelpers';

const FILE = 'upper.tree';
const ID = /^[a-f0-9]{64}$/;

export class DiskWritableLayerStore implements WritableLayerStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'containers');
  }

  private file(id: string): string {
    if (!ID.test(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
    return join(this.dir, id, FILE);
  }

  async get(id: string): Promise<MemoryTreeSnapshot | undefined> {
    const file = this.file(id);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return undefined;
      throw err;
    }
    return decodeTree(bytes, `writable layer ${file}`);
  }

  async put(id: string, upper: MemoryTreeSnapshot): Promise<void> {
    try {
      await writeFileAtomic(this.file(id), encodeTree(upper));
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
  }

  async delete(id: string): Promise<boolean> {
    try {
      await unlink(this.file(id));
      return true;
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async size(id: string): Promise<number> {
    try {
      return (await stat(this.file(id))).size;
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return 0;
      throw err;
    }
  }
}
