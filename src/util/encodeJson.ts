const encoder = new TextEncoder();

/**
 * A value as compact UTF-8 JSON, keys in the order the object has them. Digests are computed over these
 * bytes, so build objects with a fixed key order to get reproducible digests.
 */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
