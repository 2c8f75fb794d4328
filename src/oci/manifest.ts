import { InvalidManifestError } from '../errors/InvalidManifestError';
import { decodeJson } from '../util/decodeJson';
import { fail, isObject, optionalString, optionalStringMap, schemaVersion2 } from './checks';
import type { Json } from './checks';
import { parseDescriptor } from './descriptor';
import { isIndexMediaType, isManifestMediaType } from './mediaTypes';
import type { ImageIndex, ImageManifest } from './types';

/** A parsed manifest-like document: an index (or Docker manifest list) or an image manifest. */
export type ManifestDocument =
  { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/** Parses JSON bytes as an object, or throws InvalidManifestError naming `subject`. */
export function decodeDocument(bytes: Uint8Array, subject: string): Json {
  let json: unknown;
  try {
    json = decodeJson(bytes);
  } catch (err) {
    throw new InvalidManifestError(subject, `not UTF-8 JSON (${(err as Error).message})`, { cause: err });
  }
  if (!isObject(json)) fail(subject, 'must be a JSON object');
  return json;
}

/** Checks an image manifest (OCI or Docker v2 schema 2). Returns the same object, unknown fields kept. */
export function parseImageManifest(json: Json, subject: string): ImageManifest {
  schemaVersion2(subject, json);
  optionalString(subject, 'mediaType', json.mediaType);
  optionalString(subject, 'artifactType', json.artifactType);
  if (json.mediaType !== undefined && !isManifestMediaType(json.mediaType as string)) {
    fail(subject, `mediaType ${JSON.stringify(json.mediaType)} is not an image manifest type`);
  }
  parseDescriptor(json.config, subject, 'config');
  if (!Array.isArray(json.layers)) fail(subject, 'layers must be an array');
  json.layers.forEach((l, i) => parseDescriptor(l, subject, `layers[${i}]`));
  if (json.subject !== undefined) parseDescriptor(json.subject, subject, 'subject');
  optionalStringMap(subject, 'annotations', json.annotations);
  return json as unknown as ImageManifest;
}

/** Checks an image index (OCI or Docker manifest list). Returns the same object, unknown fields kept. */
export function parseImageIndex(json: Json, subject: string): ImageIndex {
  schemaVersion2(subject, json);
  optionalString(subject, 'mediaType', json.mediaType);
  optionalString(subject, 'artifactType', json.artifactType);
  if (json.mediaType !== undefined && !isIndexMediaType(json.mediaType as string)) {
    fail(subject, `mediaType ${JSON.stringify(json.mediaType)} is not an image index type`);
  }
  if (!Array.isArray(json.manifests)) fail(subject, 'manifests must be an array');
  json.manifests.forEach((m, i) => parseDescriptor(m, subject, `manifests[${i}]`));
  if (json.subject !== undefined) parseDescriptor(json.subject, subject, 'subject');
  optionalStringMap(subject, 'annotations', json.annotations);
  return json as unknown as ImageIndex;
}

/**
 * Reads bytes as an index or a manifest. The kind comes from the document's own `mediaType`, else from the
 * descriptor's (`mediaType` argument), else from its shape (`manifests` → index; `config` + `layers` →
 * manifest) — an OCI layout's index.json written by skopeo has no `mediaType`. Returns undefined when the
 * JSON is neither (an artifact or a config). Throws InvalidManifestError when the bytes are not JSON, when
 * the document's media type contradicts the descriptor's, or when a document of a known kind is malformed.
 */
export function parseManifestDocument(
  bytes: Uint8Array,
  subject: string,
  mediaType?: string,
): ManifestDocument | undefined {
  const json = decodeDocument(bytes, subject);
  const own = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (own !== undefined && mediaType !== undefined && own !== mediaType) {
    fail(
      subject,
      `its mediaType ${JSON.stringify(own)} differs from the descriptor's ${JSON.stringify(mediaType)}`,
    );
  }
  const type = own ?? mediaType;
  if (isIndexMediaType(type)) return { kind: 'index', index: parseImageIndex(json, subject) };
  if (isManifestMediaType(type)) return { kind: 'manifest', manifest: parseImageManifest(json, subject) };
  if (own === undefined) {
    if (Array.isArray(json.manifests)) return { kind: 'index', index: parseImageIndex(json, subject) };
    if ('config' in json && Array.isArray(json.layers)) {
      return { kind: 'manifest', manifest: parseImageManifest(json, subject) };
    }
  }
  return undefined;
}
