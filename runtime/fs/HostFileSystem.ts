import {
  ERRNO_ACCES,
  ERRNO_AGAIN,
  ERRNO_BADF,
  ERRNO_BUSY,
  ERRNO_DQUOT,
  ERRNO_EXIST,
  ERRNO_FBIG,
  ERRNO_INTR,
  ERRNO_INVAL,
  ERRNO_IO,
  ERRNO_ISDIR,
  ERRNO_LOOP,
  ERRNO_MFILE,
  ERRNO_MLINK,
  ERRNO_NAMETOOLONG,
  ERRNO_NFILE,
  ERRNO_NODEV,
  ERRNO_NOENT,
  ERRNO_NOMEM,
  ERRNO_NOSPC,
  ERRNO_NOSYS,
  ERRNO_NOTDIR,
  ERRNO_NOTEMPTY,
  ERRNO_NOTSUP,
  ERRNO_NXIO,
  ERRNO_OVERFLOW,
  ERRNO_PERM,
  ERRNO_ROFS,
  ERRNO_SPIPE,
  ERRNO_STALE,
  ERRNO_SUCCESS,
  ERRNO_TXTBSY,
  ERRNO_XDEV,
  FILETYPE_BLOCK_DEVICE,
  FILETYPE_CHARACTER_DEVICE,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SOCKET_STREAM,
  FILETYPE_SYMBOLIC_LINK,
  FILETYPE_UNKNOWN,
} from '../wasi/defs';
import { allocateDeviceNumber } from './MemoryFileSystem';
import type { DirEntry, Errno, FileHandle, FileSystem, FsNode, OpenFlags, Stat } from './types';

