/**
 * Containers' output in IndexedDB: each append is one transaction writing the lines packed into chunk
 * records (StoredLogChunk) keyed by [container, seq], seq counting that container's chunks from 1. So a
 * flood costs a few large records rather than a record per line, a read is one key-range getAll, and
 * deleting a log is one key-range delete. The cursor a read returns is the last chunk's seq, so a
 * following read (`logs -f`) gets exactly the lines appended since.
 */
import type { LogCursor, LogEntry, LogStore } from '../../engine/types';
import { packLogChunk, unpackLogChunk, type BerthDatabase } from './database';

/** Lines per chunk record: big enough that a flood is few records, small enough to clone in one go. */
const LINES_PER_CHUNK = 8192;

const whole = (id: string, after = 0) => IDBKeyRange.bound([id, after], [id, Infinity], true, false);

export class IdbLogStore implements LogStore {
  constructor(private readonly db: BerthDatabase) {}

  async append(id: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.db.transaction('logChunks', 'readwrite');
    // The next seq is read inside the transaction: appends to one store are serialised, so it is ours.
    const last = await tx.store.openKeyCursor(whole(id, -Infinity), 'prev');
    let seq = last ? (last.key as [string, number])[1] : 0;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < entries.length; i += LINES_PER_CHUNK) {
      writes.push(tx.store.add(packLogChunk(id, ++seq, entries.slice(i, i + LINES_PER_CHUNK))));
    }
    await Promise.all([...writes, tx.done]);
  }

  async read(id: string, cursor: LogCursor = 0): Promise<{ entries: LogEntry[]; cursor: LogCursor }> {
    const chunks = await this.db.getAll('logChunks', whole(id, cursor));
    return { entries: chunks.flatMap(unpackLogChunk), cursor: chunks.at(-1)?.seq ?? cursor };
  }

  async delete(id: string): Promise<void> {
    await this.db.delete('logChunks', whole(id, -Infinity));
  }
}
