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

export interface StoredLogEntry extends LogEntry {
  container: string;
  /** Filled in by IndexedDB (autoIncrement): the order entries were appended in, across containers. */
  seq?: number;
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
  logs: { key: number; value: StoredLogEntry; indexes: { container: [string, number] } };
  volumes: { key: string; value: StoredVolume };
  buildCache: { key: string; value: { key: string; step: CachedStep } };
}

export type BerthDatabase = IDBPDatabase<BerthSchema>;

/** The name openBrowserEngine uses when a page does not choose one. */
export const DEFAULT_DATABASE_NAME = 'berth';

const VERSION = 1;

/** Opens (creating or upgrading) the database `name`. */
export async function openBerthDatabase(name: string = DEFAULT_DATABASE_NAME): Promise<BerthDatabase> {
  if (typeof indexedDB === 'undefined') {
    throw new Error('IndexedDB is not available here: open the engine without persistence');
  }
  return openDB<BerthSchema>(name, VERSION, {
    upgrade(db) {
      db.createObjectStore('blobs', { keyPath: 'digest' });
      db.createObjectStore('images', { keyPath: 'name' });
      db.createObjectStore('containers', { keyPath: 'id' }).createIndex('name', 'name');
      db.createObjectStore('layers', { keyPath: 'id' });
      db.createObjectStore('logs', { keyPath: 'seq', autoIncrement: true }).createIndex('container', [
        'container',
        'seq',
      ]);
      db.createObjectStore('volumes', { keyPath: 'name' });
      db.createObjectStore('buildCache', { keyPath: 'key' });
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
