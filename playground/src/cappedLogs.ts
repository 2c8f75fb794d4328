/**
 * A size cap on each container's recorded log, for the playground's IndexedDB state.
 *
 * Why: the engine records every line a container prints (src/engine/logs.ts batches them every 25 ms),
 * and the IndexedDB log store writes one record per line, with nothing holding the guest back while the
 * writes queue up. A flood (`berth run box yes`) then queues hundreds of thousands of IndexedDB writes a
 * second, which starve the page: the terminal and Ctrl-C stop responding. The terminal itself is held
 * back by xterm (writes resolve once shown); only the log has no brake. Capping what a container may
 * record keeps a flood from taking the tab down; `berth logs` then ends with a line saying so, much as
 * Docker's `--log-opt max-size` bounds a json-file log.
 *
 * The count is per container and per page load (a container started after a reload starts from zero).
 */
import type { LogEntry, LogStore } from '../../src/engine/types';

export interface LogCap {
  /** Lines (entries) a container may record. */
  entries: number;
  /** Bytes a container may record. */
  bytes: number;
}

/**
 * Small, because removing a log costs too: the IndexedDB store deletes a container's log record by record
 * (about 1 ms a line measured here), so `run --rm` of a 10,000-line flood took 12 s to give the prompt back.
 */
export const DEFAULT_LOG_CAP: LogCap = { entries: 2_000, bytes: 256 * 1024 };

export function cappedLogStore(inner: LogStore, cap: LogCap = DEFAULT_LOG_CAP): LogStore {
  const used = new Map<string, { entries: number; bytes: number; full: boolean }>();
  const encoder = new TextEncoder();
  return {
    async append(id: string, entries: readonly LogEntry[]): Promise<void> {
      const u = used.get(id) ?? { entries: 0, bytes: 0, full: false };
      used.set(id, u);
      if (u.full) return;
      const kept: LogEntry[] = [];
      for (const e of entries) {
        if (u.entries + 1 > cap.entries || u.bytes + e.data.length > cap.bytes) {
          u.full = true;
          const note = `[berth playground: the log stops here, at ${u.entries} lines / ${u.bytes} bytes; the terminal showed everything]\n`; // prettier-ignore
          kept.push({ stream: 'stderr', time: e.time, data: encoder.encode(note) });
          break;
        }
        u.entries++;
        u.bytes += e.data.length;
        kept.push(e);
      }
      if (kept.length > 0) await inner.append(id, kept);
    },
    read: (id, cursor) => inner.read(id, cursor),
    delete: async (id) => {
      used.delete(id);
      await inner.delete(id);
    },
    ...(inner.pathOf ? { pathOf: (id: string) => inner.pathOf!(id) } : {}),
  };
}
