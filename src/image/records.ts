/** The rules both ImageStore implementations share: keying, validation and updating of records. */
import { DigestMismatchError } from '../errors/DigestMismatchError';
import { UnsupportedMediaTypeError } from '../errors/UnsupportedMediaTypeError';
import { parseDescriptor } from '../oci/descriptor';
import { isIndexMediaType, isManifestMediaType } from '../oci/mediaTypes';
import type { ImageReference } from '../oci/reference';
import { parseReference } from '../oci/reference';
import type { Descriptor } from '../oci/types';
import type { ImageRecord } from './types';

/** Parses a string reference; passes a parsed one through. */
export function toReference(reference: string | ImageReference): ImageReference {
  return typeof reference === 'string' ? parseReference(reference) : reference;
}

/**
 * The record put() stores: checks the target (a well-formed index or manifest descriptor, matching the
 * reference's digest if it has one) and keeps `createdAt` of the record it replaces.
 */
export function makeRecord(
  ref: ImageReference,
  target: Descriptor,
  previous: ImageRecord | undefined,
  now: Date,
): ImageRecord {
  const subject = `image target of ${ref.canonical}`;
  parseDescriptor(target, subject, 'target');
  if (!isIndexMediaType(target.mediaType) && !isManifestMediaType(target.mediaType)) {
    throw new UnsupportedMediaTypeError(target.mediaType, subject);
  }
  if (ref.digest !== undefined && ref.digest !== target.digest) {
    throw new DigestMismatchError(ref.digest, target.digest);
  }
  const at = now.toISOString();
  return {
    name: ref.canonical,
    familiar: ref.familiar,
    target: structuredClone(target),
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
  };
}

export function byName(a: ImageRecord, b: ImageRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
