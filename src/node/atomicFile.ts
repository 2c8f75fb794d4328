/**
 * Whole-file replacement that survives kill -9 and power loss: write a temporary file next to the target,
 * fsync it, rename it over the target, fsync the directory. A reader sees the old file or the new one,
 * never a mix; a crash leaves at most a `*.tmp` file, which readers ignore.
 *
 * `durable: false` skips the directory fsync: after a power loss the rename may be undone (the previous
 * version is back, whole), which is fine for replacing a file that already exists when the previous
 * version is a valid state too. A kill -9 never undoes a rename either way.
 */
import { open, rename, unlink } from './asyncFs';
import type { FileHandle } from './asyncFs';
import { dirname } from 'node:path';
import { syncDirectory } from './fsHelpers';
import { randomHex } from './lazyBuiltins';

export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: { durable?: boolean } = {},
): Promise<void> {
  const temp = `${path}.${randomHex(6)}.tmp`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(temp, 'wx', 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(temp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  if (options.durable ?? true) await syncDirectory(dirname(path));
}
