/**
 * packLayer: LayerEntry values → a deterministic layer blob (tar, or tar+gzip), with its digest and the
 * diff_id of the uncompressed tar, computed while it is written.
 *
 * Deterministic means: the same entries (in any order) give the same bytes on every run and host with
 * the default compressor. Entries are sorted by path (component-wise, '/' first, as upperLayerEntries
 * walks); uid/gid are 0 and uname/gname empty; mtime is the entry's, in whole seconds, or
 * min(mtime, sourceDateEpoch) when that is given (sourceDateEpoch 0 pins every mtime to 0); the gzip
 * header has MTIME 0, no name, OS 255. The default compressor is layerGzip (fflate, pure JavaScript),
 * the same bytes in Node and in browsers; native deflaters (zlib builds) differ from one another.
 */
import type { HasherFactory } from '../platform/hasher';
import { parseDigest, type Digest } from '../oci/digest';
import { OCI_LAYER_TAR, OCI_LAYER_TAR_GZIP } from '../oci/mediaTypes';
import { InvalidLayerError } from './errors';
import { canonicalGzipHeader, layerGzip, type ChunkTransform } from './gzip';
import { OPAQUE_MARKER, baseName, compareLayerPaths, isWhiteoutName, normalizeEntryPath } from './paths';
import { END_OF_ARCHIVE, encodeHeader, padding } from './tarWriter';
import type { LayerEntry } from './types';

export interface PackLayerOptions {
  /** Streaming SHA-256 (src/platform/hasher.ts). */
  readonly hasher: HasherFactory;
  /** gzip the tar (media type …tar+gzip); default true. */
  readonly gzip?: boolean;
  /** SOURCE_DATE_EPOCH, seconds: no entry's mtime is written later than this. */
  readonly sourceDateEpoch?: number;
  /** The gzip compressor; default layerGzip. Its header is made canonical. */
  readonly compress?: ChunkTransform;
}

export interface PackedLayer {
  /** The blob, in order: gzip output, or the tar itself. */
  readonly chunks: readonly Uint8Array[];
  /** Blob size in bytes. */
  readonly size: number;
  /** SHA-256 of the blob (the manifest's layer digest). */
  readonly digest: Digest;
  /** SHA-256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  readonly diffId: Digest;
  /** Bytes of the uncompressed tar. */
  readonly uncompressedSize: number;
  readonly mediaType: typeof OCI_LAYER_TAR | typeof OCI_LAYER_TAR_GZIP;
}

interface Planned {
  /** Relative path, no leading '/'. */
  readonly name: string;
  readonly entry: LayerEntry;
  kind: 'file' | 'hardlink' | 'symlink' | 'directory';
  linkname?: string;
  data?: Uint8Array;
  mode: number;
  mtim: bigint;
}

const NS_PER_SECOND = 1_000_000_000n;
const EMPTY = new Uint8Array(0);

function relativeName(entry: LayerEntry): string {
  const parts = normalizeEntryPath(entry.path);
  if (parts === null) throw new InvalidLayerError(entry.path, 'path escapes the layer root');
  if (parts.length === 0) throw new InvalidLayerError(entry.path, 'the layer root is not an entry');
  return parts.join('/');
}

