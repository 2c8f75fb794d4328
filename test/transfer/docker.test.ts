import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resolveImage } from '../../src/image';
import { packLayer, unpackLayer } from '../../src/layer';
import { nodeGunzip } from '../../src/node/gzip';
import { nodeSha256 } from '../../src/node/sha256';
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  ANNOTATION_WASM_VARIANT,
  OCI_LAYER_TAR,
  digestHex,
  type ImageIndex,
  type ImageManifest,
} from '../../src/oci';
import { InvalidArchiveError, exportDockerArchive, importArchive, tarMembers } from '../../src/transfer';
import {
  MINIMAL_WASM,
  allBlobs,
  describeTree,
  dir,
  file,
  helloImage,
  imageRoot,
  memoryStores,
} from '../fixtures/images';
import { chunked, collect, concat, makeTar, sha256, type TarSpec } from '../layer/helpers';

const hasher = nodeSha256;
const options = { hasher, gunzip: nodeGunzip };
const utf8 = new TextEncoder();

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

/** name → bytes of every regular member, plus the member names in order. */
async function members(tar: Uint8Array): Promise<{ names: string[]; files: Map<string, Uint8Array> }> {
  const names: string[] = [];
  const files = new Map<string, Uint8Array>();
  for await (const m of tarMembers(once(tar), 'test.tar')) {
    names.push(m.name);
    if (m.type === 'file') files.set(m.name, await collect(m.body));
  }
  return { names, files };
}

const json = <T>(bytes: Uint8Array | undefined): T => JSON.parse(new TextDecoder().decode(bytes)) as T;

