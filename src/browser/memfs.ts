/**
 * A memfs Volume as the page's host directories: bind mounts (`-v /data:/data`) and `cp` to and from the
 * host (memfsHostDirs). Structural: this file does not import memfs, so the engine bundle does not carry
 * it; a page gets Volumes from dist/browser/memfs.js (src/browser/volume.ts) or its own memfs.
 */
import { HostFileSystem, type SyncFs } from '../../runtime/fs/HostFileSystem';
import type { SyncFsLike } from '../build/context';
import type { HostDirOpener } from '../engine/types';

/**
 * What Berth needs of a host filesystem in the page: node:fs's synchronous calls, as a memfs Volume has
 * them (build contexts, bind mounts, cp).
 */
export type SyncNodeFs = SyncFs &
  SyncFsLike & {
    mkdirSync(path: string, options: { recursive: true }): unknown;
  };

/** `path` made absolute from `/` and normalised ('.', '..', repeated slashes), as path.posix.resolve. */
function resolvePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * The engine's host directories over a memfs Volume (or any SyncNodeFs): `-v /data:/data` mounts the
 * Volume's /data, confined to it by HostFileSystem; relative host paths are taken from `/`.
 */
export function memfsHostDirs(fs: SyncNodeFs): HostDirOpener {
  return {
    resolve: resolvePath,
    kind(path) {
      let st;
      try {
        st = fs.lstatSync(path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw error;
      }
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
    },
    mkdirp(path) {
      fs.mkdirSync(path, { recursive: true });
    },
    open: (path, readOnly) => new HostFileSystem({ fs, root: path, readOnly }),
  };
}
