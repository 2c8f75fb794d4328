/**
 * Image bookkeeping for the engine: names as Docker prints them, dangling images, writing a new image
 * (layers → config → manifest → record, in that order, so a crash leaves only unreferenced blobs), and
 * which blobs an image holds, for deleting exactly what an untagged image leaves unreferenced.
 *
 * A dangling image (`docker commit` without a name, or the last tag removed with -f while a container
 * still uses it) has no tag, but an ImageStore record is what keeps an image: it is kept under the
 * reference `berth-dangling@<manifest digest>` and listed as `<none>:<none>`.
 */
import type { ContentStore, Provider } from '../content/types';
import { NotFoundError } from '../errors/NotFoundError';
import type { ImageRecord } from '../image/types';
import { writeJsonBlob } from '../image/writeJsonBlob';
import type { Digest } from '../oci/digest';
import { parseManifestDocument } from '../oci/manifest';
import { OCI_CONFIG, OCI_MANIFEST } from '../oci/mediaTypes';
import { familiarName, parseReference } from '../oci/reference';
import type { Descriptor, ImageConfig } from '../oci/types';
import { createImageManifest } from '../image/createImageManifest';

export const DANGLING_REPOSITORY = 'berth-dangling';

export function danglingReference(manifest: Digest): string {
  return `${DANGLING_REPOSITORY}@${manifest}`;
}

export function isDangling(record: ImageRecord): boolean {
  return parseReference(record.name).repository === `library/${DANGLING_REPOSITORY}`;
}

/** `hello:latest`, `localhost:5000/app:1`, or `hello@sha256:…` for a digest-only name; '' when dangling. */
export function displayName(record: ImageRecord): string {
  if (isDangling(record)) return '';
  const ref = parseReference(record.name);
  const repo = familiarName(ref);
  return ref.tag !== undefined ? `${repo}:${ref.tag}` : `${repo}@${ref.digest}`;
}

/** `hello@sha256:<manifest digest>`, as RepoDigests lists it. */
export function repoDigest(record: ImageRecord, manifest: Digest): string {
  return `${familiarName(parseReference(record.name))}@${manifest}`;
}

/** Stores blob bytes (idempotent) and returns the stored size. */
export async function writeBlob(
  content: ContentStore,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  expected: { digest?: Digest; size?: number } = {},
): Promise<{ digest: Digest; size: number }> {
  const writer = await content.writer(expected);
  try {
    for await (const chunk of chunks) await writer.write(chunk);
    const info = await writer.commit();
    return { digest: info.digest, size: info.size };
  } finally {
    await writer.abort();
  }
}

/**
 * Writes a config and its manifest (the layers must be stored already) and, with a reference, tags it;
 * without one the image is recorded as dangling. Returns the manifest descriptor and the image ID.
 */
export async function writeImage(
  content: ContentStore,
  images: { put(reference: string, target: Descriptor): Promise<ImageRecord> },
  config: ImageConfig,
  layers: readonly Descriptor[],
  reference: string | undefined,
): Promise<{ id: Digest; manifest: Descriptor; record: ImageRecord }> {
  const configDesc = await writeJsonBlob(content, OCI_CONFIG, config);
  const manifest = createImageManifest({ config: configDesc, layers });
  const manifestDesc = await writeJsonBlob(content, OCI_MANIFEST, manifest);
  const record = await images.put(reference ?? danglingReference(manifestDesc.digest), manifestDesc);
  return { id: configDesc.digest, manifest: manifestDesc, record };
}

/**
 * Every blob reachable from the roots (indexes, manifests, configs, layers); blobs not in the store are
 * skipped. Documents that cannot be read are treated as leaves.
 */
export async function reachableBlobs(content: Provider, roots: readonly Digest[]): Promise<Set<Digest>> {
  const seen = new Set<Digest>();
  const queue: { digest: Digest; mediaType?: string }[] = roots.map((digest) => ({ digest }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next.digest)) continue;
    let bytes: Uint8Array;
    try {
      const info = await content.info(next.digest);
      seen.add(next.digest);
      if (info.size > 8 * 1024 * 1024) continue;
      bytes = await content.readBytes(next.digest);
    } catch (e) {
      if (e instanceof NotFoundError) continue;
      throw e;
    }
    if (bytes[0] !== 0x7b) continue;
    let doc;
    try {
      doc = parseManifestDocument(bytes, next.digest, next.mediaType);
    } catch {
      continue;
    }
    if (doc === undefined) continue;
    if (doc.kind === 'index') {
      for (const m of doc.index.manifests) queue.push({ digest: m.digest, mediaType: m.mediaType });
    } else {
      queue.push({ digest: doc.manifest.config.digest, mediaType: doc.manifest.config.mediaType });
      for (const l of doc.manifest.layers) queue.push({ digest: l.digest, mediaType: l.mediaType });
    }
  }
  return seen;
}

/**
 * Deletes the blobs of `candidates` (roots of images just untagged) that no remaining root reaches.
 * Only these blobs are considered, so blobs another process is writing for a new image are never
 * touched. Returns the bytes freed.
 */
export async function deleteUnreferenced(
  content: ContentStore,
  candidates: readonly Digest[],
  remainingRoots: readonly Digest[],
): Promise<number> {
  const doomed = await reachableBlobs(content, candidates);
  const kept = await reachableBlobs(content, remainingRoots);
  let freed = 0;
  for (const digest of doomed) {
    if (kept.has(digest)) continue;
    try {
      const info = await content.info(digest);
      if (await content.delete(digest)) freed += info.size;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  return freed;
}

/**
 * Docker's parent chain for images built or committed here: an image's parent is the image whose layers
 * and history are a proper prefix of its own (the longest such). An untagged image with a child is an
 * intermediate image: hidden by `images` without -a, kept by `image prune`, and deleted with its last
 * child (rmi deletes untagged parents nothing else needs).
 */
export function parentsOf(images: readonly { id: Digest; config: ImageConfig }[]): Map<Digest, Digest> {
  const unique = new Map<Digest, { diffIds: string[]; history: string[] }>();
  for (const { id, config } of images) {
    if (unique.has(id)) continue;
    unique.set(id, {
      diffIds: [...(config.rootfs?.diff_ids ?? [])],
      history: (config.history ?? []).map((h) =>
        JSON.stringify([h.created ?? '', h.created_by ?? '', h.empty_layer === true]),
      ),
    });
  }
  const isPrefix = (a: readonly string[], b: readonly string[]) =>
    a.length <= b.length && a.every((x, i) => x === b[i]);
  const parents = new Map<Digest, Digest>();
  for (const [child, c] of unique) {
    let best: Digest | undefined;
    let bestLength = -1;
    for (const [parent, p] of unique) {
      if (parent === child || p.history.length >= c.history.length) continue;
      if (!isPrefix(p.history, c.history) || !isPrefix(p.diffIds, c.diffIds)) continue;
      if (p.history.length > bestLength) {
        best = parent;
        bestLength = p.history.length;
      }
    }
    if (best !== undefined) parents.set(child, best);
  }
  return parents;
}
