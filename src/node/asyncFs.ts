/**
 * The promise API of node:fs as the Node host uses it, without loading node:fs/promises until something
 * needs a FileHandle (`open`). node:fs/promises brings readline and stream code with it: some 3 ms and a
 * hundred fresh pages at every start on a small VM, for `berth --version` or a cached build that only
 * stats and reads. node:fs's callback functions are loaded with Node itself; promisified, they reject
 * with the same errors (code, syscall, path).
 */
import * as fs from 'node:fs';
import type * as fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

export type { FileHandle } from 'node:fs/promises';

let promises: typeof fsp | undefined;
function loadPromises(): typeof fsp {
  return (promises ??= createRequire(import.meta.url)('node:fs/promises') as typeof fsp);
}

export const appendFile = promisify(fs.appendFile) as typeof fsp.appendFile;
export const lstat = promisify(fs.lstat) as typeof fsp.lstat;
export const mkdir = promisify(fs.mkdir) as typeof fsp.mkdir;
export const readdir = promisify(fs.readdir) as typeof fsp.readdir;
export const readFile = promisify(fs.readFile) as typeof fsp.readFile;
export const readlink = promisify(fs.readlink) as typeof fsp.readlink;
export const rename = promisify(fs.rename) as typeof fsp.rename;
export const rm = promisify(fs.rm) as typeof fsp.rm;
export const stat = promisify(fs.stat) as typeof fsp.stat;
export const unlink = promisify(fs.unlink) as typeof fsp.unlink;
export const writeFile = promisify(fs.writeFile) as typeof fsp.writeFile;
export const open: typeof fsp.open = (...args) => loadPromises().open(...args);
