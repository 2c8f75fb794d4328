import { InvalidManifestError } from '../errors/InvalidManifestError';
import type { Digest } from '../oci/digest';
import { parseDigest } from '../oci/digest';
import { WASI_PLATFORM } from '../oci/platform';
import type { ContainerConfig, History, ImageConfig } from '../oci/types';

export interface ImageConfigOptions {
  /** The digests of the uncompressed layer tars, bottom layer first. */
  diffIds: readonly Digest[];
  /** Entrypoint, Cmd, Env, WorkingDir, Labels, … */
  config?: ContainerConfig;
  /** One entry per build step; those without `empty_layer: true` must match `diffIds` one to one. */
  history?: readonly History[];
  /** The creation time; omitted when not given, so that builds can be reproducible. */
  created?: Date | string;
  author?: string;
}

/**
 * A new image config for a WASI image, with Docker's platform values `os: "wasi"`, `architecture: "wasm"`
 * (reading also accepts wasip1/wasip2: see platformRank). Keys come in a fixed order, so equal inputs give
 * byte-identical JSON (encodeJson) and therefore equal digests.
 */
export function createImageConfig(options: ImageConfigOptions): ImageConfig {
  const diffIds = options.diffIds.map((d) => parseDigest(d));
  if (options.history !== undefined) {
    const layered = options.history.filter((h) => h.empty_layer !== true).length;
    if (layered !== diffIds.length) {
      throw new InvalidManifestError(
        'image config',
        `history has ${layered} layer-creating entries but there are ${diffIds.length} layers`,
      );
    }
  }
  const config: ImageConfig = {} as ImageConfig;
  if (options.created !== undefined) {
    config.created = typeof options.created === 'string' ? options.created : options.created.toISOString();
  }
  if (options.author !== undefined) config.author = options.author;
  config.architecture = WASI_PLATFORM.architecture;
  config.os = WASI_PLATFORM.os;
  config.config = structuredClone(options.config ?? {});
  config.rootfs = { type: 'layers', diff_ids: diffIds };
  if (options.history !== undefined) config.history = structuredClone([...options.history]);
  return config;
}
