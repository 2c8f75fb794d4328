/**
 * The filesystem contract the WASI layer runs on.
 *
 * A FileSystem is one tree (a superblock): an in-memory tree, a confined host directory, or a union of
 * read-only layers under a writable upper layer. The Namespace (namespace.ts) stitches several of them
 * into the guest's view with mounts, and does all path walking itself: a FileSystem only ever looks up
 * one name in one directory. That keeps the hard rules in one place:
 *   - symlinks are never followed by a backend (the walker reads them and continues), so a backend can
 *     never be tricked into leaving its root;
 *   - `.` and `..` never reach a backend;
 *   - confinement (ENOTCAPABLE) and ELOOP are decided by the walker.
 *
 * Rules every implementation keeps (test/suites/filesystem.suite.ts checks them all):
 *   - Errors are returned as WASI errno numbers (runtime/wasi/defs.ts), never thrown. A backend may throw
 *     only for a bug; the WASI layer turns a throw into ERRNO_IO rather than crash the guest's host.
 *   - `name` arguments are single path components: non-empty, no '/', never '.' or '..'.
 *   - Nodes are opaque handles owned by the filesystem. The same file looked up twice may give two
 *     different handle objects, but their `stat().ino` is equal and stable for the life of the mount.
 *   - Mutations take the parent directory and a name, like the *at() system calls.
 *   - Timestamps are nanoseconds since the Unix epoch as bigint.
 */
export type Errno = number;

/** An opaque node handle. Only the FileSystem that produced it may interpret it. */
export type FsNode = object;

export interface Stat {
  /** FILETYPE_* from the WASI spec. */
  readonly filetype: number;
  readonly ino: number;
  readonly nlink: number;
  /** Bytes for files, target length for symlinks; directories report an implementation-defined size. */
  readonly size: number;
  readonly atim: bigint;
  readonly mtim: bigint;
  readonly ctim: bigint;
  /** Permission bits (0o777 and friends), recorded and reported; the sandbox does not enforce them. */
  readonly mode: number;
}

export interface DirEntry {
  readonly name: string;
  readonly ino: number;
  readonly filetype: number;
}

/**
 * An open regular file. Positions are absolute byte offsets; the caller (the fd) keeps the cursor.
 * A write past the end zero-fills the gap. Handles stay valid after the file is unlinked.
 */
export interface FileHandle {
  /** Bytes read (0 at EOF), or a NEGATED errno (-ERRNO_IO): a count and an errno share one number. */
  pread(dst: Uint8Array, position: number): number;
  /** Bytes written, or a negated errno. */
  pwrite(src: Uint8Array, position: number): number;
  /** Current size in bytes (for O_APPEND and SEEK_END). */
  size(): number;
  setSize(size: number): Errno;
  stat(): Stat;
  setTimes(atim: bigint | null, mtim: bigint | null): Errno;
  sync(): Errno;
  close(): void;
}

export interface OpenFlags {
  readonly read: boolean;
  readonly write: boolean;
}

export interface FileSystem {
  /** True when every mutation returns ERRNO_ROFS. */
  readonly readOnly: boolean;
  /** Device number reported in filestat.dev; distinct per mounted filesystem. */
  readonly dev: number;
  root(): FsNode;

  /** One component, symlinks not followed. ERRNO_NOENT when absent, ERRNO_NOTDIR when dir is not one. */
  lookup(dir: FsNode, name: string): FsNode | Errno;
  /**
   * The node's attributes. May be a live view (the memory backend returns the inode itself, to stay
   * allocation-free): read the fields you need now, do not keep the object across mutations.
   */
  stat(node: FsNode): Stat;
  /** Entries other than '.' and '..', in a stable order (repeated calls agree while nothing changes). */
  readdir(dir: FsNode): DirEntry[] | Errno;
  readlink(node: FsNode): string | Errno;

  /** Opens a regular file. ERRNO_ISDIR for directories when write is asked. */
  open(node: FsNode, flags: OpenFlags): FileHandle | Errno;
  /** Creates and returns a new empty regular file; ERRNO_EXIST if the name is taken. */
  createFile(dir: FsNode, name: string, mode: number): FsNode | Errno;
  mkdir(dir: FsNode, name: string, mode: number): FsNode | Errno;
  symlink(dir: FsNode, name: string, target: string): FsNode | Errno;
  /** Hard link: a new name for an existing non-directory node (ERRNO_PERM for directories). */
  link(node: FsNode, dir: FsNode, name: string): Errno;
  /** Removes a non-directory entry (ERRNO_ISDIR for a directory). */
  unlink(dir: FsNode, name: string): Errno;
  /** Removes an empty directory (ERRNO_NOTEMPTY, ERRNO_NOTDIR). */
  rmdir(dir: FsNode, name: string): Errno;
  /**
   * POSIX rename(2) within this filesystem: replaces an existing target of a compatible type
   * (file over file, directory over empty directory), ERRNO_INVAL when moving a directory into itself.
   */
  rename(srcDir: FsNode, srcName: string, dstDir: FsNode, dstName: string): Errno;
  /** null leaves a timestamp unchanged. */
  setTimes(node: FsNode, atim: bigint | null, mtim: bigint | null): Errno;
  setMode(node: FsNode, mode: number): Errno;
}

/** Host capabilities a filesystem needs, injected so runs can be deterministic. */
export interface FsClock {
  /** Wall-clock time in nanoseconds since the Unix epoch. */
  now(): bigint;
}
