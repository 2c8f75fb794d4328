/**
 * Export: images in Berth's content store → an OCI image layout (a directory, or the same as a tar) or a
 * `docker save` archive. Every blob is streamed from the store; the store is only read.
 *
 * OCI layout (image-spec image-layout.md): `oci-layout`, `blobs/sha256/<hex>` for every blob reachable
 * from each image (indexes, manifests, configs, layers, byte-for-byte, so every digest is kept) and
 * `index.json` listing the images, annotated as containerd and Docker do: `org.opencontainers.image.ref.name`
 * = the tag (what `skopeo oci:DIR:TAG` and `umoci --image DIR:TAG` select) and `io.containerd.image.name` =
 * the full name.
 *
 * docker save archive, as Docker 25+ writes it (moby image/tarexport/save.go): an OCI layout of
 * single-platform images plus `manifest.json` (`[{Config, RepoTags, Layers}]`, paths into blobs/) and
 * `repositories` (`{name: {tag: top layer hex}}`), which older `docker load` reads. Docker stores the
 * layers uncompressed (blob digest = diff_id); so does Berth by default, decompressing gzip layers on the
 * way (and checking each against its diff_id), which writes a new manifest. `layers: 'as-stored'` keeps
 * the stored blobs and manifest instead (docker load accepts gzip layers too).
 */
import type { Provider } from '../content/types';
import type { ImageStore } from '../image/types';
import { resolveImage } from '../image/resolveImage';
import { webGunzip, type ChunkTransform } from '../layer/gzip';
import { parseDigest, type Digest } from '../oci/digest';
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  OCI_INDEX,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
  layerCompression,
} from '../oci/mediaTypes';
import { WASI_PLATFORM } from '../oci/platform';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from '../oci/types';
import type { HasherFactory } from '../platform/hasher';
import { encodeJson } from '../util/encodeJson';
import { tarArchive, writeDirectory, type ArchiveFile } from './archive';
import { blobFile, blobPath, reachableBlobs } from './blobs';
import { InvalidArchiveError, messageOf } from './errors';
import { isNotFound, joinPath, type TransferFs } from './fs';
import { familiarString, resolveSubjects, type ExportSubject, type ResolvedSubject } from './subjects';

export interface ExportStores {
  readonly content: Provider;
  /** Needed when subjects are given by name. */
  readonly images?: ImageStore;
}

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_VERSION = '1.0.0';
const utf8 = new TextEncoder();

function inline(path: string, bytes: Uint8Array): ArchiveFile {
  return { path, size: bytes.length, data: bytes };
}

function indexEntry(subject: ResolvedSubject, target: Descriptor, platform?: Platform): Descriptor {
  const entry: Descriptor = { ...target };
  if (platform !== undefined && entry.platform === undefined) entry.platform = platform;
  const annotations: Record<string, string> = { ...target.annotations };
  delete annotations[ANNOTATION_REF_NAME];
  delete annotations[ANNOTATION_CONTAINERD_IMAGE_NAME];
  if (subject.reference !== undefined)
    annotations[ANNOTATION_CONTAINERD_IMAGE_NAME] = subject.reference.canonical;
  if (subject.refName !== undefined) annotations[ANNOTATION_REF_NAME] = subject.refName;
  if (Object.keys(annotations).length > 0) entry.annotations = annotations;
  else delete entry.annotations;
  return entry;
}

/** The files of an OCI image layout holding `subjects` (index.json last). */
export async function ociLayoutFiles(
  stores: ExportStores,
  subjects: readonly ExportSubject[],
  previousIndex?: ImageIndex,
): Promise<ArchiveFile[]> {
  const resolved = await resolveSubjects(stores.images, subjects);
  const blobs = new Map<Digest, number>();
  for (const subject of resolved) await reachableBlobs(stores.content, subject.target, blobs);
  const entries = resolved.map((s) => indexEntry(s, s.target));
  // Adding to an existing layout: its other images stay, those with a ref.name written now are replaced.
  const replaced = new Set(
    entries.map((e) => e.annotations?.[ANNOTATION_REF_NAME]).filter((r) => r !== undefined),
  );
  const kept = (previousIndex?.manifests ?? []).filter((m) => {
    const ref = m.annotations?.[ANNOTATION_REF_NAME];
    return ref === undefined || !replaced.has(ref);
  });
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...kept, ...entries] };
  return [
    inline(OCI_LAYOUT_FILE, encodeJson({ imageLayoutVersion: OCI_LAYOUT_VERSION })),
    ...[...blobs].map(([digest, size]) => blobFile(stores.content, digest, size)),
    inline('index.json', encodeJson(index)),
  ];
}

