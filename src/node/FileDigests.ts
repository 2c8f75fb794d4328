/**
 * Content digests of host files, remembered by the files' identity. `berth build` keys a COPY step by the
 * digests of the files it names, so without this a context of large files is read and hashed in full at
 * every build, cached or not. As git's index and BuildKit's content-hash cache do, a digest is reused
 * while the file's device, inode, size, mtime and ctime are those it was hashed with; an edit, a touch, a
 * chmod or a file replaced by rename hashes it again.
 *
 * A file written twice within one timestamp tick could keep all of those: like git's "racy" entries, a
 * digest is not remembered while the file's mtime or ctime is less than RACY_MS old.
 *
 * Kept in `<state root>/buildcache/file-digests.json`, written atomically by save(). Two builds saving at
 * once each write a valid file and the later one wins, which costs the other's new entries a rehash.
 * Past MAX_ENTRIES, the entries the last build did not use are dropped.
 */
import { readFileSync, type Stats } from 'node:fs';
import { mkdir, open } from './asyncFs';
import { dirname } from 'node:path';
import type { HasherFactory } from '../platform/hasher';
import { writeFileAtomic } from './atomicFile';
import { isErrnoCode } from './fsHelpers';

const RACY_MS = 2000;
const MAX_ENTRIES = 20_000;
const VERSION = 1;
const READ_CHUNK = 1024 * 1024;

/** [dev, ino, size, mtimeMs, ctimeMs, sha256 hex]: what a digest was computed from, and the digest. */
type Entry = [number, number, number, number, number, string];

function isEntry(value: unknown): value is Entry {
  return (
    Array.isArray(value) &&
    value.length === 6 &&
    value.slice(0, 5).every((n) => typeof n === 'number') &&
    typeof value[5] === 'string' &&
    /^[0-9a-f]{64}$/.test(value[5])
  );
}

export class FileDigests {
  private entries: Map<string, Entry> | undefined;
  private readonly used = new Set<string>();
  private changed = false;

  constructor(
    /** The JSON file the digests are kept in. */
    private readonly file: string,
    private readonly hasher: HasherFactory,
    private readonly now: () => number = Date.now,
  ) {}

  /** The SHA-256 (64 hex digits) of the regular file at absolute `path`, whose lstat is `st`. */
  async digest(path: string, st: Stats): Promise<string> {
    const entries = this.load();
    this.used.add(path);
    const known = entries.get(path);
    if (
      known !== undefined &&
      known[0] === st.dev &&
      known[1] === st.ino &&
      known[2] === st.size &&
      known[3] === st.mtimeMs &&
      known[4] === st.ctimeMs
    ) {
      return known[5];
    }
    const digest = await this.hash(path);
    const racy = this.now() - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS;
    if (racy) {
      if (entries.delete(path)) this.changed = true;
    } else {
      entries.set(path, [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, digest]);
      this.changed = true;
    }
    return digest;
  }

  /** Writes the digests learnt since load, when there are any. */
  async save(): Promise<void> {
    if (!this.changed || this.entries === undefined) return;
    let kept = [...this.entries];
    if (kept.length > MAX_ENTRIES) kept = kept.filter(([path]) => this.used.has(path));
    await mkdir(dirname(this.file), { recursive: true });
    // Not durable: losing the file to a power cut only costs a rehash.
    await writeFileAtomic(this.file, JSON.stringify({ version: VERSION, files: Object.fromEntries(kept) }), {
      durable: false,
    });
    this.changed = false;
  }

  private load(): Map<string, Entry> {
    if (this.entries !== undefined) return this.entries;
    this.entries = new Map();
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
    if (text === undefined) return this.entries;
    try {
      const json = JSON.parse(text) as { version?: unknown; files?: Record<string, unknown> };
      if (json.version !== VERSION || typeof json.files !== 'object' || json.files === null)
        return this.entries;
      for (const [path, entry] of Object.entries(json.files))
        if (isEntry(entry)) this.entries.set(path, entry);
    } catch {
      // Damaged (by hand): start afresh, as with no file.
    }
    return this.entries;
  }

  private async hash(path: string): Promise<string> {
    const h = this.hasher();
    const fh = await open(path, 'r');
    try {
      const buffer = new Uint8Array(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        h.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    return h.digest().slice('sha256:'.length);
  }
}
