import { ERRNO_BADF, ERRNO_ISDIR, ERRNO_ROFS, FILETYPE_DIRECTORY } from '../wasi/defs';
import type { DirEntry, Errno, FileHandle, FileSystem, FsNode, OpenFlags, Stat } from './types';

/** A read-only view of `fs` (a `:ro` mount): every mutation is ERRNO_ROFS, reads go straight through. */
export function readOnly(fs: FileSystem): FileSystem {
  return fs.readOnly ? fs : new ReadOnlyFileSystem(fs);
}

class ReadOnlyFileSystem implements FileSystem {
  readonly readOnly = true;
  readonly dev: number;

  constructor(private readonly inner: FileSystem) {
    this.dev = inner.dev;
  }

  root(): FsNode {
    return this.inner.root();
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

  open(node: FsNode, flags: OpenFlags): FileHandle | Errno {
    if (flags.write) return this.inner.stat(node).filetype === FILETYPE_DIRECTORY ? ERRNO_ISDIR : ERRNO_ROFS;
    const handle = this.inner.open(node, flags);
    return typeof handle === 'number' ? handle : new ReadOnlyFileHandle(handle);
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
 * Only read handles exist here, so writes are EBADF as for any fd opened read-only; futimens would still
 * change the inode, so setTimes is refused with ERRNO_ROFS.
 */
class ReadOnlyFileHandle implements FileHandle {
  constructor(private readonly inner: FileHandle) {}

  pread(dst: Uint8Array, position: number): number {
    return this.inner.pread(dst, position);
  }

  pwrite(): number {
    return -ERRNO_BADF;
  }

  size(): number {
    return this.inner.size();
  }

  setSize(): Errno {
    return ERRNO_BADF;
  }

  stat(): Stat {
    return this.inner.stat();
  }

  setTimes(): Errno {
    return ERRNO_ROFS;
  }

  sync(): Errno {
    return this.inner.sync();
  }

  close(): void {
    this.inner.close();
  }
}
