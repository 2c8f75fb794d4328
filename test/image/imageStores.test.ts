import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptStoreError } from '../../src/errors/CorruptStoreError';
import { LockTimeoutError } from '../../src/errors/LockTimeoutError';
import { MemoryImageStore } from '../../src/image/MemoryImageStore';
import { DiskImageStore } from '../../src/node/DiskImageStore';
import { clock, manifest, runImageStoreSuite } from '../suites/imageStore.suite';

runImageStoreSuite('MemoryImageStore', () => ({ store: new MemoryImageStore({ now: clock() }) }));

runImageStoreSuite('DiskImageStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-images-'));
  return {
    store: new DiskImageStore({ root, now: clock() }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

describe('DiskImageStore', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-images-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('should persist one JSON file that another instance reads', async () => {
    const a = new DiskImageStore({ root });
    await a.put('hello', manifest('a'));
    await a.put('localhost:5000/x:1', manifest('b'));
    const file = JSON.parse(readFileSync(join(root, 'images.json'), 'utf8'));
    expect(file.schemaVersion).toBe(1);
    expect(file.images.map((r: { name: string; familiar: string }) => [r.name, r.familiar])).toEqual([
      ['docker.io/library/hello:latest', 'hello'],
      ['localhost:5000/x:1', 'localhost:5000/x:1'],
    ]);
    const b = new DiskImageStore({ root });
    expect(await b.list()).toEqual(await a.list());
    expect(readdirSync(root).sort()).toEqual(['images.json']); // no temporary or lock file left
  });

  it('should start empty without a file and create its root on demand', async () => {
    const store = new DiskImageStore({ root: join(root, 'deeper') });
    expect(await store.list()).toEqual([]);
    await store.put('hello', manifest('a'));
    expect(readdirSync(join(root, 'deeper'))).toEqual(['images.json']);
  });

  it('should keep the changes of two instances writing at once (the lock file)', async () => {
    const a = new DiskImageStore({ root });
    const b = new DiskImageStore({ root });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).put(`app:${i}`, manifest(i % 2 ? 'a' : 'b'))),
    );
    expect(await a.list()).toHaveLength(20);
  });

  it('should take over a lock left by a dead process', async () => {
    writeFileSync(join(root, 'images.json.lock'), '2147483646 deadbeef\n');
    const store = new DiskImageStore({ root, lockTimeoutMs: 2000 });
    await store.put('hello', manifest('a'));
    expect(readdirSync(root)).toEqual(['images.json']);
  });

  it('should time out on a lock held by a live process', async () => {
    writeFileSync(join(root, 'images.json.lock'), `${process.pid} other-instance\n`);
    const store = new DiskImageStore({ root, lockTimeoutMs: 100 });
    await expect(store.put('hello', manifest('a'))).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await store.list()).toEqual([]);
  });

  it('should report a corrupt file, naming it', async () => {
    mkdirSync(root, { recursive: true });
    const file = join(root, 'images.json');
    const store = new DiskImageStore({ root });
    for (const [text, reason] of [
      ['{', /not JSON/],
      ['{"schemaVersion":2,"images":[]}', /schemaVersion/],
      ['{"schemaVersion":1,"images":[{"name":"hello"}]}', /images\[0\]: familiar must be a string/],
      [
        JSON.stringify({
          schemaVersion: 1,
          images: [{ name: 'hello', familiar: 'hello', target: manifest('a'), createdAt: '', updatedAt: '' }],
        }),
        /name "hello" is not normalised/,
      ],
      [
        JSON.stringify({
          schemaVersion: 1,
          images: [
            {
              name: 'docker.io/library/hello:latest',
              familiar: 'hello',
              target: {},
              createdAt: '',
              updatedAt: '',
            },
          ],
        }),
        /target\.mediaType/,
      ],
    ] as const) {
      writeFileSync(file, text);
      const err = await store.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptStoreError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(reason);
    }
  });
});
