/**
 * The build context: the files `berth build` may COPY/ADD, as an injected read-only tree.
 *
 * A `BuildContextSource` is the small interface a host provides — list every entry recursively, read a
 * file, read a symlink — so the builder stays isomorphic: src/node/buildContext.ts adapts a host
 * directory (node:fs/promises); `syncFsContext` here adapts any synchronous node-fs-like object, such as a
 * memfs Volume (the browser and the tests).
 *
 * `loadContext` applies `.dockerignore` the way Docker does (the other half lives in ./dockerignore):
 * ignored entries are not sent and not copyable, except that the Dockerfile and `.dockerignore` are still
 * sent (the builder reads them) while COPY/ADD treat them as excluded. It also computes the size Docker
 * prints in `Sending build context to Docker daemon  2.048kB`: the bytes of the context as a tar stream.
 */
import { contextFilter } from './dockerignore';
import { cleanPath } from './glob';

export type ContextEntryType = 'file' | 'dir' | 'symlink';

/** One entry of the context, as the host reports it. */
export interface ContextStat {
  /** Relative to the context root, `/`-separated, clean (`a/b.txt`; never `.`, `./a` or `a/`). */
  path: string;
  type: ContextEntryType;
  /** Permission bits (`0o755`); the file-type bits are dropped. */
  mode: number;
  /** Bytes of a file, length of a symlink's target, 0 for a directory. */
  size: number;
  /** Modification time, milliseconds since the epoch (kept in the layer like Docker, not in cache keys). */
  mtimeMs: number;
}

export interface ContextWalkOptions {
  /** Called for each directory before descending into it; true skips the directory and all under it. */
  skipDir?(path: string): boolean;
}

/** A read-only tree the builder takes files from. Paths are as in ContextStat. */
export interface BuildContextSource {
  /**
   * Every entry under the root, recursively, each directory before its contents; the root itself is not
   * listed. Entries that are neither files, directories nor symlinks (sockets, FIFOs, devices) are left
   * out. Symlinks are reported as symlinks, never followed.
   */
  list(options?: ContextWalkOptions): Promise<ContextStat[]>;
  /** A file's bytes; rejects with an error whose `code` is 'ENOENT' when there is no such file. */
  readFile(path: string): Promise<Uint8Array>;
  /** A symlink's target as stored. */
  readlink(path: string): Promise<string>;
  /**
   * A file's SHA-256 (64 lowercase hex digits), when the host can tell it without the builder reading
   * the file (a cache keyed by the file's identity): COPY then reads only the files of steps it builds.
   */
  digest?(path: string): Promise<string>;
  /** Called once the build is done with the context (saves what digest() learnt). */
  release?(): Promise<void>;
}

/* ---------------------------------------------------------------------------------------------------- */

/** The synchronous subset of node:fs that `syncFsContext` needs; memfs's Volume and node:fs both fit. */
export interface SyncFsLike {
  lstatSync(path: string): {
    mode: number;
    size: number;
    mtimeMs: number;
    isFile(): boolean;
    isDirectory(): boolean;
    isSymbolicLink(): boolean;
  };
  readdirSync(path: string): unknown[];
  readFileSync(path: string): Uint8Array | string;
  readlinkSync(path: string): unknown;
}

const utf8 = new TextEncoder();

function joinRoot(root: string, path: string): string {
  if (path === '' || path === '.') return root;
  return root.endsWith('/') ? `${root}${path}` : `${root}/${path}`;
}

function typeOf(st: ReturnType<SyncFsLike['lstatSync']>): ContextEntryType | undefined {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return undefined;
}

/** Byte-wise ordering of names, as Go's filepath.Walk (and so Docker's context tar) uses. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A BuildContextSource over a synchronous node-fs-like object rooted at `root` (an absolute path in
 * that filesystem, `/` for a whole memfs Volume).
 */
export function syncFsContext(fs: SyncFsLike, root: string): BuildContextSource {
  const full = (path: string) => joinRoot(root, path);
  return {
    async list(options = {}) {
      const out: ContextStat[] = [];
      const walk = (dir: string): void => {
        const names = fs
          .readdirSync(full(dir))
          .map((n) => String(n))
          .sort(compareNames);
        for (const name of names) {
          const path = dir === '' ? name : `${dir}/${name}`;
          const st = fs.lstatSync(full(path));
          const type = typeOf(st);
          if (type === undefined) continue;
          if (type === 'dir' && options.skipDir?.(path)) continue;
          out.push({
            path,
            type,
            mode: st.mode & 0o7777,
            size: type === 'dir' ? 0 : Number(st.size),
            mtimeMs: Math.floor(Number(st.mtimeMs)),
          });
          if (type === 'dir') walk(path);
        }
      };
      walk('');
      return out;
    },
    async readFile(path) {
      const data = fs.readFileSync(full(path));
      return typeof data === 'string'
        ? utf8.encode(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.length);
    },
    async readlink(path) {
      return String(fs.readlinkSync(full(path)));
    },
  };
}

