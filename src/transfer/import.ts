/**
 * Import: an OCI image layout (directory or tar) or a `docker save` archive (Docker 25+'s OCI-in-tar, or
 * the legacy `<id>/layer.tar` + `<hex>.json` + manifest.json form, as skopeo's docker-archive still
 * writes it) → blobs in Berth's content store, then image records.
 *
 * Order and atomicity: every blob is stored (and verified: digest and size against its descriptor or its
 * `blobs/sha256/<hex>` name, layer count against the config's diff_ids, legacy layers against their
 * diff_ids) before any image record is written, and records are written last. If anything fails, the
 * blobs this import added are deleted again and no record is written: the error names the file and the
 * JSON field. Blobs that were in the store before are never touched.
 *
 * Names: an index.json entry is named by its `io.containerd.image.name` annotation (Docker, containerd),
 * else by `org.opencontainers.image.ref.name` when that is a full reference, else — a bare tag, as skopeo
 * and umoci write it — `<options.repository>:<tag>`. Entries with no usable name are imported without a
 * record (returned, for the caller to name). Docker archives use manifest.json's RepoTags. Annotations of
 * the index.json entry (e.g. `module.wasm.image/variant`, platform) are kept on the record's target, the
 * two naming annotations dropped (they only mean something inside index.json).
 */
import type { ContentStore, Expected, Info } from '../content/types';
import { DigestMismatchError } from '../errors/DigestMismatchError';
import { InvalidManifestError } from '../errors/InvalidManifestError';
import { SizeMismatchError } from '../errors/SizeMismatchError';
import type { ImageStore } from '../image/types';
import { webGunzip, hasGzipMagic, hasZstdMagic, type ChunkTransform } from '../layer/gzip';
import { normalizeEntryPath } from '../layer/paths';
import { peekBytes } from '../layer/stream';
import { parseImageConfig } from '../oci/config';
import type { Digest } from '../oci/digest';
import { decodeDocument, parseImageIndex, parseManifestDocument } from '../oci/manifest';
import {
  ANNOTATION_CONTAINERD_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  DOCKER_CONFIG,
  OCI_CONFIG,
  OCI_LAYER_TAR,
  OCI_LAYER_TAR_GZIP,
  OCI_MANIFEST,
  isIndexMediaType,
  isManifestMediaType,
} from '../oci/mediaTypes';
import { parseReference } from '../oci/reference';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci/types';
import type { HasherFactory } from '../platform/hasher';
import { concatBytes } from '../util/concatBytes';
import { decodeJson } from '../util/decodeJson';
import { encodeJson } from '../util/encodeJson';
import { blobPath } from './blobs';
import { InvalidArchiveError, messageOf } from './errors';
import type { TransferFs } from './fs';
import { DirectoryReader, IngestLog, TarReader, type ImportSource } from './sources';

export interface ImportStores {
  readonly content: ContentStore;
  readonly images: ImageStore;
}

export interface ImportOptions {
  /** Streaming SHA-256 (to check legacy gzip layers against their diff_ids). */
  readonly hasher: HasherFactory;
  /** 'auto' (default): an OCI layout when oci-layout and index.json are there, else docker's manifest.json. */
  readonly format?: 'auto' | 'oci' | 'docker';
  /** OCI: import only the index.json entries whose ref.name is this. */
  readonly ref?: string;
  /** OCI: the repository for entries named by a bare tag (`x` → `x:<tag>`). */
  readonly repository?: string;
  /** The name for the one image imported (fails if there are several); replaces names found inside. */
  readonly name?: string;
  /** gzip decompressor (gzip'd archives, legacy gzip layers); default DecompressionStream. */
  readonly gunzip?: ChunkTransform;
}

export interface ImportedImage {
  /** The root descriptor, as the image record stores it. */
  readonly target: Descriptor;
  /** Canonical names given to it (records written); empty when it has none. */
  readonly names: string[];
  /** OCI: the ref.name of its index.json entry. */
  readonly refName?: string;
}

export interface ImportResult {
  readonly format: 'oci' | 'docker';
  readonly images: ImportedImage[];
}

interface Found {
  target: Descriptor;
  names: string[];
  refName?: string;
}