/** Validates, normalises and sorts the entries, and gives each hard-link group one data-carrying entry. */
function plan(entries: Iterable<LayerEntry>): Planned[] {
  const byName = new Map<string, Planned>();
  for (const entry of entries) {
    const name = relativeName(entry);
    if (byName.has(name)) throw new InvalidLayerError(entry.path, 'two entries have this path');
    const base = baseName(name);
    const planned: Planned = { name, entry, kind: 'file', mode: entry.mode & 0o7777, mtim: entry.mtim };
    switch (entry.type) {
      case 'dir':
        planned.kind = 'directory';
        break;
      case 'file':
        planned.data = entry.data ?? EMPTY;
        break;
      case 'symlink':
        if (entry.target === undefined) throw new InvalidLayerError(entry.path, 'symlink without a target');
        planned.kind = 'symlink';
        planned.linkname = entry.target;
        break;
      case 'hardlink':
        if (entry.target === undefined) throw new InvalidLayerError(entry.path, 'hard link without a target');
        planned.kind = 'hardlink';
        break;
      case 'whiteout':
        if (!isWhiteoutName(base) || base === OPAQUE_MARKER) {
          throw new InvalidLayerError(entry.path, `a whiteout must be named ".wh.NAME"`);
        }
        planned.data = EMPTY;
        break;
      case 'opaque':
        if (base !== OPAQUE_MARKER)
          throw new InvalidLayerError(entry.path, `an opaque marker must be named ${OPAQUE_MARKER}`);
        planned.data = EMPTY;
        break;
      default:
        throw new InvalidLayerError(
          entry.path,
          `unknown entry type ${JSON.stringify((entry as { type: unknown }).type)}`,
        );
    }
    byName.set(name, planned);
  }

  const sorted = [...byName.values()].sort((a, b) => compareLayerPaths(a.name, b.name));

  // Hard links: every name of one inode joins a group around the entry holding the data; the name that
  // comes first in the tar carries the data and the others link to it (a tar link must point backwards).
  const groups = new Map<Planned, Planned[]>();
  for (const p of sorted) {
    if (p.kind !== 'hardlink') continue;
    const seen = new Set<Planned>([p]);
    let target: Planned = p;
    while (target.kind === 'hardlink') {
      const targetPath = target.entry.target!;
      const parts = normalizeEntryPath(targetPath);
      if (parts === null) {
        throw new InvalidLayerError(
          p.entry.path,
          `hard link target ${JSON.stringify(targetPath)} escapes the layer root`,
        );
      }
      const next = byName.get(parts.join('/'));
      if (next === undefined) {
        throw new InvalidLayerError(
          p.entry.path,
          `hard link target ${JSON.stringify(targetPath)} is not an entry of this layer`,
        );
      }
      if (seen.has(next)) throw new InvalidLayerError(p.entry.path, 'hard links form a cycle');
      seen.add(next);
      target = next;
    }
    if (target.kind === 'directory') {
      throw new InvalidLayerError(
        p.entry.path,
        `hard link target ${JSON.stringify(target.entry.path)} is a directory`,
      );
    }
    let group = groups.get(target);
    if (group === undefined) groups.set(target, (group = [target]));
    group.push(p);
  }
  for (const [origin, group] of groups) {
    group.sort((a, b) => compareLayerPaths(a.name, b.name));
    const first = group[0]!;
    if (first !== origin) {
      // The earliest name takes over the inode's content and metadata.
      first.kind = origin.kind;
      first.data = origin.data;
      first.linkname = origin.linkname;
      first.mode = origin.mode;
      first.mtim = origin.mtim;
    }
    for (const p of group) {
      if (p === first) continue;
      p.kind = 'hardlink';
      p.linkname = first.name;
      p.data = undefined;
    }
  }
  return sorted;
}

function mtimeSeconds(mtim: bigint, sourceDateEpoch: number | undefined): number {
  let seconds = mtim < 0n ? 0 : Number(mtim / NS_PER_SECOND);
  if (sourceDateEpoch !== undefined && seconds > sourceDateEpoch)
    seconds = Math.max(0, Math.floor(sourceDateEpoch));
  return seconds;
}

/** The tar as a sequence of chunks (headers, file data as given, padding, end marker). */
function* tarChunks(planned: readonly Planned[], sourceDateEpoch: number | undefined): Generator<Uint8Array> {
  for (const p of planned) {
    const data = p.kind === 'file' ? (p.data ?? EMPTY) : EMPTY;
    yield* encodeHeader({
      name: p.name,
      kind: p.kind,
      mode: p.mode,
      mtime: mtimeSeconds(p.mtim, sourceDateEpoch),
      size: data.length,
      linkname: p.linkname,
    });
    if (data.length > 0) {
      yield data;
      const pad = padding(data.length);
      if (pad !== null) yield pad;
    }
  }
  yield END_OF_ARCHIVE;
}

/**
 * Writes entries as a layer blob. Rejects paths escaping the root, duplicate paths, whiteouts not named
 * `.wh.*`, and hard links whose target is not an entry of the same layer (each error names the entry).
 */
export async function packLayer(
  entries: Iterable<LayerEntry>,
  options: PackLayerOptions,
): Promise<PackedLayer> {
  const planned = plan(entries);
  const gzip = options.gzip ?? true;
  const sourceDateEpoch = options.sourceDateEpoch;
  if (sourceDateEpoch !== undefined && !(Number.isFinite(sourceDateEpoch) && sourceDateEpoch >= 0)) {
    throw new RangeError(`sourceDateEpoch must be a non-negative number of seconds, got ${sourceDateEpoch}`);
  }
  const tarHasher = options.hasher();
  let uncompressedSize = 0;
  const hashedTar = function* (): Generator<Uint8Array> {
    for (const chunk of tarChunks(planned, sourceDateEpoch)) {
      tarHasher.update(chunk);
      uncompressedSize += chunk.length;
      yield chunk;
    }
  };

  if (!gzip) {
    const chunks = [...hashedTar()];
    const diffId = parseDigest(tarHasher.digest());
    return {
      chunks,
      size: uncompressedSize,
      digest: diffId,
      diffId,
      uncompressedSize,
      mediaType: OCI_LAYER_TAR,
    };
  }

  const compress = options.compress ?? layerGzip;
  const blobHasher = options.hasher();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of canonicalGzipHeader(compress(toAsync(hashedTar())))) {
    blobHasher.update(chunk);
    chunks.push(chunk);
    size += chunk.length;
  }
  return {
    chunks,
    size,
    digest: parseDigest(blobHasher.digest()),
    diffId: parseDigest(tarHasher.digest()),
    uncompressedSize,
    mediaType: OCI_LAYER_TAR_GZIP,
  };
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
