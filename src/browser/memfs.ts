/**
 * A memfs Volume as the page's host directories: bind mounts (`-v /data:/data`) and `cp` to and from the
 * host (memfsHostDirs). Structural: this file does not import memfs, so the engine bundle does not carry
 * it; a page gets Volumes from dist/browser/memfs.js (src/browser/volume.ts) or its own memfs.
 */
import { HostFileSystem, type SyncFs } from '../../runtime/fs/HostFileSystem';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import type { Errno, FileSystem, FsNode } from '../../runtime/fs/types';
import { FILETYPE_DIRECTORY } from '../../runtime/wasi/defs';
import type { SyncFsLike } from '../build/context';
import { check, copyChildren, errnoName } from '../engine/fsCopy';
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

/** Removes everything in directory `dir` of `fs`, depth first. */
function removeChildren(fs: FileSystem, dir: FsNode, path: string): void {
  for (const entry of check(fs.readdir(dir), 'cannot list', path || '/')) {
    const where = `${path}/${entry.name}`;
    const child = check(fs.lookup(dir, entry.name), 'cannot find', where);
    let errno: number;
    if (fs.stat(child).filetype === FILETYPE_DIRECTORY) {
      removeChildren(fs, child, where);
      errno = fs.rmdir(dir, entry.name);
    } else {
      errno = fs.unlink(dir, entry.name);
    }
    if (errno !== 0) throw new Error(`cannot remove ${where}: ${errnoName(errno as Errno)}`);
  }
}

/**
 * The engine's host directories over a memfs Volume (or any SyncNodeFs): `-v /data:/data` mounts the
 * Volume's /data, confined to it by HostFileSystem; relative host paths are taken from `/`. A guest's
 * worker cannot reach the Volume (it lives in the page), so a run gets a copy of the directory and, when
 * the mount is writable, the tree the run leaves behind replaces the directory's contents at its end.
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
    async mount(path, guestPath, readOnly) {
      const host = new HostFileSystem({ fs, root: path });
      const copy = new MemoryFileSystem();
      copyChildren(host, host.root(), copy, copy.root(), '');
      return {
        spec: { kind: 'memory', guestPath, snapshot: copy.snapshot(), readOnly, returnSnapshot: !readOnly },
        keep: async (tree) => {
          const left = MemoryFileSystem.fromSnapshot(tree);
          removeChildren(host, host.root(), '');
          copyChildren(left, left.root(), host, host.root(), '');
        },
      };
    },
  };
}
