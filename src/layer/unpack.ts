/**
 * unpackLayer: a layer blob (tar, or tar+gzip) → an in-memory tree, streaming. The diff_id (SHA-256 of the
 * uncompressed tar) is computed on the way through; each file's bytes are written into the tree once,
 * straight from the decompressor's chunks.
 *
 * The tree is the layer as it is, not applied to anything: OCI whiteouts (`.wh.NAME`) and opaque markers
 * (`.wh..wh..opq`) stay as the empty files they are, for runtime/fs/UnionFileSystem to interpret.
 *
 * Safety: entry names are relative to the layer root whatever they say ('/etc/x' and './etc/x' are
 * 'etc/x'); a name or hard link target whose '..' climbs above the root fails the whole unpack with an
 * InvalidLayerError naming the entry. Nothing is resolved through symlinks (the tree is built by single
 * name lookups), so nothing can land outside the tree. Device nodes, FIFOs and unknown entry types are
 * skipped with a warning naming them.
 */
import { extract as tarExtract, type Header } from 'tar-stream';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import type { FileHandle, FsClock, FsNode } from '../../runtime/fs/types';
import { FILETYPE_DIRECTORY } from '../../runtime/wasi/defs';
import type { HasherFactory } from '../platform/hasher';
import { parseDigest, type Digest } from '../oci/digest';
import { InvalidLayerError } from './errors';
import { hasGzipMagic, hasZstdMagic, webGunzip, type ChunkTransform } from './gzip';
import { normalizeEntryPath } from './paths';
import { drained, peekBytes } from './stream';

export interface UnpackLayerOptions {
  /** Streaming SHA-256 (src/platform/hasher.ts), for the diff_id. */
  readonly hasher: HasherFactory;
  /** true: the input is gzip; false: plain tar; 'auto' (default): decided by the gzip magic bytes. */
  readonly gzip?: boolean | 'auto';
  /** The gzip decompressor; default DecompressionStream('gzip'). src/node/gzip.ts has a node:zlib one. */
  readonly gunzip?: ChunkTransform;
  /** Clock of the tree (ctim of its nodes); the system clock when omitted. */
  readonly clock?: FsClock;
}

export interface UnpackedLayer {
  /** The layer's tree, read-only. */
  readonly fs: MemoryFileSystem;
  /** SHA-256 of the uncompressed tar. */
  readonly diffId: Digest;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
  /** Entries skipped or oddities seen, each naming the entry. */
  readonly warnings: string[];
}

const NS_PER_SECOND = 1_000_000_000n;
const noop = (): void => {};

/** A pax mtime ("1700000000.123456789") or the ustar one, as nanoseconds. */
function mtimeOf(header: Header): bigint {
  const pax = header.pax as Record<string, string> | null | undefined;
  const text = pax?.mtime;
  if (text !== undefined) {
    const m = /^(-?)(\d+)(?:\.(\d{1,9})\d*)?$/.exec(text);
    if (m !== null) {
      const ns = BigInt(m[2]!) * NS_PER_SECOND + BigInt((m[3] ?? '').padEnd(9, '0'));
      return m[1] === '-' ? -ns : ns;
    }
  }
  const ms = header.mtime?.getTime() ?? 0;
  return BigInt(Math.floor(ms / 1000)) * NS_PER_SECOND;
}

interface FileSink {
  write(chunk: Uint8Array): void;
  end(): void;
}

/** Builds the tree entry by entry, as tar order dictates: later entries replace earlier ones. */
class TreeBuilder {
  readonly fs: MemoryFileSystem;
  readonly warnings: string[] = [];
  /** Directories by relative path ('' is the root), so each entry finds its parent in one lookup. */
  private readonly dirs = new Map<string, FsNode>();
  /** Final mtime of every directory: applied at the end, since adding entries moves a directory's mtime. */
  private readonly dirTimes = new Map<FsNode, bigint>();

