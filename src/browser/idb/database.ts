/**
 * The engine's IndexedDB database: one database per state (the browser's counterpart of a state root),
 * one object store per engine store. The IndexedDB stores of this folder each take the open database.
 *
 * Atomicity and concurrency come from IndexedDB itself: every change a store makes is one readwrite
 * transaction, which commits whole or not at all (also when the tab is closed in the middle), and
 * transactions on the same object store are serialised, also between tabs of one origin. So the rules
 * the disk stores keep with temporary files, renames and lock files hold here without either.
 *
 * The `idb` package wraps the request/event API in promises; inside a transaction only IndexedDB
 * requests are awaited, so the transaction stays active until it is done.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedStep } from '../../build/cache';
import type { ContainerRecord, LogEntry, VolumeRecord } from '../../engine/types';
import type { ImageRecord } from '../../image/types';
import type { MemoryTreeSnapshot } from '../../../runtime/fs/MemoryFileSystem';

/** A committed blob: its bytes as a Blob (kept by the browser outside the JavaScript heap). */
export interface StoredBlob {
  digest: string;
  size: number;
  /** ms since the epoch. */
  createdAt: number;
  data: Blob;
}

/** Version 1's log record: one per line, numbered by IndexedDB across containers (read only to migrate). */
interface StoredLogEntryV1 extends LogEntry {
  container: string;
  seq?: number;
}

/**
 * A run of log lines appended together, keyed by [container, seq] so a container's whole log is one key
 * range. `seq` counts one container's chunks from 1 in append order. The lines are packed (one byte
 * array, end offsets, a stream flag each) because one record of packed bytes stores and clones far
 * faster than thousands of small objects.
 */
export interface StoredLogChunk {
  container: string;
  seq: number;
  /** The lines' bytes, one after another. */
  data: Uint8Array;
  /** Where each line ends in `data`. */
  ends: Uint32Array;
  /** Per line: 0 stdout, 1 stderr. */
  streams: Uint8Array;
  /** Per line: its RFC 3339 time. */
  times: string[];
}

export interface StoredVolume {
  name: string;
  record: VolumeRecord;
  tree: MemoryTreeSnapshot;
}

export interface BerthSchema extends DBSchema {
  blobs: { key: string; value: StoredBlob };
  images: { key: string; value: ImageRecord };
  containers: { key: string; value: ContainerRecord; indexes: { name: string } };
  layers: { key: string; value: { id: string; tree: MemoryTreeSnapshot } };
  logs: { key: number; value: StoredLogEntryV1; indexes: { container: [string, number] } };
  logChunks: { key: [string, number]; value: StoredLogChunk };
  volumes: { key: string; value: StoredVolume };
  buildCache: { key: string; value: { key: string; step: CachedStep } };
}

export type BerthDatabase = IDBPDatabase<BerthSchema>;

/** The name openBrowserEngine uses when a page does not choose one. */
export const DEFAULT_DATABASE_NAME = 'berth';

/** 2: logs moved from one record per line ('logs') to packed chunks keyed by container ('logChunks'). */
const VERSION = 2;

/** Opens (creating or upgrading) the database `name`. */
export async function openBerthDatabase(name: string = DEFAULT_DATABASE_NAME): Promise<BerthDatabase> {
  if (typeof indexedDB === 'undefined') {
    throw new Error('IndexedDB is not available here: open the engine without persistence');
  }
  return openDB<BerthSchema>(name, VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('blobs', { keyPath: 'digest' });
        db.createObjectStore('images', { keyPath: 'name' });
        db.createObjectStore('containers', { keyPath: 'id' }).createIndex('name', 'name');
        db.createObjectStore('layers', { keyPath: 'id' });
        db.createObjectStore('volumes', { keyPath: 'name' });
        db.createObjectStore('buildCache', { keyPath: 'key' });
      }
      if (oldVersion < 2) {
        const chunks = db.createObjectStore('logChunks', { keyPath: ['container', 'seq'] });
        if (oldVersion === 1) {
          // Each old line becomes a one-line chunk, in the order it was appended.
          const next = new Map<string, number>();
          for (let c = await tx.objectStore('logs').openCursor(); c; c = await c.continue()) {
            const { container, stream, time, data } = c.value;
            const seq = (next.get(container) ?? 0) + 1;
            next.set(container, seq);
            await chunks.add(packLogChunk(container, seq, [{ stream, time, data }]));
          }
          db.deleteObjectStore('logs');
        }
      }
    },
    blocking(_current, _wanted, event) {
      // Another connection wants to delete or upgrade the database (deleteBerthDatabase, a newer
      // Berth in another tab): step aside instead of blocking it; this connection fails from now on.
      (event.target as IDBDatabase).close();
    },
  });
}

/** Deletes the database `name` and everything in it (tests, "reset" buttons). */
export async function deleteBerthDatabase(name: string = DEFAULT_DATABASE_NAME): Promise<void> {
  await deleteDB(name);
}

/** Packs lines into one chunk record. */
export function packLogChunk(container: string, seq: number, entries: readonly LogEntry[]): StoredLogChunk {
  let size = 0;
  for (const e of entries) size += e.data.length;
  const data = new Uint8Array(size);
  const ends = new Uint32Array(entries.length);
  const streams = new Uint8Array(entries.length);
  const times: string[] = [];
  let at = 0;
  for (const [i, e] of entries.entries()) {
    data.set(e.data, at);
    at += e.data.length;
    ends[i] = at;
    streams[i] = e.stream === 'stderr' ? 1 : 0;
    times.push(e.time);
  }
  return { container, seq, data, ends, streams, times };
}

/** The lines of a chunk, each with its own copy of its bytes. */
export function unpackLogChunk(chunk: StoredLogChunk): LogEntry[] {
  const out: LogEntry[] = [];
  let start = 0;
  for (let i = 0; i < chunk.ends.length; i++) {
    const end = chunk.ends[i]!;
    out.push({
      stream: chunk.streams[i] === 1 ? 'stderr' : 'stdout',
      time: chunk.times[i]!,
      data: chunk.data.slice(start, end),
    });
    start = end;
  }
  return out;
}
