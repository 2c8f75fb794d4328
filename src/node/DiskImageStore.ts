/**
 * An ImageStore in one JSON file, `<root>/images.json` (see src/image/types.ts for the rules):
 *
 *   { "schemaVersion": 1, "images": [ { "name", "familiar", "target", "createdAt", "updatedAt" }, … ] }
 *
 * Reads take no lock: the file is only ever replaced whole (written to a temporary file next to it,
 * fsynced, renamed over it, directory fsynced), so a reader sees the old or the new version and a crash
 * leaves one of them. Changes are read-modify-write under a lock, so that two berth processes do not lose
 * each other's tags: in-process a queue, across processes a lock file `images.json.lock` created
 * exclusively and holding the owner's pid. A lock whose owner is dead (kill -9), or older than
 * LOCK_STALE_MS, is taken over.
 */
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from './asyncFs';
import type { FileHandle } from './asyncFs';
import { join } from 'node:path';
import { CorruptStoreError } from '../errors/CorruptStoreError';
import { LockTimeoutError } from '../errors/LockTimeoutError';
import { byName, makeRecord, toReference } from '../image/records';
import type { ImageRecord, ImageStore } from '../image/types';
import { isObject } from '../oci/checks';
import { parseDescriptor } from '../oci/descriptor';
import type { ImageReference } from '../oci/reference';
import { parseReference } from '../oci/reference';
import type { Descriptor } from '../oci/types';
import { isErrnoCode, readSmallFile, syncDirectory, type FileSnapshot } from './fsHelpers';
import { stateRoot } from './stateRoot';
import { randomHex } from './lazyBuiltins';

export interface DiskImageStoreOptions {
  /** The directory holding images.json; default stateRoot(). Created on demand. */
  root?: string;
  /** The clock for createdAt/updatedAt; defaults to the current time. */
  now?: () => Date;
  /** How long to wait for another process's lock before failing; default 10 s. */
  lockTimeoutMs?: number;
}

export const IMAGES_FILE = 'images.json';
/** A lock held this long is assumed abandoned (a change holds it for milliseconds). */
export const LOCK_STALE_MS = 30_000;
const SCHEMA_VERSION = 1;

export class DiskImageStore implements ImageStore {
  readonly root: string;
  readonly file: string;
  private readonly lockFile: string;
  private readonly now: () => Date;
  private readonly lockTimeoutMs: number;
  /** In-process serialisation of changes; never rejects. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The records of the images.json last parsed, and which version of the file that was. */
  private memo: { stamp: string; records: Map<string, ImageRecord> } | undefined;

