/** Test helpers for layer tars: hand-made tars (tar-stream's pack), chunked sources, tree readers. */
import { createHash, randomBytes } from 'node:crypto';
import { pack as tarPack, type Header } from 'tar-stream';
import type { FileSystem, FsNode } from '../../runtime/fs/types';
import { FILETYPE_DIRECTORY, FILETYPE_SYMBOLIC_LINK } from '../../runtime/wasi/defs';

export const utf8 = new TextEncoder();
export const fromUtf8 = new TextDecoder();

export type TarSpec = Partial<Header> & { name: string; data?: string | Uint8Array };

/** A tar written by tar-stream (not by Berth), so the unpacker is tested against another writer. */
export async function makeTar(entries: readonly TarSpec[]): Promise<Uint8Array> {
  const p = tarPack();
  const out: Uint8Array[] = [];
  const collecting = (async () => {
    for await (const chunk of p) out.push(chunk as Uint8Array);
  })();
  for (const { data, ...header } of entries) {
    const h = { mtime: new Date(1_700_000_000_000), ...header };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (data !== undefined) p.entry(h, typeof data === 'string' ? utf8.encode(data) : data, cb);
      else p.entry(h, cb).end(null);
    });
  }
  p.finalize();
  await collecting;
  return concat(out);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** `bytes` as a stream of `size`-byte chunks (small sizes exercise every boundary case). */
export async function* chunked(bytes: Uint8Array, size = 1 << 16): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const c of source) out.push(c);
  return concat(out);
}

/** Random bytes (incompressible file contents). */
export function random(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The node at a relative path, without following symlinks; undefined when absent. */
export function at(fs: FileSystem, path: string): FsNode | undefined {
  let node = fs.root();
  for (const part of path.split('/').filter(Boolean)) {
    const next = fs.lookup(node, part);
    if (typeof next === 'number') return undefined;
    node = next;
  }
  return node;
}

export function readBytes(fs: FileSystem, path: string): Uint8Array {
  const node = at(fs, path);
  if (node === undefined) throw new Error(`no ${path}`);
  const handle = fs.open(node, { read: true, write: false });
  if (typeof handle === 'number') throw new Error(`open ${path}: errno ${handle}`);
  const out = new Uint8Array(handle.size());
  handle.pread(out, 0);
  handle.close();
  return out;
}

export function readText(fs: FileSystem, path: string): string {
  return fromUtf8.decode(readBytes(fs, path));
}

/** Every path in the tree (relative, sorted), with '/' after directories and ' -> target' after symlinks. */
export function listTree(fs: FileSystem): string[] {
  const out: string[] = [];
  const walk = (dir: FsNode, prefix: string): void => {
    const list = fs.readdir(dir);
    if (typeof list === 'number') throw new Error(`readdir ${prefix}: errno ${list}`);
    for (const { name } of list) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const node = fs.lookup(dir, name) as FsNode;
      const st = fs.stat(node);
      if (st.filetype === FILETYPE_DIRECTORY) {
        out.push(`${path}/`);
        walk(node, path);
      } else if (st.filetype === FILETYPE_SYMBOLIC_LINK) {
        out.push(`${path} -> ${fs.readlink(node) as string}`);
      } else {
        out.push(path);
      }
    }
  };
  walk(fs.root(), '');
  return out.sort();
}