  constructor(clock: FsClock | undefined) {
    this.fs = new MemoryFileSystem(clock === undefined ? {} : { clock });
    const root = this.fs.root();
    this.dirs.set('', root);
    this.dirTimes.set(root, 0n);
  }

  /** Starts an entry; returns where its data goes, or null when the data (if any) is to be skipped. */
  begin(header: Header): FileSink | null {
    const raw = header.name;
    const parts = normalizeEntryPath(raw);
    if (parts === null) throw new InvalidLayerError(raw, 'path escapes the layer root');
    const mode = (header.mode ?? 0) & 0o7777;
    const mtim = mtimeOf(header);
    switch (header.type) {
      case 'directory':
        this.directory(raw, parts, mode, mtim);
        return null;
      case 'file':
      case 'contiguous-file':
        return this.file(raw, parts, mode, mtim, header.size ?? 0);
      case 'symlink':
        this.symlink(raw, parts, header.linkname ?? '', mtim);
        return null;
      case 'link':
        this.hardlink(raw, parts, header.linkname ?? '');
        return null;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.warnings.push(
          `skipped ${header.type} ${JSON.stringify(raw)}: device nodes and FIFOs are not supported`,
        );
        return null;
      default:
        this.warnings.push(`skipped ${JSON.stringify(raw)}: unsupported tar entry type`);
        return null;
    }
  }

  /** Applies the directory times and makes the tree read-only. */
  finish(): MemoryFileSystem {
    for (const [node, mtim] of this.dirTimes) this.fs.setTimes(node, mtim, mtim);
    this.fs.seal();
    return this.fs;
  }

  private directory(raw: string, parts: string[], mode: number, mtim: bigint): void {
    const fs = this.fs;
    if (parts.length === 0) {
      fs.setMode(fs.root(), mode);
      this.dirTimes.set(fs.root(), mtim);
      return;
    }
    const parent = this.parentOf(raw, parts);
    const name = parts[parts.length - 1]!;
    let node = fs.lookup(parent, name);
    if (typeof node !== 'number' && fs.stat(node).filetype === FILETYPE_DIRECTORY) {
      fs.setMode(node, mode);
    } else {
      if (typeof node !== 'number') this.remove(parent, name, parts.join('/'));
      node = check(raw, fs.mkdir(parent, name, mode));
      this.dirs.set(parts.join('/'), node);
    }
    this.dirTimes.set(node, mtim);
  }

  private file(raw: string, parts: string[], mode: number, mtim: bigint, size: number): FileSink {
    const fs = this.fs;
    const name = this.nonRoot(raw, parts);
    const parent = this.parentOf(raw, parts);
    this.replace(parent, name, parts);
    const node = check(raw, fs.createFile(parent, name, mode));
    const handle = check(raw, fs.open(node, { read: false, write: true })) as FileHandle;
    // One allocation of the final size, then each chunk copied once into place.
    if (size > 0) check(raw, handle.setSize(size));
    let at = 0;
    return {
      write(chunk: Uint8Array): void {
        const n = handle.pwrite(chunk, at);
        if (n < 0) throw new InvalidLayerError(raw, `writing the file failed (errno ${-n})`);
        at += n;
      },
      end(): void {
        handle.close();
        if (at !== size) throw new InvalidLayerError(raw, `got ${at} bytes of data, the header says ${size}`);
        fs.setTimes(node, mtim, mtim);
      },
    };
  }

  private symlink(raw: string, parts: string[], target: string, mtim: bigint): void {
    const name = this.nonRoot(raw, parts);
    const parent = this.parentOf(raw, parts);
    this.replace(parent, name, parts);
    const node = check(raw, this.fs.symlink(parent, name, target));
    this.fs.setTimes(node, mtim, mtim);
  }