/** The fields of fs.BigIntStats this backend reads. */
export interface HostStats {
  readonly ino: bigint;
  readonly mode: bigint;
  readonly nlink: bigint;
  readonly size: bigint;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** The open(2) flag values of the host; the O_* numbers differ between Linux and macOS. */
export interface HostOpenConstants {
  readonly O_RDONLY: number;
  readonly O_WRONLY: number;
  readonly O_RDWR: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_NOFOLLOW?: number;
}

/**
 * The synchronous node:fs subset this backend uses. `node:fs` satisfies it in Node; a memfs Volume does
 * in the browser and in tests.
 */
export interface SyncFs {
  lstatSync(path: string, options: { bigint: true }): HostStats;
  fstatSync(fd: number, options: { bigint: true }): HostStats;
  readdirSync(path: string): unknown[];
  readlinkSync(path: string): unknown;
  openSync(path: string, flags: number | string, mode?: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  futimesSync(fd: number, atime: number, mtime: number): void;
  fsyncSync(fd: number): void;
  mkdirSync(path: string, options: { mode: number }): unknown;
  symlinkSync(target: string, path: string): void;
  linkSync(existingPath: string, newPath: string): void;
  unlinkSync(path: string): void;
  rmdirSync(path: string): void;
  renameSync(oldPath: string, newPath: string): void;
  /** Optional: without it, times of a symlink itself cannot be set (ERRNO_NOTSUP). */
  lutimesSync?(path: string, atime: number, mtime: number): void;
  utimesSync(path: string, atime: number, mtime: number): void;
  chmodSync(path: string, mode: number): void;
  /** Optional: without it, string flags are used and symlinks are refused by an lstat before open. */
  readonly constants?: HostOpenConstants;
}

export interface HostFileSystemOptions {
  fs: SyncFs;
  /** Host directory served as this filesystem's root. */
  root: string;
  readOnly?: boolean;
  /** Device number for filestat.dev; a fresh one per filesystem when omitted. */
  dev?: number;
}

/** Host error codes (err.code) as WASI errnos; anything else is ERRNO_IO. */
export const HOST_ERROR_CODES: ReadonlyMap<string, Errno> = new Map([
  ['ENOENT', ERRNO_NOENT],
  ['EEXIST', ERRNO_EXIST],
  ['ENOTDIR', ERRNO_NOTDIR],
  ['EISDIR', ERRNO_ISDIR],
  ['ENOTEMPTY', ERRNO_NOTEMPTY],
  ['EACCES', ERRNO_ACCES],
  ['EPERM', ERRNO_PERM],
  ['ELOOP', ERRNO_LOOP],
  ['EINVAL', ERRNO_INVAL],
  ['EXDEV', ERRNO_XDEV],
  ['EROFS', ERRNO_ROFS],
  ['EBADF', ERRNO_BADF],
  ['ENAMETOOLONG', ERRNO_NAMETOOLONG],
  ['ENOSPC', ERRNO_NOSPC],
  ['EDQUOT', ERRNO_DQUOT],
  ['EFBIG', ERRNO_FBIG],
  ['EMLINK', ERRNO_MLINK],
  ['EBUSY', ERRNO_BUSY],
  ['ETXTBSY', ERRNO_TXTBSY],
  ['EMFILE', ERRNO_MFILE],
  ['ENFILE', ERRNO_NFILE],
  ['ENOMEM', ERRNO_NOMEM],
  ['EAGAIN', ERRNO_AGAIN],
  ['EINTR', ERRNO_INTR],
  ['EIO', ERRNO_IO],
  ['ENOTSUP', ERRNO_NOTSUP],
  ['EOPNOTSUPP', ERRNO_NOTSUP],
  ['ENOSYS', ERRNO_NOSYS],
  ['EOVERFLOW', ERRNO_OVERFLOW],
  ['ESPIPE', ERRNO_SPIPE],
  ['ESTALE', ERRNO_STALE],
  ['ENXIO', ERRNO_NXIO],
  ['ENODEV', ERRNO_NODEV],
]);

/** The WASI errno for an exception thrown by the host fs. */
export function hostErrno(error: unknown): Errno {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && HOST_ERROR_CODES.get(code)) || ERRNO_IO;
}

const BIGINT = { bigint: true } as const;
const NS_PER_SECOND = 1_000_000_000n;
const utf8 = new TextEncoder();
// On Windows '\' separates paths too, and ':' opens an alternate data stream.
const windowsHost = (globalThis as { process?: { platform?: string } }).process?.platform === 'win32';

function filetypeOf(mode: bigint): number {
  switch (Number(mode) & 0o170000) {
    case 0o100000:
      return FILETYPE_REGULAR_FILE;
    case 0o040000:
      return FILETYPE_DIRECTORY;
    case 0o120000:
      return FILETYPE_SYMBOLIC_LINK;
    case 0o020000:
      return FILETYPE_CHARACTER_DEVICE;
    case 0o060000:
      return FILETYPE_BLOCK_DEVICE;
    case 0o140000:
      return FILETYPE_SOCKET_STREAM;
    default:
      return FILETYPE_UNKNOWN;
  }
}

function toStat(s: HostStats): Stat {
  return {
    filetype: filetypeOf(s.mode),
    ino: Number(s.ino),
    nlink: Number(s.nlink),
    size: Number(s.size),
    atim: s.atimeNs,
    mtim: s.mtimeNs,
    ctim: s.ctimeNs,
    mode: Number(s.mode) & 0o7777,
  };
}

/** Seconds as the float node's *utimes take, split so whole seconds and fractions both survive. */
function toSeconds(ns: bigint): number {
  return Number(ns / NS_PER_SECOND) + Number(ns % NS_PER_SECOND) / 1e9;
}

/**
 * A host path known to this filesystem, with the identity it had when looked up. Nodes are paths, so
 * a path can come to mean something else (the directory renamed away, a symlink put in its place); the
 * identity lets every use check it still names the same inode.
 */
class HostNode {
  constructor(
    readonly path: string,
    readonly parent: HostNode | null,
    readonly ino: number,
    readonly filetype: number,
    /** The filesystem's generation when this path and its ancestors were last confirmed. */
    public confirmedAt: number,
  ) {}
}

/**
 * A host directory served as a FileSystem, through an injected synchronous node:fs-like object.
 *
 * Confinement: the backend never follows a symlink. Names are single components, every path is built by
 * joining names onto the root, lookups use lstat, opens use O_NOFOLLOW (or an lstat first when the host
 * fs has no such flag), and calls whose host function would follow a final symlink (chmod, utimes, link)
 * refuse symlinks. The one remaining way out is a stale path: a directory node whose path was renamed
 * away and replaced by a symlink. So every removal or rename through this filesystem starts a new
 * generation, and a node is re-confirmed (lstat of it and its ancestors against the recorded identity)
 * before its first use in a new generation. A node that no longer names its inode is ERRNO_NOENT.
 * Changes made behind this object's back (by the host or another instance) are outside that guarantee,
 * as with any path-based API.
 */
export class HostFileSystem implements FileSystem {
  readonly readOnly: boolean;
  readonly dev: number;
  private readonly fs: SyncFs;
  private readonly rootNode: HostNode;
  private generation = 0;
  private readonly readFlags: number | string;
  private readonly writeFlags: number | string;
  private readonly readWriteFlags: number | string;
  private readonly createFlags: number | string;
  /** True when the open flags themselves refuse a final symlink. */
  private readonly openRefusesSymlinks: boolean;

