/**
 * TransferFs (src/transfer/fs.ts) over node:fs, or over any object with node:fs's promise API (memfs's
 * `fs` works the same, for tests and in-memory use). Files are written to a temporary name and renamed
 * into place, so a reader never sees half a blob or half an index.json.
 */
import * as nodeFs from 'node:fs';
import type { TransferFs } from '../transfer/fs';

/** The part of node:fs this adapter uses. */
export interface NodeFsLike {
  promises: Pick<
    typeof nodeFs.promises,
    'readFile' | 'open' | 'mkdir' | 'readdir' | 'stat' | 'rename' | 'unlink'
  >;
}

const READ_CHUNK = 1 << 20;
let tmpCounter = 0;

export function nodeTransferFs(fs: NodeFsLike = nodeFs): TransferFs {
  // Looked up at each call, not here: node:fs's `promises` loads node:fs/promises (src/node/asyncFs.ts).
  const p = () => fs.promises;
  return {
    async readFile(path: string): Promise<Uint8Array> {
      return new Uint8Array(await p().readFile(path));
    },

    async *read(path: string): AsyncGenerator<Uint8Array> {
      const handle = await p().open(path, 'r');
      try {
        for (;;) {
          // A fresh buffer per chunk: consumers may keep what they are given.
          const buffer = new Uint8Array(READ_CHUNK);
          const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
          if (bytesRead === 0) return;
          yield buffer.subarray(0, bytesRead);
        }
      } finally {
        await handle.close();
      }
    },

    async writeFile(path: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
      const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
      const handle = await p().open(tmp, 'w');
      try {
        const chunks = data instanceof Uint8Array ? [data] : data;
        for await (const chunk of chunks) {
          for (let at = 0; at < chunk.length;) {
            const { bytesWritten } = await handle.write(chunk, at, chunk.length - at);
            at += bytesWritten;
          }
        }
        await handle.close();
        await p().rename(tmp, path);
      } catch (error) {
        await handle.close().catch(() => {});
        await p()
          .unlink(tmp)
          .catch(() => {});
        throw error;
      }
    },

    async mkdir(path: string): Promise<void> {
      await p().mkdir(path, { recursive: true });
    },

    async readdir(path: string): Promise<string[]> {
      return (await p().readdir(path)).map(String);
    },

    async size(path: string): Promise<number | undefined> {
      try {
        const st = await p().stat(path);
        return st.isFile() ? Number(st.size) : undefined;
      } catch (error) {
        if (
          (error as { code?: string }).code === 'ENOENT' ||
          (error as { code?: string }).code === 'ENOTDIR'
        ) {
          return undefined;
        }
        throw error;
      }
    },
  };
}
