import type { Location, Namespace, Resolved } from '../fs/Namespace';
import type { Errno, FileSystem, FsNode, Stat } from '../fs/types';
import * as W from './defs';
import {
  DIR_INHERITING,
  DIR_RIGHTS,
  DirFd,
  type Fd,
  FileFd,
  FILE_RIGHTS,
  release,
  StdioFd,
  stdioFiletype,
} from './fds';
import {
  BrokenPipe,
  type InputStream,
  Interrupted,
  type OutputStream,
  ProcExit,
  type WasiClock,
  WasiKill,
} from './host';
import { traceImports } from './trace';

export interface Preview1Options {
  args: readonly string[];
  /** "KEY=value" strings, in order. */
  env: readonly string[];
  namespace: Namespace;
  /** Guest directories handed to the guest as preopened fds 3, 4, …; default ['/']. */
  preopens?: readonly string[];
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  clock: WasiClock;
  random: (dst: Uint8Array) => void;
  /** Blocks the thread for the given nanoseconds (poll_oneoff with only clock subscriptions). */
  sleep: (ns: bigint) => void;
  /** When set, every call is reported here as one strace-like line. */
  trace?: (line: string) => void;
  /** Whether stdio are a terminal (isatty true in the guest); default true. See fds.ts stdioFiletype. */
  terminal?: boolean;
  /**
   * The berth_process import module (include/berth_process.h) for a module that imports it. Default:
   * every function returns NOSYS (processes are unsupported here, e.g. a run on the caller's thread).
   */
  processImports?: (wasi: Preview1) => Record<string, ImportFn>;
}

export type ImportFn = (...args: never[]) => number | void;

/** The functions of the berth_process import module (ABI version 1, include/berth_process.h). */
export const BERTH_PROCESS_FUNCTIONS: readonly string[] = [
  'spawn',
  'wait',
  'pipe',
  'dup',
  'kill',
  'getpid',
  'getppid',
];

const nosys = (): number => W.ERRNO_NOSYS;

/** berth_process where processes are unsupported: every call fails with NOSYS. */
export function unsupportedProcessImports(): Record<string, ImportFn> {
  const table: Record<string, ImportFn> = {};
  for (const name of BERTH_PROCESS_FUNCTIONS) table[name] = nosys;
  return table;
}

/** The import object of a module: preview1, plus berth_process when the module imports it. */
export interface WasiImports {
  wasi_snapshot_preview1: Record<string, ImportFn>;
  berth_process?: Record<string, ImportFn>;
}

const NS_PER_MS = 1_000_000n;
const MAX_U64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();
const NO_MEMORY = new ArrayBuffer(0);

/** Every function of wasi_snapshot_preview1, each a method of Preview1 with the spec's name. */
const SYSCALLS: ReadonlySet<string> = new Set([
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
]);

// The preview1 functions each compiled module imports, so an instance wraps only those (hello: 5 of 46),
// and whether it imports berth_process.
const importedNames = new WeakMap<WebAssembly.Module, { preview1: string[]; process: boolean }>();

/** True when a module imports the berth_process host module (it may start processes). */
export function importsBerthProcess(module: WebAssembly.Module): boolean {
  return moduleImports(module).process;
}

