import type { Ingester } from '../content/types';
import type { Descriptor } from '../oci/types';
import { encodeJson } from '../util/encodeJson';

/**
 * Stores a JSON document (manifest, index, config) as compact UTF-8 and returns its descriptor.
 * Idempotent: writing the same document again returns the same descriptor.
 */
export async function writeJsonBlob(
  content: Ingester,
  mediaType: string,
  value: unknown,
): Promise<Descriptor> {
  const bytes = encodeJson(value);
  const writer = await content.writer({ size: bytes.length });
  try {
    await writer.write(bytes);
    const info = await writer.commit();
    return { mediaType, digest: info.digest, size: info.size };
  } finally {
    await writer.abort(); // harmless after commit; cleans up after a failure
  }
}
