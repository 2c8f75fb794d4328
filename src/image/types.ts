/**
 * Image records: the local names of images. A record maps a normalised reference
 * (`docker.io/library/hello:latest`) to the descriptor of the image's root document in the content store
 * — an index or a manifest — like containerd's images.Store or Docker's repositories.json.
 *
 * # Names
 *
 * Records are keyed by the canonical form of parseReference() (src/oci/reference.ts), so `hello`,
 * `hello:latest`, `docker.io/library/hello` and `index.docker.io/library/hello:latest` all name one
 * record. Every method takes either a string (parsed; InvalidReferenceError when malformed) or an already
 * parsed ImageReference. The record also remembers the reference as the user last typed it (`familiar`),
 * for display.
 *
 * # Ownership and visibility
 *
 * - A record does not own content. It is a root for the content store's garbage collector (gc.ts): the
 *   blobs reachable from `target` stay, everything else may go. Hence the order: commit all the image's
 *   blobs first, then put() the record; a crash in between leaves only unreferenced blobs, which gc
 *   collects. delete() removes the name only; run gc to free the blobs.
 * - put() replaces the target of an existing name (re-tagging): the old image loses this root.
 * - Once put()/delete() resolves, every later get()/list() of the same store (for a disk store: of any
 *   process) sees the change. A change is all-or-nothing, also across a crash.
 * - Records handed out are copies: changing them does not change the store.
 */
import type { ImageReference } from '../oci/reference';
import type { Descriptor } from '../oci/types';

export interface ImageRecord {
  /** The key: the canonical normalised reference, `docker.io/library/hello:latest`. */
  name: string;
  /** The reference as the user typed it when the record was last put, `hello`. */
  familiar: string;
  /** The image's root document: an index (or Docker manifest list) or an image manifest. */
  target: Descriptor;
  /** When the name was first stored (RFC 3339). */
  createdAt: string;
  /** When the target was last set (RFC 3339). */
  updatedAt: string;
}

export interface ImageStore {
  /** The record for a reference, or undefined when there is none. */
  get(reference: string | ImageReference): Promise<ImageRecord | undefined>;
  /** All records, sorted by name. */
  list(): Promise<ImageRecord[]>;
  /**
   * Creates the record or points it at a new target. The target must be an index or manifest descriptor;
   * a reference with a digest must name the target's digest (DigestMismatchError otherwise).
   */
  put(reference: string | ImageReference, target: Descriptor): Promise<ImageRecord>;
  /** Removes the record; returns false when there was none. The content stays until gc. */
  delete(reference: string | ImageReference): Promise<boolean>;
}
