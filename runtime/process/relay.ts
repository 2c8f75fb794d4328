/**
 * The syscall relay between a child process and the container's kernel (pid 1). A child has no
 * filesystem of its own: each of its filesystem calls is copied into its scratch buffer (a
 * SharedArrayBuffer both sides see), run by the kernel with the real Preview1 implementation on a
 * Preview1 instance whose "memory" is that scratch buffer, and the results are copied back. So every
 * rule of Preview1 (rights, errno, path confinement) applies to children unchanged, and the kernel never
 * reads a child's own memory.
 *
 * What moves is described per call by a signature, one token per argument:
 *   i  an i32 passed as is              I  an i64 passed as is
 *   oN an out pointer of N bytes        s  a string in (ptr, len)
 *   b  an out buffer (ptr, len), copied back whole
 *   B  an out buffer (ptr, len), copied back up to the count the last o4 returns
 *   w  iovecs in (ptr, count): gathered into one scratch iovec
 *   r  iovecs out (ptr, count): one scratch iovec, scattered back up to the count the last o4 returns
 * Buffers are clamped to the scratch size: a large read or write becomes a short one, which POSIX
 * allows and libc loops over.
 *
 * Scratch control block (Int32): OP, RESULT, then i32 arguments by position; i64 arguments by position
 * in a BigInt64 area after them.
 */
export const SCRATCH_BYTES = 128 * 1024;
export const SCRATCH_CONTROL_BYTES = 256;
export const CTL_OP = 0;
export const CTL_RESULT = 1;
export const CTL_I32 = 4; // Int32 index of argument 0
export const CTL_I64_BYTE_OFFSET = 128; // BigInt64 area
export const MAX_ARGS = 12;

/** The relayed preview1 functions and their signatures (see the file comment). */
export const RELAYED: Readonly<Record<string, string>> = {
  fd_advise: 'i I I i',
  fd_allocate: 'i I I',
  fd_close: 'i',
  fd_datasync: 'i',
  fd_fdstat_get: 'i o24',
  fd_fdstat_set_flags: 'i i',
  fd_fdstat_set_rights: 'i I I',
  fd_filestat_get: 'i o64',
  fd_filestat_set_size: 'i I',
  fd_filestat_set_times: 'i I I i',
  fd_pread: 'i r I o4',
  fd_prestat_get: 'i o8',
  fd_prestat_dir_name: 'i b',
  fd_pwrite: 'i w I o4',
  fd_read: 'i r o4',
  fd_readdir: 'i B I o4',
  fd_renumber: 'i i',
  fd_seek: 'i I i o8',
  fd_sync: 'i',
  fd_tell: 'i o8',
  fd_write: 'i w o4',
  path_create_directory: 'i s',
  path_filestat_get: 'i i s o64',
  path_filestat_set_times: 'i i s I I i',
  path_link: 'i i s i s',
  path_open: 'i i s i I I i o4',
  path_readlink: 'i s B o4',
  path_remove_directory: 'i s',
  path_rename: 'i s i s',
  path_symlink: 's i s',
  path_unlink_file: 'i s',
  // The sandbox has no sockets: Preview1 answers from the fd alone, the pointers are never touched.
  sock_accept: 'i i i',
  sock_recv: 'i i i i i i',
  sock_send: 'i i i i i',
  sock_shutdown: 'i i',
};

/** Kernel operations that are not preview1 functions. */
export const KERNEL_OPS: Readonly<Record<string, string>> = {
  /** What fd is, so the child can do pipe and stdio I/O itself: FdInfo in the 16-byte out. */
  'berth:fd_info': 'i o16',
  /** The 48-byte berth_spawn_request, its pointers rewritten to scratch offsets. */
  'berth:spawn': 'o48 o4',
  /** berth_wait that never blocks the kernel: WOULD_BLOCK tells the child to wait and ask again. */
  'berth:wait': 'i i o4 o4',
  'berth:pipe': 'o8',
  'berth:dup': 'i o4',
  'berth:kill': 'i i',
};

/** An internal result of berth:wait: nothing to reap yet (not an errno: errnos stop at 76). */
export const WOULD_BLOCK = 1000;

export const OP_NAMES: readonly string[] = [...Object.keys(RELAYED), ...Object.keys(KERNEL_OPS)];
export const OP_IDS: ReadonlyMap<string, number> = new Map(OP_NAMES.map((n, i) => [n, i]));

export interface Token {
  kind: 'i' | 'I' | 'o' | 's' | 'b' | 'B' | 'w' | 'r';
  /** Bytes of an out pointer. */
  size: number;
}

export function parseSignature(sig: string): Token[] {
  return sig
    .split(' ')
    .map((t) => ({ kind: t[0] as Token['kind'], size: t.length > 1 ? Number(t.slice(1)) : 0 }));
}

/** Whether each wasm parameter of a signature is an i64 (the kernel reads it from the BigInt64 area). */
export function paramIsI64(tokens: readonly Token[]): boolean[] {
  const out: boolean[] = [];
  for (const t of tokens) {
    if (t.kind === 'I') out.push(true);
    else if (t.kind === 'i' || t.kind === 'o') out.push(false);
    else out.push(false, false);
  }
  return out;
}

/** FdInfo.kind: how a child does I/O on an fd. */
export const FD_REMOTE = 0; // relayed (files, directories, stdin given up front)
export const FD_PIPE_READ = 1;
export const FD_PIPE_WRITE = 2;
export const FD_STDIN = 3; // the container's streamed stdin, read from its shared ring
export const FD_STDOUT = 4; // the container's stdout, posted to the host
export const FD_STDERR = 5;
export const FD_NULL = 6;
export const FD_BAD = 7; // not open
