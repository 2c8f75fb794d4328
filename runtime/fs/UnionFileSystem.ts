import {
  ERRNO_BADF,
  ERRNO_EXIST,
  ERRNO_INVAL,
  ERRNO_ISDIR,
  ERRNO_LOOP,
  ERRNO_NOENT,
  ERRNO_NOTDIR,
  ERRNO_NOTEMPTY,
  ERRNO_PERM,
  ERRNO_SUCCESS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../wasi/defs';
import { allocateDeviceNumber, MemoryFileSystem } from './MemoryFileSystem';
import type { DirEntry, Errno, FileHandle, FileSystem, FsClock, FsNode, OpenFlags, Stat } from './types';

/**
 * The copy-on-write union filesystem a container runs on: overlayfs as Docker uses it, in memory.
 *
 *   LowerStack       the image: read-only layers, bottom first as in an OCI manifest, with the merged view
 *                    of each lower directory computed once and cached. One per image, shared by every
 *                    container on it.
 *   UnionFileSystem  one container's root: the LowerStack under a private writable MemoryFileSystem (the
 *                    upper layer). Mounting is O(1): nothing of the image is walked until it is looked up.
 *
 * Whiteouts follow the OCI image-spec convention (the aufs one), in the lower layers and in the upper
 * layer alike, as real directory entries, so the upper layer can be written out as a layer tar as-is:
 *   - `.wh.NAME` hides NAME in the layers below (not in its own layer);
 *   - `.wh..wh..opq` in a directory hides everything the layers below have in that directory.
 * `.wh.` names are never shown to the guest, and the guest may not create one (ERRNO_INVAL, see
 * creatableIn).
 *
 * Copy-up (the object is copied into the upper layer, its parents first as directories with their
 * metadata, and the parents' timestamps are put back so the copy-up itself is invisible) happens on open
 * for write, setMode, setTimes, link and rename. Removing something a lower layer has leaves a whiteout;
 * a directory removed and made again is opaque. Renaming a directory whose children live in lower layers
 * copies the subtree up under the new name (overlayfs answers EXDEV there and leaves it to `mv`).
 *
 * Inode numbers are stable for the life of a mount and survive copy-up (like overlayfs with xino): an
 * object found in layer i with inode n is `n * stride + i + 1`, an object made in the upper layer is
 * `n * stride` (stride = layers + 1), and a copied-up object keeps the number of its origin. When one
 * name of a file hard-linked inside a layer is copied up, its other names follow (overlayfs' `index`
 * feature): they show the copied-up inode, and are linked to it in the upper layer when next looked up
 * or at diff()/upperLayerEntries(). Until then its nlink counts only the names linked so far.
 * Directories report 2 + their merged subdirectories; a lower file reports its layer's nlink.
 *
 * Open handles: a handle opened for reading on a lower file switches to the upper copy as soon as the
 * file is copied up (by another fd, a chmod, ...), as overlayfs does since its file operations were
 * stacked (Linux 4.19); before that, overlayfs' read-only fds kept reading the old lower bytes. A handle on a lower file that is then
 * removed keeps reading the lower bytes, like any unlinked file.
 *
 * The lower layers must not change while a LowerStack uses them (the merged view is cached); the upper
 * MemoryFileSystem must only be changed through its UnionFileSystem while mounted.
 */

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** Copy-up moves file data in chunks of this size, so copying a large file needs no second full copy. */
const COPY_CHUNK = 1 << 20;
/** Mode of the whiteout and opaque-marker files in the upper layer (Docker writes them 0o600 too). */
const MARKER_MODE = 0o600;

function isWhiteoutName(name: string): boolean {
  return name.startsWith(WHITEOUT_PREFIX);
}

function isOpaque(fs: FileSystem, dir: FsNode): boolean {
  return typeof fs.lookup(dir, OPAQUE_MARKER) !== 'number';
}

// --- the image ---------------------------------------------------------------------------------------

/** One directory of one layer that contributes to a merged lower directory. */
export interface LowerPart {
  readonly layer: number;
  readonly node: FsNode;
}

/**
 * One object of the merged lower view. For a directory, `parts` lists the layer directories it merges,
 * topmost first, cut at an opaque marker, a whiteout or a non-directory; the merged entries are computed
 * on first use and kept. Shared by every container on the image, so never changed once published.
 */
export class LowerNode {
  /** Directories only; null for files and symlinks. Filled while the parent directory is merged. */
  readonly parts: LowerPart[] | null;
  /** Merged entries (whiteouts applied, `.wh.` names dropped); null until first needed. */
  entries: Map<string, LowerNode> | null = null;
  listing: readonly DirEntry[] | null = null;
  subdirs = 0;

  constructor(
    /** The layer the object (for a directory: its topmost part) comes from; 0 is the bottom layer. */
    readonly layer: number,
    readonly node: FsNode,
    readonly filetype: number,
    /** Inode number as the union reports it (see UnionFileSystem); unique per layer object. */
    readonly ino: number,
  ) {
    this.parts = filetype === FILETYPE_DIRECTORY ? [{ layer, node }] : null;
  }
}

/**
 * An immutable stack of read-only layers, bottom first as in an OCI manifest. Create one per image and
 * give it to every UnionFileSystem on that image: the merged view of each lower directory is computed
 * lazily, once, and shared, so a lookup in the bottom of 20 layers costs what it costs with one once the
 * directories on the way have been seen.
 */
export class LowerStack {
  readonly layers: readonly FileSystem[];
  /** Inode numbers are spread over this many residues: 0 for upper-layer objects, 1 + i for layer i. */
  readonly inoStride: number;
  private rootNode: LowerNode | null | undefined = undefined;

  constructor(layers: readonly FileSystem[]) {
    this.layers = Object.freeze([...layers]);
    this.inoStride = layers.length + 1;
  }

  /** The merged root directory, or null for an empty stack. */
  root(): LowerNode | null {
    if (this.rootNode === undefined) {
      const top = this.layers.length - 1;
      if (top < 0) {
        this.rootNode = null;
      } else {
        const fs = this.layers[top]!;
        const r = fs.root();
        const root = new LowerNode(top, r, FILETYPE_DIRECTORY, this.inoOf(fs.stat(r).ino, top));
        if (!isOpaque(fs, r)) {
          for (let i = top - 1; i >= 0; i--) {
            const layer = this.layers[i]!;
            const node = layer.root();
            root.parts!.push({ layer: i, node });
            if (isOpaque(layer, node)) break;
          }
        }
        this.rootNode = root;
      }
    }
    return this.rootNode;
  }

  /** The merged entry `name` of a lower directory, or undefined. */
  child(dir: LowerNode, name: string): LowerNode | undefined {
    return (dir.entries ?? this.merge(dir)).get(name);
  }

  /** The merged entries of a lower directory, in a stable order (see merge). */
  listing(dir: LowerNode): readonly DirEntry[] {
    if (dir.entries === null) this.merge(dir);
    return dir.listing!;
  }

  /** How many subdirectories a merged lower directory has (its nlink is 2 more). */
  subdirs(dir: LowerNode): number {
    if (dir.entries === null) this.merge(dir);
    return dir.subdirs;
  }

  /** The object's metadata as its layer reports it (ino and nlink are the layer's own). */
  stat(node: LowerNode): Stat {
    return this.layers[node.layer]!.stat(node.node);
  }

  /** The union inode number of inode `ino` of layer `layer`. */
  inoOf(ino: number, layer: number): number {
    return ino * this.inoStride + layer + 1;
  }

  /**
   * Merges the parts of a directory, topmost layer first. A name takes the topmost layer that has it; a
   * directory keeps merging the same name further down until a layer has a non-directory there, or a
   * whiteout for it, or the directory is opaque in that layer. `.wh.X` in layer k hides X in the layers
   * below k only, as the image spec says. Order: the topmost part's readdir order, then names first
   * seen further down, each in its layer's order.
   */
  private merge(dir: LowerNode): Map<string, LowerNode> {
    const entries = new Map<string, LowerNode>();
    /** Names whited out by a layer above the one being read. */
    const hidden = new Set<string>();
    /** Directories that must not merge anything from the layers still to come. */
    const sealed = new Set<string>();
    for (const part of dir.parts!) {
      const fs = this.layers[part.layer]!;
      const list = fs.readdir(part.node);
      if (typeof list === 'number') continue;
      let whiteouts: string[] | null = null;
      for (const e of list) {
        const name = e.name;
        if (isWhiteoutName(name)) {
          if (name !== OPAQUE_MARKER) (whiteouts ??= []).push(name.slice(WHITEOUT_PREFIX.length));
          continue;
        }
        const existing = entries.get(name);
        if (existing !== undefined) {
          if (existing.parts === null || e.filetype !== FILETYPE_DIRECTORY || sealed.has(name)) {
            sealed.add(name);
            continue;
          }
          const node = fs.lookup(part.node, name);
          if (typeof node === 'number') continue;
          existing.parts.push({ layer: part.layer, node });
          if (isOpaque(fs, node)) sealed.add(name);
          continue;
        }
        if (hidden.has(name)) continue;
        const node = fs.lookup(part.node, name);
        if (typeof node === 'number') continue;
        const lower = new LowerNode(part.layer, node, e.filetype, this.inoOf(e.ino, part.layer));
        if (lower.parts !== null && isOpaque(fs, node)) sealed.add(name);
        entries.set(name, lower);
      }
      if (whiteouts !== null) {
        for (const name of whiteouts) {
          hidden.add(name);
          sealed.add(name);
        }
      }
    }
    const listing: DirEntry[] = [];
    let subdirs = 0;
    for (const [name, node] of entries) {
      listing.push(Object.freeze({ name, ino: node.ino, filetype: node.filetype }));
      if (node.parts !== null) subdirs++;
    }
    dir.listing = Object.freeze(listing);
    dir.subdirs = subdirs;
    dir.entries = entries;
    return entries;
  }
}

// --- one container -----------------------------------------------------------------------------------

/**
 * A union node: one object at one place in the container's tree (an overlayfs inode and dentry in one).
 * Each path has exactly one while it exists (the parent caches it), rename moves it, and removal marks it,
 * so a node held by an fd always knows where to copy itself up to.
 */
class UNode {
  /** Child nodes looked up so far; entries change only through this filesystem, which keeps them right. */
  children: Map<string, UNode> | null = null;
  /** readdir's answer, kept until the entries change. */
  listing: readonly DirEntry[] | null = null;
  subdirs = 0;
  removed = false;

  constructor(
    public parent: UNode | null,
    public name: string,
    readonly filetype: number,
    readonly ino: number,
    /** The object in the upper layer, linked at this node's path; null until copied up. */
    public upper: FsNode | null,
    /** The lower object this node was found as (the copy-up source); null for objects made in upper. */
    readonly lower: LowerNode | null,
    /** Directories: the lower directory whose entries show through; null when upper-only or opaque. */
    public merged: LowerNode | null,
  ) {}
}

/** What `docker diff` prints: A added, C changed, D deleted. */
export interface Change {
  readonly kind: 'A' | 'C' | 'D';
  readonly path: string;
}

/** One entry of a layer, as plain data, for the engine to write as a tar entry. */
export interface LayerEntry {
  /**
   * Absolute path of the entry in the layer ('/etc/passwd'; the tar entry name is this without the
   * leading '/'). Whiteouts and opaque markers carry their `.wh.` names: '/etc/.wh.hosts',
   * '/var/.wh..wh..opq'.
   */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque';
  /** Permission bits (0o7777). */
  readonly mode: number;
  /** Nanoseconds since the Unix epoch. */
  readonly mtim: bigint;
  /** Files: the contents (a copy). */
  readonly data?: Uint8Array;
  /** Symlinks: the target. Hard links: the absolute path of the entry written first for this inode. */
  readonly target?: string;
}

export interface UnionFileSystemOptions {
  lower: LowerStack;
  /** The container's writable layer; a fresh MemoryFileSystem when omitted. */
  upper?: MemoryFileSystem;
  /** Device number for filestat.dev; a fresh one when omitted. */
  dev?: number;
  /** Clock of the fresh upper layer (ignored when `upper` is given). */
  clock?: FsClock;
}

/** Component-wise path order ('/a', '/a/b', '/a-b'): '/' sorts before every other character. */
function comparePaths(a: string, b: string): number {
  const x = a.replaceAll('/', '\u0000');
  const y = b.replaceAll('/', '\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortedNames(list: readonly DirEntry[]): string[] {
  return list.map((e) => e.name).sort();
}

export class UnionFileSystem implements FileSystem {
  readonly readOnly = false;
  readonly dev: number;
  readonly lower: LowerStack;
  readonly upper: MemoryFileSystem;
  private readonly rootNode: UNode;
  private readonly stride: number;
  /** Inode number of each copied-up object's origin, so copy-up keeps the number (overlayfs' origin xattr). */
  private readonly origin = new WeakMap<FsNode, number>();
  /** Copied-up lower files with more than one name, by their union inode number (overlayfs' index dir). */
  private readonly index = new Map<number, FsNode>();

  constructor(options: UnionFileSystemOptions) {
    this.lower = options.lower;
    this.stride = this.lower.inoStride;
    this.dev = options.dev ?? allocateDeviceNumber();
    const fresh = options.upper === undefined;
    this.upper = options.upper ?? new MemoryFileSystem(options.clock ? { clock: options.clock } : {});
    const upperRoot = this.upper.root();
    const lowerRoot = this.lower.root();
    if (fresh && lowerRoot !== null) {
      // The container's root starts out as the image's root.
      const st = this.lower.stat(lowerRoot);
      this.upper.setMode(upperRoot, st.mode);
      this.upper.setTimes(upperRoot, st.atim, st.mtim);
    }
    const merged = lowerRoot !== null && !isOpaque(this.upper, upperRoot) ? lowerRoot : null;
    this.rootNode = new UNode(
      null,
      '',
      FILETYPE_DIRECTORY,
      this.inoOfUpper(upperRoot, merged),
      upperRoot,
      lowerRoot,
      merged,
    );
  }

  root(): FsNode {
    return this.rootNode;
  }

  lookup(dir: FsNode, name: string): FsNode | Errno {
    const d = dir as UNode;
    if (d.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    return this.child(d, name);
  }

  stat(node: FsNode): Stat {
    const u = node as UNode;
    const up = u.upper ?? this.shared(u);
    if (up !== null) {
      const st = this.upper.stat(up);
      let nlink = st.nlink;
      if (u.merged !== null) nlink = 2 + this.mergedSubdirs(u);
      return {
        filetype: st.filetype,
        ino: u.ino,
        nlink,
        size: st.size,
        atim: st.atim,
        mtim: st.mtim,
        ctim: st.ctim,
        mode: st.mode,
      };
    }
    const l = u.lower!;
    const st = this.lower.stat(l);
    let nlink = st.nlink;
    if (u.removed) nlink = 0;
    else if (l.parts !== null) nlink = 2 + this.lower.subdirs(l);
    return {
      filetype: st.filetype,
      ino: u.ino,
      nlink,
      size: st.size,
      atim: st.atim,
      mtim: st.mtim,
      ctim: st.ctim,
      mode: st.mode,
    };
  }

  /**
   * Order: names the lower layers have first, in the merged lower order (a copied-up or replaced name
   * keeps its place, so copy-up never reorders a directory), then names only the upper layer has, in the
   * order they were made. The returned array is frozen and shared until the directory changes.
   */
  readdir(dir: FsNode): DirEntry[] | Errno {
    const u = dir as UNode;
    if (u.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    if (u.listing === null) {
      const listing = this.buildListing(u);
      if (typeof listing === 'number') return listing;
      let subdirs = 0;
      for (const e of listing) if (e.filetype === FILETYPE_DIRECTORY) subdirs++;
      u.listing = Object.freeze(listing);
      u.subdirs = subdirs;
    }
    return u.listing as DirEntry[];
  }

  readlink(node: FsNode): string | Errno {
    const u = node as UNode;
    if (u.filetype !== FILETYPE_SYMBOLIC_LINK) return ERRNO_INVAL;
    if (u.upper !== null) return this.upper.readlink(u.upper);
    return this.lower.layers[u.lower!.layer]!.readlink(u.lower!.node);
  }

  open(node: FsNode, flags: OpenFlags): FileHandle | Errno {
    const u = node as UNode;
    if (u.filetype === FILETYPE_SYMBOLIC_LINK) return ERRNO_LOOP;
    if (flags.write) {
      if (u.filetype === FILETYPE_DIRECTORY) return ERRNO_ISDIR;
      const err = this.copyUp(u);
      if (err !== ERRNO_SUCCESS) return err;
      const handle = this.upper.open(u.upper!, flags);
      return typeof handle === 'number' ? handle : new UnionFileHandle(this, u, handle, true, true);
    }
    const up = u.upper ?? this.shared(u);
    if (up !== null) {
      const handle = this.upper.open(up, flags);
      return typeof handle === 'number' ? handle : new UnionFileHandle(this, u, handle, true, false);
    }
    const l = u.lower!;
    const handle = this.lower.layers[l.layer]!.open(l.node, { read: flags.read, write: false });
    return typeof handle === 'number' ? handle : new UnionFileHandle(this, u, handle, false, false);
  }

  createFile(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    this.clearWhiteout(d, name);
    const made = this.upper.createFile(d.upper!, name, mode);
    if (typeof made === 'number') return made;
    return this.added(
      d,
      name,
      new UNode(d, name, FILETYPE_REGULAR_FILE, this.inoOfUpper(made, null), made, null, null),
    );
  }

  mkdir(dir: FsNode, name: string, mode: number): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    // A directory made where a lower one was removed must not show the old one's entries: opaque.
    const below = d.merged !== null ? this.lower.child(d.merged, name) : undefined;
    this.clearWhiteout(d, name);
    const made = this.upper.mkdir(d.upper!, name, mode);
    if (typeof made === 'number') return made;
    if (below !== undefined && below.parts !== null) this.quietly(made, () => this.markOpaque(made));
    return this.added(
      d,
      name,
      new UNode(d, name, FILETYPE_DIRECTORY, this.inoOfUpper(made, null), made, null, null),
    );
  }

  symlink(dir: FsNode, name: string, target: string): FsNode | Errno {
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    this.clearWhiteout(d, name);
    const made = this.upper.symlink(d.upper!, name, target);
    if (typeof made === 'number') return made;
    return this.added(
      d,
      name,
      new UNode(d, name, FILETYPE_SYMBOLIC_LINK, this.inoOfUpper(made, null), made, null, null),
    );
  }

  link(node: FsNode, dir: FsNode, name: string): Errno {
    const n = node as UNode;
    if (n.filetype === FILETYPE_DIRECTORY) return ERRNO_PERM;
    const d = this.creatableIn(dir, name);
    if (typeof d === 'number') return d;
    // linkat(2) of a file whose last name is gone is ENOENT (upper-layer files: the upper layer says so).
    if (n.upper === null && n.removed) return ERRNO_NOENT;
    const err = this.copyUp(n);
    if (err !== ERRNO_SUCCESS) return err;
    this.clearWhiteout(d, name);
    const linked = this.upper.link(n.upper!, d.upper!, name);
    if (linked !== ERRNO_SUCCESS) return linked;
    this.added(d, name, new UNode(d, name, n.filetype, n.ino, n.upper, null, null));
    return ERRNO_SUCCESS;
  }

  unlink(dir: FsNode, name: string): Errno {
    const d = dir as UNode;
    if (d.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    const c = this.child(d, name);
    if (typeof c === 'number') return c;
    if (c.filetype === FILETYPE_DIRECTORY) return ERRNO_ISDIR;
    const inLower = d.merged !== null && this.lower.child(d.merged, name) !== undefined;
    if (c.upper !== null) {
      const err = this.upper.unlink(d.upper!, name);
      if (err !== ERRNO_SUCCESS) return err;
    }
    if (inLower) {
      const err = this.whiteout(d, name);
      if (err !== ERRNO_SUCCESS) return err;
    }
    c.removed = true;
    this.forget(d, name);
    return ERRNO_SUCCESS;
  }

  rmdir(dir: FsNode, name: string): Errno {
    const d = dir as UNode;
    if (d.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    const c = this.child(d, name);
    if (typeof c === 'number') return c;
    if (c.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    const list = this.readdir(c);
    if (typeof list === 'number') return list;
    if (list.length > 0) return ERRNO_NOTEMPTY;
    const inLower = d.merged !== null && this.lower.child(d.merged, name) !== undefined;
    if (c.upper !== null) {
      // Only whiteouts and an opaque marker can be left in it: they go with it.
      this.clearMarkers(c.upper);
      const err = this.upper.rmdir(d.upper!, name);
      if (err !== ERRNO_SUCCESS) return err;
    }
    if (inLower) {
      const err = this.whiteout(d, name);
      if (err !== ERRNO_SUCCESS) return err;
    }
    this.detach(c);
    this.forget(d, name);
    return ERRNO_SUCCESS;
  }

  rename(srcDir: FsNode, srcName: string, dstDir: FsNode, dstName: string): Errno {
    const from = srcDir as UNode;
    const to = dstDir as UNode;
    if (from.filetype !== FILETYPE_DIRECTORY || to.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    const src = this.child(from, srcName);
    if (typeof src === 'number') return src;
    if (isWhiteoutName(dstName)) return ERRNO_INVAL;
    if (to.removed) return ERRNO_NOENT;
    const found = this.child(to, dstName);
    if (typeof found === 'number' && found !== ERRNO_NOENT) return found;
    const replaced = typeof found === 'number' ? null : found;
    // Two names of one inode (or one name twice): POSIX says do nothing and succeed.
    if (replaced !== null && (replaced === src || this.sameObject(src, replaced))) return ERRNO_SUCCESS;
    const isDirectory = src.filetype === FILETYPE_DIRECTORY;
    if (isDirectory) {
      for (let p: UNode | null = to; p !== null; p = p.parent) if (p === src) return ERRNO_INVAL;
      if (replaced !== null) {
        if (replaced.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
        const list = this.readdir(replaced);
        if (typeof list === 'number') return list;
        if (list.length > 0) return ERRNO_NOTEMPTY;
      }
    } else if (replaced !== null && replaced.filetype === FILETYPE_DIRECTORY) {
      return ERRNO_ISDIR;
    }

    // Everything the move needs in the upper layer: both parents, and the source with all it holds.
    let err = this.copyUp(from);
    if (err === ERRNO_SUCCESS) err = this.copyUp(to);
    const flattened: UNode[] = [];
    if (err === ERRNO_SUCCESS) err = isDirectory ? this.flatten(src, flattened) : this.copyUp(src);
    if (err !== ERRNO_SUCCESS) return err;
    if (replaced !== null && replaced.upper !== null && isDirectory) this.clearMarkers(replaced.upper);
    this.clearWhiteout(to, dstName);
    err = this.upper.rename(from.upper!, srcName, to.upper!, dstName);
    if (err !== ERRNO_SUCCESS) return err;
    if (from.merged !== null && this.lower.child(from.merged, srcName) !== undefined) {
      err = this.whiteout(from, srcName);
      if (err !== ERRNO_SUCCESS) return err;
    }
    if (isDirectory) {
      // The moved tree is self-contained now. Only its top needs to be opaque, and only if a lower
      // directory of the same name would otherwise show through; the other markers flatten left go.
      const below = to.merged !== null ? this.lower.child(to.merged, dstName) : undefined;
      const needsOpaque = below !== undefined && below.parts !== null;
      for (const f of flattened) {
        if (f === src && needsOpaque) continue;
        this.quietly(f.upper!, () => this.upper.unlink(f.upper!, OPAQUE_MARKER));
      }
      if (needsOpaque && !isOpaque(this.upper, src.upper!))
        this.quietly(src.upper!, () => this.markOpaque(src.upper!));
    }

    from.children?.delete(srcName);
    from.listing = null;
    if (replaced !== null) {
      if (replaced.filetype === FILETYPE_DIRECTORY) this.detach(replaced);
      else replaced.removed = true;
    }
    src.parent = to;
    src.name = dstName;
    (to.children ??= new Map()).set(dstName, src);
    to.listing = null;
    return ERRNO_SUCCESS;
  }

  setTimes(node: FsNode, atim: bigint | null, mtim: bigint | null): Errno {
    const u = node as UNode;
    const err = this.copyUp(u);
    if (err !== ERRNO_SUCCESS) return err;
    return this.upper.setTimes(u.upper!, atim, mtim);
  }

  setMode(node: FsNode, mode: number): Errno {
    const u = node as UNode;
    const err = this.copyUp(u);
    if (err !== ERRNO_SUCCESS) return err;
    return this.upper.setMode(u.upper!, mode);
  }

  // --- what the container changed ------------------------------------------------------------------

  /**
   * The container's changes as `docker diff` reports them, computed from the upper layer against the
   * lowers with the rules of Docker's archive.Changes:
   *   - an upper entry the lowers do not have is A; one they have is C, except a directory whose mode
   *     and mtime are unchanged (copied up only because something below it changed);
   *   - a whiteout `.wh.X` is D of X;
   *   - the parent of an A or D is C (the root is never reported);
   *   - every entry of an added directory is A too.
   * One deliberate difference: for a directory made opaque here (removed and made again), each lower
   * entry it hides that was not made again is reported D. Docker's aufs-style walk prints nothing for
   * those, and its overlay2 driver prints D for the directory itself; neither says what vanished.
   * Sorted component-wise ('/a', '/a/b', '/a-b'), the order of Docker's walk.
   */
  diff(): Change[] {
    this.materializeHardLinks();
    const changes: Change[] = [];
    const changedDirs = new Set<string>();
    const upper = this.upper;
    const record = (kind: Change['kind'], path: string): void => {
      if (kind !== 'C') {
        const parent = path.slice(0, path.lastIndexOf('/'));
        if (parent !== '' && !changedDirs.has(parent)) {
          changes.push({ kind: 'C', path: parent });
          changedDirs.add(parent);
        }
      }
      changes.push({ kind, path });
    };
    const walk = (dir: FsNode, path: string, below: LowerNode | null, opaque: boolean): void => {
      const list = upper.readdir(dir);
      if (typeof list === 'number') return;
      const present = new Set<string>();
      for (const name of sortedNames(list)) {
        if (name === OPAQUE_MARKER) continue;
        if (isWhiteoutName(name)) {
          const gone = name.slice(WHITEOUT_PREFIX.length);
          present.add(gone);
          record('D', `${path}/${gone}`);
          continue;
        }
        present.add(name);
        const childPath = `${path}/${name}`;
        const node = upper.lookup(dir, name) as FsNode;
        const st = upper.stat(node);
        const isDirectory = st.filetype === FILETYPE_DIRECTORY;
        const lower = below !== null ? this.lower.child(below, name) : undefined;
        let kind: Change['kind'] | null = 'A';
        if (lower !== undefined) {
          kind = 'C';
          if (isDirectory && lower.parts !== null) {
            const lst = this.lower.stat(lower);
            if ((lst.mode & 0o7777) === (st.mode & 0o7777) && lst.mtim === st.mtim) kind = null;
          }
        }
        if (kind !== null) {
          if (isDirectory) changedDirs.add(childPath);
          record(kind, childPath);
        }
        if (isDirectory) {
          const lowerDir = lower !== undefined && lower.parts !== null ? lower : null;
          walk(node, childPath, lowerDir, isOpaque(upper, node));
        }
      }
      if (opaque && below !== null) {
        for (const e of this.lower.listing(below)) {
          if (!present.has(e.name)) record('D', `${path}/${e.name}`);
        }
      }
    };
    const root = this.upper.root();
    walk(root, '', this.lower.root(), isOpaque(upper, root));
    return changes.sort((a, b) => comparePaths(a.path, b.path));
  }

  /**
   * Links into the upper layer every lower name of a hard-linked lower file that was copied up through
   * another name (names that were not looked up since), so the upper layer alone describes the
   * container. diff() and upperLayerEntries() call it; it walks the lower directories only when such a
   * file exists.
   */
  materializeHardLinks(): void {
    if (this.index.size === 0) return;
    const visit = (d: UNode): void => {
      const list = this.readdir(d);
      if (typeof list === 'number') return;
      for (const e of list) {
        if (e.filetype === FILETYPE_DIRECTORY) {
          const c = this.child(d, e.name);
          if (typeof c !== 'number' && c.merged !== null) visit(c);
        } else if (this.index.has(e.ino)) {
          const c = this.child(d, e.name);
          if (typeof c !== 'number' && c.upper === null) this.shared(c);
        }
      }
    };
    if (this.rootNode.merged !== null) visit(this.rootNode);
  }

  /** @internal The upper-layer object a node's reads should use, or null while it lives in a lower layer. */
  upperObject(u: UNode): FsNode | null {
    return u.upper ?? this.shared(u);
  }

  // --- internals ------------------------------------------------------------------------------------

  /** The node for `name` in d: the cached one, or a new one from the upper layer over the lowers. */
  private child(d: UNode, name: string): UNode | Errno {
    const cached = d.children?.get(name);
    if (cached !== undefined) return cached;
    if (d.removed || isWhiteoutName(name)) return ERRNO_NOENT;
    const below = d.merged !== null ? this.lower.child(d.merged, name) : undefined;
    if (d.upper !== null) {
      const up = this.upper.lookup(d.upper, name);
      if (typeof up !== 'number') {
        const filetype = this.upper.stat(up).filetype;
        const merged =
          filetype === FILETYPE_DIRECTORY &&
          below !== undefined &&
          below.parts !== null &&
          !isOpaque(this.upper, up)
            ? below
            : null;
        const node = new UNode(d, name, filetype, this.inoOfUpper(up, merged), up, merged, merged);
        (d.children ??= new Map()).set(name, node);
        return node;
      }
      if (below !== undefined && typeof this.upper.lookup(d.upper, WHITEOUT_PREFIX + name) !== 'number') {
        return ERRNO_NOENT;
      }
    }
    if (below === undefined) return ERRNO_NOENT;
    const node = new UNode(
      d,
      name,
      below.filetype,
      below.ino,
      null,
      below,
      below.parts !== null ? below : null,
    );
    (d.children ??= new Map()).set(name, node);
    return node;
  }

  /** The union inode number of an upper-layer object (see the class comment). */
  private inoOfUpper(up: FsNode, merged: LowerNode | null): number {
    const origin = this.origin.get(up);
    if (origin !== undefined) return origin;
    if (merged !== null) return merged.ino;
    return this.upper.stat(up).ino * this.stride;
  }

  /**
   * The copied-up inode of a lower file with several names, one of which was copied up: this name is
   * linked to it now (overlayfs' index). null when the file is not such a one.
   */
  private shared(u: UNode): FsNode | null {
    if (this.index.size === 0 || u.lower === null || u.lower.parts !== null) return null;
    const up = this.index.get(u.lower.ino);
    if (up === undefined) return null;
    if (!u.removed && this.copyUp(u) === ERRNO_SUCCESS) return u.upper;
    return up;
  }

  private sameObject(a: UNode, b: UNode): boolean {
    const ua = a.upper ?? this.shared(a);
    const ub = b.upper ?? this.shared(b);
    if (ua !== null || ub !== null) return ua === ub;
    return a.lower !== null && b.lower !== null && a.lower.ino === b.lower.ino;
  }

  private mergedSubdirs(u: UNode): number {
    this.readdir(u);
    return u.subdirs;
  }

  private buildListing(u: UNode): DirEntry[] | Errno {
    if (u.removed) return [];
    const out: DirEntry[] = [];
    const upperList = u.upper !== null ? this.upper.readdir(u.upper) : [];
    if (typeof upperList === 'number') return upperList;
    if (u.merged === null) {
      for (const e of upperList) if (!isWhiteoutName(e.name)) out.push(this.upperEntry(u, e));
      return out;
    }
    const fromUpper = new Map<string, DirEntry>();
    const whiteouts = new Set<string>();
    for (const e of upperList) {
      if (!isWhiteoutName(e.name)) fromUpper.set(e.name, e);
      else if (e.name !== OPAQUE_MARKER) whiteouts.add(e.name.slice(WHITEOUT_PREFIX.length));
    }
    for (const e of this.lower.listing(u.merged)) {
      if (whiteouts.has(e.name)) continue;
      const ue = fromUpper.get(e.name);
      if (ue === undefined) {
        out.push(e);
      } else {
        out.push(this.upperEntry(u, ue));
        fromUpper.delete(e.name);
      }
    }
    for (const ue of fromUpper.values()) out.push(this.upperEntry(u, ue));
    return out;
  }

  /** A readdir entry for a name the upper layer has, with the inode number lookup would give it. */
  private upperEntry(u: UNode, e: DirEntry): DirEntry {
    const cached = u.children?.get(e.name);
    if (cached !== undefined)
      return Object.freeze({ name: e.name, ino: cached.ino, filetype: cached.filetype });
    const up = this.upper.lookup(u.upper!, e.name) as FsNode;
    let merged: LowerNode | null = null;
    if (e.filetype === FILETYPE_DIRECTORY && u.merged !== null) {
      const below = this.lower.child(u.merged, e.name);
      if (below !== undefined && below.parts !== null && !isOpaque(this.upper, up)) merged = below;
    }
    return Object.freeze({ name: e.name, ino: this.inoOfUpper(up, merged), filetype: e.filetype });
  }

  /** The directory a new entry may be made in, copied up, or why not. */
  private creatableIn(dir: FsNode, name: string): UNode | Errno {
    const d = dir as UNode;
    if (d.filetype !== FILETYPE_DIRECTORY) return ERRNO_NOTDIR;
    // `.wh.` names are how layers record deletions: one made by the guest would read back as a
    // whiteout once the upper layer is committed. That is a name this filesystem cannot store, and
    // filesystems answer such names with EINVAL (vfat does for its reserved characters); EPERM would
    // suggest a privilege could allow it, and none does.
    if (isWhiteoutName(name)) return ERRNO_INVAL;
    // A removed directory takes no new entries (its last link is gone), as on Linux.
    if (d.removed) return ERRNO_NOENT;
    const existing = this.child(d, name);
    if (typeof existing !== 'number') return ERRNO_EXIST;
    if (existing !== ERRNO_NOENT) return existing;
    const err = this.copyUp(d);
    return err === ERRNO_SUCCESS ? d : err;
  }

  private added(d: UNode, name: string, node: UNode): UNode {
    (d.children ??= new Map()).set(name, node);
    d.listing = null;
    return node;
  }

  private forget(d: UNode, name: string): void {
    d.children?.delete(name);
    d.listing = null;
  }

  private detach(u: UNode): void {
    u.removed = true;
    u.merged = null;
    u.listing = null;
    u.children = null;
  }

  /** Runs fn, then puts back dir's atim and mtim: housekeeping in the upper layer is not a change. */
  private quietly(dir: FsNode, fn: () => unknown): void {
    const st = this.upper.stat(dir);
    const atim = st.atim;
    const mtim = st.mtim;
    fn();
    this.upper.setTimes(dir, atim, mtim);
  }

  private markOpaque(dir: FsNode): void {
    this.upper.createFile(dir, OPAQUE_MARKER, MARKER_MODE);
  }

  /** Leaves `.wh.name` in d's upper directory (copying d up), hiding the lower entry. */
  private whiteout(d: UNode, name: string): Errno {
    const err = this.copyUp(d);
    if (err !== ERRNO_SUCCESS) return err;
    const made = this.upper.createFile(d.upper!, WHITEOUT_PREFIX + name, MARKER_MODE);
    return typeof made === 'number' && made !== ERRNO_EXIST ? made : ERRNO_SUCCESS;
  }

  /** Drops a whiteout for `name` before the name is used again in d. */
  private clearWhiteout(d: UNode, name: string): void {
    if (d.merged === null || d.upper === null) return;
    const wh = WHITEOUT_PREFIX + name;
    if (typeof this.upper.lookup(d.upper, wh) !== 'number') this.upper.unlink(d.upper, wh);
  }

  /** Removes every whiteout and the opaque marker from an upper directory. */
  private clearMarkers(dir: FsNode): void {
    const list = this.upper.readdir(dir);
    if (typeof list === 'number') return;
    const markers = list.filter((e) => isWhiteoutName(e.name)).map((e) => e.name);
    if (markers.length > 0) this.quietly(dir, () => markers.forEach((m) => this.upper.unlink(dir, m)));
  }

  /**
   * Makes u present in the upper layer: its parents as directories first, then u itself: a directory
   * empty (its lower entries keep showing through), a symlink with its target, a file with its data.
   * Metadata is copied and the parent's times put back, so nothing visible changes.
   */
  private copyUp(u: UNode): Errno {
    if (u.upper !== null) return ERRNO_SUCCESS;
    const p = u.parent;
    if (u.removed || p === null) return ERRNO_NOENT;
    const err = this.copyUp(p);
    if (err !== ERRNO_SUCCESS) return err;
    const dir = p.upper!;
    const l = u.lower!;
    const layer = this.lower.layers[l.layer]!;
    const st = this.lower.stat(l);
    const mode = st.mode;
    const atim = st.atim;
    const mtim = st.mtim;
    const nlink = st.nlink;
    const pst = this.upper.stat(dir);
    const parentAtim = pst.atim;
    const parentMtim = pst.mtim;
    let made: FsNode | Errno;
    let linked = false;
    if (u.filetype === FILETYPE_DIRECTORY) {
      made = this.upper.mkdir(dir, u.name, mode);
    } else if (u.filetype === FILETYPE_SYMBOLIC_LINK) {
      const target = layer.readlink(l.node);
      if (typeof target === 'number') return target;
      made = this.upper.symlink(dir, u.name, target);
    } else {
      const indexed = this.index.get(l.ino);
      if (indexed !== undefined && this.upper.stat(indexed).nlink > 0) {
        const e = this.upper.link(indexed, dir, u.name);
        if (e !== ERRNO_SUCCESS) return e;
        made = indexed;
        linked = true;
      } else {
        // A copied-up hard link whose upper names are all gone still holds the newest data.
        const source = indexed !== undefined ? this.upper.open(indexed, { read: true, write: false }) : null;
        made = this.copyFile(dir, u.name, mode, source ?? layer.open(l.node, { read: true, write: false }));
        if (typeof made !== 'number' && nlink > 1) this.index.set(l.ino, made);
      }
    }
    if (typeof made === 'number') return made;
    if (!linked) this.upper.setTimes(made, atim, mtim);
    this.upper.setTimes(dir, parentAtim, parentMtim);
    this.origin.set(made, u.ino);
    u.upper = made;
    return ERRNO_SUCCESS;
  }

  private copyFile(dir: FsNode, name: string, mode: number, source: FileHandle | Errno): FsNode | Errno {
    if (typeof source === 'number') return source;
    try {
      const made = this.upper.createFile(dir, name, mode);
      if (typeof made === 'number') return made;
      const out = this.upper.open(made, { read: false, write: true }) as FileHandle;
      const size = source.size();
      // Reserve the exact size once, then fill it chunk by chunk.
      let err = out.setSize(size);
      const chunk = new Uint8Array(Math.min(size, COPY_CHUNK));
      for (let pos = 0; err === ERRNO_SUCCESS && pos < size;) {
        const n = source.pread(chunk, pos);
        if (n < 0) err = -n;
        else if (n === 0) break;
        else {
          const w = out.pwrite(n === chunk.length ? chunk : chunk.subarray(0, n), pos);
          if (w < 0) err = -w;
          pos += n;
        }
      }
      out.close();
      if (err !== ERRNO_SUCCESS) {
        this.upper.unlink(dir, name);
        return err;
      }
      return made;
    } finally {
      source.close();
    }
  }

  /**
   * Copies a directory and everything below it into the upper layer and makes it opaque: afterwards it
   * no longer depends on the lower layers, so it can move. Each directory handled is appended to
   * `flattened`.
   */
  private flatten(u: UNode, flattened: UNode[]): Errno {
    let err = this.copyUp(u);
    if (err !== ERRNO_SUCCESS) return err;
    if (u.merged === null) return ERRNO_SUCCESS;
    const list = this.readdir(u);
    if (typeof list === 'number') return list;
    for (const e of list) {
      const c = this.child(u, e.name);
      if (typeof c === 'number') return c;
      err = c.filetype === FILETYPE_DIRECTORY ? this.flatten(c, flattened) : this.copyUp(c);
      if (err !== ERRNO_SUCCESS) return err;
    }
    // Everything below lives in the upper layer now: the whiteouts hide nothing, opacity keeps the lower
    // entries hidden (in a committed layer too).
    const dir = u.upper!;
    this.clearMarkers(dir);
    this.quietly(dir, () => this.markOpaque(dir));
    u.merged = null;
    u.listing = null;
    flattened.push(u);
    return ERRNO_SUCCESS;
  }
}

/**
 * An open union file. Writers always hold an upper-layer handle (open for write copies up first). A
 * reader opened while the file was in a lower layer moves to the upper copy once one exists.
 */
class UnionFileHandle implements FileHandle {
  constructor(
    private readonly owner: UnionFileSystem,
    private readonly node: UNode,
    private inner: FileHandle,
    private onUpper: boolean,
    private readonly writable: boolean,
  ) {}

  private current(): FileHandle {
    if (!this.onUpper) {
      const up = this.owner.upperObject(this.node);
      if (up === null) return this.inner;
      const handle = this.owner.upper.open(up, { read: true, write: false });
      if (typeof handle !== 'number') {
        this.inner.close();
        this.inner = handle;
        this.onUpper = true;
      }
    }
    return this.inner;
  }

  pread(dst: Uint8Array, position: number): number {
    return this.current().pread(dst, position);
  }

  pwrite(src: Uint8Array, position: number): number {
    return this.writable ? this.inner.pwrite(src, position) : -ERRNO_BADF;
  }

  size(): number {
    return this.current().size();
  }

  setSize(size: number): Errno {
    return this.writable ? this.inner.setSize(size) : ERRNO_BADF;
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

  close(): void {
    this.inner.close();
  }
}

/**
 * The upper layer of a container as the entries of a layer, walked in sorted order (each directory
 * before its entries, names sorted), for the engine to write as a layer tar. The root itself is not an
 * entry. A file with several names gives its data once; the later names are 'hardlink' entries whose
 * target is the first name's path.
 */
export function* upperLayerEntries(union: UnionFileSystem): Generator<LayerEntry> {
  union.materializeHardLinks();
  const upper = union.upper;
  const firstPath = new Map<number, string>();
  function* walk(dir: FsNode, prefix: string): Generator<LayerEntry> {
    const list = upper.readdir(dir);
    if (typeof list === 'number') return;
    for (const name of sortedNames(list)) {
      const path = `${prefix}/${name}`;
      const node = upper.lookup(dir, name) as FsNode;
      const st = upper.stat(node);
      const mode = st.mode & 0o7777;
      const mtim = st.mtim;
      if (name === OPAQUE_MARKER) yield { path, type: 'opaque', mode, mtim };
      else if (isWhiteoutName(name)) yield { path, type: 'whiteout', mode, mtim };
      else if (st.filetype === FILETYPE_DIRECTORY) {
        yield { path, type: 'dir', mode, mtim };
        yield* walk(node, path);
      } else if (st.filetype === FILETYPE_SYMBOLIC_LINK) {
        yield { path, type: 'symlink', mode, mtim, target: upper.readlink(node) as string };
      } else {
        const first = firstPath.get(st.ino);
        if (first !== undefined) {
          yield { path, type: 'hardlink', mode, mtim, target: first };
          continue;
        }
        if (st.nlink > 1) firstPath.set(st.ino, path);
        const handle = upper.open(node, { read: true, write: false }) as FileHandle;
        const data = new Uint8Array(handle.size());
        handle.pread(data, 0);
        handle.close();
        yield { path, type: 'file', mode, mtim, data };
      }
    }
  }
  yield* walk(upper.root(), '');
}
