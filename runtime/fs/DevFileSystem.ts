import {
  ERRNO_BADF,
  ERRNO_INVAL,
  ERRNO_ISDIR,
  ERRNO_NOENT,
  ERRNO_NOSPC,
  ERRNO_NOTDIR,
  ERRNO_ROFS,
  ERRNO_SUCCESS,
  FILETYPE_CHARACTER_DEVICE,
  FILETYPE_DIRECTORY,
} from '../wasi/defs';
import { allocateDeviceNumber } from './MemoryFileSystem';
import type { DirEntry, Errno, FileHandle, FileSystem, FsClock, FsNode, OpenFlags, Stat } from './types';

/** The devices a container's /dev holds, as Docker gives every container. */
export const DEVICE_NAMES = ['full', 'null', 'random', 'urandom', 'zero'] as const;
export type DeviceName = (typeof DEVICE_NAMES)[number];

export interface DevFileSystemOptions {
  /**
   * Where random and urandom read from: the same source as the guest's random_get, so a seeded
   * (deterministic) run stays deterministic.
   */
  random: (dst: Uint8Array) => void;
  /** Stamps the nodes' times at creation and on touch; default the system clock. */
  clock?: FsClock;
  dev?: number;
}

const DIRECTORY_SIZE = 4096;
const systemClock: FsClock = { now: () => BigInt(Date.now()) * 1_000_000n };

/** One node of /dev: the directory itself (`device` null) or a character device. */
class DevNode implements Stat {
  readonly nlink: number;
  readonly size: number;
  readonly mode: number;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;

  constructor(
    readonly filetype: number,
    readonly ino: number,
    readonly device: DeviceName | null,
    now: bigint,
  ) {
    const isDir = device === null;
    this.nlink = isDir ? 2 : 1;
    this.size = isDir ? DIRECTORY_SIZE : 0;
    this.mode = isDir ? 0o755 : 0o666;
    this.atim = now;
    this.mtim = now;
    this.ctim = now;
  }
}

/**
 * /dev: the character devices null, zero, full, random and urandom, with Linux's semantics (mem.c):
 *   - null reads end of file, zero and full read zeros, random and urandom read the injected source;
 *   - writes to null, zero, random and urandom succeed and are discarded, writes to full are ENOSPC;
 *   - every device is empty (size 0) and has no position: the WASI layer reports seeks on a character
 *     device as 0, as Linux does, and ignores O_TRUNC on them.
 * The set of names is fixed: creating, removing or renaming anything here is ERRNO_ROFS (Docker's /dev
 * is a tmpfs; nothing in this sandbox needs more than these devices, and a fixed tree never ends up in
 * a container's writable layer). Modes are fixed too; touch (setTimes) is recorded, as on Linux.
 * There is no stdin/stdout/stderr or fd/: on Linux they are links into /proc, which this sandbox lacks,
 * and a filesystem cannot see a process's fd table.
 */
export class DevFileSystem implements FileSystem {
  readonly readOnly = false;
  readonly dev: number;
  private readonly random: (dst: Uint8Array) => void;
  private readonly clock: FsClock;
  private readonly rootNode: DevNode;
  private readonly devices = new Map<string, DevNode>();
  private readonly listing: readonly DirEntry[];

  constructor(options: DevFileSystemOptions) {
    this.random = options.random;
    this.clock = options.clock ?? systemClock;
    this.dev = options.dev ?? allocateDeviceNumber();
    const now = this.clock.now();
    this.rootNode = new DevNode(FILETYPE_DIRECTORY, 1, null, now);
    let ino = 2;
    for (const name of DEVICE_NAMES) {
      this.devices.set(name, new DevNode(FILETYPE_CHARACTER_DEVICE, ino++, name, now));
    }
    this.listing = Object.freeze(
      DEVICE_NAMES.map((name) =>
        Object.freeze({ name, ino: this.devices.get(name)!.ino, filetype: FILETYPE_CHARACTER_DEVICE }),
      ),
    );
  }

  root(): FsNode {
    return this.rootNode;
  }

  lookup(dir: FsNode, name: string): FsNode | Errno {
    if (dir !== this.rootNode) return ERRNO_NOTDIR;
    return this.devices.get(name) ?? ERRNO_NOENT;
  }

  stat(node: FsNode): Stat {
    return node as DevNode;
  }

  readdir(dir: FsNode): DirEntry[] | Errno {
    return dir === this.rootNode ? (this.listing as DirEntry[]) : ERRNO_NOTDIR;
  }

  readlink(): Errno {
    return ERRNO_INVAL;
  }

  open(node: FsNode, flags: OpenFlags): FileHandle | Errno {
    const n = node as DevNode;
    if (n.device === null) return flags.write ? ERRNO_ISDIR : new DirectoryHandle(n);
    return new DeviceHandle(this, n, n.device, flags);
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

  setTimes(node: FsNode, atim: bigint | null, mtim: bigint | null): Errno {
    const n = node as DevNode;
    if (atim !== null) n.atim = atim;
    if (mtim !== null) n.mtim = mtim;
    n.ctim = this.clock.now();
    return ERRNO_SUCCESS;
  }

  setMode(): Errno {
    return ERRNO_ROFS;
  }

  /** Fills dst from the random source; a shared-memory view is filled through a copy (Web Crypto refuses those). */
  fillRandom(dst: Uint8Array): void {
    if (typeof SharedArrayBuffer !== 'undefined' && dst.buffer instanceof SharedArrayBuffer) {
      const own = new Uint8Array(dst.length);
      this.random(own);
      dst.set(own);
    } else {
      this.random(dst);
    }
  }
}

/** An open device: reads and writes as the device says, at any position (devices have none). */
class DeviceHandle implements FileHandle {
  constructor(
    private readonly owner: DevFileSystem,
    private readonly node: DevNode,
    private readonly device: DeviceName,
    private readonly flags: OpenFlags,
  ) {}

  pread(dst: Uint8Array): number {
    if (!this.flags.read) return -ERRNO_BADF;
    switch (this.device) {
      case 'null':
        return 0;
      case 'zero':
      case 'full':
        dst.fill(0);
        return dst.length;
      case 'random':
      case 'urandom':
        this.owner.fillRandom(dst);
        return dst.length;
    }
  }

  pwrite(src: Uint8Array): number {
    if (!this.flags.write) return -ERRNO_BADF;
    return this.device === 'full' ? -ERRNO_NOSPC : src.length;
  }

  size(): number {
    return 0;
  }

  /** ftruncate(2) of a character device is EINVAL on Linux (O_TRUNC on one is ignored before this). */
  setSize(): Errno {
    return ERRNO_INVAL;
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

/** The directory opened for reading (the WASI layer opens directories itself; this only answers stat). */
class DirectoryHandle implements FileHandle {
  constructor(private readonly node: DevNode) {}

  pread(): number {
    return -ERRNO_ISDIR;
  }

  pwrite(): number {
    return -ERRNO_BADF;
  }

  size(): number {
    return this.node.size;
  }

  setSize(): Errno {
    return ERRNO_ISDIR;
  }

  stat(): Stat {
    return this.node;
  }

  setTimes(): Errno {
    return ERRNO_ROFS;
  }

  sync(): Errno {
    return ERRNO_SUCCESS;
  }

  close(): void {}
}
