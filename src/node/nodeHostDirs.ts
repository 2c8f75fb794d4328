/** Host directories for the engine over node:fs: bind mounts, named volumes, `cp` to and from host paths. */
import { lstatSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeHostDir } from '../../runtime/node/hostDir';
import type { HostDirOpener } from '../engine/types';
import { isErrnoCode } from './fsHelpers';

export function nodeHostDirs(cwd: string = process.cwd()): HostDirOpener {
  return {
    resolve: (path) => resolve(cwd, path),
    kind(path) {
      try {
        const s = lstatSync(path);
        return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'symlink' : 'other';
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return null;
        throw err;
      }
    },
    mkdirp(path) {
      mkdirSync(path, { recursive: true });
    },
    open: (path, readOnly) => nodeHostDir(path, readOnly),
  };
}