  constructor(options: HostFileSystemOptions) {
    this.fs = options.fs;
    this.readOnly = options.readOnly ?? false;
    this.dev = options.dev ?? allocateDeviceNumber();
    let root = options.root;
    while (root.length > 1 && root.endsWith('/')) root = root.slice(0, -1);
    const st = this.fs.lstatSync(root, BIGINT);
    if (filetypeOf(st.mode) !== FILETYPE_DIRECTORY)
      throw new Error(`HostFileSystem root ${root} is not a directory`);
    this.rootNode = new HostNode(root, null, Number(st.ino), FILETYPE_DIRECTORY, 0);
    const c = this.fs.constants;
    const noFollow = c?.O_NOFOLLOW ?? 0;
    this.openRefusesSymlinks = noFollow !== 0;
    if (c) {
      this.readFlags = c.O_RDONLY | noFollow;
      this.writeFlags = c.O_WRONLY | noFollow;
      this.readWriteFlags = c.O_RDWR | noFollow;
      this.createFlags = c.O_WRONLY | c.O_CREAT | c.O_EXCL | noFollow;
    } else {
      this.readFlags = 'r';
      this.writeFlags = 'r+';
      this.readWriteFlags = 'r+';
      this.createFlags = 'wx';
    }
  }

  root(): FsNode {
    return this.rootNode;
  }

  lookup(dir: FsNode, name: string): FsNode | Errno {
    const d = this.directory(dir);
    if (typeof d === 'number') return d;
    return this.child(d, name);
  }

  stat(node: FsNode): Stat {
    const n = node as HostNode;
    if (n.parent === null || this.confirmed(n.parent)) {
      try {
        const st = this.fs.lstatSync(n.path, BIGINT);
        if (this.sameInode(n, st)) {
          n.confirmedAt = this.generation;
          const stat = toStat(st);
          return stat.filetype === FILETYPE_SYMBOLIC_LINK && stat.size === 0
            ? this.withTargetSize(n, stat)
            : stat;
        }
      } catch {
        // Gone: fall through to the stat of an unlinked inode.
      }
    }
    return { filetype: n.filetype, ino: n.ino, nlink: 0, size: 0, atim: 0n, mtim: 0n, ctim: 0n, mode: 0 };
  }

  /** Sorted by name, so a listing does not depend on the host's directory order. */
  readdir(dir: FsNode): DirEntry[] | Errno {
    const d = this.directory(dir);
    if (typeof d === 'number') return d;
    let names: unknown[];
    try {
      names = this.fs.readdirSync(d.path);
    } catch (e) {
      return hostErrno(e);
    }
    const sorted = names.map(String).sort();
    const entries: DirEntry[] = [];
    for (const name of sorted) {
      try {
        const st = this.fs.lstatSync(this.join(d, name), BIGINT);
        entries.push({ name, ino: Number(st.ino), filetype: filetypeOf(st.mode) });
      } catch {
        // Removed between readdir and lstat.
      }
    }
    return entries;
  }

