import {
  digestField,
  fail,
  nonEmptyString,
  object,
  optionalString,
  optionalStringArray,
  optionalStringMap,
} from './checks';
import type { Descriptor, Platform } from './types';

/**
 * Checks a descriptor's shape (image-spec descriptor.md): mediaType, a sha256 digest, a size that is a
 * non-negative safe integer, and the optional fields' types. Returns the same object, unknown fields kept.
 * Throws InvalidManifestError naming `subject` and `path`.
 */
export function parseDescriptor(value: unknown, subject: string, path = 'descriptor'): Descriptor {
  const d = object(subject, path, value);
  nonEmptyString(subject, `${path}.mediaType`, d.mediaType);
  digestField(subject, `${path}.digest`, d.digest);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    fail(subject, `${path}.size must be a non-negative integer, got ${JSON.stringify(d.size)}`);
  }
  optionalStringArray(subject, `${path}.urls`, d.urls);
  optionalStringMap(subject, `${path}.annotations`, d.annotations);
  optionalString(subject, `${path}.data`, d.data);
  optionalString(subject, `${path}.artifactType`, d.artifactType);
  if (d.platform !== undefined) parsePlatform(d.platform, subject, `${path}.platform`);
  return d as unknown as Descriptor;
}

/** Checks a platform object: architecture and os are required strings. Returns the same object. */
export function parsePlatform(value: unknown, subject: string, path = 'platform'): Platform {
  const p = object(subject, path, value);
  nonEmptyString(subject, `${path}.architecture`, p.architecture);
  nonEmptyString(subject, `${path}.os`, p.os);
  optionalString(subject, `${path}['os.version']`, p['os.version']);
  optionalStringArray(subject, `${path}['os.features']`, p['os.features']);
  optionalString(subject, `${path}.variant`, p.variant);
  optionalStringArray(subject, `${path}.features`, p.features);
  return p as unknown as Platform;
}
