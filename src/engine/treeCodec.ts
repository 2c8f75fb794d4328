/**
 * A MemoryTreeSnapshot (a container's writable layer, an in-memory volume) as bytes, for the disk stores:
 *
 *   "BERTHTREE1\n"  magic
 *   u32 LE          length of the JSON header
 *   JSON header     the snapshot with every file's data replaced by [offset, length] into the data part
 *                   and every timestamp as a decimal string
 *   data            the files' bytes, back to back
 *
 * Lossless: inode numbers, modes, all three timestamps, hard links (shared inodes) and the `.wh.` whiteout
 * files of an upper layer survive a round trip.
 */
import type { MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { EngineError } from './errors';

const MAGIC = new TextEncoder().encode('BERTHTREE1\n');
const TIME_KEYS = new Set(['atim', 'mtim', 'ctim']);

export function encodeTree(snapshot: MemoryTreeSnapshot): Uint8Array {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const header = JSON.stringify(snapshot, function (this: unknown, key, value: unknown) {
    if (typeof value === 'bigint') return value.toString();
    if (key === 'data' && value instanceof Uint8Array) {
      const at = offset;
      blobs.push(value);
      offset += value.length;
      return [at, value.length];
    }
    return value;
  });
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(MAGIC.length + 4 + head.length + offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, MAGIC.length + 4);
  let at = MAGIC.length + 4 + head.length;
  for (const blob of blobs) {
    out.set(blob, at);
    at += blob.length;
  }
  return out;
}

export function decodeTree(bytes: Uint8Array, what = 'tree'): MemoryTreeSnapshot {
  const bad = (reason: string): never => {
    throw new EngineError('internal', `cannot read the ${what}: ${reason}`);
  };
  if (bytes.length < MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b)) bad('not a Berth tree file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headLength;
  if (dataStart > bytes.length) bad('truncated');
  let snapshot: MemoryTreeSnapshot;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(MAGIC.length + 4, dataStart),
    );
    snapshot = JSON.parse(text, (key, value: unknown) => {
      if (TIME_KEYS.has(key) && typeof value === 'string') return BigInt(value);
      if (key === 'data' && Array.isArray(value)) {
        const [at, length] = value as [number, number];
        if (dataStart + at + length > bytes.length) bad('truncated');
        return bytes.slice(dataStart + at, dataStart + at + length);
      }
      return value;
    }) as MemoryTreeSnapshot;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    return bad((e as Error).message);
  }
  if (snapshot?.format !== 'berth-memory-tree/1') bad('unknown format');
  return snapshot;
}

/** True when a snapshot has nothing below its root (a container that changed nothing). */
export function isEmptyTree(snapshot: MemoryTreeSnapshot): boolean {
  return snapshot.root.entries.length === 0;
}
