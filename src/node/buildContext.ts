/**
 * A build context over a host directory (node:fs/promises): the BuildContextSource of src/build/context.
 * Paths given to readFile/readlink are context-relative and checked to stay inside the root; symlinks
 * are reported, never followed.
 */
import type { Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from './asyncFs';
import { join, resolve } from 'node:path';
import type { BuildContextSource, ContextEntryType, ContextStat } from '../build/context';
import { BuildContextError } from '../build/errors';
import { cleanPath } from '../build/glob';
import type { FileDigests } from './FileDigests';
import { isErrnoCode } from './fsHelpers';

function typeOf(st: Stats): ContextEntryType | undefined {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return undefined;
}

export interface HostBuildContextOptions {
  /**
   * Remembered file digests: COPY then hashes a file only when it changed since a build hashed it, and
   * reads it only when its step is not cached. release() saves what was learnt.
   */
  digests?: FileDigests;
}

/**
 * The directory `dir` (relative to the process's cwd or absolute) as a build context. Throws
 * BuildContextError like Docker's `unable to prepare context: path "x" not found` when it is not a
 * directory.
 */
export async function hostBuildContext(
  dir: string,
  options: HostBuildContextOptions = {},
): Promise<BuildContextSource> {
  const root = resolve(dir);
  let st: Stats;
  try {
    st = await stat(root);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT'))
      throw new BuildContextError(`unable to prepare context: path "${dir}" not found`);
    throw err;
  }
  if (!st.isDirectory()) {
    throw new BuildContextError(`unable to prepare context: context must be a directory: ${root}`);
  }
  const full = (path: string): string => {
    const clean = cleanPath(path);
    if (clean === '..' || clean.startsWith('../') || clean.startsWith('/')) {
      throw new BuildContextError(`forbidden path outside the build context: ${path}`);
    }
    return clean === '.' ? root : join(root, clean);
  };
  // What list() saw of each file: a digest is looked up by that identity (FileDigests).
  const listed = new Map<string, Stats>();
  const { digests } = options;
  return {
    async list(options = {}) {
      const out: ContextStat[] = [];
      const walk = async (rel: string): Promise<void> => {
        const names = (await readdir(full(rel || '.'))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const name of names) {
          const path = rel === '' ? name : `${rel}/${name}`;
          let s: Stats;
          try {
            s = await lstat(join(root, path));
          } catch (err) {
            if (isErrnoCode(err, 'ENOENT')) continue; // removed while walking
            throw err;
          }
          const type = typeOf(s);
          if (type === undefined) continue;
          if (type === 'dir' && options.skipDir?.(path)) continue;
          if (type === 'file') listed.set(path, s);
          out.push({
            path,
            type,
            mode: s.mode & 0o7777,
            size: type === 'dir' ? 0 : s.size,
            mtimeMs: Math.floor(s.mtimeMs),
          });
          if (type === 'dir') await walk(path);
        }
      };
      await walk('');
      return out;
    },
    async readFile(path) {
      const data = await readFile(full(path));
      return new Uint8Array(data.buffer, data.byteOffset, data.length);
    },
    async readlink(path) {
      return readlink(full(path));
    },
    ...(digests !== undefined
      ? {
          async digest(path: string) {
            const abs = full(path);
            return digests.digest(abs, listed.get(cleanPath(path)) ?? (await lstat(abs)));
          },
          release: () => digests.save(),
        }
      : {}),
  };
}
