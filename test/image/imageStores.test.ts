import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptStoreError } from '../../src/errors/CorruptStoreError';
import { DigestMismatchError } from '../../src/errors/DigestMismatchError';
import { InvalidManifestError } from '../../src/errors/InvalidManifestError';
import { InvalidReferenceError } from '../../src/errors/InvalidReferenceError';
import { LockTimeoutError } from '../../src/errors/LockTimeoutError';
import { UnsupportedMediaTypeError } from '../../src/errors/UnsupportedMediaTypeError';
import { MemoryImageStore } from '../../src/image/MemoryImageStore';
import type { ImageStore } from '../../src/image/types';
import { DiskImageStore } from '../../src/node/DiskImageStore';
import type { Digest } from '../../src/oci/digest';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from '../../src/oci/mediaTypes';
import { parseReference } from '../../src/oci/reference';
import type { Descriptor } from '../../src/oci/types';

const digest = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const manifest = (c: string): Descriptor => ({ mediaType: OCI_MANIFEST, digest: digest(c), size: 100 });

/** A clock that advances one second per reading. */
function clock(): () => Date {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return () => new Date((t += 1000));
}

interface Fixture {
  store: ImageStore;
  cleanup?: () => void;
}

function runImageStoreCases(name: string, factory: () => Fixture): void {
  describe(`ImageStore contract: ${name}`, () => {
    let fixture: Fixture;
    let store: ImageStore;
    beforeEach(() => {
      fixture = factory();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup?.());

    it('should key records by the normalised reference and remember the familiar name', async () => {
      const record = await store.put('hello', manifest('a'));
      expect(record).toMatchObject({
        name: 'docker.io/library/hello:latest',
        familiar: 'hello',
        target: manifest('a'),
      });
      for (const spelling of [
        'hello',
        'hello:latest',
        'docker.io/library/hello',
        'index.docker.io/library/hello',
      ]) {
        expect((await store.get(spelling))?.target.digest).toBe(digest('a'));
      }
      expect(await store.get(parseReference('hello'))).toEqual(record);
      expect(await store.get('hello:2')).toBeUndefined();
      await store.put('docker.io/library/hello:latest', manifest('a'));
      expect((await store.get('hello'))?.familiar).toBe('docker.io/library/hello:latest');
    });

    it('should list records sorted by name', async () => {
      await store.put('localhost:5000/x:1', manifest('c'));
      await store.put('hello:2', manifest('b'));
      await store.put('hello', manifest('a'));
      expect((await store.list()).map((r) => [r.name, r.familiar])).toEqual([
        ['docker.io/library/hello:2', 'hello:2'],
        ['docker.io/library/hello:latest', 'hello'],
        ['localhost:5000/x:1', 'localhost:5000/x:1'],
      ]);
    });

    it('should retarget an existing name, keeping its creation time', async () => {
      const first = await store.put('app:1', manifest('a'));
      const second = await store.put('app:1', { ...manifest('b'), mediaType: OCI_INDEX });
      expect(second.createdAt).toBe(first.createdAt);
      expect(second.updatedAt > first.updatedAt).toBe(true);
      expect((await store.get('app:1'))?.target).toEqual({ ...manifest('b'), mediaType: OCI_INDEX });
      expect(await store.list()).toHaveLength(1);
    });

    it('should delete records', async () => {
      await store.put('hello', manifest('a'));
      expect(await store.delete('docker.io/library/hello')).toBe(true);
      expect(await store.delete('hello')).toBe(false);
      expect(await store.get('hello')).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('should store digest references and check their digest', async () => {
      const rec = await store.put(`hello@${digest('a')}`, manifest('a'));
      expect(rec.name).toBe(`docker.io/library/hello@${digest('a')}`);
      const err = await store.put(`hello@${digest('a')}`, manifest('b')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DigestMismatchError);
      expect(err).toMatchObject({ expected: digest('a'), actual: digest('b') });
    });

    it('should refuse targets that are not manifests or indexes, and bad references', async () => {
      await expect(store.put('hello', { ...manifest('a'), mediaType: OCI_CONFIG })).rejects.toBeInstanceOf(
        UnsupportedMediaTypeError,
      );
      await expect(
        store.put('hello', { ...manifest('a'), digest: 'sha256:x' as Digest }),
      ).rejects.toBeInstanceOf(InvalidManifestError);
      await expect(store.put('Hello', manifest('a'))).rejects.toBeInstanceOf(InvalidReferenceError);
      await expect(store.get('Hello')).rejects.toBeInstanceOf(InvalidReferenceError);
      expect(await store.list()).toEqual([]);
    });

    it('should hand out copies', async () => {
      const target = manifest('a');
      const put = await store.put('hello', target);
      target.size = 1;
      put.target.size = 2;
      const got = (await store.get('hello'))!;
      got.target.size = 3;
      (await store.list())[0]!.target.size = 4;
      expect((await store.get('hello'))?.target.size).toBe(100);
    });

    it('should keep every change of concurrent puts', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`app:${i}`, manifest('a'))));
      expect(await store.list()).toHaveLength(20);
    });
  });
}

runImageStoreCases('MemoryImageStore', () => ({ store: new MemoryImageStore({ now: clock() }) }));

runImageStoreCases('DiskImageStore', () => {
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