export interface DirectoryTarget {
  readonly fs: TransferFs;
  /** The layout directory; created if missing. An existing layout there is added to. */
  readonly dir: string;
}

/**
 * Writes an OCI image layout directory. If `dir` already holds a layout, its images stay (those with a
 * ref.name written now are replaced) and blobs already there are not written again.
 */
export async function exportOciLayout(
  stores: ExportStores,
  subjects: readonly ExportSubject[],
  target: DirectoryTarget,
): Promise<void> {
  let previous: ImageIndex | undefined;
  try {
    const bytes = await target.fs.readFile(joinPath(target.dir, 'index.json'));
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as ImageIndex;
    if (!Array.isArray(parsed.manifests)) {
      throw new InvalidArchiveError(joinPath(target.dir, 'index.json'), 'manifests', 'must be an array');
    }
    previous = parsed;
  } catch (error) {
    if (error instanceof InvalidArchiveError) throw error;
    if (!isNotFound(error)) {
      throw new InvalidArchiveError(
        joinPath(target.dir, 'index.json'),
        undefined,
        `cannot add to it: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  await writeDirectory(await ociLayoutFiles(stores, subjects, previous), target.fs, target.dir);
}

/** An OCI image layout as a tar stream (what `skopeo copy … oci-archive:` and `docker buildx --output type=oci` make). */
export async function* exportOciArchive(
  stores: ExportStores,
  subjects: readonly ExportSubject[],
): AsyncGenerator<Uint8Array> {
  yield* tarArchive(await ociLayoutFiles(stores, subjects));
}

export interface DockerArchiveOptions {
  /** Which manifest of a multi-platform image to save; default wasi/wasm. */
  readonly platform?: Platform;
  /** 'uncompressed' (default, as Docker): layers as plain tars named by diff_id; 'as-stored': the blobs as they are. */
  readonly layers?: 'uncompressed' | 'as-stored';
  /** Streaming SHA-256, to check decompressed layers against their diff_ids and name new manifests. */
  readonly hasher: HasherFactory;
  /** gzip decompressor for 'uncompressed'; default DecompressionStream. */
  readonly gunzip?: ChunkTransform;
}

interface DockerImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layerPaths: string[];
  readonly repoTags: string[];
  readonly platform: Platform;
}

/** The files of a docker-save archive holding `subjects` (one platform each). */
export async function dockerArchiveFiles(
  stores: ExportStores,
  subjects: readonly ExportSubject[],
  options: DockerArchiveOptions,
): Promise<ArchiveFile[]> {
  const { content } = stores;
  const resolved = await resolveSubjects(stores.images, subjects);
  const mode = options.layers ?? 'uncompressed';
  const gunzip = options.gunzip ?? webGunzip;
  const files = new Map<string, ArchiveFile>();
  const images = new Map<Digest, DockerImage>();
  const indexEntries: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};

  for (const subject of resolved) {
    const image = await resolveImage(content, subject.target, options.platform ?? WASI_PLATFORM);
    const where = `image manifest ${image.manifestDescriptor.digest}`;
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const { manifest } = image;
    if (diffIds.length !== manifest.layers.length) {
      throw new InvalidArchiveError(
        where,
        'layers',
        `${manifest.layers.length} layers but the config has ${diffIds.length} rootfs.diff_ids`,
      );
    }
    let manifestDesc: Descriptor = { ...image.manifestDescriptor };
    delete manifestDesc.annotations;
    delete manifestDesc.platform;
    let done = images.get(manifestDesc.digest);
    if (done === undefined) {
      await reachableBlobs(content, image.manifestDescriptor, new Map());
      files.set(
        blobPath(manifest.config.digest),
        blobFile(content, manifest.config.digest, manifest.config.size),
      );
      const layers: Descriptor[] = [];
      for (const [i, layer] of manifest.layers.entries()) {
        const compression = layerCompression(layer.mediaType);
        if (compression === undefined) {
          throw new InvalidArchiveError(
            where,
            `layers[${i}]`,
            `${layer.mediaType} is not a tar layer: a docker archive holds tar layers only`,
          );
        }
        if (mode === 'as-stored' || compression === 'none') {
          files.set(blobPath(layer.digest), blobFile(content, layer.digest, layer.size));
          layers.push(layer);
          continue;
        }
        if (compression !== 'gzip') {
          throw new InvalidArchiveError(where, `layers[${i}]`, `cannot decompress a ${compression} layer`);
        }
        const diffId = diffIds[i]!;
        const size = await checkedUncompressedSize(
          content,
          layer.digest,
          diffId,
          gunzip,
          options.hasher,
          where,
          i,
        );
        files.set(blobPath(diffId), {
          path: blobPath(diffId),
          size,
          data: () => gunzip(content.read(layer.digest)),
          blob: true,
        });
        layers.push({ mediaType: OCI_LAYER_TAR, digest: diffId, size });
      }
      if (layers.some((l, i) => l !== manifest.layers[i])) {
        // Docker's own form: the same config, plain tar layers.
        const rewritten: ImageManifest = {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: manifest.config,
          layers,
        };
        if (manifest.annotations !== undefined) rewritten.annotations = manifest.annotations;
        const bytes = encodeJson(rewritten);
        const hasher = options.hasher();
        hasher.update(bytes);
        manifestDesc = { mediaType: OCI_MANIFEST, digest: parseDigest(hasher.digest()), size: bytes.length };
        files.set(blobPath(manifestDesc.digest), {
          ...inline(blobPath(manifestDesc.digest), bytes),
          blob: true,
        });
      } else {
        files.set(blobPath(manifestDesc.digest), blobFile(content, manifestDesc.digest, manifestDesc.size));
      }
      done = {
        manifest: manifestDesc,
        config: manifest.config,
        layerPaths: layers.map((l) => blobPath(l.digest)),
        repoTags: [],
        platform: { architecture: image.platform.architecture, os: image.platform.os },
      };
      images.set(image.manifestDescriptor.digest, done);
    }
    const repoTag = subject.reference === undefined ? undefined : familiarString(subject.reference);
    if (repoTag !== undefined && !done.repoTags.includes(repoTag)) {
      done.repoTags.push(repoTag);
      const name = repoTag.slice(0, repoTag.lastIndexOf(':'));
      const top = done.layerPaths[done.layerPaths.length - 1];
      if (top !== undefined)
        (repositories[name] ??= {})[subject.reference!.tag!] = top.slice(top.lastIndexOf('/') + 1);
    }
    indexEntries.push(indexEntry(subject, done.manifest, done.platform));
  }

  const manifestJson = [...images.values()].map((image) => ({
    Config: blobPath(image.config.digest),
    RepoTags: image.repoTags.length > 0 ? image.repoTags : null,
    Layers: image.layerPaths,
  }));
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: indexEntries };
  const out = [
    inline(OCI_LAYOUT_FILE, encodeJson({ imageLayoutVersion: OCI_LAYOUT_VERSION })),
    ...files.values(),
    inline('index.json', encodeJson(index)),
    // Docker writes these two with a trailing newline (json.Encoder).
    inline('manifest.json', utf8.encode(`${JSON.stringify(manifestJson)}\n`)),
  ];
  if (Object.keys(repositories).length > 0) {
    out.push(inline('repositories', utf8.encode(`${JSON.stringify(repositories)}\n`)));
  }
  return out;
}

/** Decompresses a stored gzip layer once to learn its size, checking it against the config's diff_id. */
async function checkedUncompressedSize(
  content: Provider,
  digest: Digest,
  diffId: Digest,
  gunzip: ChunkTransform,
  hasherFactory: HasherFactory,
  where: string,
  i: number,
): Promise<number> {
  const hasher = hasherFactory();
  let size = 0;
  for await (const chunk of gunzip(content.read(digest))) {
    hasher.update(chunk);
    size += chunk.length;
  }
  const actual = hasher.digest();
  if (actual !== diffId) {
    throw new InvalidArchiveError(
      where,
      `layers[${i}]`,
      `layer ${digest} decompresses to ${actual}, but the config's rootfs.diff_ids[${i}] is ${diffId}`,
    );
  }
  return size;
}

/** A docker-save archive as a tar stream (what `docker load` and `skopeo … docker-archive:` read). */
export async function* exportDockerArchive(
  stores: ExportStores,
  subjects: readonly ExportSubject[],
  options: DockerArchiveOptions,
): AsyncGenerator<Uint8Array> {
  yield* tarArchive(await dockerArchiveFiles(stores, subjects, options));
}
