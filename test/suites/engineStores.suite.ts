/**
 * The contracts of the engine's record stores (src/engine/types.ts: ContainerStore, WritableLayerStore,
 * LogStore, VolumeStore; src/build/cache.ts: BuildCache), run against every implementation: memory and
 * disk in Node (test/engine/engineStores.test.ts), IndexedDB in Chromium
 * (test/browser/inpage/stores.inpage.ts). Host-neutral: no Node built-ins.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import type { BuildCache } from '../../src/build/cache';
import { EngineError } from '../../src/engine/errors';
import { LogCapture, tailEntries } from '../../src/engine/logs';
import {
  ZERO_TIME,
  type ContainerRecord,
  type ContainerStore,
  type LogEntry,
  type LogStore,
  type VolumeStore,
  type WritableLayerStore,
} from '../../src/engine/types';
import type { Digest } from '../../src/oci/digest';

export interface EngineStoresFixture {
  containers: ContainerStore;
  layers: WritableLayerStore;
  logs: LogStore;
  volumes: VolumeStore;
  buildCache: BuildCache;
  /** The same stores opened again on the same state (a new process, a reloaded page). */
  reopen?: () => Promise<Omit<EngineStoresFixture, 'reopen' | 'cleanup'>>;
  cleanup?: () => void | Promise<void>;
}

const utf8 = new TextEncoder();
const hex = (c: string) => c.repeat(64);

