/**
 * Garbage collection of the content store: mark and sweep over descriptors, using only the Provider and
 * Manager roles.
 *
 * Mark: from each root digest (in practice the targets of the image records), follow
 *   index (or Docker manifest list) → its manifests (and nested indexes), and subject
 *   manifest → config + layers, and subject
 * A root's kind is read off the document itself (its `mediaType`, else its shape), so a root may be an
 * index, a manifest, or any other blob (which is simply kept). Configs and layers are leaves and are never
 * read. A referenced blob that is not in the store (a layer not pulled yet) is skipped.
 *
 * Sweep: delete every blob that was committed before the run started and was not marked. Blobs committed
 * while gc runs are left alone, and ingests in progress are invisible, so neither is removed; but a blob
 * committed before the run and not yet referenced from a root IS removed — callers that pull or build must
 * not run gc until their image record exists (there are no leases yet).
 *
 * Safety: a document that says it is an index or manifest but cannot be parsed stops gc with
 * InvalidManifestError before anything is deleted (deleting its children could destroy a good image).
 */
import { NotFoundError } from '../errors/NotFoundError';
import type { Digest } from '../oci/digest';
import { parseDigest } from '../oci/digest';
import { parseManifestDocument } from '../oci/manifest';
import { isIndexMediaType, isManifestMediaType } from '../oci/mediaTypes';
import type { Descriptor } from '../oci/types';
import { decodeJson } from '../util/decodeJson';
import type { Info, Manager, Provider } from './types';

export interface GcOptions {
  /**
   * Blobs above this size are never opened to look for references (they are layers, not manifests).
   * Default 4 MiB, the manifest size limit of common registries.
   */
  maxDocumentSize?: number;
}

export interface GcResult {
  /** The blobs found reachable from the roots (and present). */
  kept: Digest[];
  /** The blobs deleted. */
  removed: Digest[];
}

export const DEFAULT_MAX_DOCUMENT_SIZE = 4 * 1024 * 1024;

interface Visit {
  digest: Digest;
  /** 'node' may hold references and is opened; 'leaf' is only kept. */
  role: 'node' | 'leaf';
  /** The referring descriptor's media type; undefined for roots. */
  mediaType?: string;
}

/** Deletes the blobs not reachable from `roots`. See the file comment for the rules. */
export async function gc(
  store: Provider & Manager,
  roots: Iterable<Digest>,
  options: GcOptions = {},
): Promise<GcResult> {
  const maxDocumentSize = options.maxDocumentSize ?? DEFAULT_MAX_DOCUMENT_SIZE;
  const before = await store.list();

  const marked = new Set<Digest>();
  const queue: Visit[] = [...roots].map((d) => ({ digest: parseDigest(d), role: 'node' }));
  for (let visit = queue.shift(); visit !== undefined; visit = queue.shift()) {
    if (marked.has(visit.digest)) continue;
    const info = await infoOrUndefined(store, visit.digest);
    if (info === undefined) continue;
    marked.add(visit.digest);
    if (visit.role === 'node' && info.size <= maxDocumentSize) {
      queue.push(...(await references(store, visit)));
    }
  }

  const removed: Digest[] = [];
  for (const { digest } of before) {
    if (!marked.has(digest) && (await store.delete(digest))) removed.push(digest);
  }
  return { kept: [...marked], removed };
}

/** The blobs a document refers to; none for anything that is not an index or a manifest. */
async function references(store: Provider, visit: Visit): Promise<Visit[]> {
  const known = isIndexMediaType(visit.mediaType) || isManifestMediaType(visit.mediaType);
  let bytes: Uint8Array;
  try {
    bytes = await store.readBytes(visit.digest);
  } catch (err) {
    if (err instanceof NotFoundError) return []; // deleted meanwhile: nothing to follow
    throw err;
  }
  if (!known) {
    // A root, or an index entry of an unknown type: look at it only if it is JSON at all.
    if (bytes[0] !== 0x7b /* { */) return [];
    try {
      const json = decodeJson(bytes);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return [];
    } catch {
      return [];
    }
  }
  const doc = parseManifestDocument(bytes, `document ${visit.digest}`, visit.mediaType);
  if (doc === undefined) return [];
  const node = (d: Descriptor): Visit => ({ digest: d.digest, role: 'node', mediaType: d.mediaType });
  const leaf = (d: Descriptor): Visit => ({ digest: d.digest, role: 'leaf', mediaType: d.mediaType });
  const out: Visit[] = [];
  if (doc.kind === 'index') {
    out.push(...doc.index.manifests.map(node));
    if (doc.index.subject) out.push(node(doc.index.subject));
  } else {
    out.push(leaf(doc.manifest.config), ...doc.manifest.layers.map(leaf));
    if (doc.manifest.subject) out.push(node(doc.manifest.subject));
  }
  return out;
}

async function infoOrUndefined(store: Provider, digest: Digest): Promise<Info | undefined> {
  try {
    return await store.info(digest);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
