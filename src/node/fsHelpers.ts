/** Small node:fs helpers shared by the disk stores. */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

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
