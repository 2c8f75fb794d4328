import { beforeEach, describe, expect, it } from 'vitest';
import { gc } from '../../src/content/gc';
import { MemoryContentStore } from '../../src/content/MemoryContentStore';
import { NoMatchingPlatformError } from '../../src/errors/NoMatchingPlatformError';
import { NotFoundError } from '../../src/errors/NotFoundError';
import { SizeMismatchError } from '../../src/errors/SizeMismatchError';
import { UnsupportedMediaTypeError } from '../../src/errors/UnsupportedMediaTypeError';
import { createImageConfig } from '../../src/image/createImageConfig';
import { createImageManifest } from '../../src/image/createImageManifest';
import { MemoryImageStore } from '../../src/image/MemoryImageStore';
import { resolveImage } from '../../src/image/resolveImage';
import { writeJsonBlob } from '../../src/image/writeJsonBlob';
import { nodeSha256 } from '../../src/node/sha256';
import type { Digest } from '../../src/oci/digest';
import {
  ANNOTATION_WASM_VARIANT,
  DOCKER_CONFIG,
  DOCKER_LAYER_TAR_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
  WASM_CONFIG,
  WASM_LAYER,
} from '../../src/oci/mediaTypes';
import type { Descriptor, Platform } from '../../src/oci/types';

let content: MemoryContentStore;

beforeEach(() => {
  content = new MemoryContentStore({ hasher: nodeSha256 });
});

async function blob(text: string, mediaType = OCI_LAYER_TAR): Promise<Descriptor> {
  const bytes = new TextEncoder().encode(text);
  const w = await content.writer();
  await w.write(bytes);
  const info = await w.commit();
  return { mediaType, digest: info.digest, size: info.size };
}

