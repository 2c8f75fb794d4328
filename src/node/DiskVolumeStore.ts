/**
 * Named volumes on disk, laid out like Docker's local driver:
 *
 *   <root>/volumes/<name>/_data          the data, mounted into guests as a host directory
 *   <root>/volumes/<name>/volume.json    the record (written atomically, last: it makes the volume exist)
 *   <root>/volumes/.lock                 held while volumes are created or removed
 *
 * remove renames the volume's directory out of the way first (`.trash-…`), so a volume disappears whole.
 */
import { lstat, mkdir, readdir, readFile, rename, rm } from './asyncFs';
import { join } from 'node:path';
import { nodeHostDir } from '../../runtime/node/hostDir';
import { EngineError } from '../engine/errors';
import type { VolumeMount, VolumeRecord, VolumeStore } from '../engine/types';
import { writeFileAtomic } from './atomicFile';
import { isErrnoCode } from './fsHelpers';
import { withLock } from './lockFile';
import { randomHex } from './lazyBuiltins';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class DiskVolumeStore implements VolumeStore {
  readonly dir: string;
  private readonly lockFile: string;

  constructor(
    root: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = join(root, 'volumes');
    this.lockFile = join(this.dir, '.lock');
  }

  private volumeDir(name: string): string {
    if (!NAME.test(name))
      throw new EngineError('invalid-argument', `invalid volume name ${JSON.stringify(name)}`);
    return join(this.dir, name);
  }

  dataDir(name: string): string {
    return join(this.volumeDir(name), '_data');
  }

  async create(
    name: string,
    options: { labels?: Record<string, string>; options?: Record<string, string> },
  ): Promise<{ volume: VolumeRecord; created: boolean }> {
    await mkdir(this.dir, { recursive: true });
    return withLock(this.lockFile, async () => {
      const existing = await this.get(name);
      if (existing) return { volume: existing, created: false };
      const record: VolumeRecord = {
        Name: name,
        Driver: 'local',
        Mountpoint: this.dataDir(name),
        CreatedAt: this.now().toISOString(),
        Labels: { ...options.labels },
        Options: { ...options.options },
        Scope: 'local',
      };
      await mkdir(this.dataDir(name), { recursive: true });
      await writeFileAtomic(
        join(this.volumeDir(name), 'volume.json'),
        JSON.stringify(record, null, 2) + '\n',
      );
      return { volume: record, created: true };
    });
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    if (!NAME.test(name)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.volumeDir(name), 'volume.json'), 'utf8')) as VolumeRecord;
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  async list(): Promise<VolumeRecord[]> {
    const names = await readdir(this.dir).catch((err: unknown) => {
      if (isErrnoCode(err, 'ENOENT')) return [] as string[];
      throw err;
    });
    const records = await Promise.all(names.filter((n) => NAME.test(n)).map((n) => this.get(n)));
    return records.filter((r): r is VolumeRecord => r !== undefined);
  }

  async remove(name: string): Promise<boolean> {
    if (!NAME.test(name)) return false;
    await mkdir(this.dir, { recursive: true });
    const trash = join(this.dir, `.trash-${name}-${randomHex(4)}`);
    const existed = await withLock(this.lockFile, async () => {
      if ((await this.get(name)) === undefined) return false;
      await rename(this.volumeDir(name), trash);
      return true;
    });
    if (existed) await rm(trash, { recursive: true, force: true });
    return existed;
  }

  async mount(name: string, guestPath: string, readOnly: boolean): Promise<VolumeMount> {
    await this.require(name);
    return { spec: { kind: 'host', guestPath, hostPath: this.dataDir(name), readOnly } };
  }

  async open(name: string) {
    await this.require(name);
    return { fs: nodeHostDir(this.dataDir(name)), close: async () => {} };
  }

  async size(name: string): Promise<number> {
    await this.require(name);
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) await walk(p);
        else total += (await lstat(p)).size;
      }
    };
    await walk(this.dataDir(name));
    return total;
  }

  private async require(name: string): Promise<void> {
    if ((await this.get(name)) === undefined)
      throw new EngineError('no-such-volume', `get ${name}: no such volume`);
  }
}
