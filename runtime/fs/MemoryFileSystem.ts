import {
  ERRNO_BADF,
  ERRNO_EXIST,
  ERRNO_FBIG,
  ERRNO_INVAL,
  ERRNO_ISDIR,
  ERRNO_LOOP,
  ERRNO_NOENT,
  ERRNO_NOSPC,
  ERRNO_NOTDIR,
  ERRNO_NOTEMPTY,
  ERRNO_PERM,
  ERRNO_ROFS,
  ERRNO_SUCCESS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../wasi/defs';
import type { DirEntry, Errno, FileHandle, FileSystem, FsClock, FsNode, OpenFlags, Stat } from './types';

export interface MemoryFileSystemOptions {
  clock?: FsClock;
  /** Device number for filestat.dev; a fresh one per filesystem when omitted. */
  dev?: number;
  readOnly?: boolean;
}

/** Timestamps and permissions every snapshot node carries. */
export interface SnapshotMetadata {
  readonly ino: number;
  readonly mode: number;
  readonly atim: bigint;
  readonly mtim: bigint;
  readonly ctim: bigint;
}

export interface SnapshotDirectory extends SnapshotMetadata {
  /** In readdir order. */
  readonly entries: readonly SnapshotEntry[];
}

/** A name in a directory: a subdirectory inline, or an index into the snapshot's inode table. */
export type SnapshotEntry =
  | { readonly name: string; readonly directory: SnapshotDirectory }
  | { readonly name: string; readonly inode: number };

export interface SnapshotFile extends SnapshotMetadata {
  readonly kind: 'file';
  readonly data: Uint8Array;
}

export interface SnapshotSymlink extends SnapshotMetadata {
  readonly kind: 'symlink';
  readonly target: string;
}

/**
 * A whole tree as plain structured-cloneable data (postMessage to a Worker and back). Files and symlinks
 * live in one table that entries point into, so every hard link of a file stays one inode.
 */
export interface MemoryTreeSnapshot {
  readonly format: 'berth-memory-tree/1';
  /** The next inode number to hand out, so a restored tree never reuses one. */
  readonly nextIno: number;
  readonly root: SnapshotDirectory;
  readonly inodes: readonly (SnapshotFile | SnapshotSymlink)[];
}

/** memfs-style test fixture: '/a/b.txt' → contents, '/empty/' → null for a directory. */
export type MemoryTreeJSON = Record<string, string | Uint8Array | null>;

/** A file larger than this is ERRNO_FBIG: the whole file lives in one Uint8Array. */
export const MAX_FILE_SIZE = 2 ** 32;
/** What directories report as their size, as ext4 does for a small directory. */
const DIRECTORY_SIZE = 4096;
/** Below this many bytes a plain loop beats creating a subarray view to copy from. */
const SMALL_COPY = 64;

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();
/** Date.now() in nanoseconds; the bigint is reused while the millisecond lasts (writes read the clock). */
const systemClock: FsClock = {
  now(): bigint {
    const ms = Date.now();
    if (ms !== lastClockMs) {
      lastClockMs = ms;
      lastClockNs = BigInt(ms) * 1_000_000n;
    }
    return lastClockNs;
  },
};
let lastClockMs = -1;
let lastClockNs = 0n;

let lastDevice = 0;
/** A device number no other filesystem in this realm has been given by default. */
export function allocateDeviceNumber(): number {
  return ++lastDevice;
}

/**
 * One inode. It is also its own Stat: stat() hands out the node itself so the hottest call allocates
 * nothing. All kinds share one class (one hidden class, monomorphic property access); the fields a kind
 * does not use keep a fixed placeholder.
 */
class MemNode implements Stat {
  filetype: number;
  ino: number;
  nlink: number;
  size: number;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  mode: number;
  /** Directory entries in insertion order, which is the readdir order; null for non-directories. */
  entries: Map<string, MemNode> | null = null;
  /** The directory holding this one (rename refuses to move a directory below itself); null at the root. */
  parent: MemNode | null = null;
  /** readdir's answer, kept until the entries change. */
  listing: DirEntry[] | null = null;
  /** File contents; bytes from `size` to the end of the buffer are always zero. */
  data: Uint8Array = EMPTY;
  target = '';

  constructor(filetype: number, ino: number, mode: number, now: bigint) {
    this.filetype = filetype;
    this.ino = ino;
    this.nlink = 0;
    this.size = 0;
    this.atim = now;
    this.mtim = now;
    this.ctim = now;
    this.mode = mode & 0o7777;
  }
}

/** A directory's mtim/ctim move whenever an entry is added, removed or replaced. */
function entriesChanged(dir: MemNode, now: bigint): void {
  dir.mtim = now;
  dir.ctim = now;
  dir.listing = null;
}

/** Makes room for at least `capacity` bytes, doubling so that appends are amortised O(1). */
function reserve(node: MemNode, capacity: number): Errno {
  if (capacity > MAX_FILE_SIZE) return ERRNO_FBIG;
  const old = node.data;
  let grown = old.length * 2;
  if (grown < capacity) grown = capacity;
  if (grown > MAX_FILE_SIZE) grown = MAX_FILE_SIZE;
  let data: Uint8Array;
  try {
    data = new Uint8Array(grown);
  } catch {
    // The JS heap is this filesystem's disk.
    return ERRNO_NOSPC;
  }
  data.set(node.size === old.length ? old : old.subarray(0, node.size));
  node.data = data;
  return ERRNO_SUCCESS;
}

/**
 * An open memory file. The cursor lives in the fd, so a handle is just the node and the access mode.
 * pread/pwrite return a byte count or a negated errno, as the WASI layer expects.
 */
class MemoryFileHandle implements FileHandle {
  constructor(
    private readonly owner: MemoryFileSystem,
    private readonly node: MemNode,
    private readonly writable: boolean,
  ) {}

  pread(dst: Uint8Array, position: number): number {
    const node = this.node;
    if (node.entries !== null) return -ERRNO_ISDIR;
    if (position < 0) return -ERRNO_INVAL;
    const available = node.size - position;
    if (available <= 0) return 0;
    const n = dst.length < available ? dst.length : available;
    const data = node.data;
    if (n <= SMALL_COPY) {
      for (let i = 0; i < n; i++) dst[i] = data[position + i];
    } else {
      dst.set(data.subarray(position, position + n));
    }
    return n;
  }

  pwrite(src: Uint8Array, position: number): number {
    if (!this.writable) return -ERRNO_BADF;
    const node = this.node;
    if (position < 0) return -ERRNO_INVAL;
    const n = src.length;
    if (n === 0) return 0;
    const end = position + n;
    if (end > node.data.length) {
      const err = reserve(node, end);
      if (err !== ERRNO_SUCCESS) return -err;
    }
    node.data.set(src, position);
    if (end > node.size) node.size = end;
    const now = this.owner.now();
    node.mtim = now;
    node.ctim = now;
    return n;
  }

  size(): number {
    return this.node.size;
  }

  setSize(size: number): Errno {
    if (!this.writable) return ERRNO_BADF;
    if (size < 0) return ERRNO_INVAL;
    const node = this.node;
    if (size > node.data.length) {
      const err = reserve(node, size);
      if (err !== ERRNO_SUCCESS) return err;
    } else if (size < node.size) {
      const capacity = node.data.length;
      if (capacity > 4096 && size < capacity / 4) {
        // Give memory back after a big shrink (O_TRUNC of a large file is common).
        node.data = node.data.slice(0, size);
      } else {
        node.data.fill(0, size, node.size);
      }
    }
    node.size = size;
    const now = this.owner.now();
    node.mtim = now;
    node.ctim = now;
    return ERRNO_SUCCESS;
  }

  stat(): Stat {
    return this.node;
  }

  setTimes(atim: bigint | null, mtim: bigint | null): Errno {
    return this.owner.setTimes(this.node, atim, mtim);
  }

  sync(): Errno {
    return ERRNO_SUCCESS;
  }

  close(): void {}
}

/**
 * The in-memory filesystem: container root filesystems and tmpfs-like mounts.
 *
 * stat() returns a live view (the inode itself): read the fields you need right away, or copy them,
 * rather than keeping the object to compare with a later stat. Reads do not update atim (a noatime
 * mount), which keeps a clock read out of every read.
 */
export class MemoryFileSystem implements FileSystem {
  readonly dev: number;
  private readonly clock: FsClock;
  private writable: boolean;
  private nextIno = 1;
  private readonly rootNode: MemNode;

  constructor(options: MemoryFileSystemOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.dev = options.dev ?? allocateDeviceNumber();
    this.writable = !options.readOnly;
    this.rootNode = this.newDirectory(0o755, this.clock.now());
  }

  get readOnly(): boolean {
    return !this.writable;
  }

  /**
   * Makes a tree that was just built (a layer unpacked into it) read-only for good, without the copy a
   * rebuild through fromSnapshot would make. There is no way back.
   */
  seal(): void {
    this.writable = false;
  }

  /** The filesystem's clock; handles stamp writes with it. */
  now(): bigint {
    return this.clock.now();
  }

  root(): FsNode {
    return this.rootNode;
  }

  lookup(dir: FsNode, name: string): FsNode | Errno {
    const entries = (dir as MemNode).entries;
    if (entries === null) return ERRNO_NOTDIR;
    return entries.get(name) ?? ERRNO_NOENT;
  }

  stat(node: FsNode): Stat {
    return node as MemNode;
  }

  /**
   * The returned array is shared until the directory changes (fd_readdir walks re-read it page by
   * page), so it is frozen.
   */
  readdir(dir: FsNode): DirEntry[] | Errno {
    const d = dir as MemNode;
    if (d.entries === null) return ERRNO_NOTDIR;
    if (d.listing === null) {
      const listing: DirEntry[] = [];
      for (const [name, child] of d.entries) {
        listing.push(Object.freeze({ name, ino: child.ino, filetype: child.filetype }));
      }
      d.listing = Object.freeze(listing) as DirEntry[];
    }
    return d.listing;
  }

  readlink(node: FsNode): string | Errno {
    const n = node as MemNode;
    return n.filetype === FILETYPE_SYMBOLIC_LINK ? n.target : ERRNO_INVAL;
  }

  open(node: FsNode, flags: OpenFlags): FileHandle | Errno {
    const n = node as MemNode;
    if (n.filetype === FILETYPE_SYMBOLIC_LINK) return ERRNO_LOOP;
    if (flags.write) {
      if (n.entries !== null) return ERRNO_ISDIR;
      if (!this.writable) return ERRNO_ROFS;
    }
    return new MemoryFileHandle(this, n, flags.write);
  }

  createFile(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    const now = this.clock.now();
    const node = new MemNode(FILETYPE_REGULAR_FILE, this.nextIno++, mode, now);
    this.addEntry(d, name, node, now);
    return node;
  }

  mkdir(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    const now = this.clock.now();
    const node = this.newDirectory(mode, now);
    this.addEntry(d, name, node, now);
    return node;
  }

  symlink(dir: FsNode, name: string, target: string): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    const now = this.clock.now();
    const node = this.newSymlink(target, now);
    this.addEntry(d, name, node, now);
    return node;
  }

  link(node: FsNode, dir: FsNode, name: string): Errno {
    const n = node as MemNode;
    if (!this.writable) return ERRNO_ROFS;
    if (n.entries !== null) return ERRNO_PERM;
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    // linkat(2) of a file whose last name is gone is ENOENT.
    if (n.nlink === 0) return ERRNO_NOENT;
    const now = this.clock.now();
    n.ctim = now;
    this.addEntry(d, name, n, now);
    return ERRNO_SUCCESS;
  }

  unlink(dir: FsNode, name: string): Errno {
    if (!this.writable) return ERRNO_ROFS;
    const d = dir as MemNode;
    if (d.entries === null) return ERRNO_NOTDIR;
    const node = d.entries.get(name);
    if (node === undefined) return ERRNO_NOENT;
    if (node.entries !== null) return ERRNO_ISDIR;
    d.entries.delete(name);
    const now = this.clock.now();
    node.nlink--;
    node.ctim = now;
    entriesChanged(d, now);
    return ERRNO_SUCCESS;
  }

  rmdir(dir: FsNode, name: string): Errno {
    if (!this.writable) return ERRNO_ROFS;
    const d = dir as MemNode;
    if (d.entries === null) return ERRNO_NOTDIR;
    const node = d.entries.get(name);
    if (node === undefined) return ERRNO_NOENT;
    if (node.entries === null) return ERRNO_NOTDIR;
    if (node.entries.size > 0) return ERRNO_NOTEMPTY;
    d.entries.delete(name);
    const now = this.clock.now();
    this.detachDirectory(node, now);
    d.nlink--;
    entriesChanged(d, now);
    return ERRNO_SUCCESS;
  }

  rename(srcDir: FsNode, srcName: string, dstDir: FsNode, dstName: string): Errno {
    if (!this.writable) return ERRNO_ROFS;
    const from = srcDir as MemNode;
    const to = dstDir as MemNode;
    if (from.entries === null || to.entries === null) return ERRNO_NOTDIR;
    const node = from.entries.get(srcName);
    if (node === undefined) return ERRNO_NOENT;
    if (to.nlink === 0) return ERRNO_NOENT;
    const replaced = to.entries.get(dstName);
    // Two names of one inode (or one name twice): POSIX says do nothing and succeed.
    if (replaced === node) return ERRNO_SUCCESS;
    const isDirectory = node.entries !== null;
    if (isDirectory) {
      for (let p: MemNode | null = to; p !== null; p = p.parent) if (p === node) return ERRNO_INVAL;
      if (replaced !== undefined) {
        if (replaced.entries === null) return ERRNO_NOTDIR;
        if (replaced.entries.size > 0) return ERRNO_NOTEMPTY;
      }
    } else if (replaced !== undefined && replaced.entries !== null) {
      return ERRNO_ISDIR;
    }
    const now = this.clock.now();
    if (replaced !== undefined) {
      if (replaced.entries !== null) {
        this.detachDirectory(replaced, now);
        to.nlink--;
      } else {
        replaced.nlink--;
        replaced.ctim = now;
      }
    }
    from.entries.delete(srcName);
    to.entries.set(dstName, node);
    if (isDirectory && from !== to) {
      from.nlink--;
      to.nlink++;
      node.parent = to;
    }
    node.ctim = now;
    entriesChanged(from, now);
    if (to !== from) entriesChanged(to, now);
    return ERRNO_SUCCESS;
  }

  setTimes(node: FsNode, atim: bigint | null, mtim: bigint | null): Errno {
    if (!this.writable) return ERRNO_ROFS;
    const n = node as MemNode;
    if (atim !== null) n.atim = atim;
    if (mtim !== null) n.mtim = mtim;
    n.ctim = this.clock.now();
    return ERRNO_SUCCESS;
  }

  setMode(node: FsNode, mode: number): Errno {
    if (!this.writable) return ERRNO_ROFS;
    const n = node as MemNode;
    n.mode = mode & 0o7777;
    n.ctim = this.clock.now();
    return ERRNO_SUCCESS;
  }

  // --- snapshots ------------------------------------------------------------------------------------

  /** A deep copy of the tree as plain data; later changes to this filesystem do not affect it. */
  snapshot(): MemoryTreeSnapshot {
    const inodes: (SnapshotFile | SnapshotSymlink)[] = [];
    const inodeIndex = new Map<MemNode, number>();
    const rootEntries: SnapshotEntry[] = [];
    const root: SnapshotDirectory = { ...metadataOf(this.rootNode), entries: rootEntries };
    // Iterative, so a pathologically deep tree cannot overflow the stack.
    const pending: [MemNode, SnapshotEntry[]][] = [[this.rootNode, rootEntries]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [dir, out] = next;
      for (const [name, child] of dir.entries!) {
        if (child.entries !== null) {
          const entries: SnapshotEntry[] = [];
          out.push({ name, directory: { ...metadataOf(child), entries } });
          pending.push([child, entries]);
          continue;
        }
        let index = inodeIndex.get(child);
        if (index === undefined) {
          index = inodes.length;
          inodeIndex.set(child, index);
          inodes.push(
            child.filetype === FILETYPE_SYMBOLIC_LINK
              ? { kind: 'symlink', ...metadataOf(child), target: child.target }
              : { kind: 'file', ...metadataOf(child), data: child.data.slice(0, child.size) },
          );
        }
        out.push({ name, inode: index });
      }
    }
    return { format: 'berth-memory-tree/1', nextIno: this.nextIno, root, inodes };
  }

  /** Rebuilds a tree from snapshot(); file contents are copied, so the snapshot stays independent. */
  static fromSnapshot(snapshot: MemoryTreeSnapshot, options: MemoryFileSystemOptions = {}): MemoryFileSystem {
    if (snapshot.format !== 'berth-memory-tree/1')
      throw new Error(`unknown snapshot format ${snapshot.format}`);
    const fs = new MemoryFileSystem(options);
    let maxIno = applyMetadata(fs.rootNode, snapshot.root);
    const inodes = snapshot.inodes.map((s) => {
      const node = new MemNode(
        s.kind === 'symlink' ? FILETYPE_SYMBOLIC_LINK : FILETYPE_REGULAR_FILE,
        s.ino,
        s.mode,
        s.ctim,
      );
      if (s.kind === 'symlink') {
        node.target = s.target;
        node.size = utf8.encode(s.target).length;
      } else {
        node.data = s.data.slice();
        node.size = s.data.length;
      }
      maxIno = Math.max(maxIno, applyMetadata(node, s));
      return node;
    });
    const pending: [MemNode, SnapshotDirectory][] = [[fs.rootNode, snapshot.root]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [dir, source] = next;
      for (const entry of source.entries) {
        let child: MemNode;
        if ('directory' in entry) {
          child = fs.newDirectory(entry.directory.mode, entry.directory.ctim);
          maxIno = Math.max(maxIno, applyMetadata(child, entry.directory));
          child.parent = dir;
          dir.nlink++;
          pending.push([child, entry.directory]);
        } else {
          const inode = inodes[entry.inode];
          if (inode === undefined)
            throw new Error(`snapshot entry ${entry.name} names missing inode ${entry.inode}`);
          child = inode;
          child.nlink++;
        }
        dir.entries!.set(entry.name, child);
      }
    }
    fs.nextIno = Math.max(snapshot.nextIno, maxIno + 1);
    return fs;
  }

  /**
   * Builds a tree from memfs-style JSON: each key an absolute path, a string or bytes for a file, null
   * for a (possibly empty) directory. Parents are created as needed. Meant for tests and fixtures.
   */
  static fromJSON(json: MemoryTreeJSON, options: MemoryFileSystemOptions = {}): MemoryFileSystem {
    const fs = new MemoryFileSystem({ ...options, readOnly: false });
    for (const [path, content] of Object.entries(json)) fs.writePath(path, content);
    fs.writable = !options.readOnly;
    return fs;
  }

  /** memfs-style JSON of the tree: files as UTF-8 text, empty directories as null; symlinks are left out. */
  toJSON(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    const decoder = new TextDecoder();
    const pending: [MemNode, string][] = [[this.rootNode, '']];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [dir, prefix] = next;
      if (dir.entries!.size === 0 && prefix !== '') out[prefix] = null;
      for (const [name, child] of dir.entries!) {
        const path = `${prefix}/${name}`;
        if (child.entries !== null) pending.push([child, path]);
        else if (child.filetype === FILETYPE_REGULAR_FILE)
          out[path] = decoder.decode(child.data.subarray(0, child.size));
      }
    }
    return out;
  }

  // --- internals ------------------------------------------------------------------------------------

  private newDirectory(mode: number, now: bigint): MemNode {
    const node = new MemNode(FILETYPE_DIRECTORY, this.nextIno++, mode, now);
    node.entries = new Map();
    node.nlink = 2;
    node.size = DIRECTORY_SIZE;
    return node;
  }

  private newSymlink(target: string, now: bigint): MemNode {
    const node = new MemNode(FILETYPE_SYMBOLIC_LINK, this.nextIno++, 0o777, now);
    node.target = target;
    node.size = utf8.encode(target).length;
    return node;
  }

  /** The directory a new entry `name` may be added to, or why not. */
  private creatableIn(dir: FsNode, name: string): MemNode | Errno {
    if (!this.writable) return ERRNO_ROFS;
    const d = dir as MemNode;
    if (d.entries === null) return ERRNO_NOTDIR;
    // A removed directory takes no new entries (its last link is gone), as on Linux.
    if (d.nlink === 0) return ERRNO_NOENT;
    if (d.entries.has(name)) return ERRNO_EXIST;
    return d;
  }

  private addEntry(dir: MemNode, name: string, node: MemNode, now: bigint): void {
    dir.entries!.set(name, node);
    if (node.entries !== null) {
      // The new directory's '..' is one more link to its parent.
      node.parent = dir;
      dir.nlink++;
    } else {
      node.nlink++;
    }
    entriesChanged(dir, now);
  }

  private detachDirectory(node: MemNode, now: bigint): void {
    node.nlink = 0;
    node.parent = null;
    node.ctim = now;
  }

  private writePath(path: string, content: string | Uint8Array | null): void {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`fromJSON: '..' in ${path}`);
    const isDirectory = content === null;
    let dir: MemNode = this.rootNode;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const last = i === parts.length - 1;
      const existing = dir.entries!.get(name);
      if (last && !isDirectory) {
        const file = existing ?? this.createFile(dir, name, 0o644);
        if (typeof file === 'number' || (file as MemNode).filetype !== FILETYPE_REGULAR_FILE) {
          throw new Error(`fromJSON: cannot write file ${path}`);
        }
        const handle = this.open(file, { read: false, write: true }) as FileHandle;
        const bytes = typeof content === 'string' ? utf8.encode(content) : content!;
        handle.setSize(0);
        handle.pwrite(bytes, 0);
        return;
      }
      const next = existing ?? this.mkdir(dir, name, 0o755);
      if (typeof next === 'number' || (next as MemNode).entries === null) {
        throw new Error(`fromJSON: ${parts.slice(0, i + 1).join('/')} is not a directory`);
      }
      dir = next as MemNode;
    }
  }
}

function metadataOf(node: MemNode): SnapshotMetadata {
  return { ino: node.ino, mode: node.mode, atim: node.atim, mtim: node.mtim, ctim: node.ctim };
}

/** Copies snapshot metadata onto a node; returns its inode number. */
function applyMetadata(node: MemNode, source: SnapshotMetadata): number {
  node.ino = source.ino;
  node.mode = source.mode & 0o7777;
  node.atim = source.atim;
  node.mtim = source.mtim;
  node.ctim = source.ctim;
  return source.ino;
}
