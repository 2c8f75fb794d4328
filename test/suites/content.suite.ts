import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gc } from '../../src/content/gc';
import type { ContentStore, Writer } from '../../src/content/types';
import { DigestMismatchError } from '../../src/errors/DigestMismatchError';
import { InvalidDigestError } from '../../src/errors/InvalidDigestError';
import { InvalidManifestError } from '../../src/errors/InvalidManifestError';
import { NotFoundError } from '../../src/errors/NotFoundError';
import { SizeMismatchError } from '../../src/errors/SizeMismatchError';
import { WriterClosedError } from '../../src/errors/WriterClosedError';
import type { Digest } from '../../src/oci/digest';
import {
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
} from '../../src/oci/mediaTypes';
import type { Descriptor } from '../../src/oci/types';
import { concatBytes } from '../../src/util/concatBytes';

export interface ContentStoreFixture {
  /** A fresh, empty store. */
  store: ContentStore;
  cleanup?: () => void | Promise<void>;
  /**
   * How many bytes of unfinished ingests the backing storage holds (e.g. the sizes of its temporary files).
   * Given by stores that stream writes to storage; the suite then checks that every write lands there
   * before it resolves, and that a failed or aborted ingest leaves nothing behind.
   */
  ingestBytesOnStorage?: () => Promise<number>;
  /** True when a writer keeps nothing in memory (the bytes go to storage): JS heap growth is then checked. */
  streamsToStorage?: boolean;
}

const utf8 = new TextEncoder();

/**
 * Bytes held in ArrayBuffers (Node's process.memoryUsage); 0 in a browser, which has no such measure, so
 * there the memory checks pass trivially and the rest of the suite still runs.
 */
function arrayBufferBytes(): number {
  const proc = (globalThis as { process?: { memoryUsage?: () => { arrayBuffers: number } } }).process;
  return typeof proc?.memoryUsage === 'function' ? proc.memoryUsage().arrayBuffers : 0;
}

export function sha256(bytes: Uint8Array): Digest {
  return `sha256:${bytesToHex(nobleSha256(bytes))}` as Digest;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return concatBytes(parts);
}

/** Byte equality without vitest's element-by-element diffing (slow on large arrays). */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let firstDifference = -1;
  for (let i = 0; i < actual.length && firstDifference < 0; i++)
    if (actual[i] !== expected[i]) firstDifference = i;
  expect(firstDifference).toBe(-1);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function put(store: ContentStore, bytes: Uint8Array, chunkSize = 7): Promise<Digest> {
  const w = await store.writer({ digest: sha256(bytes), size: bytes.length });
  for (let at = 0; at < bytes.length; at += chunkSize) await w.write(bytes.subarray(at, at + chunkSize));
  return (await w.commit()).digest;
}

async function putJson(store: ContentStore, mediaType: string, value: unknown): Promise<Descriptor> {
  const bytes = utf8.encode(JSON.stringify(value));
  return { mediaType, digest: await put(store, bytes, 1024), size: bytes.length };
}

async function putBlob(store: ContentStore, mediaType: string, text: string): Promise<Descriptor> {
  const bytes = utf8.encode(text);
  return { mediaType, digest: await put(store, bytes), size: bytes.length };
}

/** Fills `buf` with bytes that depend on the chunk number, so every chunk of a big blob differs. */
function fillChunk(buf: Uint8Array, n: number): Uint8Array {
  let x = (n * 2654435761) >>> 0;
  for (let i = 0; i < buf.length; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x & 0xff;
    buf[i + 1] = (x >>> 8) & 0xff;
    buf[i + 2] = (x >>> 16) & 0xff;
    buf[i + 3] = x >>> 24;
  }
  return buf;
}

async function sortedDigests(store: ContentStore): Promise<Digest[]> {
  return (await store.list()).map((i) => i.digest).sort();
}

/**
 * The ContentStore contract of src/content/types.ts, run against one implementation. The factory gives a
 * fresh, empty store for every test.
 */
