/**
 * Container output on disk, as Docker's json-file driver writes it:
 * `<root>/containers/<id>/<id>-json.log`, one JSON object per line,
 *   {"log":"hello\n","stream":"stdout","time":"2026-01-01T00:00:00.123000000Z"}
 * with `"b64":true` (and `log` in base64) for output that is not UTF-8. Lines are only appended; a reader
 * uses complete lines only, so a writer killed in the middle of a line leaves nothing half-read. The
 * cursor is a byte offset. Nothing is written for a container whose directory is gone.
 */
import { appendFile, open, rm } from './asyncFs';
import { join } from 'node:path';
import type { LogCursor, LogEntry, LogStore } from '../engine/types';
import { isErrnoCode } from './fsHelpers';

const ID = /^[a-f0-9]{64}$/;
const strict = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

export class DiskLogStore implements LogStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'containers');
  }

  pathOf(id: string): string {
    if (!ID.test(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
    return join(this.dir, id, `${id}-json.log`);
  }

  async append(id: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    let text = '';
    for (const e of entries) {
      let log: string;
      let b64 = false;
      try {
        log = strict.decode(e.data);
      } catch {
        log = Buffer.from(e.data).toString('base64');
        b64 = true;
      }
      text +=
        JSON.stringify(
          b64 ? { log, stream: e.stream, time: e.time, b64 } : { log, stream: e.stream, time: e.time },
        ) + '\n';
    }
    try {
      await appendFile(this.pathOf(id), text, { flag: 'a' });
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT')) throw err;
    }
  }

  async read(id: string, cursor: LogCursor = 0): Promise<{ entries: LogEntry[]; cursor: LogCursor }> {
    let fh;
    try {
      fh = await open(this.pathOf(id), 'r');
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return { entries: [], cursor };
      throw err;
    }
    let bytes: Buffer;
    try {
      const size = (await fh.stat()).size;
      if (size <= cursor) return { entries: [], cursor };
      bytes = Buffer.alloc(size - cursor);
      const { bytesRead } = await fh.read(bytes, 0, bytes.length, cursor);
      bytes = bytes.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    const end = bytes.lastIndexOf(0x0a);
    if (end < 0) return { entries: [], cursor };
    const entries: LogEntry[] = [];
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (line === '') continue;
      try {
        const j = JSON.parse(line) as {
          log: string;
          stream: 'stdout' | 'stderr';
          time: string;
          b64?: boolean;
        };
        const data = j.b64 ? new Uint8Array(Buffer.from(j.log, 'base64')) : utf8.encode(j.log);
        entries.push({ stream: j.stream === 'stderr' ? 'stderr' : 'stdout', time: j.time, data });
      } catch {
        // A line that is not ours: skip it.
      }
    }
    return { entries, cursor: cursor + end + 1 };
  }

  async delete(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }
}
