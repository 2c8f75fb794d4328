/**
 * What the builder needs from an engine, in the classic builder's own terms (Docker's builder talks to
 * its daemon through a similar small Backend interface): look up images, create a container from an
 * image, copy files into it, run it, commit it with a history line, remove it, tag.
 *
 * ./engineBackend.ts implements it over src/engine; tests can implement it directly.
 */
import type { LayerEntry } from '../layer/types';
import type { ContainerConfig } from '../oci/types';
import type { SourceTree } from './copy';

/** The image config fields the builder reads and writes (Docker's runConfig), beyond ContainerConfig. */
export interface RunConfig extends ContainerConfig {
  /** SHELL: the shell form's interpreter; default ['/bin/sh', '-c']. */
  Shell?: string[];
  Healthcheck?: {
    Test: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
  };
  OnBuild?: string[] | null;
}

export interface BuildImage {
  /** `sha256:` + 64 hex: the config digest. */
  id: string;
  /** The manifest's digest, when the backend knows it (kept in the cache for a fast lookup). */
  manifestDigest?: string;
  config: RunConfig;
  author?: string;
}

export interface ContainerSpec {
  /** argv: entrypoint-less, the command itself. */
  cmd: string[];
  env: string[];
  workdir: string;
}

export interface RunExit {
  statusCode: number;
  /** 'exit' for a normal exit; otherwise why (trap, oom, timeout, killed, error). */
  reason: string;
  message?: string;
}

export interface CommitSpec {
  /** The new image's run config, whole (it replaces the parent's). */
  config: RunConfig;
  /** The history entry's created_by. */
  createdBy: string;
  /** MAINTAINER: the image's author. */
  author?: string;
}

export interface BuildBackend {
  /** An image by reference or ID; undefined when the engine does not have it. */
  image(ref: string): Promise<BuildImage | undefined>;
  /**
   * A cached step's image, by ID and (when known) manifest digest; undefined when the engine no longer
   * has it. May be faster than image().
   */
  cachedImage?(id: string, manifest: string | undefined): Promise<BuildImage | undefined>;
  /** The image `FROM scratch` stands for: no layers, platform wasi/wasm, empty config. */
  scratch(): Promise<BuildImage>;
  /** Creates a container from an image (not started). Returns its 64-hex ID. */
  create(image: BuildImage, spec: ContainerSpec): Promise<string>;
  /**
   * Writes entries into a container made from `image`. Missing parent directories (and `ensureDirs`)
   * are created 0755; existing ones keep their mode and times.
   */
  copyIn(
    container: string,
    image: BuildImage,
    entries: readonly LayerEntry[],
    ensureDirs: readonly string[],
  ): Promise<void>;
  /**
   * Makes a directory and its missing parents in a container made from `image` (WORKDIR); existing
   * parents keep their metadata. True when anything was created.
   */
  mkdirp(container: string, image: BuildImage, path: string): Promise<boolean>;
  /** Starts the container and waits for it, streaming its output. */
  run(
    container: string,
    output: { stdout(chunk: Uint8Array): void; stderr(chunk: Uint8Array): void },
  ): Promise<RunExit>;
  /**
   * Commits the container as a new image: its changes as one layer, or no layer (history entry with
   * `empty_layer: true`) when it changed nothing.
   */
  commit(container: string, spec: CommitSpec): Promise<BuildImage>;
  /** Removes a container. */
  remove(container: string): Promise<void>;
  /** Whether an absolute path is a directory in the image (following symlinks). */
  isDirectory(image: BuildImage, path: string): Promise<boolean>;
  /** An absolute path with the image's symlinks resolved inside its root; a missing tail stays as it is. */
  realPath(image: BuildImage, path: string): Promise<string>;
  /** The image's filesystem as a source for `COPY --from`. */
  tree(image: BuildImage, kind: 'stage' | 'image', name: string): Promise<SourceTree>;
  /** Points a reference at an image; returns the familiar `name:tag` Docker prints. */
  tag(image: BuildImage, reference: string): Promise<string>;
}
