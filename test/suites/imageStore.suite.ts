/**
 * The ImageStore contract of src/image/types.ts, run against every implementation: memory and disk
 * (test/image/imageStores.test.ts), IndexedDB in Chromium (test/browser/inpage/stores.inpage.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestMismatchError } from '../../src/errors/DigestMismatchError';
import { InvalidManifestError } from '../../src/errors/InvalidManifestError';
import { InvalidReferenceError } from '../../src/errors/InvalidReferenceError';
import { UnsupportedMediaTypeError } from '../../src/errors/UnsupportedMediaTypeError';
import type { ImageStore } from '../../src/image/types';
import type { Digest } from '../../src/oci/digest';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from '../../src/oci/mediaTypes';
import { parseReference } from '../../src/oci/reference';
import type { Descriptor } from '../../src/oci/types';

export const digest = (c: string) => `sha256:${c.repeat(64)}` as Digest;
export const manifest = (c: string): Descriptor => ({
  mediaType: OCI_MANIFEST,
  digest: digest(c),
  size: 100,
});

/** A clock that advances one second per reading. */
export function clock(): () => Date {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return () => new Date((t += 1000));
}

export interface ImageStoreFixture {
  store: ImageStore;
  cleanup?: () => void | Promise<void>;
}

export function runImageStoreSuite(
  name: string,
  factory: () => ImageStoreFixture | Promise<ImageStoreFixture>,
): void {
  describe(`ImageStore contract: ${name}`, () => {
    let fixture: ImageStoreFixture;
    let store: ImageStore;
    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => fixture.cleanup?.());

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