const TAG = /^\w[\w.-]{0,127}$/;

/** The reason of an InvalidManifestError without its "invalid <subject>: " prefix. */
function reasonOf(error: unknown, subject: string): string {
  const message = messageOf(error);
  const prefix = `invalid ${subject}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function parseJsonFile(bytes: Uint8Array, file: string): unknown {
  try {
    return decodeJson(bytes);
  } catch (error) {
    throw new InvalidArchiveError(file, undefined, `not UTF-8 JSON (${messageOf(error)})`, { cause: error });
  }
}

function canonicalName(reference: string, file: string, field: string): string {
  try {
    return parseReference(reference).canonical;
  } catch (error) {
    throw new InvalidArchiveError(file, field, messageOf(error), { cause: error });
  }
}

class Importer {
  /** Every blob the imported images reference. */
  readonly reachable = new Set<Digest>();
  /** What each file stored as (a blob is stored once however often it is referenced). */
  private readonly stored = new Map<string, Info>();

  constructor(
    private readonly content: ContentStore,
    private readonly source: ImportSource,
    private readonly log: IngestLog,
    private readonly options: ImportOptions,
  ) {}

  async run(): Promise<ImportResult> {
    const source = this.source;
    const format = this.options.format ?? 'auto';
    if (format === 'oci') return { format, images: await this.oci() };
    if (format === 'docker') return { format, images: await this.docker() };
    if ((await source.file('oci-layout')) !== undefined && (await source.file('index.json')) !== undefined) {
      return { format: 'oci', images: await this.oci() };
    }
    if ((await source.file('manifest.json')) !== undefined)
      return { format: 'docker', images: await this.docker() };
    throw new InvalidArchiveError(
      source.name,
      undefined,
      'neither an OCI image layout (oci-layout and index.json) nor a docker save archive (manifest.json)',
    );
  }

  /** Stores a blob (once per path), or fails naming the document and field that reference it. */
  private async blob(named: string, expected: Expected, from: string, field: string): Promise<Info> {
    // Paths come from the archive's own JSON: never let one reach outside it (`../x`, `/etc/x` is `etc/x`).
    const parts = normalizeEntryPath(named);
    if (parts === null || parts.length === 0) {
      throw new InvalidArchiveError(
        from,
        field,
        `${JSON.stringify(named)} is not a file inside ${this.source.name}`,
      );
    }
    const path = parts.join('/');
    let info = this.stored.get(path);
    try {
      if (info !== undefined) {
        if (expected.size !== undefined && info.size !== expected.size) {
          throw new SizeMismatchError(expected.digest ?? path, expected.size, info.size);
        }
        if (expected.digest !== undefined && info.digest !== expected.digest) {
          throw new DigestMismatchError(expected.digest, info.digest);
        }
        return info;
      }
      info = await this.source.blob(path, expected);
    } catch (error) {
      throw new InvalidArchiveError(from, field, `${path}: ${messageOf(error)}`, { cause: error });
    }
    if (info === undefined) {
      throw new InvalidArchiveError(
        from,
        field,
        `${expected.digest ?? 'the file'} is missing: no ${path} in ${this.source.name}`,
      );
    }
    this.reachable.add(info.digest);
    this.stored.set(path, info);
    return info;
  }

  private async requiredFile(path: string): Promise<Uint8Array> {
    const bytes = await this.source.file(path);
    if (bytes === undefined)
      throw new InvalidArchiveError(path, undefined, `missing from ${this.source.name}`);
    return bytes;
  }

  // --- OCI image layout ------------------------------------------------------------------------------

  private async oci(): Promise<Found[]> {
    const layout = parseJsonFile(await this.requiredFile('oci-layout'), 'oci-layout') as Record<
      string,
      unknown
    >;
    if (typeof layout !== 'object' || layout === null || typeof layout.imageLayoutVersion !== 'string') {
      throw new InvalidArchiveError('oci-layout', 'imageLayoutVersion', 'must be a string (e.g. "1.0.0")');
    }
    const indexBytes = await this.requiredFile('index.json');
    let entries: Descriptor[];
    try {
      entries = parseImageIndex(decodeDocument(indexBytes, 'index.json'), 'index.json').manifests;
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        throw new InvalidArchiveError('index.json', undefined, reasonOf(error, 'index.json'), {
          cause: error,
        });
      }
      throw error;
    }
    const selected = entries
      .map((entry, i) => ({ entry, i }))
      .filter(
        ({ entry }) =>
          this.options.ref === undefined || entry.annotations?.[ANNOTATION_REF_NAME] === this.options.ref,
      );
    if (selected.length === 0) {
      throw new InvalidArchiveError(
        'index.json',
        'manifests',
        this.options.ref === undefined
          ? 'lists no images'
          : `has no entry with ref.name ${JSON.stringify(this.options.ref)}`,
      );
    }
    this.checkSingleName(selected.length);
    const found: Found[] = [];
    for (const { entry, i } of selected) {
      await this.graph(entry, 'index.json', `manifests[${i}]`, 0);
      const refName = entry.annotations?.[ANNOTATION_REF_NAME];
      const target: Descriptor = { ...entry };
      if (entry.annotations !== undefined) {
        const annotations = { ...entry.annotations };
        delete annotations[ANNOTATION_REF_NAME];
        delete annotations[ANNOTATION_CONTAINERD_IMAGE_NAME];
        if (Object.keys(annotations).length > 0) target.annotations = annotations;
        else delete target.annotations;
      }
      const names = this.ociNames(entry, i);
      found.push(refName === undefined ? { target, names } : { target, names, refName });
    }
    return found;
  }

  private ociNames(entry: Descriptor, i: number): string[] {
    if (this.options.name !== undefined) return [canonicalName(this.options.name, 'import options', 'name')];
    const field = `manifests[${i}].annotations`;
    const full = entry.annotations?.[ANNOTATION_CONTAINERD_IMAGE_NAME];
    if (full !== undefined)
      return [canonicalName(full, 'index.json', `${field}["${ANNOTATION_CONTAINERD_IMAGE_NAME}"]`)];
    const ref = entry.annotations?.[ANNOTATION_REF_NAME];
    if (ref === undefined) return [];
    const refField = `${field}["${ANNOTATION_REF_NAME}"]`;
    if (TAG.test(ref)) {
      return this.options.repository === undefined
        ? []
        : [canonicalName(`${this.options.repository}:${ref}`, 'index.json', refField)];
    }
    return [canonicalName(ref, 'index.json', refField)];
  }

  /** Stores a descriptor's blob and, for indexes and manifests, everything below it. */
  private async graph(desc: Descriptor, from: string, field: string, depth: number): Promise<void> {
    if (depth > 8) throw new InvalidArchiveError(from, field, 'image indexes nested too deep');
    const path = blobPath(desc.digest);
    const known = this.stored.has(path);
    await this.blob(path, { digest: desc.digest, size: desc.size }, from, field);
    if (known || (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType))) return;
    let doc;
    try {
      doc = parseManifestDocument(await this.content.readBytes(desc.digest), path, desc.mediaType);
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        throw new InvalidArchiveError(path, undefined, reasonOf(error, path), { cause: error });
      }
      throw error;
    }
    if (doc === undefined) return;
    if (doc.kind === 'index') {
      for (const [j, m] of doc.index.manifests.entries())
        await this.graph(m, path, `manifests[${j}]`, depth + 1);
      return;
    }
    await this.manifestBlobs(doc.manifest, path);
  }

  private async manifestBlobs(manifest: ImageManifest, path: string): Promise<void> {
    const configDesc = manifest.config;
    await this.blob(
      blobPath(configDesc.digest),
      { digest: configDesc.digest, size: configDesc.size },
      path,
      'config',
    );
    if (configDesc.mediaType === OCI_CONFIG || configDesc.mediaType === DOCKER_CONFIG) {
      const config = await this.config(configDesc.digest, blobPath(configDesc.digest));
      const diffIds = config.rootfs?.diff_ids;
      if (diffIds === undefined) {
        throw new InvalidArchiveError(
          blobPath(configDesc.digest),
          'rootfs.diff_ids',
          'missing (an image config needs one per layer)',
        );
      }
      if (diffIds.length !== manifest.layers.length) {
        throw new InvalidArchiveError(
          blobPath(configDesc.digest),
          'rootfs.diff_ids',
          `has ${diffIds.length} entries but manifest ${path} has ${manifest.layers.length} layers`,
        );
      }
    }
    for (const [k, layer] of manifest.layers.entries()) {
      await this.blob(
        blobPath(layer.digest),
        { digest: layer.digest, size: layer.size },
        path,
        `layers[${k}]`,
      );
    }
  }

  private async config(digest: Digest, file: string): Promise<ImageConfig> {
    try {
      return parseImageConfig(await this.content.readBytes(digest), file);
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        throw new InvalidArchiveError(file, undefined, reasonOf(error, file), { cause: error });
      }
      throw error;
    }
  }

  private checkSingleName(count: number): void {
    if (this.options.name !== undefined && count !== 1) {
      throw new InvalidArchiveError(
        this.source.name,
        undefined,
        `holds ${count} images: one name cannot name them all (use ref)`,
      );
    }
  }

  // --- docker save -----------------------------------------------------------------------------------

  private async docker(): Promise<Found[]> {
    const json = parseJsonFile(await this.requiredFile('manifest.json'), 'manifest.json');
    if (!Array.isArray(json))
      throw new InvalidArchiveError('manifest.json', undefined, 'must be a JSON array');
    if (json.length === 0) throw new InvalidArchiveError('manifest.json', undefined, 'lists no images');
    this.checkSingleName(json.length);
    const found: Found[] = [];
    for (const [i, item] of (json as unknown[]).entries()) found.push(await this.dockerImage(item, i));
    return found;
  }

  private async dockerImage(item: unknown, i: number): Promise<Found> {
    const file = 'manifest.json';
    if (typeof item !== 'object' || item === null)
      throw new InvalidArchiveError(file, `[${i}]`, 'must be an object');
    const { Config, Layers, RepoTags } = item as Record<string, unknown>;
    if (typeof Config !== 'string' || Config === '')
      throw new InvalidArchiveError(file, `[${i}].Config`, 'must be a path');
    if (!Array.isArray(Layers) || Layers.some((l) => typeof l !== 'string')) {
      throw new InvalidArchiveError(file, `[${i}].Layers`, 'must be an array of paths');
    }
    if (
      RepoTags !== undefined &&
      RepoTags !== null &&
      (!Array.isArray(RepoTags) || RepoTags.some((t) => typeof t !== 'string'))
    ) {
      throw new InvalidArchiveError(file, `[${i}].RepoTags`, 'must be an array of strings');
    }

    const configInfo = await this.blob(Config, { digest: digestInName(Config) }, file, `[${i}].Config`);
    const config = await this.config(configInfo.digest, Config);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== Layers.length) {
      throw new InvalidArchiveError(
        file,
        `[${i}].Layers`,
        `lists ${Layers.length} layers but ${Config} has ${diffIds.length} rootfs.diff_ids`,
      );
    }
    const layers: Descriptor[] = [];
    for (const [j, path] of (Layers as string[]).entries()) {
      const field = `[${i}].Layers[${j}]`;
      const info = await this.blob(path, { digest: digestInName(path) }, file, field);
      layers.push(await this.legacyLayer(info, diffIds[j]!, path, field));
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configInfo.digest, size: configInfo.size },
      layers,
    };
    const stored = await this.store(encodeJson(manifest));
    const target: Descriptor = { mediaType: OCI_MANIFEST, digest: stored.digest, size: stored.size };
    const names =
      this.options.name !== undefined
        ? [canonicalName(this.options.name, 'import options', 'name')]
        : ((RepoTags as string[] | null | undefined) ?? []).map((t, k) =>
            canonicalName(t, file, `[${i}].RepoTags[${k}]`),
          );
    return { target, names };
  }

  /** A legacy layer file: plain or gzip tar, checked against its diff_id. */
  private async legacyLayer(info: Info, diffId: Digest, path: string, field: string): Promise<Descriptor> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this.content.read(info.digest, { length: 4 })) parts.push(chunk);
    const head = concatBytes(parts);
    if (hasZstdMagic(head))
      throw new InvalidArchiveError(
        'manifest.json',
        field,
        `${path} is zstd-compressed, which Berth cannot read`,
      );
    const gzip = hasGzipMagic(head);
    let actual: string = info.digest;
    if (gzip) {
      const hasher = this.options.hasher();
      for await (const chunk of (this.options.gunzip ?? webGunzip)(this.content.read(info.digest)))
        hasher.update(chunk);
      actual = hasher.digest();
    }
    if (actual !== diffId) {
      throw new InvalidArchiveError(
        'manifest.json',
        field,
        `${path} ${gzip ? 'decompresses to' : 'is'} ${actual}, but the config's rootfs.diff_ids entry is ${diffId}`,
      );
    }
    return { mediaType: gzip ? OCI_LAYER_TAR_GZIP : OCI_LAYER_TAR, digest: info.digest, size: info.size };
  }

  private async store(bytes: Uint8Array): Promise<Info> {
    const info = await this.log.ingest(bytes, { size: bytes.length });
    this.reachable.add(info.digest);
    return info;
  }
}

