import type { Location } from '../fs/Namespace';
import type { DirEntry, FileHandle, FileSystem, FsNode } from '../fs/types';
import * as W from './defs';
import type { InputStream, OutputStream } from './host';

/**
 * Open file descriptions. Rights are kept as plain numbers: every preview1 right fits in 30 bits, and a
 * number AND is far cheaper than a bigint one on every call.
 */
const r = (x: bigint) => Number(x);

export const FILE_RIGHTS = r(
  W.RIGHTS_FD_DATASYNC |
    W.RIGHTS_FD_READ |
    W.RIGHTS_FD_SEEK |
    W.RIGHTS_FD_FDSTAT_SET_FLAGS |
    W.RIGHTS_FD_SYNC |
    W.RIGHTS_FD_TELL |
    W.RIGHTS_FD_WRITE |
    W.RIGHTS_FD_ADVISE |
    W.RIGHTS_FD_ALLOCATE |
    W.RIGHTS_FD_FILESTAT_GET |
    W.RIGHTS_FD_FILESTAT_SET_SIZE |
    W.RIGHTS_FD_FILESTAT_SET_TIMES |
    W.RIGHTS_POLL_FD_READWRITE,
);

export const DIR_RIGHTS = r(
  W.RIGHTS_FD_FDSTAT_SET_FLAGS |
    W.RIGHTS_FD_SYNC |
    W.RIGHTS_FD_ADVISE |
    W.RIGHTS_PATH_CREATE_DIRECTORY |
    W.RIGHTS_PATH_CREATE_FILE |
    W.RIGHTS_PATH_LINK_SOURCE |
    W.RIGHTS_PATH_LINK_TARGET |
    W.RIGHTS_PATH_OPEN |
    W.RIGHTS_FD_READDIR |
    W.RIGHTS_PATH_READLINK |
    W.RIGHTS_PATH_RENAME_SOURCE |
    W.RIGHTS_PATH_RENAME_TARGET |
    W.RIGHTS_PATH_FILESTAT_GET |
    W.RIGHTS_PATH_FILESTAT_SET_SIZE |
    W.RIGHTS_PATH_FILESTAT_SET_TIMES |
    W.RIGHTS_FD_FILESTAT_GET |
    W.RIGHTS_FD_FILESTAT_SET_TIMES |
    W.RIGHTS_PATH_SYMLINK |
    W.RIGHTS_PATH_REMOVE_DIRECTORY |
    W.RIGHTS_PATH_UNLINK_FILE,
);

/** A directory fd may hand out both kinds of rights to what is opened through it. */
export const DIR_INHERITING = DIR_RIGHTS | FILE_RIGHTS;

/**
 * The filetype stdio reports. A terminal is a character device without seek/tell, which wasi-libc's
 * isatty() takes for a tty (line-buffered stdout, a shell's prompt); a stream that is not one reports
 * FILETYPE_UNKNOWN, as a pipe does (Linux's S_IFIFO has no WASI filetype), so isatty() is false — what a
 * program sees under `docker run` without -t.
 */
export function stdioFiletype(terminal: boolean): number {
  return terminal ? W.FILETYPE_CHARACTER_DEVICE : W.FILETYPE_UNKNOWN;
}

/** stdio rights: no seek/tell (see stdioFiletype). */
export const STDIN_RIGHTS = r(
  W.RIGHTS_FD_READ | W.RIGHTS_FD_FDSTAT_SET_FLAGS | W.RIGHTS_FD_FILESTAT_GET | W.RIGHTS_POLL_FD_READWRITE,
);
export const STDOUT_RIGHTS = r(
  W.RIGHTS_FD_WRITE |
    W.RIGHTS_FD_FDSTAT_SET_FLAGS |
    W.RIGHTS_FD_FILESTAT_GET |
    W.RIGHTS_FD_SYNC |
    W.RIGHTS_FD_DATASYNC |
    W.RIGHTS_POLL_FD_READWRITE,
);

/**
 * Every open file description counts the fd-table entries that share it (dup, fd tables of several
 * processes): its resource is let go only when the last one closes (release()).
 */
interface Shared {
  refs: number;
}

/**
 * A stream: stdio, a pipe end (filetype unknown, as Linux's S_IFIFO has no WASI filetype) or the null
 * device. `onLastClose` runs when the last fd sharing it is closed (a pipe end then closes).
 */
export class StdioFd implements Shared {
  readonly kind = 'stdio' as const;
  rights: number;
  inheriting = 0;
  fdflags = 0;
  refs = 1;
  onLastClose: (() => void) | null = null;
  constructor(
    readonly input: InputStream | null,
    readonly output: OutputStream | null,
    /** Stable fake inode so fstat of stdio looks like a device, not a file. */
    readonly ino: number,
    readonly filetype: number = W.FILETYPE_CHARACTER_DEVICE,
  ) {
    this.rights = input && output ? STDIN_RIGHTS | STDOUT_RIGHTS : input ? STDIN_RIGHTS : STDOUT_RIGHTS;
  }
}

/** An open file: a regular file, or a character device (/dev/null), which has no position (fd_seek). */
export class FileFd implements Shared {
  readonly kind = 'file' as const;
  position = 0;
  refs = 1;
  constructor(
    readonly fs: FileSystem,
    readonly node: FsNode,
    readonly handle: FileHandle,
    public rights: number,
    public inheriting: number,
    public fdflags: number,
    readonly filetype: number = W.FILETYPE_REGULAR_FILE,
  ) {}
}

export class DirFd implements Shared {
  readonly kind = 'dir' as const;
  readonly filetype = W.FILETYPE_DIRECTORY;
  fdflags = 0;
  refs = 1;
  /** The listing a readdir walk is reading, so cookies stay valid across calls. */
  listing: DirEntry[] | null = null;
  constructor(
    readonly loc: Location,
    public rights: number,
    public inheriting: number,
    /** Guest path for fd_prestat_dir_name; null for directories opened by the guest. */
    readonly preopen: string | null,
  ) {}
}

export type Fd = StdioFd | FileFd | DirFd;

/** One more fd shares the description. */
export function retain<T extends Fd>(f: T): T {
  f.refs++;
  return f;
}

/** One fd sharing the description is closed; the last one lets its resource go. */
export function release(f: Fd): void {
  if (--f.refs > 0) return;
  if (f.kind === 'file') f.handle.close();
  else if (f.kind === 'stdio') f.onLastClose?.();
}
