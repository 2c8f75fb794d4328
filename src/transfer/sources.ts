/**
 * Where an import reads from: the files of an OCI layout or docker-save archive by relative path, either
 * a directory (read on demand) or a tar stream (read once, in archive order: every blob-like member is
 * ingested into the content store as it streams past, small JSON files are kept in memory).
 */
import type { ContentStore, Expected, Info } from '../content/types';
import { DigestMismatchError } from '../errors/DigestMismatchError';
import { SizeMismatchError } from '../errors/SizeMismatchError';
import { normalizeEntryPath } from '../layer/paths';
import type { Digest } from '../oci/digest';
import { InvalidArchiveError, messageOf } from './errors';
import { isNotFound, joinPath, type TransferFs } from './fs';
import { tarMembers } from './tarReader';

/** The largest file an import keeps in memory (manifest.json, index.json, configs): 16 MiB. */
export const MAX_JSON_FILE = 16 * 1024 * 1024;

export interface ImportSource {
  /** For messages: the directory or archive. */
  readonly name: string;
  /** A small file's bytes, or undefined when there is no such file. */
  file(path: string): Promise<Uint8Array | undefined>;
  /**
   * Stores the file as a blob (verifying `expected`; DigestMismatchError / SizeMismatchError otherwise)
   * and returns its info, or undefined when there is no such file.
   */
  blob(path: string, expected: Expected): Promise<Info | undefined>;
}

/** Remembers which blobs an import added to the store, so that a failed import can take them back. */
export class IngestLog {
  readonly added = new Set<Digest>();
  private before: Set<Digest> | undefined;

  constructor(private readonly content: ContentStore) {}

  async start(): Promise<void> {
    this.before = new Set((await this.content.list()).map((i) => i.digest));
  }

  /** Streams chunks into the store as one blob. */
  async ingest(chunks: AsyncIterable<Uint8Array> | Uint8Array, expected: Expected): Promise<Info> {
    const writer = await this.content.writer(expected);
    try {
      if (chunks instanceof Uint8Array) await writer.write(chunks);
      else for await (const chunk of chunks) await writer.write(chunk);
      const info = await writer.commit();
      if (!this.before?.has(info.digest)) this.added.add(info.digest);
      return info;
    } finally {
      await writer.abort();
    }
  }

  /** Deletes the blobs this import added, except `keep`. */
  async rollback(keep: ReadonlySet<Digest> = new Set()): Promise<void> {
    for (const digest of this.added) {
      if (!keep.has(digest)) await this.content.delete(digest);
    }
  }
}

function checkExpected(path: string, info: Info, expected: Expected): Info {
  if (expected.size !== undefined && info.size !== expected.size) {
    throw new SizeMismatchError(expected.digest ?? path, expected.size, info.size);
  }
  if (expected.digest !== undefined && info.digest !== expected.digest) {
    throw new DigestMismatchError(expected.digest, info.digest);
  }
  return info;
}

/** An OCI layout (or an unpacked docker-save archive) in a directory. */
export class DirectoryReader implements ImportSource {
  readonly name: string;

  constructor(
    private readonly fs: TransferFs,
    private readonly dir: string,
    private readonly log: IngestLog,
  ) {
    this.name = dir;
  }

  async file(path: string): Promise<Uint8Array | undefined> {
    const full = joinPath(this.dir, path);
    const size = await this.fs.size(full);
    if (size === undefined) return undefined;
    if (size > MAX_JSON_FILE)
      throw new InvalidArchiveError(path, undefined, `too large to read (${size} bytes)`);
    try {
      return await this.fs.readFile(full);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async blob(path: string, expected: Expected): Promise<Info | undefined> {
    const full = joinPath(this.dir, path);
    const size = await this.fs.size(full);
    if (size === undefined) return undefined;
    if (expected.size !== undefined && size !== expected.size) {
      throw new SizeMismatchError(expected.digest ?? path, expected.size, size);
    }
    return this.log.ingest(this.fs.read(full), expected);
  }
}

const BLOB_PATH = /^blobs\/sha256\/([a-f0-9]{64})$/;
const KEPT_NAMES = new Set(['oci-layout', 'index.json', 'manifest.json', 'repositories', 'json', 'VERSION']);

/** A tar archive (OCI layout or docker save), read once. */
export class TarReader implements ImportSource {
  private readonly files = new Map<string, Uint8Array>();
  private readonly blobs = new Map<string, Info>();
  private readonly links = new Map<string, string>();

  private constructor(
    readonly name: string,
    private readonly log: IngestLog,
  ) {}

  static async read(chunks: AsyncIterable<Uint8Array>, name: string, log: IngestLog): Promise<TarReader> {
    const source = new TarReader(name, log);
    for await (const member of tarMembers(chunks, name)) {
      const parts = normalizeEntryPath(member.name);
      if (parts === null)
        throw new InvalidArchiveError(
          name,
          undefined,
          `member ${JSON.stringify(member.name)} escapes the archive`,
        );
      const path = parts.join('/');
      switch (member.type) {
        case 'file':
        case 'contiguous-file':
          await source.take(path, member.size, member.body);
          break;
        case 'symlink': {
          const linkname = member.linkname ?? '';
          const base = linkname.startsWith('/') ? [] : parts.slice(0, -1);
          const target = normalizeEntryPath([...base, linkname].join('/'));
          if (target !== null) source.links.set(path, target.join('/'));
          break;
        }
        case 'link': {
          const target = normalizeEntryPath(member.linkname ?? '');
          if (target !== null) source.links.set(path, target.join('/'));
          break;
        }
        default:
          break;
      }
    }
    return source;
  }

  private async take(path: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    const blob = BLOB_PATH.exec(path);
    if (blob !== null) {
      try {
        this.blobs.set(path, await this.log.ingest(body, { digest: `sha256:${blob[1]}` as Digest, size }));
      } catch (error) {
        throw new InvalidArchiveError(
          path,
          undefined,
          `content does not match its name: ${messageOf(error)}`,
          { cause: error },
        );
      }
      return;
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (size <= MAX_JSON_FILE && (base.endsWith('.json') || KEPT_NAMES.has(base))) {
      const bytes = new Uint8Array(size);
      let at = 0;
      for await (const chunk of body) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      this.files.set(path, bytes);
      return;
    }
    this.blobs.set(path, await this.log.ingest(body, { size }));
  }

  private resolve(path: string): string {
    for (let hops = 0; hops < 16 && this.links.has(path); hops++) path = this.links.get(path)!;
    return path;
  }

  async file(path: string): Promise<Uint8Array | undefined> {
    return this.files.get(this.resolve(path));
  }

  async blob(path: string, expected: Expected): Promise<Info | undefined> {
    const real = this.resolve(path);
    const info = this.blobs.get(real);
    if (info !== undefined) return checkExpected(path, info, expected);
    const bytes = this.files.get(real);
    if (bytes === undefined) return undefined;
    return this.log.ingest(bytes, expected);
  }
}
