/**
 * COPY and ADD planning with the classic builder's rules, independent of where the files go:
 * sources (context or another stage's filesystem) → the entries to write into the container, with
 * absolute destination paths, and the content hash that goes into the step's history line and cache key.
 *
 * Docker's destination rules:
 * - a relative destination is relative to WORKDIR;
 * - a destination ending in `/` is a directory; so is one that already exists as a directory;
 * - more than one source (directly or through a wildcard) needs a directory destination ending in `/`;
 * - a directory source copies its contents, not the directory itself;
 * - a symlink named as a source is followed inside the source tree; symlinks inside a copied directory
 *   are copied as symlinks;
 * - `--chmod` sets the mode of every copied file and directory;
 * - ADD extracts a local tar archive (plain or gzip) into the destination directory; URLs are refused.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { LayerEntry } from '../layer/types';
import { hasGzipMagic, webGunzip, type ChunkTransform } from '../layer/gzip';
import { treeEntries } from '../layer/tree';
import { unpackLayer } from '../layer/unpack';
import type { HasherFactory } from '../platform/hasher';
import { BuildContextError } from './errors';
import { cleanPath, expandCopySources, type ContextEntry } from './glob';

/** One entry of a tree COPY reads from (the build context, or a stage's or image's filesystem). */
export interface SourceEntry {
  /** Relative to the tree's root, `/`-separated, clean. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
}

export interface SourceTree {
  /** `context` for the build context; otherwise the errors name the stage or image. */
  readonly kind: 'context' | 'stage' | 'image';
  /** The stage name or image reference, for messages. */
  readonly name?: string;
  readonly entries: readonly SourceEntry[];
  readonly byPath: ReadonlyMap<string, SourceEntry>;
  /** Entries COPY may not see (`.dockerignore`). */
  excluded?(path: string, isDir: boolean): boolean;
  readFile(path: string): Promise<Uint8Array>;
  readlink(path: string): Promise<string>;
  /**
   * A file's SHA-256 (64 lowercase hex digits) without the builder reading it: a host can answer from a
   * cache keyed by the file's identity (src/node/FileDigests.ts). COPY then reads a file only when its
   * step is not cached. Without it every source is read and hashed; the cache key is the same.
   */
  digest?(path: string): Promise<string>;
}

export interface CopyRequest {
  instruction: 'COPY' | 'ADD';
  /** After variable substitution. */
  sources: readonly string[];
  /** After variable substitution, as written (relative to WORKDIR unless absolute). */
  dest: string;
  /** The current WORKDIR ('' or '/' when none). */
  workdir: string;
  /** `--chmod` as a number; undefined keeps the sources' modes. */
  chmod?: number;
  /** Whether an absolute path exists as a directory in the image being built on. */
  isDirectory?(path: string): Promise<boolean> | boolean;
  /**
   * The path with the symlinks of the image being built on resolved (its missing tail kept as it is):
   * Docker follows symlinks in the destination inside the container's root.
   */
  realPath?(path: string): Promise<string> | string;
  /** Hashes file contents for the cache key; default a JavaScript SHA-256. */
  hasher?: HasherFactory;
  /** For ADD archives; default DecompressionStream('gzip'). */
  gunzip?: ChunkTransform;
}

