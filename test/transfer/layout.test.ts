import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { resolveImage } from '../../src/image';
import { nodeGunzip } from '../../src/node/gzip';
import { nodeSha256 } from '../../src/node/sha256';
import { nodeTransferFs, type NodeFsLike } from '../../src/node/transferFs';
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  ANNOTATION_WASM_VARIANT,
  digestHex,
  type Descriptor,
  type ImageIndex,
} from '../../src/oci';
import {
  InvalidArchiveError,
  exportOciArchive,
  exportOciLayout,
  importArchive,
  importOciLayout,
  type TransferFs,
} from '../../src/transfer';
import {
  allBlobs,
  buildImage,
  buildIndex,
  describeTree,
  file,
  helloImage,
  imageRoot,
  memoryStores,
  type Stores,
} from '../fixtures/images';
import { collect } from '../layer/helpers';

const hasher = nodeSha256;
const options = { hasher, gunzip: nodeGunzip };

function memoryFs(): { fs: TransferFs; vol: InstanceType<typeof Volume> } {
  const vol = new Volume();
  return { fs: nodeTransferFs(vol as unknown as NodeFsLike), vol };
}

function readJson<T>(vol: InstanceType<typeof Volume>, path: string): T {
  return JSON.parse(vol.readFileSync(path, 'utf8') as string) as T;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** A layout with hello:1 written to a fresh memfs volume. */
async function helloLayout() {
  const source = memoryStores();
  const hello = await helloImage(source);
  const { fs, vol } = memoryFs();
  await exportOciLayout(source, ['hello:1'], { fs, dir: '/layout' });
  return { source, hello, fs, vol };
}

describe('OCI image layout', () => {
  it('writes oci-layout, blobs and an annotated index.json', async () => {
    const { hello, vol } = await helloLayout();
    expect(readJson(vol, '/layout/oci-layout')).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = readJson<ImageIndex>(vol, '/layout/index.json');
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests).toEqual([
      {
        ...hello.target,
        annotations: {
          [ANNOTATION_CONTAINERD_IMAGE_NAME]: 'docker.io/library/hello:1',
          [ANNOTATION_REF_NAME]: '1',
        },
      },
    ]);
    const blobs = (vol.readdirSync('/layout/blobs/sha256') as string[]).sort();
    const expected = [hello.target, hello.config, ...hello.layers].map((d) => digestHex(d.digest)).sort();
    expect(blobs).toEqual(expected);
    for (const name of blobs) {
      const h = hasher();
      h.update(vol.readFileSync(`/layout/blobs/sha256/${name}`) as Uint8Array);
      expect(h.digest()).toBe(`sha256:${name}`);
    }
    // No temporary files left behind.
    expect(vol.readdirSync('/layout')).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('round-trips: every digest, the names, the annotations and the tree come back', async () => {
    const { source, hello, fs } = await helloLayout();
    const dest = memoryStores();
    const result = await importOciLayout(dest, { fs, dir: '/layout' }, options);
    expect(result.format).toBe('oci');
    expect(result.images).toEqual([
      { target: hello.target, names: ['docker.io/library/hello:1'], refName: '1' },
    ]);
    expect(await allBlobs(dest.content)).toEqual(await allBlobs(source.content));
    const record = await dest.images.get('hello:1');
    expect(record?.target).toEqual(hello.target);
    const resolved = await resolveImage(dest.content, record!);
    expect(resolved.variant).toBe('compat-smart');
    expect(resolved.config.config?.Entrypoint).toEqual(['/app/hello.wasm']);
    expect(describeTree(await imageRoot(dest.content, hello.target))).toEqual(
      describeTree(await imageRoot(source.content, hello.target)),
    );
    expect(describeTree(await imageRoot(dest.content, hello.target))).toEqual([
      'd 0755 app',
      expect.stringMatching(/^f 0755 app\/hello\.wasm [0-9a-f]{64}$/),
      'l bin -> app',
      'd 0755 data',
      expect.stringMatching(/^f 0644 data\/x /),
      'd 0755 etc',
      expect.stringMatching(/^f 0600 etc\/keep /),
    ]);
  });

  it('round-trips as a tar archive (oci-archive)', async () => {
    const source = memoryStores();
    const hello = await helloImage(source, ['hello:1', 'registry.example/team/hello:v2']);
    const tar = await collect(exportOciArchive(source, ['hello:1', 'registry.example/team/hello:v2']));
    const dest = memoryStores();
    const result = await importArchive(dest, once(tar), options);
    expect(result.images.map((i) => i.names)).toEqual([
      ['docker.io/library/hello:1'],
      ['registry.example/team/hello:v2'],
    ]);
    expect((await dest.images.get('registry.example/team/hello:v2'))?.target).toEqual(hello.target);
    expect(await allBlobs(dest.content)).toEqual(await allBlobs(source.content));
  });

  it('keeps nested indexes and several manifests, and selects by ref.name', async () => {
    const source = memoryStores();
    const wasm = await helloImage(source, []);
    const other = await buildImage(source, {
      layers: [[file('/bin/tool', 'elf')]],
      platform: { os: 'linux', architecture: 'amd64' },
    });
    const inner = await buildIndex(source, [
      { target: other.target, platform: { os: 'linux', architecture: 'amd64' } },
      { target: wasm.target, platform: { os: 'wasi', architecture: 'wasm' } },
    ]);
    const outer = await buildIndex(
      source,
      [{ target: inner, platform: { os: 'wasi', architecture: 'wasm' } }],
      ['multi:1'],
    );
    const single = await buildImage(source, { layers: [[file('/a', 'a')]], names: ['single:2'] });
    const { fs } = memoryFs();
    await exportOciLayout(source, ['multi:1', 'single:2'], { fs, dir: '/l' });

    const all = memoryStores();
    const result = await importOciLayout(all, { fs, dir: '/l' }, options);
    expect(result.images.map((i) => [i.refName, i.target.digest])).toEqual([
      ['1', outer.digest],
      ['2', single.target.digest],
    ]);
    expect(await allBlobs(all.content)).toEqual(await allBlobs(source.content));
    const resolved = await resolveImage(all.content, (await all.images.get('multi:1'))!);
    expect(resolved.manifestDescriptor.digest).toBe(wasm.target.digest);
    expect(resolved.path.map((d) => d.digest)).toEqual([outer.digest, inner.digest, wasm.target.digest]);

    const one = memoryStores();
    const picked = await importOciLayout(one, { fs, dir: '/l' }, { ...options, ref: '2' });
    expect(picked.images.map((i) => i.target.digest)).toEqual([single.target.digest]);
    expect(await one.images.list()).toHaveLength(1);
    // Only that image's blobs were stored.
    expect(await allBlobs(one.content)).toEqual(
      [single.target, single.config, ...single.layers].map((d) => d.digest).sort(),
    );
  });

  it('adds to an existing layout, replacing an image of the same ref.name', async () => {
    const { source, fs, vol } = await helloLayout();
    const b = await buildImage(source, { layers: [[file('/b', 'b')]], names: ['b:2', 'hello:1x'] });
    await exportOciLayout(source, ['b:2'], { fs, dir: '/layout' });
    const newer = await buildImage(source, { layers: [[file('/c', 'c')]], names: ['other:1'] });
    await exportOciLayout(source, ['other:1'], { fs, dir: '/layout' });
    const index = readJson<ImageIndex>(vol, '/layout/index.json');
    expect(index.manifests.map((m) => [m.annotations?.[ANNOTATION_REF_NAME], m.digest])).toEqual([
      ['2', b.target.digest],
      ['1', newer.target.digest],
    ]);
  });

  describe('names', () => {
    async function layoutWith(annotations: Record<string, string> | undefined) {
      const source = memoryStores();
      const image = await buildImage(source, { layers: [[file('/a', 'a')]] });
      const { fs, vol } = memoryFs();
      const target: Descriptor = annotations === undefined ? image.target : { ...image.target, annotations };
      await exportOciLayout(source, [{ target }], { fs, dir: '/l' });
      // Write index.json by hand, with exactly these annotations.
      const index = { schemaVersion: 2, manifests: [target] };
      vol.writeFileSync('/l/index.json', JSON.stringify(index));
      return { fs, image };
    }

    it('uses io.containerd.image.name, else a full ref.name, else repository:tag', async () => {
      const cases: [Record<string, string> | undefined, object, string[]][] = [
        [
          { [ANNOTATION_CONTAINERD_IMAGE_NAME]: 'ghcr.io/x/y:3', [ANNOTATION_REF_NAME]: '3' },
          {},
          ['ghcr.io/x/y:3'],
        ],
        [{ [ANNOTATION_REF_NAME]: 'example.com/app:7' }, {}, ['example.com/app:7']],
        [{ [ANNOTATION_REF_NAME]: 'v1' }, { repository: 'localhost:5000/x' }, ['localhost:5000/x:v1']],
        [{ [ANNOTATION_REF_NAME]: 'v1' }, {}, []],
        [undefined, {}, []],
        [{ [ANNOTATION_REF_NAME]: 'v1' }, { name: 'mine:9' }, ['docker.io/library/mine:9']],
      ];
      for (const [annotations, extra, names] of cases) {
        const { fs, image } = await layoutWith(annotations);
        const dest = memoryStores();
        const result = await importOciLayout(dest, { fs, dir: '/l' }, { ...options, ...extra });
        expect(result.images[0]!.names).toEqual(names);
        expect(result.images[0]!.target.digest).toBe(image.target.digest);
        // The naming annotations do not stay on the record's target.
        expect(result.images[0]!.target.annotations).toBeUndefined();
        expect((await dest.images.list()).map((r) => r.name)).toEqual(names);
      }
    });
  });

  describe('bad input: an error naming file and field, nothing left behind', () => {
    async function expectClean(dest: Stores, before: string[], error: Error, ...parts: string[]) {
      expect(error).toBeInstanceOf(InvalidArchiveError);
      for (const part of parts) expect(error.message).toContain(part);
      expect(await allBlobs(dest.content)).toEqual(before);
      expect(await dest.images.list()).toEqual([]);
    }

    it('a missing blob', async () => {
      const { hello, fs, vol } = await helloLayout();
      vol.unlinkSync(`/layout/blobs/sha256/${digestHex(hello.layers[1]!.digest)}`);
      const dest = memoryStores();
      const error = await failure(importOciLayout(dest, { fs, dir: '/layout' }, options));
      await expectClean(
        dest,
        [],
        error,
        `blobs/sha256/${digestHex(hello.target.digest)}: layers[1]`,
        'is missing',
      );
    });

    it('a blob whose content does not match its digest', async () => {
      const { hello, fs, vol } = await helloLayout();
      const path = `/layout/blobs/sha256/${digestHex(hello.layers[0]!.digest)}`;
      const bytes = vol.readFileSync(path) as Uint8Array;
      bytes[bytes.length - 5] ^= 0xff;
      vol.writeFileSync(path, bytes);
      const dest = memoryStores();
      // A blob the destination had before stays.
      const kept = await buildImage(dest, { layers: [[file('/k', 'k')]] });
      const before = await allBlobs(dest.content);
      const error = await failure(importOciLayout(dest, { fs, dir: '/layout' }, options));
      await expectClean(dest, before, error, 'layers[0]', 'digest mismatch');
      expect(before).toContain(kept.target.digest);
    });

    it('a descriptor size that does not match', async () => {
      const { hello, fs, vol } = await helloLayout();
      const index = readJson<ImageIndex>(vol, '/layout/index.json');
      index.manifests[0]!.size += 1;
      vol.writeFileSync('/layout/index.json', JSON.stringify(index));
      const dest = memoryStores();
      const error = await failure(importOciLayout(dest, { fs, dir: '/layout' }, options));
      await expectClean(dest, [], error, 'index.json: manifests[0]', 'size mismatch', hello.target.digest);
    });

    it('malformed JSON: index.json, a manifest field, a config field', async () => {
      const { hello, fs, vol } = await helloLayout();
      vol.writeFileSync('/layout/index.json', '{"schemaVersion": 2, "manifests": [');
      let error = await failure(importOciLayout(memoryStores(), { fs, dir: '/layout' }, options));
      expect(error.message).toMatch(/^index\.json: not UTF-8 JSON/);

      vol.writeFileSync(
        '/layout/index.json',
        JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x' }] }),
      );
      error = await failure(importOciLayout(memoryStores(), { fs, dir: '/layout' }, options));
      expect(error.message).toContain('index.json: manifests[0].digest must be a sha256 digest');

      // A manifest whose layers field is wrong, stored under its true digest.
      const bad = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: hello.config,
          layers: {},
        }),
      );
      const h = hasher();
      h.update(bad);
      const digest = h.digest();
      vol.writeFileSync(`/layout/blobs/sha256/${digest.slice(7)}`, bad);
      vol.writeFileSync(
        '/layout/index.json',
        JSON.stringify({
          schemaVersion: 2,
          manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: bad.length }],
        }),
      );
      const dest = memoryStores();
      error = await failure(importOciLayout(dest, { fs, dir: '/layout' }, options));
      await expectClean(dest, [], error, `blobs/sha256/${digest.slice(7)}: layers must be an array`);
    });

    it('config diff_ids that do not match the layers', async () => {
      const source = memoryStores();
      const image = await buildImage(source, {
        layers: [[file('/a', 'a')], [file('/b', 'b')]],
        names: ['x:1'],
      });
      const { fs, vol } = memoryFs();
      await exportOciLayout(source, ['x:1'], { fs, dir: '/l' });
      const configPath = `/l/blobs/sha256/${digestHex(image.config.digest)}`;
      const config = readJson<{ rootfs: { diff_ids: string[] } }>(vol, configPath);
      config.rootfs.diff_ids.pop();
      const bytes = new TextEncoder().encode(JSON.stringify(config));
      const h = hasher();
      h.update(bytes);
      const configDigest = h.digest();
      vol.writeFileSync(`/l/blobs/sha256/${configDigest.slice(7)}`, bytes);
      const manifestPath = `/l/blobs/sha256/${digestHex(image.target.digest)}`;
      const manifest = readJson<{ config: Descriptor }>(vol, manifestPath);
      manifest.config = {
        ...manifest.config,
        digest: configDigest as Descriptor['digest'],
        size: bytes.length,
      };
      const mBytes = new TextEncoder().encode(JSON.stringify(manifest));
      const mh = hasher();
      mh.update(mBytes);
      const mDigest = mh.digest();
      vol.writeFileSync(`/l/blobs/sha256/${mDigest.slice(7)}`, mBytes);
      vol.writeFileSync(
        '/l/index.json',
        JSON.stringify({
          schemaVersion: 2,
          manifests: [{ ...image.target, digest: mDigest, size: mBytes.length }],
        }),
      );
      const dest = memoryStores();
      const error = await failure(importOciLayout(dest, { fs, dir: '/l' }, options));
      await expectClean(
        dest,
        [],
        error,
        `blobs/sha256/${configDigest.slice(7)}: rootfs.diff_ids: has 1 entries`,
      );
    });

    it('a missing or broken oci-layout file', async () => {
      const { fs, vol } = await helloLayout();
      vol.writeFileSync('/layout/oci-layout', '{"imageLayoutVersion": 1}');
      const error = await failure(
        importOciLayout(memoryStores(), { fs, dir: '/layout' }, { ...options, format: 'oci' }),
      );
      expect(error.message).toBe('oci-layout: imageLayoutVersion: must be a string (e.g. "1.0.0")');
      vol.unlinkSync('/layout/oci-layout');
      const auto = await failure(importOciLayout(memoryStores(), { fs, dir: '/layout' }, options));
      expect(auto.message).toContain('neither an OCI image layout');
    });

    it('a truncated archive, and a blob member that does not match its name', async () => {
      const source = memoryStores();
      await helloImage(source);
      const tar = await collect(exportOciArchive(source, ['hello:1']));
      const dest = memoryStores();
      let error = await failure(
        importArchive(dest, once(tar.subarray(0, 3000)), { ...options, archiveName: 'hello.tar' }),
      );
      await expectClean(dest, [], error, 'hello.tar: the tar is truncated (in member "blobs/sha256/');

      const corrupt = tar.slice();
      // The first blob's data starts after the headers of blobs/, blobs/sha256/ and the blob itself.
      corrupt[3 * 512 + 10] ^= 0xff;
      error = await failure(importArchive(dest, once(corrupt), { ...options, archiveName: 'hello.tar' }));
      await expectClean(
        dest,
        [],
        error,
        'blobs/sha256/',
        'content does not match its name',
        'digest mismatch',
      );
    });

    it('an entry that is not an image cannot be named; a failing record write is undone', async () => {
      const source = memoryStores();
      const image = await buildImage(source, { layers: [[file('/a', 'a')]], names: ['a:1'] });
      const { fs, vol } = memoryFs();
      await exportOciLayout(source, ['a:1'], { fs, dir: '/l' });
      const index = readJson<ImageIndex>(vol, '/l/index.json');
      vol.writeFileSync(
        '/l/index.json',
        JSON.stringify({
          ...index,
          manifests: [{ ...image.config, annotations: { [ANNOTATION_REF_NAME]: 'cfg' } }],
        }),
      );
      const dest = memoryStores();
      let error = await failure(importOciLayout(dest, { fs, dir: '/l' }, { ...options, repository: 'x' }));
      await expectClean(dest, [], error, 'not an image index or manifest');

      // Two names; the store fails on the second: the first is put back as it was.
      vol.writeFileSync('/l/index.json', JSON.stringify(index));
      await exportOciLayout(source, [{ target: image.target, name: 'b:2' }], { fs, dir: '/l' });
      const flaky = memoryStores();
      const old = await buildImage(flaky, { layers: [[file('/old', 'o')]], names: ['a:1'] });
      const before = await allBlobs(flaky.content);
      const put = flaky.images.put.bind(flaky.images);
      let calls = 0;
      flaky.images.put = async (name, target) => {
        if (++calls === 2) throw new Error('disk full');
        return put(name, target);
      };
      error = await failure(importOciLayout(flaky, { fs, dir: '/l' }, options));
      expect(error.message).toBe('disk full');
      expect((await flaky.images.list()).map((r) => [r.name, r.target.digest])).toEqual([
        ['docker.io/library/a:1', old.target.digest],
      ]);
      expect(await allBlobs(flaky.content)).toEqual(before);
    });

    it('a failed import leaves no record even after other images were verified', async () => {
      const source = memoryStores();
      await helloImage(source, ['a:1']);
      const broken = await buildImage(source, { layers: [[file('/z', 'z')]], names: ['b:1'] });
      const { fs, vol } = memoryFs();
      await exportOciLayout(source, ['a:1', 'b:1'], { fs, dir: '/l' });
      vol.unlinkSync(`/l/blobs/sha256/${digestHex(broken.config.digest)}`);
      const dest = memoryStores();
      const error = await failure(importOciLayout(dest, { fs, dir: '/l' }, options));
      await expectClean(dest, [], error, 'config', 'is missing');
    });
  });

  it('keeps the variant annotation when it sits on the index.json entry only', async () => {
    const source = memoryStores();
    const image = await buildImage(source, {
      layers: [[file('/m.wasm', new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))]],
    });
    const { fs } = memoryFs();
    await exportOciLayout(
      source,
      [{ target: { ...image.target, annotations: { [ANNOTATION_WASM_VARIANT]: 'compat' } }, name: 'v:1' }],
      { fs, dir: '/l' },
    );
    const dest = memoryStores();
    await importOciLayout(dest, { fs, dir: '/l' }, options);
    const record = await dest.images.get('v:1');
    expect(record?.target.annotations).toEqual({ [ANNOTATION_WASM_VARIANT]: 'compat' });
    expect((await resolveImage(dest.content, record!)).variant).toBe('compat');
  });
});