function moduleImports(module: WebAssembly.Module): { preview1: string[]; process: boolean } {
  let names = importedNames.get(module);
  if (names === undefined) {
    const imports = WebAssembly.Module.imports(module);
    names = {
      preview1: imports
        .filter((i) => i.module === 'wasi_snapshot_preview1' && i.kind === 'function')
        .map((i) => i.name),
      process: imports.some((i) => i.module === 'berth_process'),
    };
    importedNames.set(module, names);
  }
  return names;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * wasi_snapshot_preview1 over a Namespace. One instance serves one guest instance. Errors are returned
 * as errno values; the only exceptions that leave a call are ProcExit (proc_exit) and WasiKill (a host
 * limit), both of which unwind the guest on purpose. Any other exception escaping an implementation is a
 * bug: it is reported to the guest as EIO instead of crashing the host.
 */
export class Preview1 {
  private memory: WebAssembly.Memory | null = null;
  /** Set by bindBuffer: a plain buffer standing in for guest memory (a relay's scratch area). */
  private fixedBuffer: ArrayBufferLike | null = null;
  private buffer: ArrayBufferLike = NO_MEMORY;
  private u8: Uint8Array = EMPTY_BYTES;
  private view: DataView = EMPTY_VIEW;
  private readonly fds: (Fd | undefined)[] = [];
  private readonly argBytes: Uint8Array[];
  private readonly envBytes: Uint8Array[];
  private readonly ns: Namespace;

  constructor(private readonly opts: Preview1Options) {
    this.ns = opts.namespace;
    this.argBytes = opts.args.map((a) => utf8.encode(a + '\0'));
    this.envBytes = opts.env.map((e) => utf8.encode(e + '\0'));
    const stdio = stdioFiletype(opts.terminal ?? true);
    this.fds[0] = new StdioFd(opts.stdin, null, 0, stdio);
    this.fds[1] = new StdioFd(null, opts.stdout, 1, stdio);
    this.fds[2] = new StdioFd(null, opts.stderr, 2, stdio);
    for (const guestPath of opts.preopens ?? ['/']) {
      const loc = this.ns.resolve(this.ns.root, guestPath, true);
      if (typeof loc === 'number' || loc.node === null) {
        throw new Error(`cannot preopen ${guestPath}: ${W.ERRNO_NAMES[typeof loc === 'number' ? loc : 44]}`);
      }
      this.fds.push(new DirFd({ fs: loc.fs, node: loc.node }, DIR_RIGHTS, DIR_INHERITING, guestPath));
    }
  }

  /** The whole import object: every preview1 function, and berth_process. */
  get imports(): Required<WasiImports> {
    return { ...this.importObject(SYSCALLS), berth_process: this.processImportObject() };
  }

  /**
   * The import object for one module: only the preview1 functions it imports (cheaper to make), and
   * berth_process when it imports that (NOSYS functions unless processImports provides real ones).
   */
  importsFor(module: WebAssembly.Module): WasiImports {
    const names = moduleImports(module);
    const imports: WasiImports = this.importObject(names.preview1);
    if (names.process) imports.berth_process = this.processImportObject();
    return imports;
  }

  private processImportObject(): Record<string, ImportFn> {
    return this.opts.processImports ? this.opts.processImports(this) : unsupportedProcessImports();
  }

  private importObject(names: Iterable<string>): { wasi_snapshot_preview1: Record<string, ImportFn> } {
    const table: Record<string, ImportFn> = {};
    for (const name of names) {
      // Unknown names stay absent: instantiation then fails with a LinkError naming the function.
      if (SYSCALLS.has(name))
        table[name] = guard(this, (this as unknown as Record<string, GuardedFn>)[name]!);
    }
    return { wasi_snapshot_preview1: this.opts.trace ? traceImports(table, this, this.opts.trace) : table };
  }

  /** Binds the instance's exported memory; call before running any export. */
  initialize(instance: WebAssembly.Instance): void {
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error('module does not export "memory"');
    this.memory = memory;
    this.refresh();
  }

  /**
   * Binds a plain buffer as the "guest memory": every pointer is then an offset into it. The kernel of a
   * container runs each child's relayed calls this way, on the child's scratch buffer.
   */
  bindBuffer(buffer: ArrayBufferLike): void {
    this.fixedBuffer = buffer;
    this.refresh();
  }

  // --- the fd table, for the process kernel (shared descriptions, dup, inherited stdio) ---------------

  /** The open file description at fd, if any. */
  fdObject(fd: number): Fd | undefined {
    return this.fds[fd];
  }

  /** Puts a description at fd (the caller has retained it for this table); the one there is closed. */
  fdPlace(fd: number, f: Fd): void {
    const old = this.fds[fd];
    this.fds[fd] = f;
    if (old !== undefined && old !== f) release(old);
  }

  /** Installs a description at the lowest free fd (POSIX dup/pipe); returns the fd. */
  fdInstall(f: Fd): number {
    const fds = this.fds;
    for (let i = 0; i < fds.length; i++) {
      if (fds[i] === undefined) {
        fds[i] = f;
        return i;
      }
    }
    fds.push(f);
    return fds.length - 1;
  }

  /** Removes fd from the table without closing the description (the caller owns that reference). */
  fdForget(fd: number): void {
    this.fds[fd] = undefined;
  }

  /** Runs a command module's _start; returns the exit code. Traps propagate as exceptions. */
  start(instance: WebAssembly.Instance): number {
    this.initialize(instance);
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new Error('module does not export "_start"');
    try {
      start();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.code;
      throw e;
    } finally {
      this.closeAll();
    }
  }

  /** Closes every fd (file handles hold host resources for host directories; pipe ends their pipe). */
  closeAll(): void {
    for (let fd = 0; fd < this.fds.length; fd++) {
      const f = this.fds[fd];
      this.fds[fd] = undefined;
      if (f !== undefined) release(f);
    }
  }

  /** Guest memory, for the tracer. */
  memoryBytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  // --- memory helpers ---------------------------------------------------------------------------------

  private refresh(): void {
    const buf = this.fixedBuffer ?? this.memory!.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.u8 = new Uint8Array(buf);
      this.view = new DataView(buf);
    }
  }

  /** True when [ptr, ptr+len) lies inside guest memory. Pointers arrive as signed i32: read them unsigned. */
  private ok(ptr: number, len: number): boolean {
    return (ptr >>> 0) + len <= this.u8.length;
  }

  private readString(ptr: number, len: number): string | Errno {
    ptr >>>= 0;
    len >>>= 0;
    if (ptr + len > this.u8.length) return W.ERRNO_FAULT;
    const u8 = this.u8;
    let ascii = true;
    for (let i = ptr; i < ptr + len; i++) {
      const c = u8[i]!;
      if (c === 0) return W.ERRNO_INVAL;
      if (c >= 0x80) ascii = false;
    }
    if (ascii) {
      // Short ASCII paths are the common case; fromCharCode beats TextDecoder on them by a wide margin.
      return len < 64
        ? String.fromCharCode.apply(null, u8.subarray(ptr, ptr + len) as unknown as number[])
        : latin1(u8, ptr, len);
    }
    try {
      // TextDecoder refuses views of shared memory (a relay's scratch buffer): decode a copy there.
      const bytes = this.fixedBuffer !== null ? u8.slice(ptr, ptr + len) : u8.subarray(ptr, ptr + len);
      return utf8Strict.decode(bytes);
    } catch {
      return W.ERRNO_ILSEQ;
    }
  }

  private writeFilestat(ptr: number, dev: number, st: Stat): void {
    const v = this.view;
    v.setBigUint64(ptr, BigInt(dev), true);
    v.setBigUint64(ptr + 8, BigInt(st.ino), true);
    v.setUint8(ptr + 16, st.filetype);
    v.setBigUint64(ptr + 24, BigInt(st.nlink), true);
    v.setBigUint64(ptr + 32, BigInt(st.size), true);
    v.setBigUint64(ptr + 40, st.atim, true);
    v.setBigUint64(ptr + 48, st.mtim, true);
    v.setBigUint64(ptr + 56, st.ctim, true);
  }

  // --- fd table -----------------------------------------------------------------------------------------

  private allocFd(f: Fd): number {
    const fds = this.fds;
    for (let i = 3; i < fds.length; i++) {
      if (fds[i] === undefined) {
        fds[i] = f;
        return i;
      }
    }
    fds.push(f);
    return fds.length - 1;
  }

  private getDir(fd: number, right: number): DirFd | Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind !== 'dir') return W.ERRNO_NOTDIR;
    if ((f.rights & right) === 0) return W.ERRNO_NOTCAPABLE;
    return f;
  }

  private resolveAt(fd: number, right: number, pathPtr: number, pathLen: number, follow: boolean) {
    const dir = this.getDir(fd, right);
    if (typeof dir === 'number') return dir;
    const path = this.readString(pathPtr, pathLen);
    if (typeof path === 'number') return path;
    // Absolute paths never name anything relative to a directory capability.
    if (path.charCodeAt(0) === 47) return W.ERRNO_NOTCAPABLE;
    if (path.length === 0) return W.ERRNO_NOENT;
    return this.ns.resolve(dir.loc, path, follow);
  }

  // --- the syscalls ------------------------------------------------------------------------------------

  private writeStrings(list: Uint8Array[], ptrsPtr: number, bufPtr: number): Errno {
    this.refresh();
    let total = 0;
    for (const s of list) total += s.length;
    if (!this.ok(ptrsPtr, list.length * 4) || !this.ok(bufPtr, total)) return W.ERRNO_FAULT;
    let p = bufPtr >>> 0;
    for (let i = 0; i < list.length; i++) {
      this.view.setUint32((ptrsPtr >>> 0) + i * 4, p, true);
      this.u8.set(list[i]!, p);
      p += list[i]!.length;
    }
    return W.ERRNO_SUCCESS;
  }

  private writeSizes(list: Uint8Array[], countPtr: number, sizePtr: number): Errno {
    this.refresh();
    if (!this.ok(countPtr, 4) || !this.ok(sizePtr, 4)) return W.ERRNO_FAULT;
    let total = 0;
    for (const s of list) total += s.length;
    this.view.setUint32(countPtr >>> 0, list.length, true);
    this.view.setUint32(sizePtr >>> 0, total, true);
    return W.ERRNO_SUCCESS;
  }

  args_get(argvPtr: number, bufPtr: number): Errno {
    return this.writeStrings(this.argBytes, argvPtr, bufPtr);
  }
  args_sizes_get(countPtr: number, sizePtr: number): Errno {
    return this.writeSizes(this.argBytes, countPtr, sizePtr);
  }
  environ_get(envPtr: number, bufPtr: number): Errno {
    return this.writeStrings(this.envBytes, envPtr, bufPtr);
  }
  environ_sizes_get(countPtr: number, sizePtr: number): Errno {
    return this.writeSizes(this.envBytes, countPtr, sizePtr);
  }

  clock_res_get(id: number, resPtr: number): Errno {
    this.refresh();
    if (id < 0 || id > W.CLOCKID_THREAD_CPUTIME_ID) return W.ERRNO_INVAL;
    if (!this.ok(resPtr, 8)) return W.ERRNO_FAULT;
    this.view.setBigUint64(resPtr >>> 0, this.opts.clock.resolution, true);
    return W.ERRNO_SUCCESS;
  }

  clock_time_get(id: number, _precision: bigint, timePtr: number): Errno {
    this.refresh();
    let t: bigint;
    if (id === W.CLOCKID_REALTIME) t = this.opts.clock.realtime();
    else if (id >= W.CLOCKID_MONOTONIC && id <= W.CLOCKID_THREAD_CPUTIME_ID) t = this.opts.clock.monotonic();
    else return W.ERRNO_INVAL;
    if (!this.ok(timePtr, 8)) return W.ERRNO_FAULT;
    this.view.setBigUint64(timePtr >>> 0, t, true);
    return W.ERRNO_SUCCESS;
  }

  fd_advise(fd: number, offset: bigint, len: bigint, advice: number): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (advice < W.ADVICE_NORMAL || advice > W.ADVICE_NOREUSE) return W.ERRNO_INVAL;
    if (f.kind === 'dir') return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if ((f.rights & RIGHT_FD_ADVISE) === 0) return W.ERRNO_NOTCAPABLE;
    if (offset < 0n || len < 0n) return W.ERRNO_INVAL;
    return W.ERRNO_SUCCESS; // advice is a hint; memory needs none
  }

  fd_allocate(fd: number, offset: bigint, len: bigint): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'dir') return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if ((f.rights & RIGHT_FD_ALLOCATE) === 0) return W.ERRNO_NOTCAPABLE;
    if (offset < 0n || len <= 0n) return W.ERRNO_INVAL;
    const end = offset + len;
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) return W.ERRNO_FBIG;
    if (Number(end) > f.handle.size()) return f.handle.setSize(Number(end));
    return W.ERRNO_SUCCESS;
  }

  fd_close(fd: number): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    this.fds[fd] = undefined;
    release(f);
    return W.ERRNO_SUCCESS;
  }

  fd_datasync(fd: number): Errno {
    return this.fd_sync(fd);
  }

  fd_fdstat_get(fd: number, statPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (!this.ok(statPtr, W.SIZEOF_FDSTAT)) return W.ERRNO_FAULT;
    const v = this.view;
    const p = statPtr >>> 0;
    v.setUint8(p, f.filetype);
    v.setUint8(p + 1, 0);
    v.setUint16(p + 2, f.fdflags, true);
    v.setUint32(p + 4, 0, true);
    v.setBigUint64(p + 8, BigInt(f.rights), true);
    v.setBigUint64(p + 16, BigInt(f.inheriting), true);
    return W.ERRNO_SUCCESS;
  }

  fd_fdstat_set_flags(fd: number, flags: number): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_FDSTAT_SET_FLAGS) === 0) return W.ERRNO_NOTCAPABLE;
    if (flags & ~0x1f) return W.ERRNO_INVAL;
    // Only APPEND and NONBLOCK are changeable after open, as with fcntl(F_SETFL); the sync flags are
    // meaningless for memory and are accepted and recorded.
    f.fdflags = flags;
    return W.ERRNO_SUCCESS;
  }

  fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    const b = Number(base & W.RIGHTS_ALL);
    const i = Number(inheriting & W.RIGHTS_ALL);
    // Rights can only be dropped, never gained.
    if ((b & ~f.rights) !== 0 || (i & ~f.inheriting) !== 0) return W.ERRNO_NOTCAPABLE;
    f.rights = b;
    f.inheriting = i;
    return W.ERRNO_SUCCESS;
  }

  fd_filestat_get(fd: number, bufPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_FILESTAT_GET) === 0) return W.ERRNO_NOTCAPABLE;
    if (!this.ok(bufPtr, W.SIZEOF_FILESTAT)) return W.ERRNO_FAULT;
    if (f.kind === 'stdio') {
      this.u8.fill(0, bufPtr >>> 0, (bufPtr >>> 0) + W.SIZEOF_FILESTAT);
      this.view.setUint8((bufPtr >>> 0) + 16, f.filetype);
      this.view.setBigUint64((bufPtr >>> 0) + 24, 1n, true);
      return W.ERRNO_SUCCESS;
    }
    if (f.kind === 'file') this.writeFilestat(bufPtr >>> 0, f.fs.dev, f.handle.stat());
    else this.writeFilestat(bufPtr >>> 0, f.loc.fs.dev, f.loc.fs.stat(f.loc.node));
    return W.ERRNO_SUCCESS;
  }

  fd_filestat_set_size(fd: number, size: bigint): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'dir') return W.ERRNO_ISDIR;
    if (f.kind === 'stdio') return W.ERRNO_INVAL;
    if ((f.rights & RIGHT_FD_FILESTAT_SET_SIZE) === 0) return W.ERRNO_NOTCAPABLE;
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) return W.ERRNO_FBIG;
    return f.handle.setSize(Number(size));
  }

  fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_FILESTAT_SET_TIMES) === 0) return W.ERRNO_NOTCAPABLE;
    const times = this.times(atim, mtim, flags);
    if (typeof times === 'number') return times;
    if (f.kind === 'stdio') return W.ERRNO_SUCCESS;
    if (f.kind === 'file') return f.handle.setTimes(times[0], times[1]);
    return f.loc.fs.setTimes(f.loc.node, times[0], times[1]);
  }

  private times(atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] | Errno {
    if (flags & ~0xf) return W.ERRNO_INVAL;
    if (flags & W.FSTFLAGS_ATIM && flags & W.FSTFLAGS_ATIM_NOW) return W.ERRNO_INVAL;
    if (flags & W.FSTFLAGS_MTIM && flags & W.FSTFLAGS_MTIM_NOW) return W.ERRNO_INVAL;
    const now = flags & (W.FSTFLAGS_ATIM_NOW | W.FSTFLAGS_MTIM_NOW) ? this.opts.clock.realtime() : 0n;
    const a = flags & W.FSTFLAGS_ATIM ? atim : flags & W.FSTFLAGS_ATIM_NOW ? now : null;
    const m = flags & W.FSTFLAGS_MTIM ? mtim : flags & W.FSTFLAGS_MTIM_NOW ? now : null;
    return [a, m];
  }

  /** Reads iovecs, validating the whole array before any byte moves. */
  private iovecs(iovsPtr: number, iovsLen: number): Errno {
    iovsPtr >>>= 0;
    iovsLen >>>= 0;
    if (!this.ok(iovsPtr, iovsLen * 8)) return W.ERRNO_FAULT;
    const v = this.view;
    for (let i = 0; i < iovsLen; i++) {
      const buf = v.getUint32(iovsPtr + i * 8, true);
      const len = v.getUint32(iovsPtr + i * 8 + 4, true);
      if (buf + len > this.u8.length) return W.ERRNO_FAULT;
    }
    return W.ERRNO_SUCCESS;
  }

  fd_pread(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, nreadPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if (f.kind === 'dir') return W.ERRNO_ISDIR;
    if ((f.rights & RIGHT_FD_READ) === 0) return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_SEEK) === 0) return W.ERRNO_NOTCAPABLE;
    if (offset < 0n) return W.ERRNO_INVAL;
    const check = this.iovecs(iovsPtr, iovsLen);
    if (check !== 0) return check;
    if (!this.ok(nreadPtr, 4)) return W.ERRNO_FAULT;
    const n = this.readFile(f, iovsPtr >>> 0, iovsLen >>> 0, Number(offset));
    if (n < 0) return -n;
    this.view.setUint32(nreadPtr >>> 0, n, true);
    return W.ERRNO_SUCCESS;
  }

  /** Returns bytes read, or a negated errno. */
  private readFile(f: FileFd, iovsPtr: number, iovsLen: number, position: number): number {
    const v = this.view;
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const buf = v.getUint32(iovsPtr + i * 8, true);
      const len = v.getUint32(iovsPtr + i * 8 + 4, true);
      if (len === 0) continue;
      const n = f.handle.pread(this.u8.subarray(buf, buf + len), position + total);
      if (n < 0) return total > 0 ? total : n;
      total += n;
      if (n < len) break;
    }
    return total;
  }

  private writeFile(f: FileFd, iovsPtr: number, iovsLen: number, position: number): number {
    const v = this.view;
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const buf = v.getUint32(iovsPtr + i * 8, true);
      const len = v.getUint32(iovsPtr + i * 8 + 4, true);
      if (len === 0) continue;
      const n = f.handle.pwrite(this.u8.subarray(buf, buf + len), position + total);
      if (n < 0) return total > 0 ? total : n;
      total += n;
    }
    return total;
  }

  fd_prestat_get(fd: number, bufPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined || f.kind !== 'dir' || f.preopen === null) return W.ERRNO_BADF;
    if (!this.ok(bufPtr, W.SIZEOF_PRESTAT)) return W.ERRNO_FAULT;
    this.view.setUint32(bufPtr >>> 0, W.PREOPENTYPE_DIR, true);
    this.view.setUint32((bufPtr >>> 0) + 4, utf8.encode(f.preopen).length, true);
    return W.ERRNO_SUCCESS;
  }

  fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined || f.kind !== 'dir' || f.preopen === null) return W.ERRNO_BADF;
    const name = utf8.encode(f.preopen);
    if (pathLen >>> 0 < name.length) return W.ERRNO_NAMETOOLONG;
    if (!this.ok(pathPtr, name.length)) return W.ERRNO_FAULT;
    this.u8.set(name, pathPtr >>> 0);
    return W.ERRNO_SUCCESS;
  }

  fd_pwrite(fd: number, iovsPtr: number, iovsLen: number, offset: bigint, nwrittenPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if (f.kind === 'dir') return W.ERRNO_ISDIR;
    if ((f.rights & RIGHT_FD_WRITE) === 0) return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_SEEK) === 0) return W.ERRNO_NOTCAPABLE;
    if (offset < 0n) return W.ERRNO_INVAL;
    const check = this.iovecs(iovsPtr, iovsLen);
    if (check !== 0) return check;
    if (!this.ok(nwrittenPtr, 4)) return W.ERRNO_FAULT;
    // POSIX pwrite writes at the offset even on an O_APPEND fd (Linux's append-anyway is a known bug).
    const n = this.writeFile(f, iovsPtr >>> 0, iovsLen >>> 0, Number(offset));
    if (n < 0) return -n;
    this.view.setUint32(nwrittenPtr >>> 0, n, true);
    return W.ERRNO_SUCCESS;
  }

  fd_read(fd: number, iovsPtr: number, iovsLen: number, nreadPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'dir') return W.ERRNO_ISDIR;
    if ((f.rights & RIGHT_FD_READ) === 0) return W.ERRNO_BADF;
    const check = this.iovecs(iovsPtr, iovsLen);
    if (check !== 0) return check;
    if (!this.ok(nreadPtr, 4)) return W.ERRNO_FAULT;
    let n: number;
    if (f.kind === 'file') {
      n = this.readFile(f, iovsPtr >>> 0, iovsLen >>> 0, f.position);
      if (n < 0) return -n;
      f.position += n;
    } else {
      n = this.readStream(f, iovsPtr >>> 0, iovsLen >>> 0);
      if (n < 0) return -n;
    }
    this.view.setUint32(nreadPtr >>> 0, n, true);
    return W.ERRNO_SUCCESS;
  }

  /** One blocking read from a stream into the first non-empty iovecs; 0 means end of input. */
  private readStream(f: StdioFd, iovsPtr: number, iovsLen: number): number {
    const input = f.input!;
    let want = 0;
    for (let i = 0; i < iovsLen; i++) want += this.view.getUint32(iovsPtr + i * 8 + 4, true);
    if (want === 0) return 0;
    if (f.fdflags & W.FDFLAGS_NONBLOCK && !input.ready(0)) return -W.ERRNO_AGAIN;
    const data = input.read(want);
    // The read may have blocked while another thread grew memory; views must be fresh.
    this.refresh();
    if (data === null) return 0;
    let off = 0;
    for (let i = 0; i < iovsLen && off < data.length; i++) {
      const buf = this.view.getUint32(iovsPtr + i * 8, true);
      const len = this.view.getUint32(iovsPtr + i * 8 + 4, true);
      const n = Math.min(len, data.length - off);
      this.u8.set(data.subarray(off, off + n), buf);
      off += n;
    }
    return off;
  }

  fd_readdir(fd: number, bufPtr: number, bufLen: number, cookie: bigint, bufusedPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind !== 'dir') return W.ERRNO_NOTDIR;
    if ((f.rights & RIGHT_FD_READDIR) === 0) return W.ERRNO_NOTCAPABLE;
    bufPtr >>>= 0;
    bufLen >>>= 0;
    if (!this.ok(bufPtr, bufLen) || !this.ok(bufusedPtr, 4)) return W.ERRNO_FAULT;
    // A walk starts at cookie 0: take a fresh listing then and keep it, so later cookies index into the
    // same list even if the directory changes underneath (the entries then reflect the listing's time).
    if (cookie === 0n || f.listing === null) {
      const listing = f.loc.fs.readdir(f.loc.node);
      if (typeof listing === 'number') return listing;
      f.listing = listing;
    }
    const entries = f.listing;
    const selfIno = f.loc.fs.stat(f.loc.node).ino;
    const count = entries.length + 2;
    let used = 0;
    for (let i = Number(cookie); i < count && used < bufLen; i++) {
      const name = i === 0 ? '.' : i === 1 ? '..' : entries[i - 2]!.name;
      const ino = i < 2 ? selfIno : entries[i - 2]!.ino;
      const type = i < 2 ? W.FILETYPE_DIRECTORY : entries[i - 2]!.filetype;
      const nameBytes = utf8.encode(name);
      const header = new Uint8Array(W.SIZEOF_DIRENT);
      const hv = new DataView(header.buffer);
      hv.setBigUint64(0, BigInt(i + 1), true);
      hv.setBigUint64(8, BigInt(ino), true);
      hv.setUint32(16, nameBytes.length, true);
      hv.setUint8(20, type);
      // Entries that do not fit are cut off: a full buffer tells the caller to retry with a larger one.
      const h = Math.min(header.length, bufLen - used);
      this.u8.set(header.subarray(0, h), bufPtr + used);
      used += h;
      const n = Math.min(nameBytes.length, bufLen - used);
      this.u8.set(nameBytes.subarray(0, n), bufPtr + used);
      used += n;
    }
    this.view.setUint32(bufusedPtr >>> 0, used, true);
    return W.ERRNO_SUCCESS;
  }

  fd_renumber(from: number, to: number): Errno {
    const f = this.fds[from];
    const t = this.fds[to];
    if (f === undefined || t === undefined) return W.ERRNO_BADF;
    if (from === to) return W.ERRNO_SUCCESS;
    this.fds[to] = f;
    this.fds[from] = undefined;
    if (t !== f) release(t);
    else f.refs--; // both numbers shared one description: one reference goes
    return W.ERRNO_SUCCESS;
  }

  fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if (f.kind === 'dir') return W.ERRNO_BADF;
    // A pure "where am I" seek needs only the tell right, as wasi-libc's lseek(fd, 0, SEEK_CUR) does.
    const needed = offset === 0n && whence === W.WHENCE_CUR ? RIGHT_FD_TELL : RIGHT_FD_SEEK;
    if ((f.rights & needed) === 0) return W.ERRNO_NOTCAPABLE;
    if (!this.ok(newOffsetPtr, 8)) return W.ERRNO_FAULT;
    if (whence !== W.WHENCE_SET && whence !== W.WHENCE_CUR && whence !== W.WHENCE_END) return W.ERRNO_INVAL;
    if (f.filetype === W.FILETYPE_CHARACTER_DEVICE) {
      // A device has no position: Linux's /dev/null and friends answer every seek with 0.
      this.view.setBigUint64(newOffsetPtr >>> 0, 0n, true);
      return W.ERRNO_SUCCESS;
    }
    let base: number;
    if (whence === W.WHENCE_SET) base = 0;
    else if (whence === W.WHENCE_CUR) base = f.position;
    else if (whence === W.WHENCE_END) base = f.handle.size();
    else return W.ERRNO_INVAL;
    const pos = BigInt(base) + offset;
    if (pos < 0n) return W.ERRNO_INVAL;
    if (pos > BigInt(Number.MAX_SAFE_INTEGER)) return W.ERRNO_OVERFLOW;
    f.position = Number(pos);
    this.view.setBigUint64(newOffsetPtr >>> 0, pos, true);
    return W.ERRNO_SUCCESS;
  }

  fd_sync(fd: number): Errno {
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'file') return f.handle.sync();
    return W.ERRNO_SUCCESS;
  }

  fd_tell(fd: number, offsetPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'stdio') return W.ERRNO_SPIPE;
    if (f.kind === 'dir') return W.ERRNO_BADF;
    if ((f.rights & RIGHT_FD_TELL) === 0) return W.ERRNO_NOTCAPABLE;
    if (!this.ok(offsetPtr, 8)) return W.ERRNO_FAULT;
    const position = f.filetype === W.FILETYPE_CHARACTER_DEVICE ? 0 : f.position;
    this.view.setBigUint64(offsetPtr >>> 0, BigInt(position), true);
    return W.ERRNO_SUCCESS;
  }

  fd_write(fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): Errno {
    this.refresh();
    const f = this.fds[fd];
    if (f === undefined) return W.ERRNO_BADF;
    if (f.kind === 'dir') return W.ERRNO_ISDIR;
    if ((f.rights & RIGHT_FD_WRITE) === 0) return W.ERRNO_BADF;
    const check = this.iovecs(iovsPtr, iovsLen);
    if (check !== 0) return check;
    if (!this.ok(nwrittenPtr, 4)) return W.ERRNO_FAULT;
    let n: number;
    if (f.kind === 'file') {
      if (f.fdflags & W.FDFLAGS_APPEND) f.position = f.handle.size();
      n = this.writeFile(f, iovsPtr >>> 0, iovsLen >>> 0, f.position);
      if (n < 0) return -n;
      f.position += n;
    } else {
      n = this.writeStream(f, iovsPtr >>> 0, iovsLen >>> 0);
      if (n < 0) return -n;
    }
    this.view.setUint32(nwrittenPtr >>> 0, n, true);
    return W.ERRNO_SUCCESS;
  }

  /**
   * One write call is one chunk to the stream (wasi-libc passes its buffer and the new bytes as two
   * iovecs). Returns the bytes written, or a negated errno (EPIPE: a pipe without readers).
   */
  private writeStream(f: StdioFd, iovsPtr: number, iovsLen: number): number {
    try {
      return this.writeStreamChunk(f, iovsPtr, iovsLen);
    } catch (e) {
      if (e instanceof BrokenPipe) return e.written > 0 ? e.written : -W.ERRNO_PIPE;
      throw e;
    }
  }

  private writeStreamChunk(f: StdioFd, iovsPtr: number, iovsLen: number): number {
    const v = this.view;
    let total = 0;
    let last = -1;
    let parts = 0;
    for (let i = 0; i < iovsLen; i++) {
      const len = v.getUint32(iovsPtr + i * 8 + 4, true);
      if (len > 0) {
        total += len;
        last = i;
        parts++;
      }
    }
    if (total === 0) return 0;
    if (parts === 1) {
      const buf = v.getUint32(iovsPtr + last * 8, true);
      f.output!.write(this.u8.subarray(buf, buf + total));
      return total;
    }
    const joined = new Uint8Array(total);
    let off = 0;
    for (let i = 0; i < iovsLen; i++) {
      const buf = v.getUint32(iovsPtr + i * 8, true);
      const len = v.getUint32(iovsPtr + i * 8 + 4, true);
      joined.set(this.u8.subarray(buf, buf + len), off);
      off += len;
    }
    f.output!.write(joined);
    return total;
  }

  path_create_directory(fd: number, pathPtr: number, pathLen: number): Errno {
    this.refresh();
    const res = this.resolveAt(fd, RIGHT_PATH_CREATE_DIRECTORY, pathPtr, pathLen, false);
    if (typeof res === 'number') return res;
    if (res.node !== null || res.name === null) return W.ERRNO_EXIST;
    const made = res.dir.fs.mkdir(res.dir.node, res.name, 0o755);
    return typeof made === 'number' ? made : W.ERRNO_SUCCESS;
  }

  path_filestat_get(fd: number, flags: number, pathPtr: number, pathLen: number, bufPtr: number): Errno {
    this.refresh();
    if (!this.ok(bufPtr, W.SIZEOF_FILESTAT)) return W.ERRNO_FAULT;
    const follow = (flags & W.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
    const res = this.resolveAt(fd, RIGHT_PATH_FILESTAT_GET, pathPtr, pathLen, follow);
    if (typeof res === 'number') return res;
    if (res.node === null) return W.ERRNO_NOENT;
    const st = res.fs.stat(res.node);
    if (res.trailingSlash && st.filetype !== W.FILETYPE_DIRECTORY) return W.ERRNO_NOTDIR;
    this.writeFilestat(bufPtr >>> 0, res.fs.dev, st);
    return W.ERRNO_SUCCESS;
  }

  path_filestat_set_times(
    fd: number,
    flags: number,
    pathPtr: number,
    pathLen: number,
    atim: bigint,
    mtim: bigint,
    fstFlags: number,
  ): Errno {
    this.refresh();
    const times = this.times(atim, mtim, fstFlags);
    if (typeof times === 'number') return times;
    const follow = (flags & W.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
    const res = this.resolveAt(fd, RIGHT_PATH_FILESTAT_SET_TIMES, pathPtr, pathLen, follow);
    if (typeof res === 'number') return res;
    if (res.node === null) return W.ERRNO_NOENT;
    if (res.trailingSlash && res.fs.stat(res.node).filetype !== W.FILETYPE_DIRECTORY) return W.ERRNO_NOTDIR;
    return res.fs.setTimes(res.node, times[0], times[1]);
  }

  path_link(
    oldFd: number,
    oldFlags: number,
    oldPathPtr: number,
    oldPathLen: number,
    newFd: number,
    newPathPtr: number,
    newPathLen: number,
  ): Errno {
    this.refresh();
    const follow = (oldFlags & W.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
    const src = this.resolveAt(oldFd, RIGHT_PATH_LINK_SOURCE, oldPathPtr, oldPathLen, follow);
    if (typeof src === 'number') return src;
    const dst = this.resolveAt(newFd, RIGHT_PATH_LINK_TARGET, newPathPtr, newPathLen, false);
    if (typeof dst === 'number') return dst;
    if (src.node === null) return W.ERRNO_NOENT;
    const st = src.fs.stat(src.node);
    if (st.filetype === W.FILETYPE_DIRECTORY) return W.ERRNO_PERM;
    if (src.trailingSlash) return W.ERRNO_NOTDIR;
    if (dst.node !== null || dst.name === null) return W.ERRNO_EXIST;
    if (dst.trailingSlash) return W.ERRNO_NOENT;
    if (dst.dir.fs !== src.fs) return W.ERRNO_XDEV;
    return src.fs.link(src.node, dst.dir.node, dst.name);
  }

  path_open(
    fd: number,
    dirflags: number,
    pathPtr: number,
    pathLen: number,
    oflags: number,
    rightsBase: bigint,
    rightsInheriting: bigint,
    fdflags: number,
    fdPtr: number,
  ): Errno {
    this.refresh();
    if (!this.ok(fdPtr, 4)) return W.ERRNO_FAULT;
    const dir = this.getDir(fd, RIGHT_PATH_OPEN);
    if (typeof dir === 'number') return dir;
    const creat = (oflags & W.OFLAGS_CREAT) !== 0;
    const excl = (oflags & W.OFLAGS_EXCL) !== 0;
    const trunc = (oflags & W.OFLAGS_TRUNC) !== 0;
    const wantDir = (oflags & W.OFLAGS_DIRECTORY) !== 0;
    if (creat && (dir.rights & RIGHT_PATH_CREATE_FILE) === 0) return W.ERRNO_NOTCAPABLE;
    if (trunc && (dir.rights & RIGHT_PATH_FILESTAT_SET_SIZE) === 0) return W.ERRNO_NOTCAPABLE;
    // O_CREAT|O_EXCL must not follow a final symlink: the name itself has to be new.
    const follow = (dirflags & W.LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0 && !(creat && excl);
    const res = this.resolveAt(fd, RIGHT_PATH_OPEN, pathPtr, pathLen, follow);
    if (typeof res === 'number') return res;
    let requested = Number(rightsBase & W.RIGHTS_ALL) & dir.inheriting;
    const inheriting = Number(rightsInheriting & W.RIGHTS_ALL) & dir.inheriting;
    let fs: FileSystem;
    let node: FsNode;
    let filetype: number = W.FILETYPE_REGULAR_FILE;
    if (res.node === null) {
      if (!creat) return W.ERRNO_NOENT;
      if (wantDir || res.trailingSlash) return res.trailingSlash ? W.ERRNO_ISDIR : W.ERRNO_INVAL;
      const made = res.dir.fs.createFile(res.dir.node, res.name!, 0o644);
      if (typeof made === 'number') return made;
      fs = res.dir.fs;
      node = made;
    } else {
      if (creat && excl) return W.ERRNO_EXIST;
      fs = res.fs;
      node = res.node;
      const type = fs.stat(node).filetype;
      if (type === W.FILETYPE_SYMBOLIC_LINK) return W.ERRNO_LOOP; // O_NOFOLLOW on a symlink
      if (type === W.FILETYPE_DIRECTORY) {
        if (trunc || (requested & RIGHT_FD_WRITE) !== 0) return W.ERRNO_ISDIR;
        const d = new DirFd({ fs, node }, requested & DIR_RIGHTS, inheriting, null);
        this.view.setUint32(fdPtr >>> 0, this.allocFd(d), true);
        return W.ERRNO_SUCCESS;
      }
      if (wantDir || res.trailingSlash) return W.ERRNO_NOTDIR;
      filetype = type;
    }
    requested &= FILE_RIGHTS;
    const write = (requested & RIGHT_FD_WRITE) !== 0;
    const handle = fs.open(node, { read: (requested & RIGHT_FD_READ) !== 0, write: write || trunc });
    if (typeof handle === 'number') return handle;
    // POSIX: O_TRUNC is ignored on a device (`> /dev/null` must work).
    if (trunc && filetype === W.FILETYPE_REGULAR_FILE) {
      const err = handle.setSize(0);
      if (err !== 0) {
        handle.close();
        return err;
      }
    }
    const f = new FileFd(fs, node, handle, requested, inheriting & FILE_RIGHTS, fdflags & 0x1f, filetype);
    this.view.setUint32(fdPtr >>> 0, this.allocFd(f), true);
    return W.ERRNO_SUCCESS;
  }

  path_readlink(
    fd: number,
    pathPtr: number,
    pathLen: number,
    bufPtr: number,
    bufLen: number,
    usedPtr: number,
  ) {
    this.refresh();
    if (!this.ok(bufPtr, bufLen >>> 0) || !this.ok(usedPtr, 4)) return W.ERRNO_FAULT;
    const res = this.resolveAt(fd, RIGHT_PATH_READLINK, pathPtr, pathLen, false);
    if (typeof res === 'number') return res;
    if (res.node === null) return W.ERRNO_NOENT;
    if (res.fs.stat(res.node).filetype !== W.FILETYPE_SYMBOLIC_LINK) return W.ERRNO_INVAL;
    const target = res.fs.readlink(res.node);
    if (typeof target === 'number') return target;
    const bytes = utf8.encode(target);
    // Like readlink(2), a short buffer gets a truncated target, not an error.
    const n = Math.min(bytes.length, bufLen >>> 0);
    this.u8.set(bytes.subarray(0, n), bufPtr >>> 0);
    this.view.setUint32(usedPtr >>> 0, n, true);
    return W.ERRNO_SUCCESS;
  }

  path_remove_directory(fd: number, pathPtr: number, pathLen: number): Errno {
    this.refresh();
    const res = this.resolveAt(fd, RIGHT_PATH_REMOVE_DIRECTORY, pathPtr, pathLen, false);
    if (typeof res === 'number') return res;
    if (res.name === null) return W.ERRNO_INVAL;
    if (res.node === null) return W.ERRNO_NOENT;
    if (res.fs !== res.dir.fs) return W.ERRNO_BUSY; // a mount point
    if (res.fs.stat(res.node).filetype !== W.FILETYPE_DIRECTORY) return W.ERRNO_NOTDIR;
    return res.dir.fs.rmdir(res.dir.node, res.name);
  }

  path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
    this.refresh();
    const src = this.resolveAt(fd, RIGHT_PATH_RENAME_SOURCE, oldPtr, oldLen, false);
    if (typeof src === 'number') return src;
    const dst = this.resolveAt(newFd, RIGHT_PATH_RENAME_TARGET, newPtr, newLen, false);
    if (typeof dst === 'number') return dst;
    if (src.node === null) return W.ERRNO_NOENT;
    if (src.name === null || dst.name === null) return W.ERRNO_BUSY;
    if (src.fs !== src.dir.fs || (dst.node !== null && dst.fs !== dst.dir.fs)) return W.ERRNO_BUSY;
    const srcIsDir = src.fs.stat(src.node).filetype === W.FILETYPE_DIRECTORY;
    if (!srcIsDir && (src.trailingSlash || dst.trailingSlash)) return W.ERRNO_NOTDIR;
    if (src.dir.fs !== dst.dir.fs) return W.ERRNO_XDEV;
    return src.dir.fs.rename(src.dir.node, src.name, dst.dir.node, dst.name);
  }

  path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): Errno {
    this.refresh();
    const target = this.readString(oldPtr, oldLen);
    if (typeof target === 'number') return target;
    const res = this.resolveAt(fd, RIGHT_PATH_SYMLINK, newPtr, newLen, false);
    if (typeof res === 'number') return res;
    if (res.node !== null || res.name === null) return W.ERRNO_EXIST;
    if (res.trailingSlash) return W.ERRNO_NOENT;
    const made = res.dir.fs.symlink(res.dir.node, res.name, target);
    return typeof made === 'number' ? made : W.ERRNO_SUCCESS;
  }

  path_unlink_file(fd: number, pathPtr: number, pathLen: number): Errno {
    this.refresh();
    const res = this.resolveAt(fd, RIGHT_PATH_UNLINK_FILE, pathPtr, pathLen, false);
    if (typeof res === 'number') return res;
    if (res.name === null) return W.ERRNO_ISDIR;
    if (res.node === null) return W.ERRNO_NOENT;
    const type = res.fs.stat(res.node).filetype;
    if (type === W.FILETYPE_DIRECTORY) return W.ERRNO_ISDIR;
    if (res.trailingSlash) return W.ERRNO_NOTDIR;
    return res.dir.fs.unlink(res.dir.node, res.name);
  }

  poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): Errno {
    this.refresh();
    nsubs >>>= 0;
    if (nsubs === 0) return W.ERRNO_INVAL;
    if (
      !this.ok(inPtr, nsubs * W.SIZEOF_SUBSCRIPTION) ||
      !this.ok(outPtr, nsubs * W.SIZEOF_EVENT) ||
      !this.ok(neventsPtr, 4)
    ) {
      return W.ERRNO_FAULT;
    }
    const clock = this.opts.clock;
    const start = clock.monotonic();
    for (;;) {
      const now = clock.monotonic();
      let nevents = 0;
      let deadline = MAX_U64; // earliest clock deadline, monotonic ns
      let waitOnStdin: InputStream | null = null;
      for (let i = 0; i < nsubs; i++) {
        const s = (inPtr >>> 0) + i * W.SIZEOF_SUBSCRIPTION;
        const userdata = this.view.getBigUint64(s, true);
        const tag = this.view.getUint8(s + 8);
        let error = 0;
        let ready = false;
        let nbytes = 0n;
        if (tag === W.EVENTTYPE_CLOCK) {
          const id = this.view.getUint32(s + 16, true);
          const timeout = this.view.getBigUint64(s + 24, true);
          const abs = (this.view.getUint16(s + 40, true) & W.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
          if (id < 0 || id > W.CLOCKID_THREAD_CPUTIME_ID) {
            error = W.ERRNO_INVAL;
            ready = true;
          } else {
            let due: bigint;
            if (abs && id === W.CLOCKID_REALTIME) due = now + (timeout - clock.realtime());
            else if (abs) due = timeout;
            else due = start + timeout;
            if (due <= now) ready = true;
            else if (due < deadline) deadline = due;
          }
        } else if (tag === W.EVENTTYPE_FD_READ || tag === W.EVENTTYPE_FD_WRITE) {
          const f = this.fds[this.view.getUint32(s + 16, true)];
          ready = true;
          if (f === undefined) error = W.ERRNO_BADF;
          else if ((f.rights & RIGHT_POLL_FD_READWRITE) === 0 && f.kind !== 'file')
            error = W.ERRNO_NOTCAPABLE;
          else if (f.kind === 'dir') error = W.ERRNO_BADF;
          else if (f.kind === 'file') {
            nbytes = tag === W.EVENTTYPE_FD_READ ? BigInt(Math.max(0, f.handle.size() - f.position)) : 0n;
          } else if (tag === W.EVENTTYPE_FD_READ) {
            if (!f.input) error = W.ERRNO_BADF;
            else if (!f.input.ready(0)) {
              ready = false;
              waitOnStdin = f.input;
            } else nbytes = 1n;
          } else if (!f.output) error = W.ERRNO_BADF;
        } else {
          error = W.ERRNO_INVAL;
          ready = true;
        }
        if (ready) {
          const e = (outPtr >>> 0) + nevents * W.SIZEOF_EVENT;
          this.u8.fill(0, e, e + W.SIZEOF_EVENT);
          this.view.setBigUint64(e, userdata, true);
          this.view.setUint16(e + 8, error, true);
          this.view.setUint8(e + 10, tag);
          if (tag !== W.EVENTTYPE_CLOCK) this.view.setBigUint64(e + 16, nbytes, true);
          nevents++;
        }
      }
      if (nevents > 0) {
        this.view.setUint32(neventsPtr >>> 0, nevents, true);
        return W.ERRNO_SUCCESS;
      }
      // Nothing ready: block until the earliest clock or until stdin has data.
      const waitNs = deadline === MAX_U64 ? -1n : deadline - now;
      if (waitOnStdin) {
        waitOnStdin.ready(waitNs < 0n ? Infinity : Number(waitNs / NS_PER_MS) + 1);
      } else if (waitNs >= 0n) {
        this.opts.sleep(waitNs);
      } else {
        return W.ERRNO_INVAL; // no clock and nothing to wait on: would block forever
      }
      this.refresh();
    }
  }

  proc_exit(code: number): never {
    throw new ProcExit(code >>> 0);
  }

  proc_raise(_sig: number): Errno {
    // Signals are not part of this sandbox; the spec lets an implementation refuse them.
    return W.ERRNO_NOTSUP;
  }

  sched_yield(): Errno {
    return W.ERRNO_SUCCESS;
  }

  random_get(bufPtr: number, bufLen: number): Errno {
    this.refresh();
    if (!this.ok(bufPtr, bufLen >>> 0)) return W.ERRNO_FAULT;
    this.opts.random(this.u8.subarray(bufPtr >>> 0, (bufPtr >>> 0) + (bufLen >>> 0)));
    return W.ERRNO_SUCCESS;
  }

  private sock(fd: number): Errno {
    return this.fds[fd] === undefined ? W.ERRNO_BADF : W.ERRNO_NOTSOCK;
  }
  sock_accept(fd: number): Errno {
    return this.sock(fd);
  }
  sock_recv(fd: number): Errno {
    return this.sock(fd);
  }
  sock_send(fd: number): Errno {
    return this.sock(fd);
  }
  sock_shutdown(fd: number): Errno {
    return this.sock(fd);
  }

  /** For the tracer: whether a location is the namespace root (unused by syscalls). */
  describeFd(fd: number): string {
    const f = this.fds[fd];
    if (f === undefined) return `${fd}`;
    if (f.kind === 'dir' && f.preopen !== null) return `${fd}<${f.preopen}>`;
    return `${fd}<${f.kind}>`;
  }
}

type GuardedFn = (...args: never[]) => number | void;

/** Turns an unexpected exception into EIO; lets the two deliberate unwinds through. */
const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_VIEW = new DataView(NO_MEMORY);

function guard(self: Preview1, fn: GuardedFn): GuardedFn {
  // Fixed parameters rather than rest/spread: V8 calls this without allocating an arguments array.
  // No preview1 call takes more than 9 parameters.
  return function guarded(
    a?: never,
    b?: never,
    c?: never,
    d?: never,
    e?: never,
    f?: never,
    g?: never,
    h?: never,
    i?: never,
  ) {
    try {
      return fn.call(self, a!, b!, c!, d!, e!, f!, g!, h!, i!);
    } catch (err) {
      if (err instanceof ProcExit || err instanceof WasiKill) throw err;
      if (err instanceof Interrupted) return W.ERRNO_INTR;
      if (err instanceof RangeError && /Out of memory|Array buffer allocation failed/i.test(err.message)) {
        return W.ERRNO_NOMEM;
      }
      return W.ERRNO_IO;
    }
  };
}

function latin1(u8: Uint8Array, ptr: number, len: number): string {
  let s = '';
  for (let i = ptr; i < ptr + len; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      u8.subarray(i, Math.min(ptr + len, i + 4096)) as unknown as number[],
    );
  }
  return s;
}