/** An image manifest for `os/architecture` with one layer; returns its descriptor. */
async function image(
  os: string,
  architecture = 'wasm',
  opts: { annotations?: Record<string, string>; docker?: boolean; configType?: string } = {},
): Promise<Descriptor> {
  const layer = await blob(
    `layer of ${os}/${architecture}`,
    opts.docker ? DOCKER_LAYER_TAR_GZIP : OCI_LAYER_TAR,
  );
  const config = await writeJsonBlob(content, opts.configType ?? (opts.docker ? DOCKER_CONFIG : OCI_CONFIG), {
    architecture,
    os,
    config: { Entrypoint: [`/${os}.wasm`] },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  const manifest = createImageManifest({
    config,
    layers: [layer],
    annotations: opts.annotations,
    mediaType: opts.docker ? DOCKER_MANIFEST : OCI_MANIFEST,
  });
  return writeJsonBlob(content, manifest.mediaType!, manifest);
}

async function index(entries: Descriptor[], mediaType = OCI_INDEX, withType = true): Promise<Descriptor> {
  return writeJsonBlob(content, mediaType, {
    schemaVersion: 2,
    ...(withType ? { mediaType } : {}),
    manifests: entries,
  });
}

const on = (d: Descriptor, os: string, architecture = 'wasm'): Descriptor => ({
  ...d,
  platform: { os, architecture },
});

describe('resolveImage', () => {
  it('should resolve a lone wasi/wasm manifest and keep the variant annotation', async () => {
    const m = await image('wasi', 'wasm', {
      annotations: { [ANNOTATION_WASM_VARIANT]: 'compat-smart', x: 'y' },
    });
    const r = await resolveImage(content, m);
    expect(r.path).toEqual([m]);
    expect(r.manifestDescriptor).toEqual(m);
    expect(r.platform).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect(r.variant).toBe('compat-smart');
    expect(r.annotations).toEqual({ [ANNOTATION_WASM_VARIANT]: 'compat-smart', x: 'y' });
    expect(r.config.config?.Entrypoint).toEqual(['/wasi.wasm']);
    expect(r.manifest.layers).toHaveLength(1);
  });

  it('should pick the wasm entry of a multi-platform index', async () => {
    const linux = on(await image('linux', 'amd64'), 'linux', 'amd64');
    const wasm = on(await image('wasi'), 'wasi');
    const idx = await index([linux, wasm]);
    const r = await resolveImage(content, idx);
    expect(r.path).toEqual([idx, wasm]);
    expect(r.manifestDescriptor.platform).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect('variant' in r).toBe(false);
  });

  it('should accept wasip1 and prefer it to wasip2 for wasi/wasm', async () => {
    const p2 = on(await image('wasip2'), 'wasip2');
    const p1 = on(await image('wasip1'), 'wasip1');
    const r = await resolveImage(content, await index([p2, p1]));
    expect(r.platform.os).toBe('wasip1');
    const only2 = await resolveImage(content, await index([p2]));
    expect(only2.platform.os).toBe('wasip2');
    const asked = await resolveImage(content, await index([p1, p2]), { os: 'wasip2', architecture: 'wasm' });
    expect(asked.platform.os).toBe('wasip2');
  });

  it('should walk nested indexes and index entries without a platform', async () => {
    const m = await image('wasi');
    const inner = await index([on(m, 'wasi')]);
    const outer = await index([inner], OCI_INDEX, false); // an OCI layout index.json, skopeo style
    const r = await resolveImage(content, outer);
    expect(r.path.map((d) => d.digest)).toEqual([outer.digest, inner.digest, m.digest]);
    // skopeo drops platforms: the configs decide.
    const plain = await index([await image('linux', 'amd64'), m]);
    expect((await resolveImage(content, plain)).manifestDescriptor.digest).toBe(m.digest);
  });

  it('should read Docker manifest lists and schema 2 manifests', async () => {
    const m = await image('wasi', 'wasm', { docker: true });
    const list = await index([on(m, 'wasi')], DOCKER_MANIFEST_LIST);
    const r = await resolveImage(content, list);
    expect(r.manifest.mediaType).toBe(DOCKER_MANIFEST);
    expect(r.platform).toEqual({ os: 'wasi', architecture: 'wasm' });
  });

  it('should read CNCF Wasm artifacts', async () => {
    const layer = await blob('\0asm', WASM_LAYER);
    const config = await writeJsonBlob(content, WASM_CONFIG, {
      created: '2024-01-01T00:00:00Z',
      author: null,
      architecture: 'wasm',
      os: 'wasip1',
      layerDigests: [layer.digest],
      component: null,
    });
    const m = await writeJsonBlob(content, OCI_MANIFEST, createImageManifest({ config, layers: [layer] }));
    const r = await resolveImage(content, m);
    expect(r.platform).toEqual({ os: 'wasip1', architecture: 'wasm' });
    expect(r.config.layerDigests).toEqual([layer.digest]);
  });

  it('should say which platforms an image has when none fits', async () => {
    const idx = await index([
      on(await image('linux', 'amd64'), 'linux', 'amd64'),
      on(await image('linux', 'arm64'), 'linux', 'arm64'),
    ]);
    const err = await resolveImage(content, idx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoMatchingPlatformError);
    expect(err).toMatchObject({ wanted: 'wasi/wasm', available: ['linux/amd64', 'linux/arm64'] });
    expect((err as Error).message).toBe(
      `no wasi/wasm image in ${idx.digest} (it has: linux/amd64, linux/arm64)`,
    );
    const lone = await image('linux', 'amd64');
    await expect(resolveImage(content, lone)).rejects.toBeInstanceOf(NoMatchingPlatformError);
    const wanted: Platform = { os: 'linux', architecture: 'amd64' };
    expect((await resolveImage(content, lone, wanted)).platform).toEqual(wanted);
  });

  it('should take an image record from the image store', async () => {
    const images = new MemoryImageStore();
    const record = await images.put('hello', await index([on(await image('wasi'), 'wasi')]));
    expect((await resolveImage(content, record)).path[0]).toEqual(record.target);
  });

  it('should skip index entries that are missing or not images', async () => {
    const attestation = await writeJsonBlob(content, 'application/vnd.in-toto+json', { predicateType: 'x' });
    const missing: Descriptor = {
      mediaType: OCI_MANIFEST,
      digest: `sha256:${'0'.repeat(64)}` as Digest,
      size: 10,
    };
    const m = await image('wasi');
    const r = await resolveImage(content, await index([attestation, missing, m]));
    expect(r.manifestDescriptor.digest).toBe(m.digest);
  });

  it('should fail on broken images', async () => {
    const m = await image('wasi');
    await expect(resolveImage(content, { ...m, size: m.size + 1 })).rejects.toBeInstanceOf(SizeMismatchError);
    const gone: Descriptor = { ...m, digest: `sha256:${'0'.repeat(64)}` as Digest };
    await expect(resolveImage(content, gone)).rejects.toBeInstanceOf(NotFoundError);
    // The index promises wasi/wasm but the manifest is missing: a broken pull, not "no platform".
    await expect(resolveImage(content, await index([on(gone, 'wasi')]))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const layer = await blob('raw', 'application/octet-stream');
    await expect(resolveImage(content, layer)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    const spin = await image('wasi', 'wasm', {
      configType: 'application/vnd.fermyon.spin.application.v1+config',
    });
    await expect(resolveImage(content, spin)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });
});

describe('images end to end', () => {
  it('should write, name, collect garbage around and resolve an image', async () => {
    const layer = await blob('layer tar bytes');
    const config = createImageConfig({
      diffIds: [layer.digest],
      config: { Entrypoint: ['/app/hello.wasm'], Env: ['PATH=/app'] },
      history: [{ created_by: 'COPY hello.wasm /app/' }],
      created: new Date('2023-11-14T22:13:20Z'),
    });
    const configDesc = await writeJsonBlob(content, OCI_CONFIG, config);
    const manifest = createImageManifest({
      config: configDesc,
      layers: [layer],
      annotations: { [ANNOTATION_WASM_VARIANT]: 'compat' },
    });
    const manifestDesc = await writeJsonBlob(content, OCI_MANIFEST, manifest);
    const top = await index([{ ...manifestDesc, platform: { os: 'wasi', architecture: 'wasm' } }]);
    const images = new MemoryImageStore();
    await images.put('hello:1', top);
    await blob('garbage');

    const roots = (await images.list()).map((r) => r.target.digest);
    const { removed } = await gc(content, roots);
    expect(removed).toHaveLength(1);

    const r = await resolveImage(content, (await images.get('hello:1'))!);
    expect(r.config).toEqual(config);
    expect(r.variant).toBe('compat');
    expect(r.platform).toEqual({ os: 'wasi', architecture: 'wasm' });

    await images.delete('hello:1');
    await gc(content, []);
    expect(await content.list()).toEqual([]);
  });
});
