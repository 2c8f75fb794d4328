/** Walking an image's graph of blobs in the content store (for export). */
import type { Provider } from '../content/types';
import { NotFoundError } from '../errors/NotFoundError';
import { digestHex, type Digest } from '../oci/digest';
import { parseManifestDocument } from '../oci/manifest';
import { isIndexMediaType, isManifestMediaType } from '../oci/mediaTypes';
import type { Descriptor } from '../oci/types';
import type { ArchiveFile } from './archive';
import { InvalidArchiveError } from './errors';

export function blobPath(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

/** The blob as an archive file whose data streams from the store. */
export function blobFile(content: Provider, digest: Digest, size: number): ArchiveFile {
  return { path: blobPath(digest), size, data: () => content.read(digest), blob: true };
}

/**
 * Every blob reachable from `root` (indexes, manifests, configs, layers), root first, each once. Fails
 * naming the referring document and field when a blob is not in the store or its size differs.
 */
export async function reachableBlobs(
  content: Provider,
  root: Descriptor,
  seen = new Map<Digest, number>(),
): Promise<Map<Digest, number>> {
  const visit = async (desc: Descriptor, from: string, field: string): Promise<void> => {
    if (seen.has(desc.digest)) return;
    let size: number;
    try {
      size = (await content.info(desc.digest)).size;
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new InvalidArchiveError(from, field, `blob ${desc.digest} is not in the content store`, {
          cause: error,
        });
      }
      throw error;
    }
    if (size !== desc.size) {
      throw new InvalidArchiveError(
        from,
        field,
        `blob ${desc.digest} has ${size} bytes, the descriptor says ${desc.size}`,
      );
    }
    seen.set(desc.digest, size);
    const subject = `${desc.mediaType} ${desc.digest}`;
    const doc = await documentOf(content, desc, subject);
    if (doc === undefined) return;
    if (doc.kind === 'index') {
      for (const [i, m] of doc.index.manifests.entries()) await visit(m, subject, `manifests[${i}]`);
    } else {
      await visit(doc.manifest.config, subject, 'config');
      for (const [i, l] of doc.manifest.layers.entries()) await visit(l, subject, `layers[${i}]`);
    }
  };
  await visit(root, 'image', 'target');
  return seen;
}

/** Reads an index or manifest blob; undefined for any other kind of blob (configs, layers). */
async function documentOf(content: Provider, desc: Descriptor, subject: string) {
  if (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType)) return undefined;
  return parseManifestDocument(await content.readBytes(desc.digest), subject, desc.mediaType);
}
