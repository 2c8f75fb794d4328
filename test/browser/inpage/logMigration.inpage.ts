/**
 * A database written by a Berth whose log store kept one record per line (version 1) opens with its
 * logs intact: each container's lines in order, readable, and deletable as one key range.
 */
import { describe, expect, it } from 'vitest';
import { deleteBerthDatabase, openBerthDatabase } from '../../../src/browser/idb/database';
import { IdbLogStore } from '../../../src/browser/idb/IdbLogStore';

/** Version 1's schema, written with the plain IndexedDB API, holding `lines` (container, stream, text). */
async function versionOneDatabase(name: string, lines: [string, 'stdout' | 'stderr', string][]) {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      const d = request.result;
      for (const [store, keyPath] of [
        ['blobs', 'digest'],
        ['images', 'name'],
        ['layers', 'id'],
        ['volumes', 'name'],
        ['buildCache', 'key'],
      ] as const)
        d.createObjectStore(store, { keyPath });
      d.createObjectStore('containers', { keyPath: 'id' }).createIndex('name', 'name');
      d.createObjectStore('logs', { keyPath: 'seq', autoIncrement: true }).createIndex('container', [
        'container',
        'seq',
      ]);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction('logs', 'readwrite');
  for (const [container, stream, text] of lines) {
    tx.objectStore('logs').add({
      container,
      stream,
      time: '2026-01-01T00:00:01.000000000Z',
      data: new TextEncoder().encode(text),
    });
  }
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

describe('IndexedDB logs written by version 1', () => {
  it('should be migrated whole, in order, per container', async () => {
    const name = `berth-log-migration-${Date.now()}`;
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    await versionOneDatabase(name, [
      [a, 'stdout', 'one\n'],
      [b, 'stdout', 'other\n'],
      [a, 'stderr', 'two\n'],
      [a, 'stdout', 'three\n'],
    ]);
    const db = await openBerthDatabase(name);
    try {
      expect([...db.objectStoreNames]).not.toContain('logs');
      const logs = new IdbLogStore(db);
      const text = async (id: string) =>
        (await logs.read(id)).entries.map((e) => [e.stream, new TextDecoder().decode(e.data)]);
      expect(await text(a)).toEqual([
        ['stdout', 'one\n'],
        ['stderr', 'two\n'],
        ['stdout', 'three\n'],
      ]);
      expect(await text(b)).toEqual([['stdout', 'other\n']]);
      await logs.append(a, [{ stream: 'stdout', time: '2026-01-01T00:00:02.000000000Z', data: new Uint8Array([0x34, 0x0a]) }]); // prettier-ignore
      expect((await text(a)).at(-1)).toEqual(['stdout', '4\n']);
      await logs.delete(a);
      expect(await text(a)).toEqual([]);
      expect(await text(b)).toHaveLength(1);
    } finally {
      db.close();
      await deleteBerthDatabase(name);
    }
  });
});