export function runContentStoreSuite(
  name: string,
  factory: () => ContentStoreFixture | Promise<ContentStoreFixture>,
): void {
  describe(`ContentStore contract: ${name}`, () => {
    let fixture: ContentStoreFixture;
    let store: ContentStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup?.();
    });

    const ingestBytes = async (): Promise<number | undefined> => fixture.ingestBytesOnStorage?.();

    describe('write and read', () => {
      it('should round-trip a blob through info, read and readBytes', async () => {
        const bytes = utf8.encode('hello, content store\n');
        const digest = await put(store, bytes);
        expect(digest).toBe(sha256(bytes));
        const info = await store.info(digest);
        expect(info.digest).toBe(digest);
        expect(info.size).toBe(bytes.length);
        expect(info.createdAt).toBeInstanceOf(Date);
        expect(await store.readBytes(digest)).toEqual(bytes);
        expect(await collect(store.read(digest))).toEqual(bytes);
      });

      it('should return what commit stored as Info', async () => {
        const bytes = utf8.encode('info from commit');
        const w = await store.writer({ digest: sha256(bytes), size: bytes.length });
        await w.write(bytes);
        expect(w.offset).toBe(bytes.length);
        const info = await w.commit();
        expect(info).toEqual(await store.info(sha256(bytes)));
      });

      it('should store the empty blob', async () => {
        const empty = new Uint8Array(0);
        const w = await store.writer({ digest: sha256(empty), size: 0 });
        const info = await w.commit();
        expect(info.digest).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
        expect(info.size).toBe(0);
        expect(await store.readBytes(info.digest)).toEqual(empty);
        expect(await collect(store.read(info.digest))).toEqual(empty);
      });

      it('should store under the computed digest when none is expected', async () => {
        const bytes = utf8.encode('digest unknown until the end');
        const w = await store.writer();
        await w.write(bytes.subarray(0, 5));
        await w.write(bytes.subarray(5));
        const info = await w.commit();
        expect(info.digest).toBe(sha256(bytes));
        expect(await store.readBytes(info.digest)).toEqual(bytes);
      });

      it('should read a byte range', async () => {
        const bytes = utf8.encode('0123456789abcdefghij');
        const digest = await put(store, bytes, 3);
        const text = async (offset?: number, length?: number) =>
          new TextDecoder().decode(await collect(store.read(digest, { offset, length })));
        expect(await text(5)).toBe('56789abcdefghij');
        expect(await text(5, 4)).toBe('5678');
        expect(await text(0, 1)).toBe('0');
        expect(await text(19, 100)).toBe('j');
        expect(await text(20)).toBe('');
        expect(await text(25, 3)).toBe('');
        expect(await text(3, 0)).toBe('');
        await expect(collect(store.read(digest, { offset: -1 }))).rejects.toThrow(RangeError);
      });

      it('should keep its bytes when the caller reuses its write buffer', async () => {
        const original = utf8.encode('the caller reuses this buffer');
        const buffer = original.slice();
        const w = await store.writer({ digest: sha256(original), size: original.length });
        await w.write(buffer);
        buffer.fill(0x21);
        await w.commit();
        expect(await store.readBytes(sha256(original))).toEqual(original);
      });

      it('should hand out chunks the caller may modify', async () => {
        const bytes = utf8.encode('do not let readers corrupt me');
        const digest = await put(store, bytes, 4);
        for await (const c of store.read(digest)) c.fill(0);
        (await store.readBytes(digest)).fill(0);
        expect(await store.readBytes(digest)).toEqual(bytes);
      });

      it('should stream a 20 MB blob written in 64 KiB chunks without holding it twice', async () => {
        const chunkSize = 64 * 1024;
        const count = 320; // 20 MiB
        const total = chunkSize * count;
        const chunk = new Uint8Array(chunkSize);
        const hash = nobleSha256.create();
        for (let n = 0; n < count; n++) hash.update(fillChunk(chunk, n));
        const digest = `sha256:${bytesToHex(hash.digest())}` as Digest;

        const w = await store.writer({ digest, size: total });
        const heapBefore = arrayBufferBytes();
        for (let n = 0; n < count; n++) {
          await w.write(fillChunk(chunk, n)); // the same buffer every time: the store must copy or consume it
          if (fixture.ingestBytesOnStorage && n % 64 === 63) {
            // Streams to storage: everything written so far is already there, not buffered.
            expect(await fixture.ingestBytesOnStorage()).toBe(w.offset);
          }
        }
        const growth = arrayBufferBytes() - heapBefore;
        expect(w.offset).toBe(total);
        const info = await w.commit();
        const afterCommit = arrayBufferBytes() - heapBefore;

        expect(info).toMatchObject({ digest, size: total });
        // Never twice: at most one copy of the blob in memory, during the writes and after commit.
        expect(growth).toBeLessThan(total * 1.5);
        expect(afterCommit).toBeLessThan(total * 1.5);
        if (fixture.streamsToStorage) expect(growth).toBeLessThan(4 * 1024 * 1024);

        const back = nobleSha256.create();
        let chunks = 0;
        let size = 0;
        let largest = 0;
        for await (const c of store.read(digest)) {
          back.update(c);
          chunks++;
          size += c.length;
          largest = Math.max(largest, c.length);
        }
        expect(`sha256:${bytesToHex(back.digest())}`).toBe(digest);
        expect(size).toBe(total);
        expect(chunks).toBeGreaterThan(1);
        expect(largest).toBeLessThan(total);
      }, 60_000);
    });

    describe('verification', () => {
      it('should store nothing on a digest mismatch and name both digests', async () => {
        const bytes = utf8.encode('actual content');
        const claimed = sha256(utf8.encode('claimed content'));
        const actual = sha256(bytes);
        const w = await store.writer({ digest: claimed, size: bytes.length });
        await w.write(bytes);
        const err = await rejection(w.commit());
        expect(err).toBeInstanceOf(DigestMismatchError);
        expect(err).toMatchObject({ code: 'DIGEST_MISMATCH', expected: claimed, actual });
        expect((err as Error).message).toContain(claimed);
        expect((err as Error).message).toContain(actual);
        await expect(store.info(claimed)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.info(actual)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.list()).toEqual([]);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
        await expect(w.write(bytes)).rejects.toBeInstanceOf(WriterClosedError);
        await expect(w.commit()).rejects.toBeInstanceOf(WriterClosedError);
      });

      it('should fail a write that goes past the expected size, storing nothing', async () => {
        const bytes = utf8.encode('0123456789X');
        const w = await store.writer({ digest: sha256(bytes.subarray(0, 10)), size: 10 });
        await w.write(bytes.subarray(0, 6));
        const err = await rejection(w.write(bytes.subarray(6)));
        expect(err).toBeInstanceOf(SizeMismatchError);
        expect(err).toMatchObject({ code: 'SIZE_MISMATCH', expected: 10, actual: 11 });
        expect((err as Error).message).toContain('expected 10 bytes');
        await expect(w.commit()).rejects.toBeInstanceOf(WriterClosedError);
        expect(await store.list()).toEqual([]);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
      });

      it('should fail a commit short of the expected size, storing nothing', async () => {
        const bytes = utf8.encode('short');
        const w = await store.writer({ digest: sha256(bytes), size: bytes.length + 1 });
        await w.write(bytes);
        const err = await rejection(w.commit());
        expect(err).toBeInstanceOf(SizeMismatchError);
        expect(err).toMatchObject({ expected: bytes.length + 1, actual: bytes.length });
        expect(await store.list()).toEqual([]);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
      });

      it('should check the size when no digest is expected', async () => {
        const w = await store.writer({ size: 3 });
        await w.write(utf8.encode('ab'));
        await expect(w.commit()).rejects.toBeInstanceOf(SizeMismatchError);
        expect(await store.list()).toEqual([]);
      });

      it('should refuse malformed digests with InvalidDigestError', async () => {
        const bad = 'sha256:ABC' as Digest;
        await expect(store.info(bad)).rejects.toBeInstanceOf(InvalidDigestError);
        await expect(store.writer({ digest: bad })).rejects.toBeInstanceOf(InvalidDigestError);
        await expect(store.delete('sha256:../../etc/passwd' as Digest)).rejects.toBeInstanceOf(
          InvalidDigestError,
        );
        await expect(collect(store.read(bad))).rejects.toBeInstanceOf(InvalidDigestError);
      });
    });

    describe('visibility', () => {
      it('should keep an ingest invisible until commit', async () => {
        const bytes = utf8.encode('not yet');
        const digest = sha256(bytes);
        const w = await store.writer({ digest, size: bytes.length });
        await w.write(bytes);
        await expect(store.info(digest)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.readBytes(digest)).rejects.toBeInstanceOf(NotFoundError);
        await expect(collect(store.read(digest))).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.list()).toEqual([]);
        expect(await store.delete(digest)).toBe(false);
        await w.commit();
        expect((await store.info(digest)).size).toBe(bytes.length);
        expect(await sortedDigests(store)).toEqual([digest]);
      });

      it('should leave nothing after abort', async () => {
        const bytes = utf8.encode('aborted');
        const w = await store.writer({ digest: sha256(bytes) });
        await w.write(bytes);
        await w.abort();
        await w.abort();
        await expect(w.write(bytes)).rejects.toBeInstanceOf(WriterClosedError);
        await expect(w.commit()).rejects.toBeInstanceOf(WriterClosedError);
        expect(await store.list()).toEqual([]);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
      });

      it('should refuse writes after commit', async () => {
        const bytes = utf8.encode('done');
        const w = await store.writer();
        await w.write(bytes);
        await w.commit();
        const err = await rejection(w.write(bytes));
        expect(err).toBeInstanceOf(WriterClosedError);
        expect(err).toMatchObject({ code: 'WRITER_CLOSED', state: 'committed' });
        await expect(w.commit()).rejects.toBeInstanceOf(WriterClosedError);
        await w.abort(); // harmless
        expect(await store.readBytes(sha256(bytes))).toEqual(bytes);
      });

      it('should apply writes sent without awaiting in call order', async () => {
        const parts = ['a', 'bb', 'ccc', 'dddd'].map((s) => utf8.encode(s));
        const all = utf8.encode('abbcccdddd');
        const w = await store.writer({ digest: sha256(all), size: all.length });
        const writes = parts.map((p) => w.write(p));
        const info = await w.commit();
        await Promise.all(writes);
        expect(await store.readBytes(info.digest)).toEqual(all);
      });
    });

    describe('idempotence and concurrency', () => {
      it('should treat writing stored content again as a no-op', async () => {
        const bytes = utf8.encode('twice');
        const digest = await put(store, bytes);
        const first = await store.info(digest);
        const again = await put(store, bytes, 2);
        expect(again).toBe(digest);
        expect(await store.info(digest)).toEqual(first);
        expect(await sortedDigests(store)).toEqual([digest]);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
      });

      it('should let concurrent writers of the same digest both succeed with one blob', async () => {
        const bytes = new Uint8Array(300_000);
        fillChunk(bytes, 7);
        const digest = sha256(bytes);
        const writers: Writer[] = await Promise.all(
          [1, 2, 3].map(() => store.writer({ digest, size: bytes.length })),
        );
        for (let at = 0; at < bytes.length; at += 50_000) {
          for (const w of writers) await w.write(bytes.subarray(at, at + 50_000));
        }
        const infos = await Promise.all(writers.map((w) => w.commit()));
        for (const info of infos) expect(info).toMatchObject({ digest, size: bytes.length });
        expect(await sortedDigests(store)).toEqual([digest]);
        expectBytes(await store.readBytes(digest), bytes);
        expect(await ingestBytes()).toBe(fixture.ingestBytesOnStorage ? 0 : undefined);
      });

      it('should keep a good concurrent writer unaffected by a bad one for the same digest', async () => {
        const good = utf8.encode('the real bytes');
        const digest = sha256(good);
        const [a, b] = await Promise.all([store.writer({ digest }), store.writer({ digest })]);
        await a!.write(good);
        await b!.write(utf8.encode('forged bytes!!'));
        const [ra, rb] = await Promise.allSettled([a!.commit(), b!.commit()]);
        expect(ra.status).toBe('fulfilled');
        expect(rb.status).toBe('rejected');
        expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(DigestMismatchError);
        expect(await store.readBytes(digest)).toEqual(good);
      });

      it('should run writers of different blobs side by side', async () => {
        const blobs = Array.from({ length: 8 }, (_, i) => utf8.encode(`blob number ${i} `.repeat(100 + i)));
        const digests = await Promise.all(blobs.map((b, i) => put(store, b, 97 + i)));
        expect(await sortedDigests(store)).toEqual(blobs.map(sha256).sort());
        for (const [i, d] of digests.entries()) expect(await store.readBytes(d)).toEqual(blobs[i]);
      });
    });

    describe('manager', () => {
      it('should list every committed blob with its size', async () => {
        const texts = ['one', 'two two', 'three three three'];
        for (const t of texts) await put(store, utf8.encode(t));
        const listed = (await store.list()).map((i) => ({ digest: i.digest, size: i.size }));
        const wanted = texts.map((t) => ({ digest: sha256(utf8.encode(t)), size: t.length }));
        const byDigest = (x: { digest: string }, y: { digest: string }) => x.digest.localeCompare(y.digest);
        expect(listed.sort(byDigest)).toEqual(wanted.sort(byDigest));
      });

      it('should delete a blob and report whether there was one', async () => {
        const keep = await put(store, utf8.encode('keep'));
        const gone = await put(store, utf8.encode('gone'));
        expect(await store.delete(gone)).toBe(true);
        expect(await store.delete(gone)).toBe(false);
        await expect(store.info(gone)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.readBytes(gone)).rejects.toBeInstanceOf(NotFoundError);
        const err = await rejection(collect(store.read(gone)));
        expect(err).toBeInstanceOf(NotFoundError);
        expect((err as Error).message).toContain(gone);
        expect(await sortedDigests(store)).toEqual([keep]);
        // Deleted content can be written again.
        await put(store, utf8.encode('gone'));
        expect(await sortedDigests(store)).toEqual([keep, gone].sort());
      });
    });

    describe('garbage collection', () => {
      it('should keep what the roots reach and remove the rest', async () => {
        // image 1: index → manifest (config + 2 layers); image 2: Docker manifest, shares a layer.
        const config1 = await putJson(store, OCI_CONFIG, { architecture: 'wasm', os: 'wasi', n: 1 });
        const layerA = await putBlob(store, OCI_LAYER_TAR, 'layer A');
        const layerShared = await putBlob(store, OCI_LAYER_TAR, 'layer shared');
        const manifest1 = await putJson(store, OCI_MANIFEST, {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: config1,
          layers: [layerA, layerShared],
        });
        const index1 = await putJson(store, OCI_INDEX, {
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [{ ...manifest1, platform: { os: 'wasi', architecture: 'wasm' } }],
        });
        const config2 = await putJson(store, OCI_CONFIG, { architecture: 'wasm', os: 'wasip1', n: 2 });
        const manifest2 = await putJson(store, DOCKER_MANIFEST, {
          schemaVersion: 2,
          mediaType: DOCKER_MANIFEST,
          config: config2,
          layers: [{ ...layerShared, mediaType: DOCKER_LAYER_TAR_GZIP }],
        });
        // garbage: an untagged image and a stray layer
        const oldConfig = await putJson(store, OCI_CONFIG, { architecture: 'wasm', os: 'wasi', n: 3 });
        const oldLayer = await putBlob(store, OCI_LAYER_TAR, 'old layer');
        const oldManifest = await putJson(store, OCI_MANIFEST, {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: oldConfig,
          layers: [oldLayer, layerShared],
        });
        const stray = await putBlob(store, OCI_LAYER_TAR, 'stray');

        const result = await gc(store, [index1.digest, manifest2.digest]);
        const live = [index1, manifest1, config1, layerA, layerShared, manifest2, config2].map(
          (d) => d.digest,
        );
        expect(await sortedDigests(store)).toEqual([...live].sort());
        expect([...result.removed].sort()).toEqual(
          [oldConfig, oldLayer, oldManifest, stray].map((d) => d.digest).sort(),
        );
        expect([...result.kept].sort()).toEqual([...live].sort());
        // A second run finds nothing more.
        expect((await gc(store, [index1.digest, manifest2.digest])).removed).toEqual([]);
      });

      it('should follow nested indexes, Docker manifest lists and index entries without a media type hint', async () => {
        const config = await putJson(store, OCI_CONFIG, { architecture: 'wasm', os: 'wasi' });
        const layer = await putBlob(store, OCI_LAYER_TAR, 'nested layer');
        const manifest = await putJson(store, OCI_MANIFEST, { schemaVersion: 2, config, layers: [layer] });
        const inner = await putJson(store, DOCKER_MANIFEST_LIST, {
          schemaVersion: 2,
          mediaType: DOCKER_MANIFEST_LIST,
          manifests: [manifest],
        });
        // An OCI layout index.json as skopeo writes it: no mediaType of its own.
        const outer = await putJson(store, OCI_INDEX, { schemaVersion: 2, manifests: [inner] });
        const stray = await putBlob(store, OCI_LAYER_TAR, 'stray');
        await gc(store, [outer.digest]);
        expect(await sortedDigests(store)).toEqual(
          [config, layer, manifest, inner, outer].map((d) => d.digest).sort(),
        );
        await expect(store.info(stray.digest)).rejects.toBeInstanceOf(NotFoundError);
      });

      it('should skip referenced blobs that are missing and keep non-manifest roots', async () => {
        const config = await putJson(store, OCI_CONFIG, { architecture: 'wasm', os: 'wasi' });
        const missing: Descriptor = {
          mediaType: OCI_LAYER_TAR,
          digest: sha256(utf8.encode('never pulled')),
          size: 12,
        };
        const manifest = await putJson(store, OCI_MANIFEST, {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config,
          layers: [missing],
        });
        const rawRoot = await putBlob(store, 'application/octet-stream', '{not json but starts with a brace');
        const jsonArrayRoot = await putBlob(store, 'application/json', '[1,2,3]');
        const result = await gc(store, [
          manifest.digest,
          rawRoot.digest,
          jsonArrayRoot.digest,
          missing.digest,
        ]);
        expect(result.removed).toEqual([]);
        expect(await sortedDigests(store)).toEqual(
          [config, manifest, rawRoot, jsonArrayRoot].map((d) => d.digest).sort(),
        );
      });

      it('should delete nothing when a reachable manifest is malformed', async () => {
        const stray = await putBlob(store, OCI_LAYER_TAR, 'stray');
        const broken = await putJson(store, OCI_MANIFEST, {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          layers: 'x',
        });
        const err = await rejection(gc(store, [broken.digest]));
        expect(err).toBeInstanceOf(InvalidManifestError);
        expect((err as Error).message).toContain(broken.digest);
        expect(await sortedDigests(store)).toEqual([stray.digest, broken.digest].sort());
      });

      it('should remove everything when there are no roots, but never an ingest in progress', async () => {
        await put(store, utf8.encode('a'));
        await put(store, utf8.encode('b'));
        const pending = utf8.encode('pending');
        const w = await store.writer({ digest: sha256(pending) });
        await w.write(pending);
        const result = await gc(store, []);
        expect(result.removed).toHaveLength(2);
        expect(await store.list()).toEqual([]);
        await w.commit();
        expect(await sortedDigests(store)).toEqual([sha256(pending)]);
      });
    });
  });
}
