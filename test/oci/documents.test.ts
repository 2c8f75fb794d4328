import { describe, expect, it } from 'vitest';
import { InvalidManifestError } from '../../src/errors/InvalidManifestError';
import { parseImageConfig } from '../../src/oci/config';
import { parseDescriptor } from '../../src/oci/descriptor';
import { parseManifestDocument } from '../../src/oci/manifest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isImageConfigMediaType,
  isWasmLayerMediaType,
  layerCompression,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
  WASM_CONFIG,
  WASM_LAYER,
} from '../../src/oci/mediaTypes';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function invalid(fn: () => unknown): InvalidManifestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidManifestError);
    return err as InvalidManifestError;
  }
  throw new Error('expected InvalidManifestError');
}

const manifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: OCI_CONFIG, digest: D1, size: 10 },
  layers: [{ mediaType: OCI_LAYER_TAR_GZIP, digest: D2, size: 20 }],
  annotations: { 'module.wasm.image/variant': 'compat-smart' },
};

describe('OCI documents', () => {
  it('should check descriptors and name the bad field', () => {
    const ok = { mediaType: OCI_CONFIG, digest: D1, size: 3, platform: { os: 'wasi', architecture: 'wasm' } };
    expect(parseDescriptor(ok, 'test')).toBe(ok);
    expect(
      invalid(() => parseDescriptor({ ...ok, digest: 'sha256:abc' }, 'index x', 'manifests[0]')).message,
    ).toBe(
      'invalid index x: manifests[0].digest must be a sha256 digest ("sha256:" + 64 lowercase hex), got "sha256:abc"',
    );
    expect(invalid(() => parseDescriptor({ ...ok, size: -1 }, 't')).message).toMatch(
      /size must be a non-negative/,
    );
    expect(invalid(() => parseDescriptor({ ...ok, size: 1.5 }, 't')).message).toMatch(/size/);
    expect(invalid(() => parseDescriptor({ ...ok, mediaType: '' }, 't')).message).toMatch(/mediaType/);
    expect(invalid(() => parseDescriptor({ ...ok, annotations: { a: 1 } }, 't')).message).toMatch(
      /annotations/,
    );
    expect(invalid(() => parseDescriptor({ ...ok, platform: { os: 'wasi' } }, 't')).message).toMatch(
      /platform\.architecture/,
    );
  });

  it('should tell manifests from indexes by media type, descriptor, or shape', () => {
    expect(parseManifestDocument(bytes(manifest), 'm')?.kind).toBe('manifest');
    const { mediaType: _, ...bare } = manifest;
    expect(parseManifestDocument(bytes(bare), 'm', OCI_MANIFEST)?.kind).toBe('manifest');
    expect(parseManifestDocument(bytes(bare), 'm')?.kind).toBe('manifest');
    expect(parseManifestDocument(bytes({ ...manifest, mediaType: DOCKER_MANIFEST }), 'm')?.kind).toBe(
      'manifest',
    );
    const index = { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: D1, size: 5 }] };
    expect(parseManifestDocument(bytes(index), 'i')?.kind).toBe('index');
    expect(parseManifestDocument(bytes({ ...index, mediaType: DOCKER_MANIFEST_LIST }), 'i')?.kind).toBe(
      'index',
    );
    expect(parseManifestDocument(bytes({ architecture: 'wasm', os: 'wasi' }), 'c')).toBeUndefined();
    expect(
      parseManifestDocument(bytes({ mediaType: 'application/x-other', layers: [] }), 'x'),
    ).toBeUndefined();
  });

  it('should keep annotations and unknown fields', () => {
    const doc = parseManifestDocument(bytes({ ...manifest, extra: 1 }), 'm');
    expect(doc).toMatchObject({
      kind: 'manifest',
      manifest: { annotations: manifest.annotations, extra: 1 },
    });
  });

  it('should refuse malformed documents', () => {
    expect(
      invalid(() => parseManifestDocument(new TextEncoder().encode('{nope'), 'image manifest m')).message,
    ).toMatch(/^invalid image manifest m: not UTF-8 JSON/);
    expect(invalid(() => parseManifestDocument(new Uint8Array([0x22, 0xff, 0x22]), 'm')).message).toMatch(
      /UTF-8/,
    );
    expect(invalid(() => parseManifestDocument(bytes([1]), 'm')).message).toMatch(/must be a JSON object/);
    expect(
      invalid(() => parseManifestDocument(bytes({ ...manifest, schemaVersion: 1 }), 'm')).message,
    ).toMatch(/schemaVersion must be 2, got 1/);
    expect(invalid(() => parseManifestDocument(bytes({ ...manifest, layers: {} }), 'm')).message).toMatch(
      /layers must be an array/,
    );
    expect(invalid(() => parseManifestDocument(bytes(manifest), 'm', OCI_INDEX)).message).toMatch(
      /differs from the descriptor's/,
    );
    expect(
      invalid(() =>
        parseManifestDocument(bytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{}] }), 'i'),
      ).message,
    ).toMatch(/manifests\[0\]\.mediaType/);
  });

  it('should parse image configs, Docker and CNCF Wasm ones too', () => {
    const config = {
      created: '2023-11-14T22:13:20Z',
      architecture: 'wasm',
      os: 'wasi',
      config: { Env: ['PATH=/app'], Entrypoint: ['/app/hello.wasm'], Cmd: null, WorkingDir: '/app' },
      rootfs: { type: 'layers', diff_ids: [D1] },
      history: [{ created_by: 'COPY', empty_layer: false }],
    };
    expect(parseImageConfig(bytes(config), 'c')).toEqual(config);
    const artifact = {
      created: 'x',
      author: null,
      architecture: 'wasm',
      os: 'wasip1',
      layerDigests: [D2],
      component: null,
    };
    expect(parseImageConfig(bytes(artifact), 'c')).toEqual(artifact);
    expect(invalid(() => parseImageConfig(bytes({ os: 'wasi' }), 'image config c')).message).toBe(
      'invalid image config c: architecture must be a non-empty string',
    );
    expect(
      invalid(() => parseImageConfig(bytes({ ...config, rootfs: { type: 'x', diff_ids: [] } }), 'c')).message,
    ).toMatch(/rootfs.type/);
    expect(
      invalid(() => parseImageConfig(bytes({ ...config, config: { Entrypoint: 'x' } }), 'c')).message,
    ).toMatch(/config\.Entrypoint must be an array of strings/);
    expect(invalid(() => parseImageConfig(bytes({ ...artifact, layerDigests: ['x'] }), 'c')).message).toMatch(
      /layerDigests\[0\]/,
    );
  });

  it('should classify media types', () => {
    expect(isImageConfigMediaType(WASM_CONFIG)).toBe(true);
    expect(isImageConfigMediaType('application/vnd.fermyon.spin.application.v1+config')).toBe(false);
    expect(isWasmLayerMediaType(WASM_LAYER)).toBe(true);
    expect(layerCompression(OCI_LAYER_TAR_GZIP)).toBe('gzip');
    expect(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar')).toBe('none');
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(layerCompression(WASM_LAYER)).toBeUndefined();
  });
});
