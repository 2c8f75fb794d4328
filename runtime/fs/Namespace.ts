import {
  ERRNO_INVAL,
  ERRNO_LOOP,
  ERRNO_NOENT,
  ERRNO_NOTCAPABLE,
  ERRNO_NOTDIR,
  FILETYPE_DIRECTORY,
  FILETYPE_SYMBOLIC_LINK,
} from '../wasi/defs';
import type { Errno, FileSystem, FsNode } from './types';

/** A node together with the filesystem it belongs to: what a directory fd points at. */
export interface Location {
  readonly fs: FileSystem;
  readonly node: FsNode;
}

/**
 * The outcome of walking a path. `name` is the last component and `dir` the directory holding it, for
 * calls that create or remove (the *at() pattern); `node` is what the name points at now, or null when
 * it does not exist. A path that ends in '.' or '..' (or is empty after them) names `dir` itself:
 * then `name` is null and `node` is dir's node.
 */
export interface Resolved {
  readonly dir: Location;
  readonly name: string | null;
  readonly fs: FileSystem;
  readonly node: FsNode | null;
  /** The path ended in '/', so the caller must treat the result as a directory. */
  readonly trailingSlash: boolean;
}

/** POSIX's SYMLOOP_MAX as Linux sets it: more symlink hops than this in one walk is ELOOP. */
export const MAX_SYMLINK_HOPS = 40;

/**
 * The guest's view of the world: a root filesystem plus filesystems mounted on its directories, like a
 * mount namespace. All path walking happens here (see the rules in types.ts):
 *   - a walk starts at a base directory and may never climb above it with '..' (ENOTCAPABLE), the
 *     capability rule of WASI: a directory fd grants its subtree and nothing else;
 *   - an absolute symlink target restarts at the namespace root, which is only allowed when the walk
 *     started there (containers are full of `/bin/sh -> /bin/box`); elsewhere it is ENOTCAPABLE;
 *   - more than MAX_SYMLINK_HOPS symlinks in one walk is ELOOP.
 */
export class Namespace {
  readonly root: Location;
  // Mount points keyed by the filesystem that holds them, then by the mount point's inode number.
  private readonly mounts = new Map<FileSystem, Map<number, FileSystem>>();
  private readonly mountList: { path: string; fs: FileSystem }[] = [];

  constructor(rootFs: FileSystem) {
    this.root = { fs: rootFs, node: rootFs.root() };
  }

  /**
   * Mounts fs at an absolute guest path. The mount point is created (mkdir -p) in the filesystem below
   * when missing, as Docker does for bind mounts.
   */
  mount(guestPath: string, fs: FileSystem): Errno {
    const parts = guestPath.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) return ERRNO_INVAL;
    let cur: Location = this.root;
    for (const part of parts) {
      let child = cur.fs.lookup(cur.node, part);
      if (typeof child === 'number') {
        if (child !== ERRNO_NOENT) return child;
        child = cur.fs.mkdir(cur.node, part, 0o755);
        if (typeof child === 'number') return child;
      }
      if (cur.fs.stat(child).filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
      cur = this.crossMount({ fs: cur.fs, node: child });
    }
    if (parts.length === 0) return ERRNO_INVAL;
    let byIno = this.mounts.get(cur.fs);
    if (!byIno) this.mounts.set(cur.fs, (byIno = new Map()));
    byIno.set(cur.fs.stat(cur.node).ino, fs);
    this.mountList.push({ path: '/' + parts.join('/'), fs });
    return 0;
  }

  /** The mounts in the order they were made, for `inspect`-style reporting. */
  listMounts(): readonly { path: string; fs: FileSystem }[] {
    return this.mountList;
  }

  isRoot(loc: Location): boolean {
    return loc.fs === this.root.fs && loc.node === this.root.node;
  }

  /** If a filesystem is mounted on this directory, its root; otherwise the location itself. */
  private crossMount(loc: Location): Location {
    if (this.mounts.size === 0) return loc;
    const byIno = this.mounts.get(loc.fs);
    if (!byIno) return loc;
    const mounted = byIno.get(loc.fs.stat(loc.node).ino);
    return mounted ? { fs: mounted, node: mounted.root() } : loc;
  }

  /**
   * Walks `path` relative to `base`. Symlinks in the middle are always followed; the last component is
   * followed only when followFinal is set or the path ends in '/'.
   */
  resolve(base: Location, path: string, followFinal: boolean): Resolved | Errno {
    const baseIsRoot = this.isRoot(base);
    // The stack holds the directories walked into; '..' pops it and may never pop the base.
    let stack: Location[] = [base];
    let parts = path.split('/');
    let hops = 0;
    let i = 0;
    for (;;) {
      // Skip empty and '.' components; find out whether this is the last real component.
      while (i < parts.length && (parts[i] === '' || parts[i] === '.')) i++;
      if (i >= parts.length) {
        const here = stack[stack.length - 1]!;
        return { dir: here, name: null, fs: here.fs, node: here.node, trailingSlash: true };
      }
      const part = parts[i]!;
      let next = i + 1;
      while (next < parts.length && (parts[next] === '' || parts[next] === '.')) next++;
      const isLast = next >= parts.length;
      // "name/" or "name/." means name must be a directory: a symlink there is followed, a file is ENOTDIR.
      const trailingSlash = isLast && i + 1 < parts.length;
      const dir = stack[stack.length - 1]!;
      if (part === '..') {
        if (stack.length === 1) return ERRNO_NOTCAPABLE;
        stack.pop();
        i = next;
        continue;
      }
      const found = dir.fs.lookup(dir.node, part);
      if (typeof found === 'number') {
        if (isLast && found === ERRNO_NOENT) {
          return { dir, name: part, fs: dir.fs, node: null, trailingSlash };
        }
        return found;
      }
      const filetype = dir.fs.stat(found).filetype;
      if (filetype === FILETYPE_SYMBOLIC_LINK && (!isLast || followFinal || trailingSlash)) {
        if (++hops > MAX_SYMLINK_HOPS) return ERRNO_LOOP;
        const target = dir.fs.readlink(found);
        if (typeof target === 'number') return target;
        if (target.length === 0) return ERRNO_NOENT;
        const rest = parts.slice(next);
        if (target.charCodeAt(0) === 47) {
          if (!baseIsRoot) return ERRNO_NOTCAPABLE;
          stack = [this.root];
        }
        // A slash after the link carries over to its target ("link/" means the target must be a directory).
        parts = target.split('/').concat(trailingSlash ? [''] : rest);
        i = 0;
        continue;
      }
      if (isLast) {
        const loc = filetype === FILETYPE_DIRECTORY ? this.crossMount({ fs: dir.fs, node: found }) : null;
        if (loc) return { dir, name: part, fs: loc.fs, node: loc.node, trailingSlash };
        return { dir, name: part, fs: dir.fs, node: found, trailingSlash };
      }
      if (filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
      stack.push(this.crossMount({ fs: dir.fs, node: found }));
      i = next;
    }
  }
}
