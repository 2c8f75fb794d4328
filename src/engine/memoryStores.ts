/**
 * The engine's stores in memory, for tests and the browser. Records are copied in and out, so callers
 * can never change stored state by accident. A memory volume is a MemoryFileSystem: a run gets a copy in
 * its worker and the tree it leaves behind replaces the volume's when the run ends (two containers
 * running on one memory volume at the same time: the last to exit wins).
 */
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { bytesOfSnapshot } from '../../runtime/process/pool';
import { EngineError } from './errors';
import type {
  ContainerRecord,
  ContainerStore,
  LogCursor,
  LogEntry,
  LogStore,
  VolumeMount,
  VolumeRecord,
  VolumeStore,
  WritableLayerStore,
} from './types';

export function nameConflict(name: string, id: string): EngineError {
  return new EngineError(
    'conflict',
    `Conflict. The container name "/${name}" is already in use by container "${id}". ` +
      'You have to remove (or rename) that container to be able to reuse that name.',
  );
}

export function noSuchContainer(id: string): EngineError {
  return new EngineError('no-such-container', `No such container: ${id}`);
}

export class MemoryContainerStore implements ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();

  async get(id: string): Promise<ContainerRecord | undefined> {
    const r = this.records.get(id);
    return r && structuredClone(r);
  }

  async getByName(name: string): Promise<ContainerRecord | undefined> {
    for (const r of this.records.values()) if (r.name === name) return structuredClone(r);
    return undefined;
  }

  async list(): Promise<ContainerRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  async create(record: ContainerRecord): Promise<ContainerRecord> {
    if (this.records.has(record.id)) throw new EngineError('conflict', `container ${record.id} exists`);
    this.checkName(record.name, record.id);
    const stored = { ...structuredClone(record), revision: 1 };
    this.records.set(record.id, stored);
    return structuredClone(stored);
  }

  async update(
    id: string,
    change: (current: ContainerRecord) => ContainerRecord | undefined,
  ): Promise<ContainerRecord> {
    const current = this.records.get(id);
    if (current === undefined) throw noSuchContainer(id);
    const next = change(structuredClone(current));
    if (next === undefined) return structuredClone(current);
    if (next.name !== current.name) this.checkName(next.name, id);
    const stored = { ...structuredClone(next), id, revision: current.revision + 1 };
    this.records.set(id, stored);
    return structuredClone(stored);
  }

  async delete(id: string): Promise<boolean> {
    return this.records.delete(id);
  }

  private checkName(name: string, id: string): void {
    for (const r of this.records.values()) if (r.name === name && r.id !== id) throw nameConflict(name, r.id);
  }
}

export class MemoryWritableLayerStore implements WritableLayerStore {
  private readonly layers = new Map<string, MemoryTreeSnapshot>();

  async get(id: string): Promise<MemoryTreeSnapshot | undefined> {
    const s = this.layers.get(id);
    return s && structuredClone(s);
  }

  async put(id: string, upper: MemoryTreeSnapshot): Promise<void> {
    this.layers.set(id, structuredClone(upper));
  }

  async delete(id: string): Promise<boolean> {
    return this.layers.delete(id);
  }

  async size(id: string): Promise<number> {
    const s = this.layers.get(id);
    return s ? bytesOfSnapshot(s) : 0;
  }
}

export class MemoryLogStore implements LogStore {
  private readonly logs = new Map<string, LogEntry[]>();

  async append(id: string, entries: readonly LogEntry[]): Promise<void> {
    let list = this.logs.get(id);
    if (!list) this.logs.set(id, (list = []));
    for (const e of entries) list.push({ stream: e.stream, time: e.time, data: e.data.slice() });
  }

  async read(id: string, cursor: LogCursor = 0): Promise<{ entries: LogEntry[]; cursor: LogCursor }> {
    const list = this.logs.get(id) ?? [];
    return {
      entries: list.slice(cursor).map((e) => ({ ...e, data: e.data.slice() })),
      cursor: list.length,
    };
  }

  async delete(id: string): Promise<void> {
    this.logs.delete(id);
  }
}

export interface MemoryVolumeStoreOptions {
  now?: () => Date;
}

export class MemoryVolumeStore implements VolumeStore {
  private readonly volumes = new Map<string, { record: VolumeRecord; tree: MemoryFileSystem }>();
  private readonly now: () => Date;

  constructor(options: MemoryVolumeStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async create(
    name: string,
    options: { labels?: Record<string, string>; options?: Record<string, string> },
  ): Promise<{ volume: VolumeRecord; created: boolean }> {
    const existing = this.volumes.get(name);
    if (existing) return { volume: structuredClone(existing.record), created: false };
    const record: VolumeRecord = {
      Name: name,
      Driver: 'local',
      Mountpoint: `memory://volumes/${name}`,
      CreatedAt: this.now().toISOString(),
      Labels: { ...options.labels },
      Options: { ...options.options },
      Scope: 'local',
    };
    this.volumes.set(name, { record, tree: new MemoryFileSystem() });
    return { volume: structuredClone(record), created: true };
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    const v = this.volumes.get(name);
    return v && structuredClone(v.record);
  }

  async list(): Promise<VolumeRecord[]> {
    return [...this.volumes.values()].map((v) => structuredClone(v.record));
  }

  async remove(name: string): Promise<boolean> {
    return this.volumes.delete(name);
  }

  async mount(name: string, guestPath: string, readOnly: boolean): Promise<VolumeMount> {
    const entry = this.entry(name);
    return {
      spec: {
        kind: 'memory',
        guestPath,
        snapshot: entry.tree.snapshot(),
        readOnly,
        returnSnapshot: !readOnly,
      },
      keep: async (tree) => {
        const current = this.volumes.get(name);
        if (current) current.tree = MemoryFileSystem.fromSnapshot(tree);
      },
    };
  }

  async open(name: string) {
    return { fs: this.entry(name).tree, close: async () => {} };
  }

  async size(name: string): Promise<number> {
    return bytesOfSnapshot(this.entry(name).tree.snapshot());
  }

  private entry(name: string) {
    const entry = this.volumes.get(name);
    if (!entry) throw new EngineError('no-such-volume', `get ${name}: no such volume`);
    return entry;
  }
}