  private hardlink(raw: string, parts: string[], linkname: string): void {
    const fs = this.fs;
    const name = this.nonRoot(raw, parts);
    const targetParts = normalizeEntryPath(linkname);
    if (targetParts === null) {
      throw new InvalidLayerError(raw, `hard link target ${JSON.stringify(linkname)} escapes the layer root`);
    }
    const target = this.find(targetParts);
    if (target === null) {
      throw new InvalidLayerError(
        raw,
        `hard link target ${JSON.stringify(linkname)} does not exist (no earlier entry of the layer has that name)`,
      );
    }
    if (fs.stat(target).filetype === FILETYPE_DIRECTORY) {
      throw new InvalidLayerError(raw, `hard link target ${JSON.stringify(linkname)} is a directory`);
    }
    const parent = this.parentOf(raw, parts);
    const existing = fs.lookup(parent, name);
    if (existing === target) return;
    this.replace(parent, name, parts);
    check(raw, fs.link(target, parent, name));
  }

  private nonRoot(raw: string, parts: string[]): string {
    if (parts.length === 0) throw new InvalidLayerError(raw, 'names the layer root but is not a directory');
    return parts[parts.length - 1]!;
  }

  /** The parent directory of an entry, creating missing ones (mode 0755, mtime 0) as tar does. */
  private parentOf(raw: string, parts: string[]): FsNode {
    return this.dirAt(raw, parts, parts.length - 1);
  }

  private dirAt(raw: string, parts: string[], count: number): FsNode {
    const key = parts.slice(0, count).join('/');
    const cached = this.dirs.get(key);
    if (cached !== undefined) return cached;
    const parent = this.dirAt(raw, parts, count - 1);
    const name = parts[count - 1]!;
    let node = this.fs.lookup(parent, name);
    if (typeof node === 'number') {
      node = check(raw, this.fs.mkdir(parent, name, 0o755));
      this.dirTimes.set(node, 0n);
    } else if (this.fs.stat(node).filetype !== FILETYPE_DIRECTORY) {
      throw new InvalidLayerError(raw, `${JSON.stringify(key)} is not a directory in this layer`);
    }
    this.dirs.set(key, node);
    return node;
  }

  /** An existing node by path, without creating or following anything; null when absent. */
  private find(parts: string[]): FsNode | null {
    let node = this.fs.root();
    for (const part of parts) {
      const next = this.fs.lookup(node, part);
      if (typeof next === 'number') return null;
      node = next;
    }
    return node;
  }

  /** Removes whatever an earlier entry left at `name` (tar extraction overwrites). */
  private replace(parent: FsNode, name: string, parts: string[]): void {
    if (typeof this.fs.lookup(parent, name) !== 'number') this.remove(parent, name, parts.join('/'));
  }

  private remove(parent: FsNode, name: string, key: string): void {
    const fs = this.fs;
    const node = fs.lookup(parent, name);
    if (typeof node === 'number') return;
    if (fs.stat(node).filetype !== FILETYPE_DIRECTORY) {
      check(key, fs.unlink(parent, name));
      return;
    }
    const list = check(key, fs.readdir(node));
    for (const entry of [...list]) this.remove(node, entry.name, `${key}/${entry.name}`);
    check(key, fs.rmdir(parent, name));
    this.dirTimes.delete(node);
    for (const cached of [...this.dirs.keys()]) {
      if (cached === key || cached.startsWith(`${key}/`)) this.dirs.delete(cached);
    }
  }
}

/** A tree operation's result, or an InvalidLayerError naming the entry (errno values are numbers). */
function check<T>(raw: string, result: T | number): T {
  if (typeof result === 'number' && result !== 0) {
    throw new InvalidLayerError(raw, `the tree refused it (errno ${result})`);
  }
  return result as T;
}

