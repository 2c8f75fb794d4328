import { ERRNO_NAMES } from './defs';

/**
 * strace for WASI: wraps the import table so every call is reported as one line, e.g.
 *   path_open(fd=3</>, dirflags=1, path="etc/motd", oflags=0, …, fd_out=0x1ff0c) = 0 SUCCESS
 * Arguments named in PARAMS are decoded; a (ptr, len) pair named `path` is shown as its string.
 */
const PARAMS: Record<string, string[]> = {
  args_get: ['argv', 'argv_buf'],
  args_sizes_get: ['argc_out', 'argv_buf_size_out'],
  environ_get: ['environ', 'environ_buf'],
  environ_sizes_get: ['count_out', 'buf_size_out'],
  clock_res_get: ['id', 'res_out'],
  clock_time_get: ['id', 'precision', 'time_out'],
  fd_advise: ['fd', 'offset', 'len', 'advice'],
  fd_allocate: ['fd', 'offset', 'len'],
  fd_close: ['fd'],
  fd_datasync: ['fd'],
  fd_fdstat_get: ['fd', 'stat_out'],
  fd_fdstat_set_flags: ['fd', 'flags'],
  fd_fdstat_set_rights: ['fd', 'rights_base', 'rights_inheriting'],
  fd_filestat_get: ['fd', 'buf_out'],
  fd_filestat_set_size: ['fd', 'size'],
  fd_filestat_set_times: ['fd', 'atim', 'mtim', 'fst_flags'],
  fd_pread: ['fd', 'iovs', 'iovs_len', 'offset', 'nread_out'],
  fd_prestat_get: ['fd', 'buf_out'],
  fd_prestat_dir_name: ['fd', 'path_buf', 'path_len'],
  fd_pwrite: ['fd', 'iovs', 'iovs_len', 'offset', 'nwritten_out'],
  fd_read: ['fd', 'iovs', 'iovs_len', 'nread_out'],
  fd_readdir: ['fd', 'buf', 'buf_len', 'cookie', 'bufused_out'],
  fd_renumber: ['fd', 'to'],
  fd_seek: ['fd', 'offset', 'whence', 'newoffset_out'],
  fd_sync: ['fd'],
  fd_tell: ['fd', 'offset_out'],
  fd_write: ['fd', 'iovs', 'iovs_len', 'nwritten_out'],
  path_create_directory: ['fd', 'path', 'path_len'],
  path_filestat_get: ['fd', 'flags', 'path', 'path_len', 'buf_out'],
  path_filestat_set_times: ['fd', 'flags', 'path', 'path_len', 'atim', 'mtim', 'fst_flags'],
  path_link: ['old_fd', 'old_flags', 'path', 'path_len', 'new_fd', 'path', 'path_len'],
  path_open: [
    'fd',
    'dirflags',
    'path',
    'path_len',
    'oflags',
    'rights_base',
    'rights_inheriting',
    'fdflags',
    'fd_out',
  ],
  path_readlink: ['fd', 'path', 'path_len', 'buf', 'buf_len', 'bufused_out'],
  path_remove_directory: ['fd', 'path', 'path_len'],
  path_rename: ['fd', 'path', 'path_len', 'new_fd', 'path', 'path_len'],
  path_symlink: ['path', 'path_len', 'fd', 'path', 'path_len'],
  path_unlink_file: ['fd', 'path', 'path_len'],
  poll_oneoff: ['in', 'out', 'nsubscriptions', 'nevents_out'],
  proc_exit: ['rval'],
  proc_raise: ['sig'],
  sched_yield: [],
  random_get: ['buf', 'buf_len'],
  sock_accept: ['fd', 'flags', 'fd_out'],
  sock_recv: ['fd', 'ri_data', 'ri_data_len', 'ri_flags', 'ro_datalen_out', 'ro_flags_out'],
  sock_send: ['fd', 'si_data', 'si_data_len', 'si_flags', 'so_datalen_out'],
  sock_shutdown: ['fd', 'how'],
};

export interface TraceTarget {
  memoryBytes(): Uint8Array;
  describeFd(fd: number): string;
}

type Fn = (...args: never[]) => number | void;

export function traceImports(
  imports: Record<string, Fn>,
  target: TraceTarget,
  log: (line: string) => void,
): Record<string, Fn> {
  const out: Record<string, Fn> = {};
  for (const [name, fn] of Object.entries(imports)) {
    const params = PARAMS[name] ?? [];
    out[name] = (...args: never[]) => {
      const shown = formatArgs(params, args as unknown[], target);
      let result: number | void;
      try {
        result = fn(...args);
      } catch (e) {
        log(`${name}(${shown}) -> ${(e as Error).name}: ${(e as Error).message}`);
        throw e;
      }
      const errno = typeof result === 'number' ? result : 0;
      log(`${name}(${shown}) = ${errno} ${ERRNO_NAMES[errno] ?? '?'}`);
      return result;
    };
  }
  return out;
}

function formatArgs(params: string[], args: unknown[], target: TraceTarget): string {
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const p = params[i] ?? `arg${i}`;
    const a = args[i];
    if (p === 'path' && typeof a === 'number' && typeof args[i + 1] === 'number') {
      parts.push(`path=${JSON.stringify(readPath(target, a, args[i + 1] as number))}`);
      i++;
    } else if ((p === 'fd' || p.endsWith('_fd')) && typeof a === 'number') {
      parts.push(`${p}=${target.describeFd(a)}`);
    } else if (p.endsWith('_out') || p === 'iovs' || p === 'buf' || p === 'in' || p === 'out') {
      parts.push(`${p}=0x${(Number(a) >>> 0).toString(16)}`);
    } else {
      parts.push(`${p}=${String(a)}`);
    }
  }
  return parts.join(', ');
}

function readPath(target: TraceTarget, ptr: number, len: number): string {
  const mem = target.memoryBytes();
  ptr >>>= 0;
  len >>>= 0;
  if (ptr + len > mem.length) return `<bad pointer 0x${ptr.toString(16)}>`;
  return new TextDecoder().decode(mem.subarray(ptr, ptr + Math.min(len, 4096)));
}