describe('docker save archives', () => {
  it('are written as Docker 25+ writes them: an OCI layout, manifest.json and repositories', async () => {
    const source = memoryStores();
    const hello = await helloImage(source, ['hello:1', 'hello:latest']);
    const tar = await collect(exportDockerArchive(source, ['hello:1', 'hello:latest'], options));
    const { names, files } = await members(tar);
    expect(names.slice(0, 2)).toEqual(['blobs/', 'blobs/sha256/']);
    expect(names.slice(-4)).toEqual(['index.json', 'manifest.json', 'oci-layout', 'repositories']);

    const resolved = await resolveImage(source.content, hello.target);
    const diffIds = resolved.config.rootfs!.diff_ids;
    const manifestJson = json<{ Config: string; RepoTags: string[]; Layers: string[] }[]>(
      files.get('manifest.json'),
    );
    expect(manifestJson).toEqual([
      {
        Config: `blobs/sha256/${digestHex(hello.config.digest)}`,
        RepoTags: ['hello:1', 'hello:latest'],
        Layers: diffIds.map((d) => `blobs/sha256/${digestHex(d)}`),
      },
    ]);
    expect(json(files.get('repositories'))).toEqual({
      hello: { '1': digestHex(diffIds[1]!), latest: digestHex(diffIds[1]!) },
    });
    // Layers are stored uncompressed, named by diff_id, and check out.
    for (const [i, d] of diffIds.entries()) {
      const layer = files.get(manifestJson[0]!.Layers[i]!)!;
      expect(sha256(layer)).toBe(d);
    }
    const index = json<ImageIndex>(files.get('index.json'));
    expect(index.manifests).toHaveLength(2);
    const entry = index.manifests[0]!;
    expect(entry.annotations).toEqual({
      [ANNOTATION_CONTAINERD_IMAGE_NAME]: 'docker.io/library/hello:1',
      [ANNOTATION_REF_NAME]: '1',
    });
    expect(entry.platform).toEqual({ architecture: 'wasm', os: 'wasi' });
    const manifest = json<ImageManifest>(files.get(`blobs/sha256/${digestHex(entry.digest)}`));
    expect(manifest.config).toEqual(hello.config);
    expect(manifest.layers.map((l) => [l.mediaType, l.digest])).toEqual(
      diffIds.map((d) => [OCI_LAYER_TAR, d]),
    );
    expect(manifest.annotations?.[ANNOTATION_WASM_VARIANT]).toBe('compat-smart');
    expect(json(files.get('oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('round-trip: same config, same tree, both names; as-stored keeps every digest', async () => {
    const source = memoryStores();
    const hello = await helloImage(source, ['hello:1', 'hello:latest']);
    const tar = await collect(exportDockerArchive(source, ['hello:1', 'hello:latest'], options));
    const dest = memoryStores();
    const result = await importArchive(dest, chunked(tar, 10_000), { ...options, archiveName: 'hello.tar' });
    expect(result.format).toBe('oci');
    expect(result.images.flatMap((i) => i.names)).toEqual([
      'docker.io/library/hello:1',
      'docker.io/library/hello:latest',
    ]);
    const record = (await dest.images.get('hello:latest'))!;
    const resolved = await resolveImage(dest.content, record);
    expect(resolved.manifest.config.digest).toBe(hello.config.digest);
    expect(resolved.variant).toBe('compat-smart');
    expect(describeTree(await imageRoot(dest.content, record.target))).toEqual(
      describeTree(await imageRoot(source.content, hello.target)),
    );

    const stored = await collect(
      exportDockerArchive(source, ['hello:1'], { ...options, layers: 'as-stored' }),
    );
    const again = memoryStores();
    await importArchive(again, once(stored), options);
    expect((await again.images.get('hello:1'))?.target.digest).toBe(hello.target.digest);
    expect(await allBlobs(again.content)).toEqual(await allBlobs(source.content));
  });

  it('reads the manifest.json side of a Docker 25+ archive too (format: docker), gzip archive or not', async () => {
    const source = memoryStores();
    const hello = await helloImage(source, ['hello:1']);
    for (const layers of ['uncompressed', 'as-stored'] as const) {
      const tar = await collect(exportDockerArchive(source, ['hello:1'], { ...options, layers }));
      const dest = memoryStores();
      await importArchive(dest, once(gzipSync(tar)), { ...options, format: 'docker' });
      const resolved = await resolveImage(dest.content, (await dest.images.get('hello:1'))!);
      expect(resolved.manifest.config.digest).toBe(hello.config.digest);
      expect(resolved.manifest.layers.map((l) => l.mediaType)).toEqual(
        layers === 'uncompressed'
          ? [OCI_LAYER_TAR, OCI_LAYER_TAR]
          : ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
      );
      // Only what the image needs is kept: Docker's legacy files and the other manifest are not.
      const needed = [resolved.manifestDescriptor, resolved.manifest.config, ...resolved.manifest.layers];
      expect(await allBlobs(dest.content)).toEqual(needed.map((d) => d.digest).sort());
    }
  });

  describe('legacy layout (<id>/layer.tar, <hex>.json), as skopeo docker-archive and docker < 25 write it', () => {
    async function legacyArchive(
      opts: { gzipLayer?: boolean; wrongDiffId?: boolean; breakJson?: boolean } = {},
    ) {
      const layer = await packLayer(
        [dir('/app'), file('/app/app.wasm', MINIMAL_WASM, 0o755), file('/etc/hostname', 'wasm\n')],
        { hasher, gzip: false },
      );
      const layerTar = concat(layer.chunks);
      const stored = opts.gzipLayer ? gzipSync(layerTar) : layerTar;
      const config = {
        architecture: 'wasm',
        os: 'wasi',
        config: { Entrypoint: ['/app/app.wasm'] },
        rootfs: { type: 'layers', diff_ids: [opts.wrongDiffId ? sha256(utf8.encode('nope')) : layer.diffId] },
      };
      const configBytes = utf8.encode(JSON.stringify(config));
      const configHex = sha256(configBytes).slice(7);
      const id = 'a'.repeat(64);
      const diffHex = layer.diffId.slice(7);
      const manifest = [
        { Config: `${configHex}.json`, RepoTags: ['wasm/app:v1'], Layers: [`${id}/layer.tar`] },
      ];
      const entries: TarSpec[] = [
        { name: `${diffHex}.tar`, data: stored },
        { name: `${id}/`, type: 'directory' },
        { name: `${id}/layer.tar`, type: 'symlink', linkname: `../${diffHex}.tar` },
        { name: `${id}/VERSION`, data: '1.0' },
        { name: `${id}/json`, data: JSON.stringify({ id, os: 'wasi' }) },
        { name: `${configHex}.json`, data: configBytes },
        { name: 'manifest.json', data: opts.breakJson ? '[{"Config": ' : JSON.stringify(manifest) },
        { name: 'repositories', data: JSON.stringify({ 'wasm/app': { v1: id } }) },
      ];
      return { tar: await makeTar(entries), layer, configHex, stored };
    }

    it('imports it: config verified by its name, layer by its diff_id, a manifest made', async () => {
      for (const gzipLayer of [false, true]) {
        const { tar, configHex, stored } = await legacyArchive({ gzipLayer });
        const dest = memoryStores();
        const result = await importArchive(dest, once(tar), options);
        expect(result.format).toBe('docker');
        expect(result.images[0]!.names).toEqual(['docker.io/wasm/app:v1']);
        const resolved = await resolveImage(dest.content, (await dest.images.get('wasm/app:v1'))!);
        expect(resolved.manifest.config.digest).toBe(`sha256:${configHex}`);
        expect(resolved.manifest.layers).toEqual([
          {
            mediaType: gzipLayer ? 'application/vnd.oci.image.layer.v1.tar+gzip' : OCI_LAYER_TAR,
            digest: sha256(stored),
            size: stored.length,
          },
        ]);
        const layer = await unpackLayer(dest.content.read(resolved.manifest.layers[0]!.digest), options);
        expect(describeTree(layer.fs)).toContain('d 0755 app');
        // The legacy v1 json and VERSION files are not kept as blobs.
        expect(await allBlobs(dest.content)).toHaveLength(3);
      }
    });

    it('rejects a layer that is not its diff_id, and malformed manifest.json, leaving nothing', async () => {
      const { tar } = await legacyArchive({ wrongDiffId: true });
      const dest = memoryStores();
      let error = await failure(importArchive(dest, once(tar), options));
      expect(error).toBeInstanceOf(InvalidArchiveError);
      expect(error.message).toContain('manifest.json: [0].Layers[0]:');
      expect(error.message).toContain("the config's rootfs.diff_ids entry is");
      expect(await allBlobs(dest.content)).toEqual([]);
      expect(await dest.images.list()).toEqual([]);

      error = await failure(
        importArchive(dest, once((await legacyArchive({ breakJson: true })).tar), options),
      );
      expect(error.message).toMatch(/^manifest\.json: not UTF-8 JSON/);
      expect(await allBlobs(dest.content)).toEqual([]);
    });

    it('rejects a missing layer file and a config that is not its name', async () => {
      const layer = await packLayer([file('/a', 'a')], { hasher, gzip: false });
      const configBytes = utf8.encode(
        JSON.stringify({
          architecture: 'wasm',
          os: 'wasi',
          rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        }),
      );
      const hex = sha256(configBytes).slice(7);
      const missing = await makeTar([
        { name: `${hex}.json`, data: configBytes },
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: `${hex}.json`, RepoTags: null, Layers: ['x/layer.tar'] }]),
        },
      ]);
      const dest = memoryStores();
      let error = await failure(importArchive(dest, once(missing), options));
      expect(error.message).toBe(
        'manifest.json: [0].Layers[0]: the file is missing: no x/layer.tar in archive',
      );
      const escaping = await makeTar([
        { name: `${hex}.json`, data: configBytes },
        {
          name: 'manifest.json',
          data: JSON.stringify([{ Config: `${hex}.json`, Layers: ['../../etc/passwd'] }]),
        },
      ]);
      error = await failure(importArchive(dest, once(escaping), options));
      expect(error.message).toBe(
        'manifest.json: [0].Layers[0]: "../../etc/passwd" is not a file inside archive',
      );
      const liar = await makeTar([
        { name: `${'0'.repeat(64)}.json`, data: configBytes },
        { name: 'manifest.json', data: JSON.stringify([{ Config: `${'0'.repeat(64)}.json`, Layers: [] }]) },
      ]);
      error = await failure(importArchive(dest, once(liar), options));
      expect(error.message).toContain(`manifest.json: [0].Config: ${'0'.repeat(64)}.json: digest mismatch`);
      expect(await allBlobs(dest.content)).toEqual([]);
    });
  });

  it('reads a runwasi-style image: wasip1/wasm, a .wasm in a tar layer, Entrypoint, variant kept', async () => {
    // As containerd/runwasi's oci-tar-builder lays out wasi-demo-app: an OCI layout in a tar, an index.json
    // entry with platform and both name annotations, plus Docker's manifest.json.
    const layer = await packLayer([file('/wasi-demo-app.wasm', MINIMAL_WASM, 0o755)], {
      hasher,
      gzip: false,
    });
    const layerBytes = concat(layer.chunks);
    const config = utf8.encode(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture: 'wasm',
        os: 'wasip1',
        config: { Entrypoint: ['/wasi-demo-app.wasm'] },
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      }),
    );
    const manifest = utf8.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [{ mediaType: OCI_LAYER_TAR, digest: layer.digest, size: layer.size }],
        annotations: { [ANNOTATION_WASM_VARIANT]: 'compat' },
      }),
    );
    const index = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha256(manifest),
          size: manifest.length,
          platform: { os: 'wasip1', architecture: 'wasm' },
          annotations: {
            [ANNOTATION_CONTAINERD_IMAGE_NAME]: 'ghcr.io/containerd/runwasi/wasi-demo-app:latest',
            [ANNOTATION_REF_NAME]: 'latest',
          },
        },
      ],
    };
    const blob = (bytes: Uint8Array): TarSpec => ({
      name: `blobs/sha256/${sha256(bytes).slice(7)}`,
      data: bytes,
    });
    const tar = await makeTar([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', data: JSON.stringify(index) },
      blob(layerBytes),
      blob(config),
      blob(manifest),
      {
        name: 'manifest.json',
        data: JSON.stringify([
          {
            Config: `blobs/sha256/${sha256(config).slice(7)}`,
            RepoTags: ['ghcr.io/containerd/runwasi/wasi-demo-app:latest'],
            Layers: [`blobs/sha256/${layer.digest.slice(7)}`],
          },
        ]),
      },
    ]);
    const dest = memoryStores();
    await importArchive(dest, once(tar), options);
    const record = (await dest.images.get('ghcr.io/containerd/runwasi/wasi-demo-app:latest'))!;
    expect(record.target.platform).toEqual({ os: 'wasip1', architecture: 'wasm' });
    const resolved = await resolveImage(dest.content, record);
    expect(resolved.variant).toBe('compat');
    expect(resolved.platform).toMatchObject({ os: 'wasip1', architecture: 'wasm' });
    const entrypoint = resolved.config.config!.Entrypoint![0]!;
    const root = await imageRoot(dest.content, record.target);
    const node = root.lookup(root.root(), entrypoint.slice(1));
    if (typeof node === 'number') throw new Error(`no ${entrypoint}`);
    const handle = root.open(node, { read: true, write: false });
    if (typeof handle === 'number') throw new Error('open');
    const head = new Uint8Array(4);
    handle.pread(head, 0);
    expect([...head]).toEqual([0, 0x61, 0x73, 0x6d]);
  });

  it('refuses images whose layers are raw wasm (no tar): docker archives hold tar layers', async () => {
    const source = memoryStores();
    const w = await source.content.writer();
    await w.write(MINIMAL_WASM);
    const info = await w.commit();
    const { writeJsonBlob } = await import('../../src/image');
    const config = await writeJsonBlob(source.content, 'application/vnd.oci.image.config.v1+json', {
      architecture: 'wasm',
      os: 'wasip1',
      rootfs: { type: 'layers', diff_ids: [info.digest] },
    });
    const target = await writeJsonBlob(source.content, 'application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [{ mediaType: 'application/wasm', digest: info.digest, size: info.size }],
    });
    const error = await failure(collect(exportDockerArchive(source, [{ target, name: 'raw:1' }], options)));
    expect(error.message).toContain('layers[0]: application/wasm is not a tar layer');
  });
});
