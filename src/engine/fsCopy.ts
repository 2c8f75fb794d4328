/**
 * Moving trees between FileSystems (a container's root, a volume, a host directory, a tar unpacked in
 * memory): what `cp`, `export`, volume population and --runtime wasmer are made of. Everything goes
 * through the FileSystem contract, so a copy into a container's union root copies up and leaves
 * whiteouts like any guest write would, and a host directory is reached only through its confined
 * HostFileSystem.
 */
import type { Namespace } from '../../runtime/fs/Namespace';
import type { DirEntry, Errno, FileSystem, FsNode, OpenFlags, Stat } from '../../runtime/fs/types';
import {
  ERRNO_NAMES,
  ERRNO_NOENT,
  ERRNO_ROFS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';
import { treeEntries } from '../layer/tree';
import type { LayerEntry } from '../layer/types';
import { EngineError } from './errors';

const CHUNK = 1 << 20;

export function errnoName(errno: Errno): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** Throws an EngineError naming the operation and path when `result` is an errno. */
export function check<T>(result: T | Errno, what: string, path: string): T {
  if (typeof result === 'number') {
    const kind = result === ERRNO_NOENT ? 'invalid-argument' : 'internal';
    throw new EngineError(kind, `${what} ${path}: ${errnoName(result)}`);
  }
  return result;
}

/** A file's whole contents. */
export function readFile(fs: FileSystem, node: FsNode, path = ''): Uint8Array {
  const handle = check(fs.open(node, { read: true, write: false }), 'cannot open', path);
  try {
    const data = new Uint8Array(handle.size());
    for (let at = 0; at < data.length;) {
      const n = handle.pread(data.subarray(at), at);
      if (n < 0) throw new EngineError('internal', `cannot read ${path}: ${errnoName(-n)}`);
      if (n === 0) return data.subarray(0, at);
      at += n;
    }
    return data;
  } finally {
    handle.close();
  }
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readHead(fs: FileSystem, node: FsNode, n: number, path = ''): Uint8Array {
  const handle = check(fs.open(node, { read: true, write: false }), 'cannot open', path);
  try {
    const data = new Uint8Array(n);
    const got = handle.pread(data, 0);
    if (got < 0) throw new EngineError('internal', `cannot read ${path}: ${errnoName(-got)}`);
    return data.subarray(0, got);
  } finally {
    handle.close();
  }
}

/**
 * Writes a whole file: an existing regular file is overwritten in place (in a union root that is a
 * copy-up, as a guest's write would be), a symlink is replaced, a directory is an error. `mode` null keeps
 * an existing file's mode (0o644 for a new one); `mtim` null leaves the time of the write.
 */
export function writeFile(
  fs: FileSystem,
  dir: FsNode,
  name: string,
  data: Uint8Array,
  mode: number | null,
  mtim: bigint | null,
  path = name,
): FsNode {
  let node: FsNode | null = null;
  const existing = fs.lookup(dir, name);
  if (typeof existing !== 'number') {
    const filetype = fs.stat(existing).filetype;
    if (filetype === FILETYPE_DIRECTORY) {
      throw new EngineError('invalid-argument', `cannot overwrite directory ${path} with a file`);
    }
    if (filetype === FILETYPE_REGULAR_FILE) node = existing;
    else check(fs.unlink(dir, name), 'cannot replace', path);
  }
  node ??= check(fs.createFile(dir, name, mode ?? 0o644), 'cannot create', path);
  const handle = check(fs.open(node, { read: false, write: true }), 'cannot open', path);
  try {
    const err = handle.setSize(0);
    if (err !== 0) throw new EngineError('internal', `cannot truncate ${path}: ${errnoName(err)}`);
    for (let at = 0; at < data.length; at += CHUNK) {
      const n = handle.pwrite(data.subarray(at, Math.min(data.length, at + CHUNK)), at);
      if (n < 0) throw new EngineError('internal', `cannot write ${path}: ${errnoName(-n)}`);
    }
  } finally {
    handle.close();
  }
  if (mode !== null) fs.setMode(node, mode);
  if (mtim !== null) fs.setTimes(node, null, mtim);
  return node;
}

/**
 * Copies `node` of `src` to `name` in directory `dir` of `dst`, recursively. Directories merge into an
 * existing directory; files and symlinks replace what is there; a directory never replaces a file or the
 * other way round (an error naming the path). Modes and mtimes are kept.
 */
export function copyNode(
  src: FileSystem,
  node: FsNode,
  dst: FileSystem,
  dir: FsNode,
  name: string,
  path = `/${name}`,
): void {
  const st = src.stat(node);
  const filetype = st.filetype;
  const mode = st.mode & 0o7777;
  const mtim = st.mtim;
  if (filetype === FILETYPE_DIRECTORY) {
    let target = dst.lookup(dir, name);
    if (typeof target === 'number') {
      target = check(dst.mkdir(dir, name, mode), 'cannot create directory', path);
    } else if (dst.stat(target).filetype !== FILETYPE_DIRECTORY) {
      throw new EngineError('invalid-argument', `cannot overwrite non-directory ${path} with a directory`);
    }
    const list = check(src.readdir(node), 'cannot list', path);
    for (const entry of [...list]) {
      const child = src.lookup(node, entry.name);
      if (typeof child === 'number') continue;
      copyNode(src, child, dst, target, entry.name, `${path}/${entry.name}`);
    }
    dst.setMode(target, mode);
    dst.setTimes(target, null, mtim);
    return;
  }
  if (filetype === FILETYPE_SYMBOLIC_LINK) {
    const linkTarget = check(src.readlink(node), 'cannot read link', path);
    const existing = dst.lookup(dir, name);
    if (typeof existing !== 'number') {
      if (dst.stat(existing).filetype === FILETYPE_DIRECTORY) {
        throw new EngineError('invalid-argument', `cannot overwrite directory ${path} with a symlink`);
      }
      check(dst.unlink(dir, name), 'cannot replace', path);
    }
    check(dst.symlink(dir, name, linkTarget), 'cannot create symlink', path);
    return;
  }
  if (filetype === FILETYPE_REGULAR_FILE) {
    writeFile(dst, dir, name, readFile(src, node, path), mode, mtim, path);
  }
  // Sockets, devices: nothing to copy.
}

/** Copies every entry of directory `node` of `src` into directory `dir` of `dst` (merging). */
export function copyChildren(
  src: FileSystem,
  node: FsNode,
  dst: FileSystem,
  dir: FsNode,
  path: string,
): void {
  const list = check(src.readdir(node), 'cannot list', path || '/');
  for (const entry of [...list]) {
    const child = src.lookup(node, entry.name);
    if (typeof child === 'number') continue;
    copyNode(src, child, dst, dir, entry.name, `${path}/${entry.name}`);
  }
}

/** A FileSystem whose root is one directory of another: for walking a subtree with treeEntries. */
class SubtreeView implements FileSystem {
  readonly readOnly = true;
  readonly dev: number;

  constructor(
    private readonly inner: FileSystem,
    private readonly top: FsNode,
  ) {
    this.dev = inner.dev;
  }
  root(): FsNode {
    return this.top;
  }
  lookup(dir: FsNode, name: string): FsNode | Errno {
    return this.inner.lookup(dir, name);
  }
  stat(node: FsNode): Stat {
    return this.inner.stat(node);
  }
  readdir(dir: FsNode): DirEntry[] | Errno {
    return this.inner.readdir(dir);
  }
  readlink(node: FsNode): string | Errno {
    return this.inner.readlink(node);
  }
  open(node: FsNode, flags: OpenFlags) {
    return this.inner.open(node, flags);
  }
  createFile(): Errno {
    return ERRNO_ROFS;
  }
  mkdir(): Errno {
    return ERRNO_ROFS;
  }
  symlink(): Errno {
    return ERRNO_ROFS;
  }
  link(): Errno {
    return ERRNO_ROFS;
  }
  unlink(): Errno {
    return ERRNO_ROFS;
  }
  rmdir(): Errno {
    return ERRNO_ROFS;
  }
  rename(): Errno {
    return ERRNO_ROFS;
  }
  setTimes(): Errno {
    return ERRNO_ROFS;
  }
  setMode(): Errno {
    return ERRNO_ROFS;
  }
}

/**
 * The layer entries of `node` (a file, symlink or directory and everything below it) under the name
 * `name` ('/name', '/name/…'), or — with name '' — of a directory's contents only. For tars of `cp`.
 */
export function subtreeEntries(fs: FileSystem, node: FsNode, name: string): LayerEntry[] {
  const st = fs.stat(node);
  const mode = st.mode & 0o7777;
  const mtim = st.mtim;
  const prefix = name === '' ? '' : `/${name}`;
  if (st.filetype === FILETYPE_SYMBOLIC_LINK) {
    return [
      { path: prefix, type: 'symlink', mode, mtim, target: check(fs.readlink(node), 'readlink', name) },
    ];
  }
  if (st.filetype !== FILETYPE_DIRECTORY) {
    return [{ path: prefix, type: 'file', mode, mtim, data: readFile(fs, node, name) }];
  }
  const inner = treeEntries(new SubtreeView(fs, node)).map((e) => ({
    ...e,
    path: prefix + e.path,
    ...(e.type === 'hardlink' && e.target !== undefined ? { target: prefix + e.target } : {}),
  }));
  return name === '' ? inner : [{ path: prefix, type: 'dir', mode, mtim }, ...inner];
}

/** Every entry of a whole tree as layer entries (`export`): whiteout-looking names are plain files here. */
export function flattenedEntries(fs: FileSystem): LayerEntry[] {
  return treeEntries(fs);
}

/** Splits an absolute path into its parent and last component ('/a/b' → ['/a', 'b']; '/' → ['/', '']). */
export function splitPath(path: string): [string, string] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const name = parts.pop() ?? '';
  return ['/' + parts.join('/'), name];
}

/** Joins a path onto a directory ('/a' + 'b/c' → '/a/b/c'); an absolute `path` is taken as it is. */
export function joinPath(dir: string, path: string): string {
  if (path.startsWith('/')) return path;
  return `${dir.replace(/\/+$/, '')}/${path}`;
}

/** Resolves a path in a namespace from its root; the errno when the walk fails. */
export function resolveIn(ns: Namespace, path: string, followFinal: boolean) {
  return ns.resolve(ns.root, path, followFinal);
}