  constructor(options: DiskImageStoreOptions = {}) {
    this.root = options.root ?? stateRoot();
    this.file = join(this.root, IMAGES_FILE);
    this.lockFile = `${this.file}.lock`;
    this.now = options.now ?? (() => new Date());
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async get(reference: string | ImageReference): Promise<ImageRecord | undefined> {
    const name = toReference(reference).canonical;
    const record = (await this.current()).get(name);
    return record && structuredClone(record);
  }

  async list(): Promise<ImageRecord[]> {
    return [...(await this.current()).values()].map((r) => structuredClone(r)).sort(byName);
  }

  async put(reference: string | ImageReference, target: Descriptor): Promise<ImageRecord> {
    const ref = toReference(reference);
    return this.change((records) => {
      const record = makeRecord(ref, target, records.get(ref.canonical), this.now());
      records.set(record.name, record);
      return { result: structuredClone(record), changed: true };
    });
  }

  async delete(reference: string | ImageReference): Promise<boolean> {
    const name = toReference(reference).canonical;
    return this.change((records) => {
      const had = records.delete(name);
      return { result: had, changed: had };
    });
  }

  /** Runs a read-modify-write of the file under both locks. */
  private change<T>(fn: (records: Map<string, ImageRecord>) => { result: T; changed: boolean }): Promise<T> {
    const run = this.queue.then(async () => {
      await mkdir(this.root, { recursive: true });
      const release = await this.lock();
      try {
        const records = new Map([...(await this.current())].map(([n, r]) => [n, structuredClone(r)]));
        const { result, changed } = fn(records);
        if (changed) await this.save(records);
        return result;
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The records of the file as it is now. Shared with the memo: callers copy what they give out or
   * change, and only that (a build looks one image up at every step).
   */
  private async current(): Promise<ReadonlyMap<string, ImageRecord>> {
    let file: FileSnapshot | undefined;
    try {
      // Read at once (fsHelpers), and parsed again only when it is another file: a build looks up images
      // at every step, and checking every record costs more than the read.
      file = readSmallFile(this.file);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return new Map();
      throw err;
    }
    const memo = this.memo;
    if (file !== undefined && memo?.stamp === file.stamp) return memo.records;
    const text = file !== undefined ? file.bytes.toString('utf8') : await readFile(this.file, 'utf8');
    const records = this.parse(text);
    if (file !== undefined) this.memo = { stamp: file.stamp, records };
    return records;
  }

  private parse(text: string): Map<string, ImageRecord> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CorruptStoreError(this.file, 'not JSON', { cause: err });
    }
    if (!isObject(json) || json.schemaVersion !== SCHEMA_VERSION || !Array.isArray(json.images)) {
      throw new CorruptStoreError(
        this.file,
        `expected {"schemaVersion": ${SCHEMA_VERSION}, "images": [...]}`,
      );
    }
    const records = new Map<string, ImageRecord>();
    for (const [i, value] of json.images.entries()) {
      const record = this.parseRecord(value, i);
      records.set(record.name, record);
    }
    return records;
  }

  private parseRecord(value: unknown, i: number): ImageRecord {
    const bad = (reason: string, cause?: unknown): never => {
      throw new CorruptStoreError(this.file, `images[${i}]: ${reason}`, { cause });
    };
    if (!isObject(value)) return bad('not an object');
    const { name, familiar, target, createdAt, updatedAt } = value;
    for (const [key, v] of Object.entries({ name, familiar, createdAt, updatedAt })) {
      if (typeof v !== 'string') bad(`${key} must be a string`);
    }
    try {
      if (parseReference(name as string).canonical !== name)
        bad(`name ${JSON.stringify(name)} is not normalised`);
      parseDescriptor(target, `image record ${name as string}`, 'target');
    } catch (err) {
      if (err instanceof CorruptStoreError) throw err;
      bad((err as Error).message, err);
    }
    return value as unknown as ImageRecord;
  }

  private async save(records: Map<string, ImageRecord>): Promise<void> {
    const body = { schemaVersion: SCHEMA_VERSION, images: [...records.values()].sort(byName) };
    const temp = `${this.file}.${randomHex(8)}.tmp`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(temp, 'wx', 0o644);
      await fh.writeFile(`${JSON.stringify(body, null, 2)}\n`, 'utf8');
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(temp, this.file);
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await syncDirectory(this.root);
  }

  /** Takes the cross-process lock file; resolves to its release. */
  private async lock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.lockTimeoutMs;
    const token = `${process.pid} ${randomHex(8)}\n`;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        await writeFile(this.lockFile, token, { flag: 'wx' });
        return async () => {
          // Remove it only if it is still ours (not taken over as stale meanwhile).
          const now = await readFile(this.lockFile, 'utf8').catch(() => undefined);
          if (now === token) await unlink(this.lockFile).catch(() => undefined);
        };
      } catch (err) {
        if (!isErrnoCode(err, 'EEXIST')) throw err;
      }
      if (await this.breakStaleLock()) continue;
      if (Date.now() > deadline) {
        throw new LockTimeoutError(this.lockFile, this.lockTimeoutMs);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Removes the lock file when its owner is gone or it is too old; true if it did. */
  private async breakStaleLock(): Promise<boolean> {
    let text: string;
    let age: number;
    try {
      [text, age] = await Promise.all([
        readFile(this.lockFile, 'utf8'),
        stat(this.lockFile).then((s) => Date.now() - s.mtimeMs),
      ]);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return true; // released meanwhile: try again now
      throw err;
    }
    const pid = Number.parseInt(text, 10);
    if (age < LOCK_STALE_MS && (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid))) return false;
    try {
      // Re-check: only remove the very lock we judged stale.
      if ((await readFile(this.lockFile, 'utf8')) === text) await unlink(this.lockFile);
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
    return true;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrnoCode(err, 'ESRCH');
  }
}
