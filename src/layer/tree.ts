/**
 * treeEntries: any FileSystem (a layer tree from unpackLayer, a container's root, a host directory) →
 * its LayerEntry values in layer order, ready for packLayer.
 */
import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from '../../runtime/wasi/defs';
import type { FileSystem, FsNode } from '../../runtime/fs/types';
import { OPAQUE_MARKER, compareLayerPaths, isWhiteoutName } from './paths';
import type { LayerEntry } from './types';

export interface TreeEntriesOptions {
  /** Called for each node that has no layer form (sockets, devices, unreadable entries), with why. */
  readonly onSkip?: (path: string, reason: string) => void;
}

interface Found {
  readonly path: string;
  readonly node: FsNode;
  readonly filetype: number;
  readonly ino: number;
  readonly nlink: number;
  readonly mode: number;
  readonly mtim: bigint;
  readonly whiteout: boolean;
  readonly name: string;
}

/**
 * Walks `fs` from its root (the root itself is not an entry) and returns every entry sorted as
 * packLayer writes them. `.wh.*` names become 'whiteout' entries and `.wh..wh..opq` an 'opaque' one, so
 * a layer tree packs back to the same tar. A file (or symlink) with several names is one inode: the name
 * that sorts first carries the data, the others are 'hardlink' entries targeting it (detected by inode
 * number, which the FileSystem contract keeps stable). Symlinks are never followed.
 */
export function treeEntries(fs: FileSystem, options: TreeEntriesOptions = {}): LayerEntry[] {
  const found: Found[] = [];
  const pending: [FsNode, string][] = [[fs.root(), '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [dir, prefix] = next;
    const list = fs.readdir(dir);
    if (typeof list === 'number') {
      options.onSkip?.(prefix || '/', `readdir failed (errno ${list})`);
      continue;
    }
    for (const { name } of list) {
      const path = `${prefix}/${name}`;
      const node = fs.lookup(dir, name);
      if (typeof node === 'number') {
        options.onSkip?.(path, `lookup failed (errno ${node})`);
        continue;
      }
      // stat() may be a live view: copy the fields now.
      const st = fs.stat(node);
      const item: Found = {
        path,
        node,
        name,
        filetype: st.filetype,
        ino: st.ino,
        nlink: st.nlink,
        mode: st.mode & 0o7777,
        mtim: st.mtim,
        whiteout: isWhiteoutName(name) && st.filetype !== FILETYPE_DIRECTORY,
      };
      if (item.filetype === FILETYPE_DIRECTORY) pending.push([node, path]);
      else if (item.filetype !== FILETYPE_REGULAR_FILE && item.filetype !== FILETYPE_SYMBOLIC_LINK) {
        options.onSkip?.(path, `unsupported file type ${item.filetype}`);
        continue;
      }
      found.push(item);
    }
  }
  found.sort((a, b) => compareLayerPaths(a.path, b.path));

  const firstName = new Map<number, string>();
  const entries: LayerEntry[] = [];
  for (const f of found) {
    const { path, mode, mtim } = f;
    if (f.whiteout) {
      entries.push({ path, type: f.name === OPAQUE_MARKER ? 'opaque' : 'whiteout', mode, mtim });
      continue;
    }
    if (f.filetype === FILETYPE_DIRECTORY) {
      entries.push({ path, type: 'dir', mode, mtim });
      continue;
    }
    if (f.nlink > 1) {
      const first = firstName.get(f.ino);
      if (first !== undefined) {
        entries.push({ path, type: 'hardlink', mode, mtim, target: first });
        continue;
      }
      firstName.set(f.ino, path);
    }
    if (f.filetype === FILETYPE_SYMBOLIC_LINK) {
      const target = fs.readlink(f.node);
      if (typeof target === 'number') {
        options.onSkip?.(path, `readlink failed (errno ${target})`);
        continue;
      }
      entries.push({ path, type: 'symlink', mode, mtim, target });
      continue;
    }
    const handle = fs.open(f.node, { read: true, write: false });
    if (typeof handle === 'number') {
      options.onSkip?.(path, `open failed (errno ${handle})`);
      continue;
    }
    try {
      const data = new Uint8Array(handle.size());
      for (let at = 0; at < data.length;) {
        const n = handle.pread(data.subarray(at), at);
        if (n <= 0)
          throw new Error(`treeEntries: reading ${path} failed (${n < 0 ? `errno ${-n}` : 'short read'})`);
        at += n;
      }
      entries.push({ path, type: 'file', mode, mtim, data });
    } finally {
      handle.close();
    }
  }
  return entries;
}
