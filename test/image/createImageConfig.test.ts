import { describe, expect, it } from 'vitest';
import { InvalidManifestError } from '../../src/errors/InvalidManifestError';
import { createImageConfig } from '../../src/image/createImageConfig';
import { createImageManifest } from '../../src/image/createImageManifest';
import { parseImageConfig } from '../../src/oci/config';
import type { Digest } from '../../src/oci/digest';
import {
  ANNOTATION_WASM_VARIANT,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
} from '../../src/oci/mediaTypes';
import { encodeJson } from '../../src/util/encodeJson';

const D1 = `sha256:${'1'.repeat(64)}` as Digest;
const D2 = `sha256:${'2'.repeat(64)}` as Digest;

describe('createImageConfig', () => {
  it("should write Docker's wasi/wasm platform and the rootfs", () => {
    const config = createImageConfig({
      diffIds: [D1, D2],
      config: { Entrypoint: ['/app/hello.wasm'], WorkingDir: '/app', Env: ['PATH=/app'] },
      history: [
        { created_by: 'COPY a' },
        { created_by: 'ENV x', empty_layer: true },
        { created_by: 'COPY b' },
      ],
      created: new Date('2023-11-14T22:13:20Z'),
      author: 'berth',
    });
    expect(config).toEqual({
      created: '2023-11-14T22:13:20.000Z',
      author: 'berth',
      architecture: 'wasm',
      os: 'wasi',
      config: { Entrypoint: ['/app/hello.wasm'], WorkingDir: '/app', Env: ['PATH=/app'] },
      rootfs: { type: 'layers', diff_ids: [D1, D2] },
      history: [
        { created_by: 'COPY a' },
        { created_by: 'ENV x', empty_layer: true },
        { created_by: 'COPY b' },
      ],
    });
    expect(Object.keys(config)).toEqual([
      'created',
      'author',
      'architecture',
      'os',
      'config',
      'rootfs',
      'history',
    ]);
    expect(parseImageConfig(encodeJson(config), 'c')).toEqual(config);
  });

  it('should give identical bytes for identical input and omit an unset creation time', () => {
    const a = createImageConfig({ diffIds: [D1], config: { Cmd: ['x'] } });
    const b = createImageConfig({ diffIds: [D1], config: { Cmd: ['x'] } });
    expect(encodeJson(a)).toEqual(encodeJson(b));
    expect('created' in a).toBe(false);
    expect(new TextDecoder().decode(encodeJson(a))).toBe(
      `{"architecture":"wasm","os":"wasi","config":{"Cmd":["x"]},"rootfs":{"type":"layers","diff_ids":["${D1}"]}}`,
    );
  });

  it('should check history against the layers and the digests', () => {
    expect(() => createImageConfig({ diffIds: [D1], history: [] })).toThrow(InvalidManifestError);
    expect(() => createImageConfig({ diffIds: ['sha256:nope' as Digest] })).toThrow(
      /invalid digest "sha256:nope"/,
    );
  });
});

describe('createImageManifest', () => {
  const config = { mediaType: OCI_CONFIG, digest: D1, size: 10 };
  const layer = { mediaType: OCI_LAYER_TAR, digest: D2, size: 20 };

  it('should keep the variant annotation', () => {
    const m = createImageManifest({
      config,
      layers: [layer],
      annotations: { [ANNOTATION_WASM_VARIANT]: 'compat' },
    });
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [layer],
      annotations: { [ANNOTATION_WASM_VARIANT]: 'compat' },
    });
  });

  it('should write Docker schema 2 on request and leave out empty annotations', () => {
    const m = createImageManifest({ config, layers: [], annotations: {}, mediaType: DOCKER_MANIFEST });
    expect(m).toEqual({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [] });
  });
});