  readlink(node: FsNode): string | Errno {
    const n = this.live(node);
    if (typeof n === 'number') return n;
    if (n.filetype !== FILETYPE_SYMBOLIC_LINK) return ERRNO_INVAL;
    try {
      return String(this.fs.readlinkSync(n.path));
    } catch (e) {
      return hostErrno(e);
    }
  }

  open(node: FsNode, flags: OpenFlags): FileHandle | Errno {
    const n = this.live(node);
    if (typeof n === 'number') return n;
    if (n.filetype === FILETYPE_SYMBOLIC_LINK) return ERRNO_LOOP;
    if (n.filetype === FILETYPE_DIRECTORY)
      return flags.write ? ERRNO_ISDIR : new HostDirectoryHandle(this, n);
    // Opening a FIFO or device could block the thread or reach host hardware.
    if (n.filetype !== FILETYPE_REGULAR_FILE) return ERRNO_NOTSUP;
    if (flags.write && this.readOnly) return ERRNO_ROFS;
    if (!this.openRefusesSymlinks) {
      const current = this.lstat(n.path);
      if (typeof current === 'number') return current;
      if (filetypeOf(current.mode) !== FILETYPE_REGULAR_FILE) return ERRNO_LOOP;
    }
    const openFlags = flags.write ? (flags.read ? this.readWriteFlags : this.writeFlags) : this.readFlags;
    try {
      return new HostFileHandle(this.fs, this.fs.openSync(n.path, openFlags), flags.write, this.readOnly);
    } catch (e) {
      return hostErrno(e);
    }
  }

  createFile(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    const path = this.join(d, name);
    try {
      // O_EXCL never follows a symlink already sitting at the name.
      this.fs.closeSync(this.fs.openSync(path, this.createFlags, mode & 0o7777));
    } catch (e) {
      return hostErrno(e);
    }
    return this.child(d, name);
  }

  mkdir(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    try {
      this.fs.mkdirSync(this.join(d, name), { mode: mode & 0o7777 });
    } catch (e) {
      return hostErrno(e);
    }
    return this.child(d, name);
  }

  symlink(dir: FsNode, name: string, target: string): FsNode | Errno {
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    if (target.includes('\0')) return ERRNO_INVAL;
    try {
      this.fs.symlinkSync(target, this.join(d, name));
    } catch (e) {
      return hostErrno(e);
    }
    return this.child(d, name);
  }

  link(node: FsNode, dir: FsNode, name: string): Errno {
    if (this.readOnly) return ERRNO_ROFS;
    const n = this.live(node);
    if (typeof n === 'number') return n;
    if (n.filetype === FILETYPE_DIRECTORY) return ERRNO_PERM;
    // link(2) follows a symlink on some hosts (macOS, memfs): that would pull its target inside the root.
    if (n.filetype === FILETYPE_SYMBOLIC_LINK) return ERRNO_NOTSUP;
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    return this.call(() => this.fs.linkSync(n.path, this.join(d, name)));
  }

  unlink(dir: FsNode, name: string): Errno {
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    const path = this.join(d, name);
    const st = this.lstat(path);
    if (typeof st === 'number') return st;
    // POSIX lets unlink(dir) be EPERM (macOS, memfs); the contract wants EISDIR.
    if (filetypeOf(st.mode) === FILETYPE_DIRECTORY) return ERRNO_ISDIR;
    this.generation++;
    return this.call(() => this.fs.unlinkSync(path));
  }

