/**
 * Finding the module a container runs, as Docker (runc) and runwasi find an executable:
 *   - argv[0] with a '/' is a path: absolute, or relative to the working directory;
 *   - a bare name is looked up in the container's PATH (default Docker's), first regular file wins;
 *   - the file must be a WebAssembly module (`\0asm`, version 1).
 * Failures are EngineErrors: 'not-found' (docker run exits 127) when nothing is there, 'not-executable'
 * (126) for a directory, a file that is not wasm, or a preview 2 component.
 *
 * WASI preview 1 has no working directory: wasi-libc starts every guest in '/', so WORKDIR decides where a
 * relative command is found (and is passed as PWD), but relative paths the guest opens resolve from '/'.
 */
import type { Location, Namespace } from '../../runtime/fs/Namespace';
import type { FsNode } from '../../runtime/fs/types';
import { ERRNO_NOENT, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE } from '../../runtime/wasi/defs';
import { EngineError } from './errors';
import { errnoName, joinPath, readHead } from './fsCopy';

/** Docker's default PATH for containers whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ResolvedCommand {
  /** The absolute path the module was found at (symlinks not resolved). */
  path: string;
  location: Location;
}

function envValue(env: readonly string[], key: string): string | undefined {
  let value: string | undefined;
  for (const kv of env) if (kv.startsWith(`${key}=`)) value = kv.slice(key.length + 1);
  return value;
}

/** The entries of `env` by key, later ones winning, in first-seen order. */
export function mergeEnv(...lists: readonly (readonly string[])[]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const kv of list) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      if (eq < 0) map.delete(key);
      else map.set(key, kv);
    }
  }
  return [...map.values()];
}

/**
 * The environment a guest starts with: its config's, plus PATH (if unset), HOSTNAME, PWD and HOME, and, with a
 * terminal (-t), TERM=xterm as Docker's daemon adds it (programs such as sh decide on it to be interactive).
 */
export function guestEnv(
  configEnv: readonly string[],
  hostname: string,
  workdir: string,
  tty = false,
): string[] {
  const env = [...configEnv];
  if (envValue(env, 'PATH') === undefined) env.unshift(`PATH=${DEFAULT_PATH}`);
  if (envValue(env, 'HOSTNAME') === undefined) env.push(`HOSTNAME=${hostname}`);
  if (envValue(env, 'PWD') === undefined) env.push(`PWD=${workdir || '/'}`);
  // Docker sets HOME from the user's passwd entry; Berth runs everything as root.
  if (envValue(env, 'HOME') === undefined) env.push('HOME=/root');
  if (tty && envValue(env, 'TERM') === undefined) env.push('TERM=xterm');
  return env;
}

function stat(ns: Namespace, path: string): { location: Location; filetype: number } | number {
  const r = ns.resolve(ns.root, path, true);
  if (typeof r === 'number') return r;
  if (r.node === null) return ERRNO_NOENT;
  return { location: { fs: r.fs, node: r.node as FsNode }, filetype: r.fs.stat(r.node).filetype };
}

/** Finds argv[0] in the container (see the file comment). */
export function resolveCommand(
  ns: Namespace,
  argv0: string,
  workdir: string,
  env: readonly string[],
): ResolvedCommand {
  let path: string;
  let found: { location: Location; filetype: number } | number;
  if (argv0 === '') throw new EngineError('not-found', 'exec: "": executable file not found in $PATH');
  if (argv0.includes('/')) {
    path = joinPath(workdir || '/', argv0);
    found = stat(ns, path);
    if (typeof found === 'number') {
      throw new EngineError('not-found', `exec: "${argv0}": stat ${path}: ${describe(found)}`);
    }
  } else {
    const dirs = (envValue(env, 'PATH') ?? DEFAULT_PATH).split(':');
    let hit: { path: string; found: { location: Location; filetype: number } } | undefined;
    for (const dir of dirs) {
      const candidate = joinPath(joinPath(workdir || '/', dir || '.'), argv0);
      const s = stat(ns, candidate);
      if (typeof s !== 'number' && s.filetype === FILETYPE_REGULAR_FILE) {
        hit = { path: candidate, found: s };
        break;
      }
    }
    if (hit === undefined) {
      throw new EngineError('not-found', `exec: "${argv0}": executable file not found in $PATH`);
    }
    path = hit.path;
    found = hit.found;
  }
  if (found.filetype === FILETYPE_DIRECTORY) {
    throw new EngineError('not-executable', `exec: "${argv0}": ${path} is a directory`);
  }
  if (found.filetype !== FILETYPE_REGULAR_FILE) {
    throw new EngineError('not-executable', `exec: "${argv0}": ${path} is not a regular file`);
  }
  const head = readHead(found.location.fs, found.location.node, 8, path);
  checkModuleHeader(head, argv0, path);
  return { path, location: found.location };
}

/** Throws 'not-executable' unless the bytes start a WebAssembly core module. */
export function checkModuleHeader(head: Uint8Array, argv0: string, path: string): void {
  const magic = head.length >= 4 && head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
  if (!magic) {
    throw new EngineError(
      'not-executable',
      `exec: "${argv0}": exec format error: ${path} is not a WebAssembly module (no \\0asm header)`,
    );
  }
  if (head.length >= 8 && head[4] === 0x0d && head[6] === 0x01) {
    throw new EngineError(
      'not-executable',
      `exec: "${argv0}": ${path} is a WebAssembly component (WASI preview 2); Berth runs preview 1 modules`,
    );
  }
}

function describe(errno: number): string {
  return errno === ERRNO_NOENT ? 'no such file or directory' : errnoName(errno);
}
