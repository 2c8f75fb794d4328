/**
 * The OCI image-spec documents (v1.1) as TypeScript. Docker v2 schema 2 manifests and manifest lists have
 * the same JSON shape, so the same types describe them; `mediaType` tells them apart. Field names are the
 * spec's JSON names, verbatim (hence `os.version`, `Entrypoint`, `diff_ids`).
 *
 * Documents read from outside (a registry, an OCI layout, the content store) go through the parse*
 * functions in this folder, which check the shapes below and keep any field they do not know.
 */
import type { Digest } from './digest';

/** What a piece of content is, where it is (its digest) and how big it is. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  /** Bytes; a non-negative safe integer. */
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** The content itself, base64, for small embedded blobs. */
  data?: string;
  /** Only on the entries of an index: the platform of the manifest it points at. */
  platform?: Platform;
  artifactType?: string;
}

export interface Platform {
  /** GOARCH-style; Wasm images use `wasm`. */
  architecture: string;
  /** GOOS-style; Wasm images use `wasi` (Docker) or `wasip1`/`wasip2` (runwasi, CNCF, Spin). */
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

/** An image manifest: one image for one platform. Also a Docker v2 schema 2 manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  /** OCI: SHOULD be present; Docker: always present. Must equal the descriptor's media type when both exist. */
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index: a list of manifests (one per platform) or of nested indexes. Also a Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** The run-time defaults of an image config (`config` in the image config JSON). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
}

export interface RootFs {
  type: 'layers';
  /** The digests of the *uncompressed* layer tars, in layer order. */
  diff_ids: Digest[];
}

export interface History {
  /** RFC 3339. */
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  /** True for steps that made no layer (ENV, CMD, …); such entries have no matching diff_id. */
  empty_layer?: boolean;
}

/**
 * An image config (`application/vnd.oci.image.config.v1+json`, Docker's `…container.image.v1+json`), or
 * the CNCF Wasm artifact config (`application/vnd.wasm.config.v0+json`), which shares `architecture`, `os`
 * and `created` and adds `layerDigests` and `component`.
 */
export interface ImageConfig extends Platform {
  /** RFC 3339. */
  created?: string;
  author?: string | null;
  config?: ContainerConfig;
  /** Required for image configs; absent in CNCF Wasm artifact configs. */
  rootfs?: RootFs;
  history?: History[];
  /** CNCF Wasm artifact: the layer digests in order, so that the config digest is unique. */
  layerDigests?: Digest[];
  /** CNCF Wasm artifact: present for components (wasip2): exports, imports, target. */
  component?: unknown;
}
