/** Which images an export writes, and under which names. */
import { NotFoundError } from '../errors/NotFoundError';
import type { ImageRecord, ImageStore } from '../image/types';
import { familiarName, parseReference, type ImageReference } from '../oci/reference';
import type { Descriptor } from '../oci/types';

/** An image to export: a name in the image store, a record, or a bare descriptor with optional names. */
export type ExportSubject =
  | string
  | ImageRecord
  | {
      readonly target: Descriptor;
      /** A reference (`hello:1`, `docker.io/library/hello:1`); the image is unnamed without one. */
      readonly name?: string;
      /** The `org.opencontainers.image.ref.name` to write; default: the name's tag. */
      readonly refName?: string;
    };

export interface ResolvedSubject {
  readonly target: Descriptor;
  readonly reference: ImageReference | undefined;
  /** index.json's org.opencontainers.image.ref.name (a tag, as Docker, containerd and skopeo write it). */
  readonly refName: string | undefined;
}

export async function resolveSubjects(
  images: ImageStore | undefined,
  subjects: readonly ExportSubject[],
): Promise<ResolvedSubject[]> {
  const out: ResolvedSubject[] = [];
  for (const subject of subjects) {
    if (typeof subject === 'string') {
      if (images === undefined) throw new TypeError(`exporting ${subject} by name needs an image store`);
      const record = await images.get(subject);
      if (record === undefined) throw new NotFoundError('image', subject);
      const reference = parseReference(subject);
      out.push({ target: record.target, reference, refName: reference.tag });
      continue;
    }
    if ('createdAt' in subject) {
      const reference = parseReference(subject.name);
      out.push({ target: subject.target, reference, refName: reference.tag });
      continue;
    }
    const reference = subject.name === undefined ? undefined : parseReference(subject.name);
    out.push({ target: subject.target, reference, refName: subject.refName ?? reference?.tag });
  }
  return out;
}

/** Docker's short `name:tag` (reference.FamiliarString): `hello:latest`, `localhost:5000/x:1`. */
export function familiarString(reference: ImageReference): string | undefined {
  return reference.tag === undefined ? undefined : `${familiarName(reference)}:${reference.tag}`;
}
