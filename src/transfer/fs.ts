/**
 * The host filesystem as import/export of directories needs it: a few async calls on '/'-separated paths.
 * Injected, so src/transfer stays isomorphic: src/node/transferFs.ts adapts node:fs (or any node-fs-like
 * object, such as memfs); a browser could adapt the File System Access API.
 */
export interface TransferFs {
  /** A whole file. Rejects with an error whose `code` is 'ENOENT' when it does not exist. */
  readFile(path: string): Promise<Uint8Array>;
  /** A file as a stream of chunks (for blobs too large to hold whole). */
  read(path: string): AsyncIterable<Uint8Array>;
  /**
   * Writes a file, replacing it, from bytes or a stream of chunks. Parents must exist (see mkdir). The
   * file appears under its name only once it is complete (write a temporary name, then rename).
   */
  writeFile(path: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  /** Creates a directory and its missing parents; fine if it exists. */
  mkdir(path: string): Promise<void>;
  /** The names in a directory. Rejects with code 'ENOENT' when it does not exist. */
  readdir(path: string): Promise<string[]>;
  /** The size of a file, or undefined when there is no such file. */
  size(path: string): Promise<number | undefined>;
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/** Joins '/'-separated path parts. */
export function joinPath(dir: string, path: string): string {
  if (dir === '' || dir === '.') return path;
  return dir.endsWith('/') ? `${dir}${path}` : `${dir}/${path}`;
}