/** Remembers the last 1024 bytes of a stream, to check for tar's end-of-archive marker. */
class Tail {
  private readonly chunks: Uint8Array[] = [];
  private held = 0;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.chunks.length > 1 && this.held - this.chunks[0]!.length >= 1024) {
      this.held -= this.chunks.shift()!.length;
    }
  }

  /** Whether the stream ended with at least two zero blocks. */
  endsWithZeroBlocks(): boolean {
    if (this.held < 1024) return false;
    let need = 1024;
    for (let c = this.chunks.length - 1; c >= 0 && need > 0; c--) {
      const chunk = this.chunks[c]!;
      for (let i = chunk.length - 1; i >= 0 && need > 0; i--, need--) if (chunk[i] !== 0) return false;
    }
    return true;
  }
}

/**
 * Unpacks a layer blob into a fresh read-only MemoryFileSystem. Fails with InvalidLayerError on an
 * escaping name, a hard link to a missing target, a corrupt or truncated tar or gzip stream, or a zstd
 * layer (not supported); a failure of `chunks` itself is passed on as it is.
 */
export async function unpackLayer(
  chunks: AsyncIterable<Uint8Array>,
  options: UnpackLayerOptions,
): Promise<UnpackedLayer> {
  const { head, stream, cancel } = await peekBytes(chunks, 4);
  const mode = options.gzip ?? 'auto';
  const gzip = mode === 'auto' ? hasGzipMagic(head) : mode;
  const refusal = hasZstdMagic(head)
    ? 'zstd-compressed layers are not supported'
    : gzip && !hasGzipMagic(head)
      ? 'not gzip (no gzip magic bytes)'
      : undefined;
  if (refusal !== undefined) {
    await cancel();
    throw new InvalidLayerError(undefined, refusal);
  }
  const tar = gzip ? (options.gunzip ?? webGunzip)(stream) : stream;

  const builder = new TreeBuilder(options.clock);
  const hasher = options.hasher();
  const tail = new Tail();
  let size = 0;

  // allowUnknownFormat: accept pre-POSIX (v7) headers too; the header checksum is still verified.
  const extract = tarExtract({ allowUnknownFormat: true } as Parameters<typeof tarExtract>[0]);
  let entryName: string | undefined;
  const extracted = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, entry, next) => {
      entryName = header.name;
      entry.on('error', noop);
      let sink: FileSink | null;
      try {
        sink = builder.begin(header);
      } catch (error) {
        extract.destroy(error as Error);
        return;
      }
      if (sink !== null) {
        const out = sink;
        entry.on('data', (chunk) => {
          try {
            out.write(chunk as Uint8Array);
          } catch (error) {
            extract.destroy(error as Error);
          }
        });
      } else {
        entry.resume();
      }
      entry.on('end', () => {
        try {
          sink?.end();
        } catch (error) {
          extract.destroy(error as Error);
          return;
        }
        next();
      });
    });
    extract.on('error', reject);
    extract.on('finish', resolve);
    extract.on('close', () => reject(new InvalidLayerError(undefined, 'tar extraction stopped')));
  });
  // Whatever ends the extraction first wins; the later settle calls are no-ops.
  extracted.catch(noop);

  try {
    for await (const chunk of tar) {
      if (extract.destroyed) break;
      hasher.update(chunk);
      size += chunk.length;
      tail.push(chunk);
      if (!extract.write(chunk)) await drained(extract);
    }
    if (!extract.destroyed) extract.end(null);
  } catch (error) {
    extract.destroy(error as Error);
  }
  try {
    await extracted;
  } catch (error) {
    if (error instanceof InvalidLayerError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/Unexpected end of data/.test(message)) {
      throw new InvalidLayerError(entryName, `the tar is truncated (${message})`, { cause: error });
    }
    if (/Invalid tar header|Header exceeds/.test(message)) {
      throw new InvalidLayerError(undefined, `not a valid tar (${message})`, { cause: error });
    }
    throw error;
  }
  if (size === 0) builder.warnings.push('empty layer: the stream had no bytes at all');
  else if (!tail.endsWithZeroBlocks())
    builder.warnings.push('the tar has no end-of-archive marker (truncated?)');

  return { fs: builder.finish(), diffId: parseDigest(hasher.digest()), size, warnings: builder.warnings };
}
