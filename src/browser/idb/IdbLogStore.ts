/**
 * Containers' output in IndexedDB: one record per entry, numbered by IndexedDB in append order (`seq`),
 * read through an index on (container, seq). The cursor a read returns is the last `seq` it saw, so a
 * following read (`logs -f`) gets exactly the entries appended since.
 */
import type { LogCursor, LogEntry, LogStore } from '../../engine/types';
import type { BerthDatabase } from './database';

export class IdbLogStore implements LogStore {
  constructor(private readonly db: BerthDatabase) {}

  async append(id: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.db.transaction('logs', 'readwrite');
    await Promise.all([
      ...entries.map((e) =>
        tx.store.add({ container: id, stream: e.stream, time: e.time, data: e.data.slice() }),
      ),
      tx.done,
    ]);
  }

  async read(id: string, cursor: LogCursor = 0): Promise<{ entries: LogEntry[]; cursor: LogCursor }> {
    const range = IDBKeyRange.bound([id, cursor], [id, Infinity], true, false);
    const stored = await this.db.getAllFromIndex('logs', 'container', range);
    const last = stored.at(-1)?.seq ?? cursor;
    return {
      entries: stored.map(({ stream, time, data }) => ({ stream, time, data })),
      cursor: last,
    };
  }

  async delete(id: string): Promise<void> {
    const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
    const tx = this.db.transaction('logs', 'readwrite');
    const deletes: Promise<void>[] = [];
    for (let c = await tx.store.index('container').openKeyCursor(range); c; c = await c.continue()) {
      deletes.push(tx.store.delete(c.primaryKey));
    }
    await Promise.all([...deletes, tx.done]);
  }
}
