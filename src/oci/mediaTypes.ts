/**
 * Media types and annotation keys Berth reads and writes. Sources: opencontainers/image-spec
 * (media-types.md, annotations.md), Docker image manifest v2 schema 2, and the Wasm conventions collected
 * in docs/oci-wasm-images.md (Docker+Wasm, runwasi, crun, CNCF TAG-Runtime Wasm artifact, Spin).
 */

// --- OCI image-spec ---
export const OCI_DESCRIPTOR = 'application/vnd.oci.descriptor.v1+json';
export const OCI_LAYOUT_HEADER = 'application/vnd.oci.layout.header.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_TAR_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Deprecated by image-spec 1.1 but still found in the wild; read as ordinary layers. */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD =
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';
/** The `{}` blob used as the config of artifacts that have none. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

// --- Docker image manifest v2, schema 2 ---
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_TAR_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_FOREIGN_LAYER_TAR_GZIP = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

// --- Wasm ---
/** CNCF TAG-Runtime Wasm artifact: the manifest's config (config JSON has os wasip1/wasip2, layerDigests). */
export const WASM_CONFIG = 'application/vnd.wasm.config.v0+json';
/** CNCF Wasm artifact layer (also accepted by runwasi and Spin): the raw module/component bytes. */
export const WASM_LAYER = 'application/wasm';
/** runwasi's raw-module layer ("subject to change"). */
export const WASM_COMPONENT_LAYER_RUNWASI = 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm';
/** Spin: a component or module layer (Spin calls its layer types "not final"). */
export const WASM_SPIN_CONTENT_LAYER = 'application/vnd.wasm.content.layer.v1+wasm';
/** Spin: a data file layer. */
export const WASM_SPIN_DATA_LAYER = 'application/vnd.wasm.content.layer.v1+data';
/** Spin: an archive of files. */
export const WASM_SPIN_BUNDLE_LAYER = 'application/vnd.wasm.content.bundle.v1.tar+gzip';
/** Spin: the locked-app JSON (last layer; older Spin apps used it as the manifest config). */
export const SPIN_LOCKED_APP = 'application/vnd.fermyon.spin.application.v1+config';

// --- Annotations ---
/** crun / solo-io: `compat` or `compat-smart` marks a Wasm image that is an ordinary tar-layer image. */
export const ANNOTATION_WASM_VARIANT = 'module.wasm.image/variant';
/** crun: `wasm` or `wasm-smart` selects the wasm handler. */
export const ANNOTATION_OCI_HANDLER = 'run.oci.handler';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

/** Config media types whose JSON follows the image config shape (architecture, os, config, rootfs). */
export function isImageConfigMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_CONFIG || mediaType === DOCKER_CONFIG || mediaType === WASM_CONFIG;
}

/** Layers that carry raw Wasm bytes instead of a tar (runwasi, CNCF artifact, Spin). */
export function isWasmLayerMediaType(mediaType: string | undefined): boolean {
  return (
    mediaType === WASM_LAYER ||
    mediaType === WASM_COMPONENT_LAYER_RUNWASI ||
    mediaType === WASM_SPIN_CONTENT_LAYER
  );
}

/**
 * How a tar layer is compressed, read off its media type; undefined when the media type is not a tar layer.
 * Note: Docker's `…tar.gzip` label is not always truthful (skopeo's docker-archive labels plain tars so);
 * unpackers should check the gzip magic bytes too.
 */
export function layerCompression(mediaType: string): 'none' | 'gzip' | 'zstd' | undefined {
  switch (mediaType) {
    case OCI_LAYER_TAR:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR:
      return 'none';
    case OCI_LAYER_TAR_GZIP:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP:
    case DOCKER_LAYER_TAR_GZIP:
    case DOCKER_FOREIGN_LAYER_TAR_GZIP:
    case WASM_SPIN_BUNDLE_LAYER:
      return 'gzip';
    case OCI_LAYER_TAR_ZSTD:
    case OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD:
      return 'zstd';
    default:
      return undefined;
  }
}
