import { DOCKER_MANIFEST, OCI_MANIFEST } from '../oci/mediaTypes';
import type { Descriptor, ImageManifest } from '../oci/types';

export interface ImageManifestOptions {
  config: Descriptor;
  layers: readonly Descriptor[];
  /** Kept verbatim, e.g. `module.wasm.image/variant: compat` (crun) or `org.opencontainers.image.created`. */
  annotations?: Record<string, string>;
  /** OCI (default) or Docker v2 schema 2. */
  mediaType?: typeof OCI_MANIFEST | typeof DOCKER_MANIFEST;
}

/** An image manifest with a fixed key order (reproducible bytes through encodeJson). */
export function createImageManifest(options: ImageManifestOptions): ImageManifest {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: options.mediaType ?? OCI_MANIFEST,
    config: structuredClone(options.config),
    layers: options.layers.map((l) => structuredClone(l)),
  };
  if (options.annotations !== undefined && Object.keys(options.annotations).length > 0) {
    manifest.annotations = { ...options.annotations };
  }
  return manifest;
}