  rmdir(dir: FsNode, name: string): Errno {
    const d = this.writableDirectory(dir, name);
    if (typeof d === 'number') return d;
    const path = this.join(d, name);
    const st = this.lstat(path);
    if (typeof st === 'number') return st;
    if (filetypeOf(st.mode) !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    this.generation++;
    return this.call(() => this.fs.rmdirSync(path));
  }

  /** The POSIX checks are made here, not left to the host: memfs, for one, skips most of them. */
  rename(srcDir: FsNode, srcName: string, dstDir: FsNode, dstName: string): Errno {
    const from = this.writableDirectory(srcDir, srcName);
    if (typeof from === 'number') return from;
    const to = this.writableDirectory(dstDir, dstName);
    if (typeof to === 'number') return to;
    const srcPath = this.join(from, srcName);
    const dstPath = this.join(to, dstName);
    const src = this.lstat(srcPath);
    if (typeof src === 'number') return src;
    const dst = this.lstat(dstPath);
    if (typeof dst === 'number' && dst !== ERRNO_NOENT) return dst;
    const replaced = typeof dst === 'number' ? null : dst;
    if (replaced !== null && replaced.ino === src.ino) return ERRNO_SUCCESS;
    const srcIsDirectory = filetypeOf(src.mode) === FILETYPE_DIRECTORY;
    if (srcIsDirectory) {
      // Paths are symlink-free and canonical here, so a prefix test finds a move into its own subtree.
      if (dstPath.startsWith(srcPath + '/')) return ERRNO_INVAL;
      if (replaced !== null) {
        if (filetypeOf(replaced.mode) !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
        try {
          if (this.fs.readdirSync(dstPath).length > 0) return ERRNO_NOTEMPTY;
        } catch (e) {
          return hostErrno(e);
        }
      }
    } else if (replaced !== null && filetypeOf(replaced.mode) === FILETYPE_DIRECTORY) {
      return ERRNO_ISDIR;
    }
    this.generation++;
    // memfs's renameSync resolves a symlink source, moving its target (which may lie outside the root)
    // instead of the link; a symlink is moved by recreating it.
    if (filetypeOf(src.mode) === FILETYPE_SYMBOLIC_LINK) return this.moveSymlink(srcPath, dstPath, replaced);
    // memfs also leaves a replaced inode's link count as it was. Removing the target first keeps the
    // count right; it costs the atomic replace, so only when the count is visible (an empty directory,
    // a file with other links) and the common file-over-file replace stays atomic.
    if (replaced !== null && (srcIsDirectory || replaced.nlink > 1n)) {
      const removed = this.call(() =>
        srcIsDirectory ? this.fs.rmdirSync(dstPath) : this.fs.unlinkSync(dstPath),
      );
      if (removed !== ERRNO_SUCCESS) return removed;
    }
    return this.call(() => this.fs.renameSync(srcPath, dstPath));
  }

  setTimes(node: FsNode, atim: bigint | null, mtim: bigint | null): Errno {
    if (this.readOnly) return ERRNO_ROFS;
    const n = this.live(node);
    if (typeof n === 'number') return n;
    const st = this.lstat(n.path);
    if (typeof st === 'number') return st;
    const a = toSeconds(atim ?? st.atimeNs);
    const m = toSeconds(mtim ?? st.mtimeNs);
    const fs = this.fs;
    if (fs.lutimesSync) return this.call(() => fs.lutimesSync!(n.path, a, m));
    // utimes follows a final symlink, so without lutimes a symlink's own times cannot be set.
    if (filetypeOf(st.mode) === FILETYPE_SYMBOLIC_LINK) return ERRNO_NOTSUP;
    return this.call(() => fs.utimesSync(n.path, a, m));
  }

  setMode(node: FsNode, mode: number): Errno {
    if (this.readOnly) return ERRNO_ROFS;
    const n = this.live(node);
    if (typeof n === 'number') return n;
    // chmod follows symlinks, and Linux has no lchmod: a symlink's mode cannot be set.
    if (n.filetype === FILETYPE_SYMBOLIC_LINK) return ERRNO_NOTSUP;
    const before = this.lstat(n.path);
    if (typeof before === 'number') return before;
    const changed = this.call(() => this.fs.chmodSync(n.path, mode & 0o7777));
    if (changed !== ERRNO_SUCCESS) return changed;
    // memfs's chmod moves mtime too; chmod(2) changes only ctime, so put mtime back.
    const after = this.lstat(n.path);
    if (typeof after !== 'number' && after.mtimeNs !== before.mtimeNs) {
      return this.setTimes(n, null, before.mtimeNs);
    }
    return ERRNO_SUCCESS;
  }

  // --- internals ------------------------------------------------------------------------------------

  private join(dir: HostNode, name: string): string {
    return dir.path === '/' ? '/' + name : dir.path + '/' + name;
  }

  private badName(name: string): boolean {
    return (
      name === '' ||
      name === '.' ||
      name === '..' ||
      name.includes('/') ||
      name.includes('\0') ||
      (windowsHost && (name.includes('\\') || name.includes(':')))
    );
  }

  private lstat(path: string): HostStats | Errno {
    try {
      return this.fs.lstatSync(path, BIGINT);
    } catch (e) {
      return hostErrno(e);
    }
  }

  private call(operation: () => void): Errno {
    try {
      operation();
      return ERRNO_SUCCESS;
    } catch (e) {
      return hostErrno(e);
    }
  }

  private moveSymlink(srcPath: string, dstPath: string, replaced: HostStats | null): Errno {
    let target: string;
    try {
      target = String(this.fs.readlinkSync(srcPath));
    } catch (e) {
      return hostErrno(e);
    }
    if (replaced !== null) {
      const removed = this.call(() => this.fs.unlinkSync(dstPath));
      if (removed !== ERRNO_SUCCESS) return removed;
    }
    const made = this.call(() => this.fs.symlinkSync(target, dstPath));
    if (made !== ERRNO_SUCCESS) return made;
    return this.call(() => this.fs.unlinkSync(srcPath));
  }

  private sameInode(node: HostNode, st: HostStats): boolean {
    return Number(st.ino) === node.ino && filetypeOf(st.mode) === node.filetype;
  }

  /** True when the node's path, and every ancestor's, still names the inode it was looked up as. */
  private confirmed(node: HostNode): boolean {
    if (node.confirmedAt === this.generation) return true;
    if (node.parent !== null && !this.confirmed(node.parent)) return false;
    try {
      if (!this.sameInode(node, this.fs.lstatSync(node.path, BIGINT))) return false;
    } catch {
      return false;
    }
    node.confirmedAt = this.generation;
    return true;
  }

  private live(node: FsNode): HostNode | Errno {
    const n = node as HostNode;
    return this.confirmed(n) ? n : ERRNO_NOENT;
  }

  /** A node usable as a directory: host calls then pass through real directories only. */
  private directory(node: FsNode): HostNode | Errno {
    const n = node as HostNode;
    if (n.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    return this.confirmed(n) ? n : ERRNO_NOENT;
  }

  private child(dir: HostNode, name: string): HostNode | Errno {
    if (this.badName(name)) return ERRNO_INVAL;
    const path = this.join(dir, name);
    const st = this.lstat(path);
    if (typeof st === 'number') return st;
    return new HostNode(path, dir, Number(st.ino), filetypeOf(st.mode), this.generation);
  }

  /** The directory `name` may be created in or removed from (the name itself is not checked). */
  private writableDirectory(dir: FsNode, name: string): HostNode | Errno {
    if (this.readOnly) return ERRNO_ROFS;
    if (this.badName(name)) return ERRNO_INVAL;
    return this.directory(dir);
  }

  /** memfs reports a symlink's size as 0; the contract wants the target's length. */
  private withTargetSize(node: HostNode, stat: Stat): Stat {
    try {
      return { ...stat, size: utf8.encode(String(this.fs.readlinkSync(node.path))).length };
    } catch {
      return stat;
    }
  }
}

/** An open host file: a host fd. pread/pwrite return a byte count or a negated errno. */
class HostFileHandle implements FileHandle {
  private fd: number;

  constructor(
    private readonly fs: SyncFs,
    fd: number,
    private readonly writable: boolean,
    private readonly readOnlyFs: boolean,
  ) {
    this.fd = fd;
  }

  pread(dst: Uint8Array, position: number): number {
    if (this.fd < 0) return -ERRNO_BADF;
    // node reads at the current file position for a negative position: never let that happen.
    if (position < 0) return -ERRNO_INVAL;
    try {
      return this.fs.readSync(this.fd, dst, 0, dst.length, position);
    } catch (e) {
      return -hostErrno(e);
    }
  }

  pwrite(src: Uint8Array, position: number): number {
    if (this.fd < 0 || !this.writable) return -ERRNO_BADF;
    if (position < 0) return -ERRNO_INVAL;
    try {
      return this.fs.writeSync(this.fd, src, 0, src.length, position);
    } catch (e) {
      return -hostErrno(e);
    }
  }

  size(): number {
    if (this.fd < 0) return 0;
    try {
      return Number(this.fs.fstatSync(this.fd, BIGINT).size);
    } catch {
      return 0;
    }
  }

  setSize(size: number): Errno {
    if (this.fd < 0 || !this.writable) return ERRNO_BADF;
    if (size < 0) return ERRNO_INVAL;
    try {
      this.fs.ftruncateSync(this.fd, size);
      return ERRNO_SUCCESS;
    } catch (e) {
      return hostErrno(e);
    }
  }

  stat(): Stat {
    try {
      if (this.fd >= 0) return toStat(this.fs.fstatSync(this.fd, BIGINT));
    } catch {
      // A closed or broken fd: report an empty unlinked file.
    }
    return {
      filetype: FILETYPE_REGULAR_FILE,
      ino: 0,
      nlink: 0,
      size: 0,
      atim: 0n,
      mtim: 0n,
      ctim: 0n,
      mode: 0,
    };
  }

  setTimes(atim: bigint | null, mtim: bigint | null): Errno {
    if (this.fd < 0) return ERRNO_BADF;
    if (this.readOnlyFs) return ERRNO_ROFS;
    const fs = this.fs;
    try {
      const st = fs.fstatSync(this.fd, BIGINT);
      fs.futimesSync(this.fd, toSeconds(atim ?? st.atimeNs), toSeconds(mtim ?? st.mtimeNs));
      return ERRNO_SUCCESS;
    } catch (e) {
      return hostErrno(e);
    }
  }

  sync(): Errno {
    if (this.fd < 0) return ERRNO_BADF;
    try {
      this.fs.fsyncSync(this.fd);
      return ERRNO_SUCCESS;
    } catch (e) {
      return hostErrno(e);
    }
  }

  close(): void {
    const fd = this.fd;
    if (fd < 0) return;
    // Forget the number first: closing it twice could close an unrelated file that reused it.
    this.fd = -1;
    try {
      this.fs.closeSync(fd);
    } catch {
      // Nothing useful to report from close.
    }
  }
}

/** A directory opened read-only. It holds no host fd: reading bytes from a directory is EISDIR. */
class HostDirectoryHandle implements FileHandle {
  constructor(
    private readonly owner: HostFileSystem,
    private readonly node: HostNode,
  ) {}

  pread(): number {
    return -ERRNO_ISDIR;
  }

  pwrite(): number {
    return -ERRNO_BADF;
  }

  size(): number {
    return this.stat().size;
  }

  setSize(): Errno {
    return ERRNO_ISDIR;
  }

  stat(): Stat {
    return this.owner.stat(this.node);
  }

  setTimes(atim: bigint | null, mtim: bigint | null): Errno {
    return this.owner.setTimes(this.node, atim, mtim);
  }

  sync(): Errno {
    return ERRNO_SUCCESS;
  }

  close(): void {}
}