/* ---------------------------------------------------------------------------------------------------- */

export interface LoadContextOptions {
  /**
   * Where the Dockerfile sits in the context (default `Dockerfile`): it is sent even when
   * `.dockerignore` excludes it. Undefined-equivalent when the Dockerfile comes from elsewhere.
   */
  dockerfile?: string;
}

/** A context with `.dockerignore` applied, ready for COPY/ADD. */
export interface LoadedContext {
  readonly source: BuildContextSource;
  /** Every sent entry (the Dockerfile and `.dockerignore` included), in walk order. */
  readonly entries: readonly ContextStat[];
  /** Sent entries by path. */
  readonly byPath: ReadonlyMap<string, ContextStat>;
  /** Whether COPY/ADD may use a path (not excluded by `.dockerignore`; the Dockerfile counts too). */
  isCopyable(path: string, isDir?: boolean): boolean;
  /** Bytes of the context as a tar stream: what Docker reports before the first step. */
  readonly tarSize: number;
  /** The `.dockerignore` text ('' when there is none). */
  readonly dockerignore: string;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

const BLOCK = 512;
const utf8Length = (s: string) => utf8.encode(s).length;

/**
 * The size of one entry in a Go archive/tar stream (what the docker CLI sends): a 512-byte header, a PAX
 * header (header + records) when a name or link target does not fit the ustar fields, the data padded to
 * 512 bytes.
 */
function tarEntrySize(entry: ContextStat, linkTarget: string | undefined): number {
  const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
  let size = BLOCK;
  const records: string[] = [];
  if (utf8Length(name) > 100 && !fitsUstarPrefix(name)) records.push(paxRecord('path', name));
  if (linkTarget !== undefined && utf8Length(linkTarget) > 100)
    records.push(paxRecord('linkpath', linkTarget));
  if (records.length > 0) {
    const n = records.reduce((sum, r) => sum + utf8Length(r), 0);
    size += BLOCK + Math.ceil(n / BLOCK) * BLOCK;
  }
  if (entry.type === 'file') size += Math.ceil(entry.size / BLOCK) * BLOCK;
  return size;
}

/** ustar splits a long name into a ≤155-byte prefix and a ≤100-byte name at a `/`. */
function fitsUstarPrefix(name: string): boolean {
  const bytes = utf8Length(name);
  if (bytes > 256) return false;
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = utf8Length(name.slice(0, i));
    const rest = utf8Length(name.slice(i + 1));
    if (prefix <= 155 && rest <= 100 && rest > 0) return true;
  }
  return false;
}

/** A PAX record `"%d %s=%s\n"`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const base = utf8Length(body);
  let n = base + String(base).length;
  if (String(n).length !== String(base).length) n = base + String(n).length;
  return `${n}${body}`;
}

/**
 * Lists the context and applies `.dockerignore`. Throws BuildContextError when `.dockerignore` is
 * malformed (with its line) or the context cannot be read.
 */
export async function loadContext(
  source: BuildContextSource,
  options: LoadContextOptions = {},
): Promise<LoadedContext> {
  let dockerignore = '';
  try {
    dockerignore = new TextDecoder().decode(await source.readFile('.dockerignore'));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const filter = contextFilter(dockerignore, { dockerfile: cleanPath(options.dockerfile ?? 'Dockerfile') });
  const listed = await source.list({ skipDir: (dir) => filter.canSkipDir(dir) });
  const entries: ContextStat[] = [];
  const byPath = new Map<string, ContextStat>();
  let tarSize = 2 * BLOCK;
  for (const entry of listed) {
    if (!filter.isSent(entry.path, entry.type === 'dir')) continue;
    entries.push(entry);
    byPath.set(entry.path, entry);
    const target =
      entry.type === 'symlink' && entry.size > 100 ? await source.readlink(entry.path) : undefined;
    tarSize += tarEntrySize(entry, target);
  }
  return {
    source,
    entries,
    byPath,
    isCopyable: (path, isDir) => filter.isCopyable(path, isDir),
    tarSize,
    dockerignore,
  };
}

/**
 * Docker's units.HumanSizeWithPrecision(size, 4): decimal units, four significant digits, no trailing
 * zeros: `512B`, `2.048kB`, `10.24kB`, `1.5MB`.
 */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}