const RIGHT_FD_READ = Number(W.RIGHTS_FD_READ);
const RIGHT_FD_WRITE = Number(W.RIGHTS_FD_WRITE);
const RIGHT_FD_SEEK = Number(W.RIGHTS_FD_SEEK);
const RIGHT_FD_TELL = Number(W.RIGHTS_FD_TELL);
const RIGHT_FD_ADVISE = Number(W.RIGHTS_FD_ADVISE);
const RIGHT_FD_ALLOCATE = Number(W.RIGHTS_FD_ALLOCATE);
const RIGHT_FD_READDIR = Number(W.RIGHTS_FD_READDIR);
const RIGHT_FD_FDSTAT_SET_FLAGS = Number(W.RIGHTS_FD_FDSTAT_SET_FLAGS);
const RIGHT_FD_FILESTAT_GET = Number(W.RIGHTS_FD_FILESTAT_GET);
const RIGHT_FD_FILESTAT_SET_SIZE = Number(W.RIGHTS_FD_FILESTAT_SET_SIZE);
const RIGHT_FD_FILESTAT_SET_TIMES = Number(W.RIGHTS_FD_FILESTAT_SET_TIMES);
const RIGHT_PATH_CREATE_DIRECTORY = Number(W.RIGHTS_PATH_CREATE_DIRECTORY);
const RIGHT_PATH_CREATE_FILE = Number(W.RIGHTS_PATH_CREATE_FILE);
const RIGHT_PATH_LINK_SOURCE = Number(W.RIGHTS_PATH_LINK_SOURCE);
const RIGHT_PATH_LINK_TARGET = Number(W.RIGHTS_PATH_LINK_TARGET);
const RIGHT_PATH_OPEN = Number(W.RIGHTS_PATH_OPEN);
const RIGHT_PATH_READLINK = Number(W.RIGHTS_PATH_READLINK);
const RIGHT_PATH_RENAME_SOURCE = Number(W.RIGHTS_PATH_RENAME_SOURCE);
const RIGHT_PATH_RENAME_TARGET = Number(W.RIGHTS_PATH_RENAME_TARGET);
const RIGHT_PATH_FILESTAT_GET = Number(W.RIGHTS_PATH_FILESTAT_GET);
const RIGHT_PATH_FILESTAT_SET_SIZE = Number(W.RIGHTS_PATH_FILESTAT_SET_SIZE);
const RIGHT_PATH_FILESTAT_SET_TIMES = Number(W.RIGHTS_PATH_FILESTAT_SET_TIMES);
const RIGHT_PATH_SYMLINK = Number(W.RIGHTS_PATH_SYMLINK);
const RIGHT_PATH_REMOVE_DIRECTORY = Number(W.RIGHTS_PATH_REMOVE_DIRECTORY);
const RIGHT_PATH_UNLINK_FILE = Number(W.RIGHTS_PATH_UNLINK_FILE);
const RIGHT_POLL_FD_READWRITE = Number(W.RIGHTS_POLL_FD_READWRITE);

export type { Location, Resolved };