export function containerRecord(id: string, name: string, created: string): ContainerRecord {
  return {
    schemaVersion: 1,
    id,
    name,
    created,
    image: 'hello',
    imageId: `sha256:${hex('e')}` as Digest,
    manifest: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${hex('f')}` as Digest,
      size: 10,
    },
    layers: [],
    path: '/hello.wasm',
    args: [],
    config: {
      Hostname: id.slice(0, 12),
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['A=1'],
      Cmd: null,
      Image: 'hello',
      Volumes: null,
      WorkingDir: '/',
      Entrypoint: ['/hello.wasm'],
      Labels: {},
    },
    hostConfig: {
      Binds: null,
      Memory: 0,
      ReadonlyRootfs: false,
      Runtime: 'berth',
      AutoRemove: false,
      NetworkMode: 'none',
    },
    mounts: [],
    state: {
      Status: 'created',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: ZERO_TIME,
      FinishedAt: ZERO_TIME,
    },
    restartCount: 0,
    platform: 'wasi/wasm',
    revision: 0,
  };
}

function tree(files: Record<string, string>): MemoryTreeSnapshot {
  const fs = MemoryFileSystem.fromJSON(files);
  return fs.snapshot();
}

function filesOf(snapshot: MemoryTreeSnapshot): Record<string, string> {
  const fs = MemoryFileSystem.fromSnapshot(snapshot);
  const out: Record<string, string> = {};
  for (const [path, data] of Object.entries(fs.toJSON())) if (data !== null) out[path] = data;
  return out;
}

/** A file of a volume, through VolumeStore.open. */
async function volumeText(volumes: VolumeStore, name: string, file: string): Promise<string> {
  const { fs, close } = await volumes.open(name);
  try {
    const node = fs.lookup(fs.root(), file);
    if (typeof node === 'number') throw new Error(`lookup ${file}: errno ${node}`);
    const handle = fs.open(node, { read: true, write: false });
    if (typeof handle === 'number') throw new Error(`open ${file}: errno ${handle}`);
    const bytes = new Uint8Array(handle.size());
    handle.pread(bytes, 0);
    handle.close();
    return new TextDecoder().decode(bytes);
  } finally {
    await close();
  }
}

async function engineError(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

export function runEngineStoresSuite(
  name: string,
  factory: () => EngineStoresFixture | Promise<EngineStoresFixture>,
): void {
  describe(`engine stores contract: ${name}`, () => {
    let f: EngineStoresFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(async () => f.cleanup?.());

    describe('ContainerStore', () => {
      it('should create records at revision 1 and list them oldest first', async () => {
        // Created one after another, as the engine does (ids in no particular order).
        await f.containers.create(containerRecord(hex('c'), 'sea', '2026-01-01T00:00:01Z'));
        const b = await f.containers.create(containerRecord(hex('b'), 'bee', '2026-01-01T00:00:02Z'));
        await f.containers.create(containerRecord(hex('a'), 'ay', '2026-01-01T00:00:03Z'));
        expect(b.revision).toBe(1);
        expect((await f.containers.list()).map((r) => r.name)).toEqual(['sea', 'bee', 'ay']);
        expect((await f.containers.get(hex('b')))?.config.Env).toEqual(['A=1']);
        expect((await f.containers.getByName('ay'))?.id).toBe(hex('a'));
        expect(await f.containers.getByName('nobody')).toBeUndefined();
        expect(await f.containers.get(hex('d'))).toBeUndefined();
      });

      it('should refuse a taken name, on create and on rename, naming the holder', async () => {
        await f.containers.create(containerRecord(hex('a'), 'web', '2026-01-01T00:00:01Z'));
        await f.containers.create(containerRecord(hex('b'), 'db', '2026-01-01T00:00:02Z'));
        const onCreate = await engineError(
          f.containers.create(containerRecord(hex('c'), 'web', '2026-01-01T00:00:03Z')),
        );
        expect(onCreate.kind).toBe('conflict');
        expect(onCreate.message).toContain(hex('a'));
        const onRename = await engineError(f.containers.update(hex('b'), (r) => ({ ...r, name: 'web' })));
        expect(onRename.kind).toBe('conflict');
        expect((await f.containers.get(hex('b')))?.name).toBe('db');
        expect(await f.containers.list()).toHaveLength(2);
      });

      it('should bump the revision on update, keep the record on no change, and free a name on rename', async () => {
        await f.containers.create(containerRecord(hex('a'), 'one', '2026-01-01T00:00:01Z'));
        const same = await f.containers.update(hex('a'), () => undefined);
        expect(same.revision).toBe(1);
        const renamed = await f.containers.update(hex('a'), (r) => ({ ...r, name: 'two', id: hex('z') }));
        expect(renamed).toMatchObject({ id: hex('a'), name: 'two', revision: 2 });
        expect(await f.containers.getByName('one')).toBeUndefined();
        await f.containers.create(containerRecord(hex('b'), 'one', '2026-01-01T00:00:02Z'));
        const missing = await engineError(f.containers.update(hex('9'), (r) => r));
        expect(missing.kind).toBe('no-such-container');
      });

      it('should apply concurrent updates one after another (no lost update)', async () => {
        await f.containers.create(containerRecord(hex('a'), 'counter', '2026-01-01T00:00:01Z'));
        await Promise.all(
          Array.from({ length: 20 }, () =>
            f.containers.update(hex('a'), (r) => ({ ...r, restartCount: r.restartCount + 1 })),
          ),
        );
        const r = await f.containers.get(hex('a'));
        expect(r?.restartCount).toBe(20);
        expect(r?.revision).toBe(21);
      });

      it('should hand out copies and delete records', async () => {
        const created = await f.containers.create(containerRecord(hex('a'), 'xx', '2026-01-01T00:00:01Z'));
        created.config.Env.push('B=2');
        (await f.containers.get(hex('a')))!.config.Env.push('C=3');
        expect((await f.containers.get(hex('a')))?.config.Env).toEqual(['A=1']);
        expect(await f.containers.delete(hex('a'))).toBe(true);
        expect(await f.containers.delete(hex('a'))).toBe(false);
        expect(await f.containers.getByName('xx')).toBeUndefined();
      });
    });

    /** Layers and logs belong to containers: their records come first, as in the engine. */
    const withContainers = async (...ids: string[]) => {
      for (const [i, id] of ids.entries()) {
        await f.containers.create(containerRecord(id, `c${i}${id.slice(0, 4)}`, `2026-01-01T00:00:0${i}Z`));
      }
    };

    describe('WritableLayerStore', () => {
      it('should keep a layer whole, replace it on put, and report its size', async () => {
        await withContainers(hex('a'));
        expect(await f.layers.get(hex('a'))).toBeUndefined();
        expect(await f.layers.size(hex('a'))).toBe(0);
        await f.layers.put(hex('a'), tree({ '/etc/motd': 'hello\n', '/data/x': 'xyz' }));
        expect(filesOf((await f.layers.get(hex('a')))!)).toEqual({
          '/etc/motd': 'hello\n',
          '/data/x': 'xyz',
        });
        expect(await f.layers.size(hex('a'))).toBeGreaterThanOrEqual(9);
        await f.layers.put(hex('a'), tree({ '/only': '1' }));
        expect(filesOf((await f.layers.get(hex('a')))!)).toEqual({ '/only': '1' });
        expect(await f.layers.delete(hex('a'))).toBe(true);
        expect(await f.layers.delete(hex('a'))).toBe(false);
        expect(await f.layers.get(hex('a'))).toBeUndefined();
      });
    });

    describe('LogStore', () => {
      const entry = (stream: 'stdout' | 'stderr', text: string, s: number) => ({
        stream,
        time: `2026-01-01T00:00:0${s}.000000000Z`,
        data: utf8.encode(text),
      });

      it('should read entries in order, per container, and continue from a cursor', async () => {
        await withContainers(hex('a'), hex('b'), hex('c'));
        await f.logs.append(hex('a'), [entry('stdout', 'one\n', 1), entry('stderr', 'two\n', 2)]);
        await f.logs.append(hex('b'), [entry('stdout', 'other\n', 1)]);
        const first = await f.logs.read(hex('a'));
        expect(first.entries.map((e) => [e.stream, new TextDecoder().decode(e.data), e.time])).toEqual([
          ['stdout', 'one\n', '2026-01-01T00:00:01.000000000Z'],
          ['stderr', 'two\n', '2026-01-01T00:00:02.000000000Z'],
        ]);
        await f.logs.append(hex('a'), [entry('stdout', 'three\n', 3)]);
        const next = await f.logs.read(hex('a'), first.cursor);
        expect(next.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['three\n']);
        expect((await f.logs.read(hex('a'), next.cursor)).entries).toEqual([]);
        expect((await f.logs.read(hex('b'))).entries).toHaveLength(1);
        expect((await f.logs.read(hex('c'))).entries).toEqual([]);
      });

      it('should delete one container log only', async () => {
        await withContainers(hex('a'), hex('b'));
        await f.logs.append(hex('a'), [entry('stdout', 'a\n', 1)]);
        await f.logs.append(hex('b'), [entry('stdout', 'b\n', 1)]);
        await f.logs.delete(hex('a'));
        expect((await f.logs.read(hex('a'))).entries).toEqual([]);
        expect((await f.logs.read(hex('b'))).entries).toHaveLength(1);
      });

      /** Lines `prefix1\n` .. `prefixN\n` cut into chunks that split lines, as a guest's writes do. */
      const floodChunks = (prefix: string, count: number, chunkBytes = 4000): Uint8Array[] => {
        const text = utf8.encode(Array.from({ length: count }, (_, i) => `${prefix}${i + 1}\n`).join(''));
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < text.length; at += chunkBytes) chunks.push(text.subarray(at, at + chunkBytes));
        return chunks;
      };
      const texts = (entries: readonly LogEntry[]) => entries.map((e) => new TextDecoder().decode(e.data));
      const fixedClock = { now: () => new Date('2026-01-01T00:00:01Z') };

      it('should take 20,000 lines pushed as fast as a guest writes them, in order, with tail', async () => {
        await withContainers(hex('a'), hex('b'));
        await f.logs.append(hex('b'), [entry('stdout', 'neighbour\n', 1)]);
        const capture = new LogCapture(hex('a'), f.logs, fixedClock, () => undefined);
        let heldBack = 0;
        for (const chunk of floodChunks('line ', 20_000)) {
          // The producer waits when asked, as the engine's output window makes the guest wait.
          const wait = capture.push('stdout', chunk);
          if (wait) {
            heldBack++;
            await wait;
          }
        }
        await capture.close();
        expect(heldBack).toBeGreaterThan(0);
        const first = await f.logs.read(hex('a'));
        const lines = texts(first.entries);
        expect(lines).toHaveLength(20_000);
        expect(lines.every((line, i) => line === `line ${i + 1}\n`)).toBe(true);
        expect(texts(tailEntries(first.entries, 3))).toEqual([
          'line 19998\n',
          'line 19999\n',
          'line 20000\n',
        ]);
        // logs -f: nothing new after the cursor, then exactly what came next.
        expect((await f.logs.read(hex('a'), first.cursor)).entries).toEqual([]);
        await f.logs.append(hex('a'), [entry('stderr', 'after\n', 2)]);
        expect(texts((await f.logs.read(hex('a'), first.cursor)).entries)).toEqual(['after\n']);
        expect(texts((await f.logs.read(hex('b'))).entries)).toEqual(['neighbour\n']);
      });

      it('should drop lines past its bound when the producer does not wait, and say how many', async () => {
        await withContainers(hex('a'));
        const capture = new LogCapture(hex('a'), f.logs, fixedClock, () => undefined, {
          pendingCost: 64 * 1024,
          dropCost: 512 * 1024,
        });
        const total = 40_000;
        for (const chunk of floodChunks('', total, 64 * 1024)) void capture.push('stdout', chunk);
        await capture.close();
        const lines = texts((await f.logs.read(hex('a'))).entries);
        const note = lines.at(-1)!;
        const dropped = Number(/^\[berth: (\d+) lines of output were not logged/.exec(note)?.[1]);
        expect(dropped).toBeGreaterThan(0);
        // Kept lines are whole and in order; kept + dropped account for every line (chunk cuts aside).
        const kept = lines.slice(0, -1);
        expect(kept.length + dropped).toBeGreaterThanOrEqual(total - 2);
        expect(kept.length + dropped).toBeLessThanOrEqual(total + 2);
        expect(kept.slice(0, 3)).toEqual(['1\n', '2\n', '3\n']);
      });

      it('should delete a big log whole, leaving nothing, and start afresh after', async () => {
        await withContainers(hex('a'), hex('b'));
        const capture = new LogCapture(hex('a'), f.logs, fixedClock, () => undefined);
        for (const chunk of floodChunks('x', 50_000)) await capture.push('stdout', chunk);
        await capture.close();
        await f.logs.append(hex('b'), [entry('stdout', 'b\n', 1)]);
        expect((await f.logs.read(hex('a'))).entries).toHaveLength(50_000);
        await f.logs.delete(hex('a'));
        expect((await f.logs.read(hex('a'))).entries).toEqual([]);
        expect(texts((await f.logs.read(hex('b'))).entries)).toEqual(['b\n']);
        await f.logs.append(hex('a'), [entry('stdout', 'again\n', 2)]);
        expect(texts((await f.logs.read(hex('a'))).entries)).toEqual(['again\n']);
      });

      it('should keep its own copy of appended data', async () => {
        await withContainers(hex('a'));
        const e = entry('stdout', 'keep\n', 1);
        await f.logs.append(hex('a'), [e]);
        e.data.fill(0);
        expect(new TextDecoder().decode((await f.logs.read(hex('a'))).entries[0]!.data)).toBe('keep\n');
      });
    });

    describe('VolumeStore', () => {
      it('should create a volume once, list, inspect and remove it', async () => {
        const made = await f.volumes.create('data', { labels: { a: 'b' } });
        expect(made.created).toBe(true);
        expect(made.volume).toMatchObject({
          Name: 'data',
          Driver: 'local',
          Labels: { a: 'b' },
          Scope: 'local',
        });
        const again = await f.volumes.create('data', { labels: { c: 'd' } });
        expect(again).toEqual({ volume: made.volume, created: false });
        expect((await f.volumes.list()).map((v) => v.Name)).toEqual(['data']);
        expect(await f.volumes.get('data')).toEqual(made.volume);
        expect(await f.volumes.remove('data')).toBe(true);
        expect(await f.volumes.remove('data')).toBe(false);
        expect(await f.volumes.get('data')).toBeUndefined();
        const missing = await engineError(f.volumes.open('data'));
        expect(missing.kind).toBe('no-such-volume');
      });

      it('should keep what open() wrote once closed, and what a run on a memory volume left behind', async () => {
        await f.volumes.create('data', {});
        const opened = await f.volumes.open('data');
        const node = opened.fs.createFile(opened.fs.root(), 'note', 0o644);
        if (typeof node === 'number') throw new Error(`createFile: errno ${node}`);
        const handle = opened.fs.open(node, { read: false, write: true });
        if (typeof handle === 'number') throw new Error(`open: errno ${handle}`);
        handle.pwrite(utf8.encode('from cp\n'), 0);
        handle.close();
        await opened.close();
        expect(await f.volumes.size('data')).toBe('from cp\n'.length);
        expect(await volumeText(f.volumes, 'data', 'note')).toBe('from cp\n');

        const mount = await f.volumes.mount('data', '/data', false);
        expect(mount.spec).toMatchObject({ guestPath: '/data', readOnly: false });
        if (mount.spec.kind === 'memory') {
          // The tree a run leaves behind replaces the volume's.
          expect(filesOf(mount.spec.snapshot!)).toEqual({ '/note': 'from cp\n' });
          await mount.keep!(tree({ '/note': 'written by a run\n' }));
          expect(await volumeText(f.volumes, 'data', 'note')).toBe('written by a run\n');
        }
      });
    });

    describe('BuildCache', () => {
      it('should keep steps by key and replace them', async () => {
        const key = hex('1');
        expect(await f.buildCache.get(key)).toBeUndefined();
        await f.buildCache.put(key, { image: `sha256:${hex('a')}` });
        expect(await f.buildCache.get(key)).toEqual({ image: `sha256:${hex('a')}` });
        await f.buildCache.put(key, { image: `sha256:${hex('b')}`, manifest: `sha256:${hex('c')}` });
        expect(await f.buildCache.get(key)).toEqual({
          image: `sha256:${hex('b')}`,
          manifest: `sha256:${hex('c')}`,
        });
      });
    });

    it('should give the same state to stores opened again (a new process, a reloaded page)', async (ctx) => {
      if (!f.reopen) {
        ctx.skip();
        return;
      }
      await f.containers.create(containerRecord(hex('a'), 'kept', '2026-01-01T00:00:01Z'));
      await f.layers.put(hex('a'), tree({ '/f': 'upper' }));
      await f.logs.append(hex('a'), [
        { stream: 'stdout', time: '2026-01-01T00:00:01.000000000Z', data: utf8.encode('out\n') },
      ]);
      await f.volumes.create('vol', {});
      await f.buildCache.put(hex('1'), { image: `sha256:${hex('a')}` });
      const again = await f.reopen();
      expect((await again.containers.getByName('kept'))?.id).toBe(hex('a'));
      expect(filesOf((await again.layers.get(hex('a')))!)).toEqual({ '/f': 'upper' });
      expect((await again.logs.read(hex('a'))).entries).toHaveLength(1);
      expect((await again.volumes.list()).map((v) => v.Name)).toEqual(['vol']);
      expect(await again.buildCache.get(hex('1'))).toEqual({ image: `sha256:${hex('a')}` });
    });
  });
}