/** `blobs/sha256/<hex>` or `<hex>.json` name their content's digest. */
function digestInName(path: string): Digest | undefined {
  const m = /(?:^|\/)(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(path);
  if (m === null) return undefined;
  if (!path.startsWith('blobs/sha256/') && !path.endsWith('.json')) return undefined;
  return `sha256:${m[1]}` as Digest;
}

async function runImport(
  stores: ImportStores,
  log: IngestLog,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportResult> {
  const importer = new Importer(stores.content, source, log, options);
  let result: ImportResult;
  try {
    result = await importer.run();
    await writeRecords(stores.images, result.images);
  } catch (error) {
    await log.rollback();
    throw error;
  }
  // Blobs read from an archive that no imported image needs (Docker's legacy v1 configs, a layout's
  // other images) do not stay.
  await log.rollback(importer.reachable);
  return result;
}

/**
 * Writes the image records, after every blob. If one cannot be written, those written before it are put
 * back as they were (restored or removed), so an import names all its images or none.
 */
async function writeRecords(images: ImageStore, found: readonly ImportedImage[]): Promise<void> {
  for (const image of found) {
    if (
      image.names.length > 0 &&
      !isIndexMediaType(image.target.mediaType) &&
      !isManifestMediaType(image.target.mediaType)
    ) {
      throw new InvalidArchiveError(
        'index.json',
        `manifests[].mediaType`,
        `${image.target.digest} is ${JSON.stringify(image.target.mediaType)}, not an image index or manifest: it cannot be named ${image.names[0]}`,
      );
    }
  }
  const undo: (() => Promise<unknown>)[] = [];
  try {
    for (const image of found) {
      for (const name of image.names) {
        const previous = await images.get(name);
        await images.put(name, image.target);
        undo.push(
          previous === undefined ? () => images.delete(name) : () => images.put(name, previous.target),
        );
      }
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => {});
    throw error;
  }
}

export interface LayoutDirectory {
  readonly fs: TransferFs;
  readonly dir: string;
}

/** Imports an OCI image layout directory (or an unpacked docker-save archive). */
export async function importOciLayout(
  stores: ImportStores,
  from: LayoutDirectory,
  options: ImportOptions,
): Promise<ImportResult> {
  const log = new IngestLog(stores.content);
  await log.start();
  return runImport(stores, log, new DirectoryReader(from.fs, from.dir, log), options);
}

/**
 * Imports a tar stream: an OCI image layout as a tar, or a docker-save archive (gzip'd or not). The
 * stream is read once; `archiveName` names it in errors.
 */
export async function importArchive(
  stores: ImportStores,
  chunks: AsyncIterable<Uint8Array>,
  options: ImportOptions & { readonly archiveName?: string },
): Promise<ImportResult> {
  const name = options.archiveName ?? 'archive';
  const log = new IngestLog(stores.content);
  await log.start();
  const { head, stream } = await peekBytes(chunks, 2);
  const tar = hasGzipMagic(head) ? (options.gunzip ?? webGunzip)(stream) : stream;
  let source: TarReader;
  try {
    source = await TarReader.read(tar, name, log);
  } catch (error) {
    await log.rollback();
    throw error;
  }
  return runImport(stores, log, source, options);
}
