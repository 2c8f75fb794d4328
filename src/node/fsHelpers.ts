/** Small node:fs helpers shared by the disk stores. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from './asyncFs';
import type { FileHandle } from './asyncFs';

/** True when `err` is a Node system error with this `code` (ENOENT, EEXIST, …). */
export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * fsyncs a directory, so that a rename or create in it survives a crash. A no-op where directories cannot
 * be synced (Windows).
 */
export async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].some((code) => isErrnoCode(err, code))) throw err;
  } finally {
    await fh?.close();
  }
}

/** Files up to this size are read synchronously by readSmallFile. */
export const SMALL_FILE_BYTES = 1 << 20;

/** A file read whole, and what identifies that version of it (inode, size, mtime: a rename gives a new one). */
export interface FileSnapshot {
  bytes: Buffer;
  stamp: string;
}

/**
 * Reads a file of at most SMALL_FILE_BYTES synchronously; undefined when it is larger (read it
 * asynchronously then). Store metadata (images.json, build cache entries, manifests, configs) is a few
 * KB on a local disk: a synchronous read takes microseconds, while each async call is a round trip to
 * libuv's thread pool, and a cached six-step build made some sixty of them, one after the other
 * (about 20 ms of waiting on a loaded 2-core VM). Throws the fs error (ENOENT, ...) as readFile does.
 */
export function readSmallFile(path: string): FileSnapshot | undefined {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.size > SMALL_FILE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return {
      bytes: at === bytes.length ? bytes : bytes.subarray(0, at),
      stamp: `${st.ino}:${st.size}:${st.mtimeMs}`,
    };
  } finally {
    closeSync(fd);
  }
}