export interface CopyPlan {
  /**
   * What to write, absolute paths, each directory before its contents. Missing parent directories are
   * for the writer to create (0755, like Docker's MkdirAll); existing ones keep their metadata.
   */
  entries: LayerEntry[];
  /** Directories that must exist afterwards even when nothing is copied into them (an empty source). */
  ensureDirs: string[];
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`: Docker's source hash, over contents and metadata. */
  hash: string;
  /** The absolute destination (a directory when it ends in `/`). */
  dest: string;
}

const NS_PER_MS = 1_000_000n;
const utf8 = new TextEncoder();

const nobleHasher: HasherFactory = () => {
  const h = sha256.create();
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => `sha256:${bytesToHex(h.digest())}`,
  };
};

function hex(hasher: HasherFactory, parts: readonly (string | Uint8Array)[]): string {
  const h = hasher();
  for (const p of parts) h.update(typeof p === 'string' ? utf8.encode(p) : p);
  return h.digest().slice('sha256:'.length);
}

/** Joins absolute `dir` and a relative path, Go path.Join style. */
function joinAbs(dir: string, rel: string): string {
  return cleanPath(`${dir}/${rel}`);
}

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Docker: a relative destination joins WORKDIR; a trailing `/` (or `/.`, `.`) means a directory. */
export function copyDestination(dest: string, workdir: string): { path: string; isDir: boolean } {
  const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  const abs = dest.startsWith('/') ? cleanPath(dest) : cleanPath(`/${workdir || '/'}/${dest}`);
  return { path: abs, isDir };
}

/** A tar header's checksum is valid (ustar or old v7 tar): how Docker's DetectCompression tells a tar. */
function isTar(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  let stored = '';
  for (let i = 148; i < 156; i++) stored += String.fromCharCode(head[i]);
  const want = parseInt(stored.replace(/\0/g, ' ').trim(), 8);
  if (!Number.isFinite(want)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : head[i];
  return sum === want;
}

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of source) {
    chunks.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * ADD's archive test: a (gzip-compressed) tar. Returns the uncompressed tar or undefined when `data` is
 * not an archive (then ADD copies it as a file, like Docker).
 */
async function asTar(data: Uint8Array, gunzip: ChunkTransform): Promise<Uint8Array | undefined> {
  if (hasGzipMagic(data)) {
    let tar: Uint8Array;
    try {
      tar = await collect(gunzip(once(data)));
    } catch {
      return undefined;
    }
    return isTar(tar) ? tar : undefined;
  }
  return isTar(data) ? data : undefined;
}

/**
 * The members of a tar as entries relative to the destination (unpackLayer refuses names climbing out of the archive;
 * devices and FIFOs are skipped). Entries keep the archive's modes and times.
 */
async function extractTar(tar: Uint8Array, archive: string, hasher: HasherFactory): Promise<LayerEntry[]> {
  let unpacked;
  try {
    unpacked = await unpackLayer(once(tar), { hasher, gzip: false });
  } catch (err) {
    throw new BuildContextError(`ADD failed: ${archive}: ${(err as Error).message}`);
  }
  const rel = (p: string) => p.replace(/^\/+/, '');
  return treeEntries(unpacked.fs).map((e) => ({
    ...e,
    path: rel(e.path),
    ...(e.type === 'hardlink' && e.target !== undefined ? { target: rel(e.target) } : {}),
  }));
}

/** Follows a symlink named as a source, inside the tree (Docker's FollowSymlinkInScope). */
async function followInTree(tree: SourceTree, path: string): Promise<SourceEntry | undefined> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const entry = tree.byPath.get(current);
    if (entry === undefined || entry.type !== 'symlink') return entry;
    const target = await tree.readlink(current);
    const dir = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
    // Scoped: an absolute target or `..` climbing above the root stays inside the tree.
    const resolved = target.startsWith('/') ? cleanPath(target) : cleanPath(`/${dir}/${target}`);
    current = resolved.replace(/^\/+/, '') || '.';
    if (current === '.') return { path: '.', type: 'dir', mode: 0o755, size: 0, mtimeMs: 0 };
  }
  return undefined;
}

function notFound(tree: SourceTree, instruction: string, path: string): BuildContextError {
  if (tree.kind === 'context') {
    return new BuildContextError(
      `${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${path}: file does not exist`,
    );
  }
  return new BuildContextError(`${instruction} failed: stat ${path}: file does not exist`);
}

/** A file gathered by its digest alone: placeCopy reads it, and checks that it still has that digest. */
interface UnreadFile {
  /** In the source tree. */
  path: string;
  /** 64 hex digits, as hashed into the cache key. */
  digest: string;
}

/**
 * One source after matching: a file, or a tree (a directory's contents, an archive's). A file entry
 * whose `unread` is set has no data yet.
 */
type GatheredItem =
  | { kind: 'file'; name: string; entry: LayerEntry; unread?: UnreadFile }
  /** Entries with paths relative to the destination directory (`a`, `a/b`). */
  | { kind: 'tree'; entries: LayerEntry[]; unread: Map<LayerEntry, UnreadFile> };

/** The sources of a COPY/ADD, hashed, before the destination is known. */
export interface GatheredCopy {
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`: Docker's source hash, over contents and metadata. */
  hash: string;
  items: GatheredItem[];
  /** How many paths the sources matched (several need a directory destination). */
  count: number;
  /** Reads a file that was gathered by its digest. */
  read(file: UnreadFile): Promise<Uint8Array>;
}

/**
 * Matches the sources in `tree`, reads what they name and hashes it: everything the cache key needs,
 * without looking at the image the files go into. Throws BuildContextError (Docker's messages) for
 * missing or excluded sources, sources outside the tree, and several sources with a destination that is
 * not a directory.
 */
export async function gatherCopy(request: CopyRequest, tree: SourceTree): Promise<GatheredCopy> {
  const { instruction } = request;
  const hasher = request.hasher ?? nobleHasher;
  const gunzip = request.gunzip ?? webGunzip;
  const listing: ContextEntry[] = tree.entries.map((e) => ({ path: e.path, isDir: e.type === 'dir' }));
  let matches;
  try {
    matches = expandCopySources(request.sources, listing, {
      instruction,
      dest: request.dest,
      ...(tree.excluded !== undefined ? { exclude: (p: string, d: boolean) => tree.excluded!(p, d) } : {}),
    });
  } catch (err) {
    if (err instanceof BuildContextError && tree.kind !== 'context') {
      const m = /stat (.*): file does not exist$/.exec(err.message);
      if (m !== null) throw notFound(tree, instruction, m[1]);
    }
    throw err;
  }

  // A file's content digest: the tree's own when it can tell one, else the bytes read and hashed.
  const contentOf = async (path: string): Promise<{ digest: string; data?: Uint8Array }> => {
    if (tree.digest !== undefined) return { digest: await tree.digest(path) };
    const data = await tree.readFile(path);
    return { digest: hex(hasher, [data]), data };
  };
  const read = async (file: UnreadFile): Promise<Uint8Array> => {
    const data = await tree.readFile(file.path);
    if (hex(hasher, [data]) !== file.digest) {
      throw new BuildContextError(`${instruction} failed: ${file.path} changed during the build`);
    }
    return data;
  };

  const chmod = request.chmod;
  const count = matches.reduce((n, m) => n + m.matches.length, 0);
  const items: GatheredItem[] = [];
  const hashes: string[] = [];
  const modeOf = (entry: { mode: number }) => (chmod !== undefined ? chmod : entry.mode & 0o7777);
  const mtimOf = (entry: SourceEntry) => BigInt(entry.mtimeMs) * NS_PER_MS;

  for (const match of matches) {
    for (const m of match.matches) {
      let entry = m.path === '.' ? undefined : await followInTree(tree, m.path);
      if (m.path === '.') entry = { path: '.', type: 'dir', mode: 0o755, size: 0, mtimeMs: 0 };
      if (entry === undefined) throw notFound(tree, instruction, m.path);

      if (entry.type === 'dir') {
        // The directory's contents go into dest.
        const root = entry.path;
        const prefix = root === '.' ? '' : `${root}/`;
        const parts: string[] = [];
        const entries: LayerEntry[] = [];
        const unread = new Map<LayerEntry, UnreadFile>();
        for (const child of tree.entries) {
          if (prefix !== '' && !child.path.startsWith(prefix)) continue;
          if (child.path === root) continue;
          if (tree.excluded?.(child.path, child.type === 'dir')) continue;
          const rel = child.path.slice(prefix.length);
          const mode = modeOf(child);
          if (child.type === 'dir') {
            entries.push({ path: rel, type: 'dir', mode, mtim: mtimOf(child) });
            parts.push(`d ${rel} ${mode.toString(8)}`);
          } else if (child.type === 'symlink') {
            const target = await tree.readlink(child.path);
            entries.push({ path: rel, type: 'symlink', mode: 0o777, mtim: mtimOf(child), target });
            parts.push(`l ${rel} ${target}`);
          } else {
            const { digest, data } = await contentOf(child.path);
            const entry: LayerEntry = { path: rel, type: 'file', mode, mtim: mtimOf(child), ...(data ? { data } : {}) }; // prettier-ignore
            if (data === undefined) unread.set(entry, { path: child.path, digest });
            entries.push(entry);
            parts.push(`f ${rel} ${mode.toString(8)} ${data?.length ?? child.size} ${digest}`);
          }
        }
        items.push({ kind: 'tree', entries, unread });
        hashes.push(`dir:${hex(hasher, [parts.join('\n')])}`);
        continue;
      }

      // A file (a symlink source was followed).
      const mode = modeOf(entry);
      if (instruction === 'ADD' && tree.kind === 'context') {
        // Whether it is an archive is in its bytes: ADD reads its local sources in any case.
        const data = await tree.readFile(entry.path);
        const tar = await asTar(data, gunzip);
        if (tar !== undefined) {
          const entries = (await extractTar(tar, m.path, hasher)).map((e) =>
            chmod !== undefined && (e.type === 'file' || e.type === 'dir') ? { ...e, mode: chmod } : e,
          );
          items.push({ kind: 'tree', entries, unread: new Map() });
          hashes.push(`file:${hex(hasher, [`archive ${chmod?.toString(8) ?? ''}\n`, data])}`);
          continue;
        }
        items.push({ kind: 'file', name: base(m.path), entry: { path: '', type: 'file', mode, mtim: mtimOf(entry), data } }); // prettier-ignore
        hashes.push(`file:${hex(hasher, [`${mode.toString(8)} ${data.length} ${hex(hasher, [data])}`])}`);
        continue;
      }
      const { digest, data } = await contentOf(entry.path);
      items.push({
        kind: 'file',
        name: base(m.path),
        entry: { path: '', type: 'file', mode, mtim: mtimOf(entry), ...(data ? { data } : {}) },
        ...(data === undefined ? { unread: { path: entry.path, digest } } : {}),
      });
      hashes.push(`file:${hex(hasher, [`${mode.toString(8)} ${data?.length ?? entry.size} ${digest}`])}`);
    }
  }

  const hash = hashes.length === 1 ? hashes[0] : `multi:${hex(hasher, [hashes.join(',')])}`;
  return { hash, items, count, read };
}

/**
 * Places gathered sources at the destination: the destination rules that depend on the image (an
 * existing directory, symlinks on the way) are asked through `request.isDirectory` / `realPath`.
 */
export async function placeCopy(request: CopyRequest, gathered: GatheredCopy): Promise<CopyPlan> {
  const dest = copyDestination(request.dest, request.workdir);
  const single = gathered.count === 1 && gathered.items.length === 1 && gathered.items[0].kind === 'file';
  let destIsDir = dest.isDir || !single;
  if (!destIsDir && request.isDirectory !== undefined) destIsDir = await request.isDirectory(dest.path);
  if (request.realPath !== undefined && dest.path !== '/') {
    const slash = dest.path.lastIndexOf('/');
    dest.path = destIsDir
      ? await request.realPath(dest.path)
      : joinAbs(await request.realPath(dest.path.slice(0, slash) || '/'), dest.path.slice(slash + 1));
  }
  const entries = new Map<string, LayerEntry>();
  const ensureDirs: string[] = [];
  // A later source overwrites an earlier one at the same path, as copying in order would.
  const put = (entry: LayerEntry): void => {
    entries.delete(entry.path);
    entries.set(entry.path, entry);
  };
  for (const item of gathered.items) {
    if (item.kind === 'file') {
      const data = item.unread !== undefined ? { data: await gathered.read(item.unread) } : {};
      put({ ...item.entry, ...data, path: destIsDir ? joinAbs(dest.path, item.name) : dest.path });
      continue;
    }
    ensureDirs.push(dest.path);
    for (const e of item.entries) {
      const unread = item.unread.get(e);
      put({
        ...e,
        ...(unread !== undefined ? { data: await gathered.read(unread) } : {}),
        path: joinAbs(dest.path, e.path),
        ...(e.type === 'hardlink' && e.target !== undefined ? { target: joinAbs(dest.path, e.target) } : {}),
      });
    }
  }
  return {
    entries: sortParentsFirst([...entries.values()]),
    ensureDirs,
    hash: gathered.hash,
    dest: destIsDir && dest.path !== '/' ? `${dest.path}/` : dest.path,
  };
}

/** gatherCopy then placeCopy. */
export async function planCopy(request: CopyRequest, tree: SourceTree): Promise<CopyPlan> {
  return placeCopy(request, await gatherCopy(request, tree));
}

function sortParentsFirst(entries: LayerEntry[]): LayerEntry[] {
  const key = (p: string) => p.replaceAll('/', '\u0000');
  return entries.sort((a, b) => (key(a.path) < key(b.path) ? -1 : key(a.path) > key(b.path) ? 1 : 0));
}
