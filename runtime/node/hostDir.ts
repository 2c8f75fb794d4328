import * as fs from 'node:fs';
import { HostFileSystem } from '../fs/HostFileSystem';

/** A host directory as a FileSystem, over node:fs (confined to `root` by HostFileSystem). */
export function nodeHostDir(root: string, readOnly = false): HostFileSystem {
  return new HostFileSystem({ fs, root, readOnly });
}
