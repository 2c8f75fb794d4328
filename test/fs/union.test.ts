import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import type { MemoryTreeJSON } from '../../runtime/fs/MemoryFileSystem';
import { Namespace } from '../../runtime/fs/Namespace';
import { readOnly } from '../../runtime/fs/ReadOnlyFileSystem';
import type { LayerEntry } from '../../runtime/fs/UnionFileSystem';
import { LowerStack, UnionFileSystem, upperLayerEntries } from '../../runtime/fs/UnionFileSystem';
import type { Errno, FileSystem, FsClock, FsNode } from '../../runtime/fs/types';
import { bufferedInput, CollectingOutput } from '../../runtime/process/hostDefaults';
import { runInThreadSync } from '../../runtime/process/runInThread';
import {
  ERRNO_NAMES,
  ERRNO_SUCCESS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';
import { runFileSystemSuite } from '../suites/filesystem.suite';

/** A clock that ticks 1 ms per reading, so every update is visibly later than the one before. */
function tickingClock(): FsClock {
  let now = 1_700_000_000_000_000_000n;
  return { now: () => (now += 1_000_000n) };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A read-only layer, as the engine builds one from a layer tar. */
function layer(json: MemoryTreeJSON): MemoryFileSystem {
  return MemoryFileSystem.fromJSON(json, { readOnly: true });
}

/** The stack a commit of this container would give: its lowers with its upper layer on top. */
function committed(union: UnionFileSystem): LowerStack {
  return new LowerStack([
    ...union.lower.layers,
    MemoryFileSystem.fromSnapshot(union.upper.snapshot(), { readOnly: true }),
  ]);
}

function fixture(lower: LowerStack) {
  const fs = new UnionFileSystem({ lower, clock: tickingClock() });
  // "Reopened read-only" is the committed image: the upper layer, whiteouts and all, read as a layer.
  return { fs, reopenReadOnly: () => readOnly(new UnionFileSystem({ lower: committed(fs) })) };
}

runFileSystemSuite('UnionFileSystem (empty lower)', () => fixture(new LowerStack([])));

runFileSystemSuite('UnionFileSystem (over layers)', () =>
  fixture(
    new LowerStack([
      layer({
        '/etc/passwd': 'root:x:0:0',
        '/etc/hosts': '127.0.0.1',
        '/usr/bin/tool': 'T',
        '/var/lib/': null,
      }),
      layer({ '/etc/.wh.hosts': '', '/usr/lib/libc.so': 'L', '/.wh.var': '', '/opt/app/run': 'R' }),
      // The suite expects an empty root, so the top layer deletes what the ones below hold.
      layer({ '/.wh.etc': '', '/.wh.usr': '', '/.wh.opt': '' }),
    ]),
  ),
);

runFileSystemSuite('UnionFileSystem (over deleted copies of the names the suite uses)', () =>
  fixture(
    new LowerStack([
      layer({ '/a/x': 'ax', '/d/inside': 'i', '/f': 'f', '/src/old': 'o', '/dst/': null, '/t': 't' }),
      layer({ '/a/y': 'ay', '/b': 'b', '/d/.wh..wh..opq': '', '/d/new': 'n', '/l': 'l', '/.wh.t': '' }),
      layer({
        '/.wh.a': '',
        '/.wh.b': '',
        '/.wh.d': '',
        '/.wh.f': '',
        '/.wh.src': '',
        '/.wh.dst': '',
        '/.wh.l': '',
      }),
    ]),
  ),
);

// --- helpers -----------------------------------------------------------------------------------------

function ok<T>(value: T | Errno): T {
  if (typeof value === 'number') throw new Error(`expected success, got ERRNO_${ERRNO_NAMES[value]}`);
  return value;
}

function outcome(value: unknown): string {
  if (value === ERRNO_SUCCESS || typeof value !== 'number') return 'success';
  return ERRNO_NAMES[value] ?? `errno ${value}`;
}

function parts(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function find(fs: FileSystem, path: string): FsNode | Errno {
  let node = fs.root();
  for (const part of parts(path)) {
    const next = fs.lookup(node, part);
    if (typeof next === 'number') return next;
    node = next;
  }
  return node;
}

function at(fs: FileSystem, path: string): FsNode {
  return ok(find(fs, path));
}

function parentAndName(fs: FileSystem, path: string): [FsNode, string] {
  const p = parts(path);
  return [at(fs, p.slice(0, -1).join('/')), p[p.length - 1]!];
}

function readBytes(fs: FileSystem, path: string): Uint8Array {
  const handle = ok(fs.open(at(fs, path), { read: true, write: false }));
  const bytes = new Uint8Array(handle.size());
  handle.pread(bytes, 0);
  handle.close();
  return bytes;
}

function read(fs: FileSystem, path: string): string {
  return fromUtf8.decode(readBytes(fs, path));
}

/** Creates or truncates path and writes content, like `echo content > path`. */
function write(fs: FileSystem, path: string, content: string): void {
  const [dir, name] = parentAndName(fs, path);
  const existing = fs.lookup(dir, name);
  const node = typeof existing === 'number' ? ok(fs.createFile(dir, name, 0o644)) : existing;
  const handle = ok(fs.open(node, { read: true, write: true }));
  expect(handle.setSize(0)).toBe(ERRNO_SUCCESS);
  handle.pwrite(utf8.encode(content), 0);
  handle.close();
}

function append(fs: FileSystem, path: string, content: string): void {
  const handle = ok(fs.open(at(fs, path), { read: true, write: true }));
  handle.pwrite(utf8.encode(content), handle.size());
  handle.close();
}

function names(fs: FileSystem, path: string): string[] {
  return ok(fs.readdir(at(fs, path))).map((e) => e.name);
}

function mkdirp(fs: FileSystem, path: string): void {
  let node = fs.root();
  for (const part of parts(path)) {
    const next = fs.lookup(node, part);
    node = typeof next === 'number' ? ok(fs.mkdir(node, part, 0o755)) : next;
  }
}

function rm(fs: FileSystem, path: string): void {
  const [dir, name] = parentAndName(fs, path);
  const node = at(fs, path);
  if (fs.stat(node).filetype === FILETYPE_DIRECTORY) {
    for (const child of names(fs, path)) rm(fs, `${path}/${child}`);
    expect(outcome(fs.rmdir(dir, name))).toBe('success');
  } else {
    expect(outcome(fs.unlink(dir, name))).toBe('success');
  }
}

function rename(fs: FileSystem, from: string, to: string): Errno {
  const [srcDir, srcName] = parentAndName(fs, from);
  const [dstDir, dstName] = parentAndName(fs, to);
  return fs.rename(srcDir, srcName, dstDir, dstName);
}

/** The whole tree as path -> contents ('/' for a directory, '-> target' for a symlink). */
function tree(fs: FileSystem, path = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of ok(fs.readdir(path === '' ? fs.root() : at(fs, path)))) {
    const p = `${path}/${e.name}`;
    if (e.filetype === FILETYPE_DIRECTORY) {
      out[p + '/'] = '/';
      Object.assign(out, tree(fs, p));
    } else if (e.filetype === FILETYPE_SYMBOLIC_LINK) out[p] = '-> ' + ok(fs.readlink(at(fs, p)));
    else out[p] = read(fs, p);
  }
  return out;
}

/** Counts calls into a layer, to see what the union asks of it. */
function counted(fs: FileSystem): { fs: FileSystem; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(fs, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { fs: proxy, calls };
}

/** A layer with hard links, which fromJSON cannot make. */
function layerWithLinks(json: MemoryTreeJSON, links: [string, string][]): MemoryFileSystem {
  const fs = MemoryFileSystem.fromJSON(json);
  for (const [existing, alias] of links) {
    const [dir, name] = parentAndName(fs, alias);
    expect(fs.link(at(fs, existing), dir, name)).toBe(ERRNO_SUCCESS);
  }
  return MemoryFileSystem.fromSnapshot(fs.snapshot(), { readOnly: true });
}

/** What the engine does with upperLayerEntries: writes a layer (here straight into a memory tree). */
function layerFromEntries(entries: Iterable<LayerEntry>): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  const dirs: [FsNode, LayerEntry][] = [];
  for (const e of entries) {
    const [dir, name] = parentAndName(fs, e.path);
    if (e.type === 'dir') dirs.push([ok(fs.mkdir(dir, name, e.mode)), e]);
    else if (e.type === 'symlink') ok(fs.symlink(dir, name, e.target!));
    else if (e.type === 'hardlink') expect(fs.link(at(fs, e.target!), dir, name)).toBe(ERRNO_SUCCESS);
    else {
      const node = ok(fs.createFile(dir, name, e.mode));
      const handle = ok(fs.open(node, { read: false, write: true }));
      if (e.data) handle.pwrite(e.data, 0);
      handle.close();
      fs.setTimes(node, null, e.mtim);
    }
  }
  for (const [node, e] of dirs.reverse()) fs.setTimes(node, null, e.mtim);
  return MemoryFileSystem.fromSnapshot(fs.snapshot(), { readOnly: true });
}

/** Byte equality without vitest's element-by-element diffing (slow for megabytes). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function inoOf(fs: FileSystem, path: string): number {
  return fs.stat(at(fs, path)).ino;
}

// --- union-specific behaviour --------------------------------------------------------------------------

describe('UnionFileSystem', () => {
  describe('whiteouts and opaque directories in the image', () => {
    const stack = new LowerStack([
      layer({
        '/etc/passwd': 'root',
        '/etc/hosts': 'localhost',
        '/data/a': 'a',
        '/data/b': 'b',
        '/keep/x': 'x1',
        '/keep/sub/deep': 'd',
        '/keep/wasfile': 'f',
        '/keep/z': 'old z',
      }),
      layer({
        '/etc/.wh.hosts': '',
        '/data/.wh..wh..opq': '',
        '/data/c': 'c',
        '/keep/y': 'y2',
        '/keep/x': 'x2',
        '/keep/sub': 'now a file',
        '/keep/wasfile/inner': 'i',
        // A whiteout hides the layers below, never its own layer.
        '/keep/.wh.z': '',
        '/keep/z': 'new z',
      }),
    ]);
    const fs = new UnionFileSystem({ lower: stack });

    it('should hide a file deleted in a later layer', () => {
      expect(names(fs, '/etc')).toEqual(['passwd']);
      expect(outcome(find(fs, '/etc/hosts'))).toBe('NOENT');
      expect(read(fs, '/etc/passwd')).toBe('root');
    });

    it("should hide layer 1's children of a directory layer 2 made opaque", () => {
      expect(names(fs, '/data')).toEqual(['c']);
      expect(outcome(find(fs, '/data/a'))).toBe('NOENT');
      expect(fs.stat(at(fs, '/data')).nlink).toBe(2);
    });

    it('should take each name from the topmost layer that has it', () => {
      expect(read(fs, '/keep/x')).toBe('x2');
      expect(read(fs, '/keep/z')).toBe('new z');
      // A file over a directory hides the directory and everything in it; a directory over a file
      // holds only its own layer's entries.
      expect(fs.stat(at(fs, '/keep/sub')).filetype).toBe(FILETYPE_REGULAR_FILE);
      expect(read(fs, '/keep/sub')).toBe('now a file');
      expect(names(fs, '/keep/wasfile')).toEqual(['inner']);
      expect([...names(fs, '/keep')].sort()).toEqual(['sub', 'wasfile', 'x', 'y', 'z']);
    });

    it('should never show or find a .wh. name', () => {
      for (const dir of ['/', '/etc', '/data', '/keep']) {
        expect(names(fs, dir).filter((n) => n.startsWith('.wh.'))).toEqual([]);
      }
      expect(outcome(find(fs, '/etc/.wh.hosts'))).toBe('NOENT');
      expect(outcome(find(fs, '/data/.wh..wh..opq'))).toBe('NOENT');
    });

    it('should refuse to let the guest make .wh. names', () => {
      const etc = at(fs, '/etc');
      expect(outcome(fs.createFile(etc, '.wh.passwd', 0o644))).toBe('INVAL');
      expect(outcome(fs.mkdir(etc, '.wh..wh..opq', 0o755))).toBe('INVAL');
      expect(outcome(fs.symlink(etc, '.wh.x', 'passwd'))).toBe('INVAL');
      expect(outcome(fs.link(at(fs, '/etc/passwd'), etc, '.wh.x'))).toBe('INVAL');
      expect(outcome(fs.rename(etc, 'passwd', etc, '.wh.x'))).toBe('INVAL');
      expect(outcome(fs.unlink(etc, '.wh.hosts'))).toBe('NOENT');
      expect(names(fs, '/etc')).toEqual(['passwd']);
      expect(fs.diff()).toEqual([]);
    });
  });

  describe('copy-up', () => {
    const SIZE = 8 * 1024 * 1024;
    const big = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i++) big[i] = (i * 31 + 7) & 0xff;

    it('should copy a large file up only when it is written, leaving the layer as it was', () => {
      const base = layer({ '/var/db/big.bin': big, '/var/db/small': 's' });
      const lowerNode = at(base, '/var/db/big.bin');
      const { fs: countedBase, calls } = counted(base);
      const union = new UnionFileSystem({ lower: new LowerStack([countedBase]) });
      const ino = inoOf(union, '/var/db/big.bin');

      // Reading goes to the lower node itself: nothing is copied.
      const reader = ok(union.open(at(union, '/var/db/big.bin'), { read: true, write: false }));
      const first = new Uint8Array(16);
      expect(reader.pread(first, SIZE - 16)).toBe(16);
      expect(first).toEqual(big.subarray(SIZE - 16));
      expect(calls.open).toBe(1);
      expect([...upperLayerEntries(union)]).toEqual([]);
      expect(outcome(union.upper.lookup(union.upper.root(), 'var'))).toBe('NOENT');

      // The write copies up: the file, and its parents as directories.
      const writer = ok(union.open(at(union, '/var/db/big.bin'), { read: true, write: true }));
      expect(writer.pwrite(utf8.encode('PATCHED'), 4 * 1024 * 1024)).toBe(7);
      writer.close();
      const upperCopy = at(union.upper, '/var/db/big.bin');
      expect(union.upper.stat(upperCopy).size).toBe(SIZE);
      expect(outcome(find(union.upper, '/var/db/small'))).toBe('NOENT');
      expect(inoOf(union, '/var/db/big.bin')).toBe(ino);

      const after = readBytes(union, '/var/db/big.bin');
      expect(fromUtf8.decode(after.subarray(4 * 1024 * 1024, 4 * 1024 * 1024 + 7))).toBe('PATCHED');
      expect(same(after.subarray(0, 4 * 1024 * 1024), big.subarray(0, 4 * 1024 * 1024))).toBe(true);
      // The reader opened before the copy-up follows the file to its copy.
      const again = new Uint8Array(7);
      reader.pread(again, 4 * 1024 * 1024);
      expect(fromUtf8.decode(again)).toBe('PATCHED');
      reader.close();

      // The lower layer is untouched: same node, same bytes.
      expect(at(base, '/var/db/big.bin')).toBe(lowerNode);
      expect(same(readBytes(base, '/var/db/big.bin'), big)).toBe(true);
      expect(union.diff()).toEqual([{ kind: 'C', path: '/var/db/big.bin' }]);
    });

    it('should copy metadata up and keep inode numbers of files, directories and symlinks', () => {
      const base = MemoryFileSystem.fromJSON({ '/srv/conf/app.ini': 'x=1' });
      ok(base.symlink(at(base, '/srv'), 'current', 'conf'));
      base.setMode(at(base, '/srv/conf/app.ini'), 0o640);
      base.setTimes(at(base, '/srv/conf'), 1_000_000_000n, 2_000_000_000n);
      const frozen = MemoryFileSystem.fromSnapshot(base.snapshot(), { readOnly: true });
      const union = new UnionFileSystem({ lower: new LowerStack([layer({ '/other': 'o' }), frozen]) });
      const paths = ['/srv', '/srv/conf', '/srv/conf/app.ini', '/srv/current', '/other', '/'];
      const before = paths.map((p) => inoOf(union, p));
      expect(new Set(before).size).toBe(paths.length);
      const readdirIno = () => ok(union.readdir(at(union, '/srv/conf')))[0]!.ino;
      expect(readdirIno()).toBe(before[2]);

      expect(union.setMode(at(union, '/srv/conf/app.ini'), 0o600)).toBe(ERRNO_SUCCESS);
      expect(union.setTimes(at(union, '/srv/current'), 5n, 6n)).toBe(ERRNO_SUCCESS);
      append(union, '/other', '!');
      expect(paths.map((p) => inoOf(union, p))).toEqual(before);
      expect(readdirIno()).toBe(before[2]);
      // The parent copied up on the way keeps its own times and mode.
      expect(union.stat(at(union, '/srv/conf')).mtim).toBe(2_000_000_000n);
      expect(union.upper.stat(at(union.upper, '/srv/conf')).mtim).toBe(2_000_000_000n);
      expect(union.stat(at(union, '/srv/conf/app.ini')).mode).toBe(0o600);
      expect(union.readlink(at(union, '/srv/current'))).toBe('conf');
      expect(union.stat(at(union, '/srv/current')).mtim).toBe(6n);
      expect(read(union, '/other')).toBe('o!');
      // A fresh mount of the same image numbers everything the same way.
      const other = new UnionFileSystem({ lower: union.lower });
      expect(paths.map((p) => inoOf(other, p))).toEqual(before);
    });
  });

  describe('open handles', () => {
    it('should keep reading a lower file through a handle after the file is removed', () => {
      const union = new UnionFileSystem({ lower: new LowerStack([layer({ '/log/old': 'archived' })]) });
      const handle = ok(union.open(at(union, '/log/old'), { read: true, write: false }));
      rm(union, '/log/old');
      write(union, '/log/old', 'fresh');
      const bytes = new Uint8Array(handle.size());
      handle.pread(bytes, 0);
      expect(fromUtf8.decode(bytes)).toBe('archived');
      expect(handle.stat().nlink).toBe(0);
      expect(handle.pwrite(utf8.encode('x'), 0)).toBeLessThan(0);
      handle.close();
      expect(read(union, '/log/old')).toBe('fresh');
    });
  });

  describe('hard links', () => {
    it('should link a lower file: both names are one inode and see every write', () => {
      const base = layer({ '/bin/tool': 'v1', '/usr/bin/': null });
      const union = new UnionFileSystem({ lower: new LowerStack([base]) });
      const ino = inoOf(union, '/bin/tool');
      expect(union.link(at(union, '/bin/tool'), at(union, '/usr/bin'), 'tool2')).toBe(ERRNO_SUCCESS);
      expect(inoOf(union, '/usr/bin/tool2')).toBe(ino);
      expect(union.stat(at(union, '/bin/tool')).nlink).toBe(2);
      write(union, '/usr/bin/tool2', 'v2');
      expect(read(union, '/bin/tool')).toBe('v2');
      append(union, '/bin/tool', '+');
      expect(read(union, '/usr/bin/tool2')).toBe('v2+');
      expect(read(base, '/bin/tool')).toBe('v1');
      rm(union, '/bin/tool');
      expect(union.stat(at(union, '/usr/bin/tool2')).nlink).toBe(1);
      expect(read(union, '/usr/bin/tool2')).toBe('v2+');
      expect(union.diff()).toEqual([
        { kind: 'C', path: '/bin' },
        { kind: 'D', path: '/bin/tool' },
        { kind: 'C', path: '/usr/bin' },
        { kind: 'A', path: '/usr/bin/tool2' },
      ]);
    });

    it('should keep hard links made inside a layer together when one name is copied up', () => {
      const base = layerWithLinks({ '/lib/a': 'shared', '/lib/other/': null }, [
        ['/lib/a', '/lib/b'],
        ['/lib/a', '/lib/other/c'],
      ]);
      const union = new UnionFileSystem({ lower: new LowerStack([base]) });
      const ino = inoOf(union, '/lib/a');
      expect(inoOf(union, '/lib/b')).toBe(ino);
      expect(union.stat(at(union, '/lib/b')).nlink).toBe(3);
      append(union, '/lib/a', '!');
      expect(read(union, '/lib/b')).toBe('shared!');
      expect(inoOf(union, '/lib/b')).toBe(ino);
      expect(read(base, '/lib/a')).toBe('shared');
      // /lib/other/c was never looked up: commit and diff still carry it as the same inode.
      const entries = [...upperLayerEntries(union)];
      expect(entries.filter((e) => e.type === 'hardlink').map((e) => [e.path, e.target])).toEqual([
        ['/lib/b', '/lib/a'],
        ['/lib/other/c', '/lib/a'],
      ]);
      expect(read(union, '/lib/other/c')).toBe('shared!');
      expect(union.diff().map((c) => `${c.kind} ${c.path}`)).toEqual([
        'C /lib/a',
        'C /lib/b',
        'C /lib/other/c',
      ]);
    });
  });

  describe('rename', () => {
    it('should move a lower directory whose children live in two layers', () => {
      const l1 = layer({
        '/srv/www/index.html': '<h1>',
        '/srv/www/css/a.css': 'a{}',
        '/srv/www/old.txt': 'old',
        '/srv/keep': 'k',
      });
      const l2 = layer({ '/srv/www/app.js': 'js', '/srv/www/css/b.css': 'b{}', '/srv/www/.wh.old.txt': '' });
      const snapshots = [l1.snapshot(), l2.snapshot()];
      const union = new UnionFileSystem({ lower: new LowerStack([l1, l2]) });
      const dirNode = at(union, '/srv/www');
      const inos = ['/srv/www', '/srv/www/css', '/srv/www/css/a.css', '/srv/www/app.js'].map((p) =>
        inoOf(union, p),
      );
      const expected = {
        '/srv/site/': '/',
        '/srv/site/app.js': 'js',
        '/srv/site/css/': '/',
        '/srv/site/css/a.css': 'a{}',
        '/srv/site/css/b.css': 'b{}',
        '/srv/site/index.html': '<h1>',
        '/srv/keep': 'k',
      };

      expect(rename(union, '/srv/www', '/srv/site')).toBe(ERRNO_SUCCESS);
      expect(outcome(find(union, '/srv/www'))).toBe('NOENT');
      expect(at(union, '/srv/site')).toBe(dirNode);
      expect(Object.entries(tree(union, '/srv')).sort()).toEqual(Object.entries(expected).sort());
      expect(
        ['/srv/site', '/srv/site/css', '/srv/site/css/a.css', '/srv/site/app.js'].map((p) => inoOf(union, p)),
      ).toEqual(inos);
      // The node the caller held moved with it: creating through it lands in the new place.
      ok(union.createFile(dirNode, 'new.txt', 0o644));
      expect(names(union, '/srv/site')).toContain('new.txt');
      expect([l1.snapshot(), l2.snapshot()]).toEqual(snapshots);
      // The committed layer says the same.
      const image = new UnionFileSystem({ lower: committed(union) });
      expect(tree(image)).toEqual(tree(union));
      expect(union.diff().map((c) => `${c.kind} ${c.path}`)).toEqual([
        'C /srv',
        'A /srv/site',
        'A /srv/site/app.js',
        'A /srv/site/css',
        'A /srv/site/css/a.css',
        'A /srv/site/css/b.css',
        'A /srv/site/index.html',
        'A /srv/site/new.txt',
        'D /srv/www',
      ]);
    });

    it('should not let a deleted lower directory show through one moved over its name', () => {
      const union = new UnionFileSystem({
        lower: new LowerStack([
          layer({ '/old/junk': 'j', '/old/more/x': 'x', '/src/a/b': 'b', '/src/f': 'f' }),
        ]),
      });
      rm(union, '/old');
      expect(rename(union, '/src/a', '/old')).toBe(ERRNO_SUCCESS);
      expect(names(union, '/old')).toEqual(['b']);
      expect(rename(union, '/src/f', '/src/g')).toBe(ERRNO_SUCCESS);
      expect(rename(union, '/src', '/old/src')).toBe(ERRNO_SUCCESS);
      expect(tree(union)).toEqual({ '/old/': '/', '/old/b': 'b', '/old/src/': '/', '/old/src/g': 'f' });
      expect(tree(new UnionFileSystem({ lower: committed(union) }))).toEqual(tree(union));
    });

    it('should replace a lower file and an empty lower directory', () => {
      const union = new UnionFileSystem({
        lower: new LowerStack([layer({ '/a': 'A', '/b': 'B', '/d1/x': 'x', '/d2/': null, '/d2x/': null })]),
      });
      expect(rename(union, '/a', '/b')).toBe(ERRNO_SUCCESS);
      expect(read(union, '/b')).toBe('A');
      expect(outcome(rename(union, '/d1', '/b'))).toBe('NOTDIR');
      expect(outcome(rename(union, '/d2', '/d1'))).toBe('NOTEMPTY');
      expect(rename(union, '/d1', '/d2')).toBe(ERRNO_SUCCESS);
      expect(tree(union)).toEqual({ '/b': 'A', '/d2/': '/', '/d2/x': 'x', '/d2x/': '/' });
      expect(tree(new UnionFileSystem({ lower: committed(union) }))).toEqual(tree(union));
    });
  });

  describe('delete and re-create', () => {
    it('should make a directory removed and made again opaque', () => {
      const base = layer({ '/conf/a': 'a', '/conf/b': 'b', '/conf/sub/c': 'c' });
      const union = new UnionFileSystem({ lower: new LowerStack([base]) });
      rm(union, '/conf');
      expect(outcome(find(union, '/conf'))).toBe('NOENT');
      expect(names(union.upper, '/')).toEqual(['.wh.conf']);
      ok(union.mkdir(union.root(), 'conf', 0o755));
      write(union, '/conf/a', 'new a');
      expect(names(union, '/conf')).toEqual(['a']);
      expect(names(union.upper, '/')).toEqual(['conf']);
      expect([...names(union.upper, '/conf')].sort()).toEqual(['.wh..wh..opq', 'a']);
      expect(tree(new UnionFileSystem({ lower: committed(union) }))).toEqual({
        '/conf/': '/',
        '/conf/a': 'new a',
      });
      expect(union.diff().map((c) => `${c.kind} ${c.path}`)).toEqual([
        'C /conf',
        'C /conf/a',
        'D /conf/b',
        'D /conf/sub',
      ]);
    });

    it('should replace the whiteout when a deleted file is made again', () => {
      const union = new UnionFileSystem({ lower: new LowerStack([layer({ '/f': 'old', '/d/': null })]) });
      const ino = inoOf(union, '/f');
      rm(union, '/f');
      expect(names(union.upper, '/')).toEqual(['.wh.f']);
      write(union, '/f', 'new');
      expect(names(union.upper, '/')).toEqual(['f']);
      expect(read(union, '/f')).toBe('new');
      expect(inoOf(union, '/f')).not.toBe(ino);
      // A file removed and made again is a change, not an addition (it existed in the image).
      expect(union.diff()).toEqual([{ kind: 'C', path: '/f' }]);
    });

    it('should remove a directory whose only entries were whiteouts', () => {
      const union = new UnionFileSystem({ lower: new LowerStack([layer({ '/d/x': 'x' })]) });
      ok(union.createFile(at(union, '/d'), 'made', 0o644));
      rm(union, '/d/x');
      expect(outcome(union.rmdir(union.root(), 'd'))).toBe('NOTEMPTY');
      rm(union, '/d/made');
      const d = at(union, '/d');
      expect(union.rmdir(union.root(), 'd')).toBe(ERRNO_SUCCESS);
      expect(union.stat(d).nlink).toBe(0);
      expect(outcome(union.createFile(d, 'x', 0o644))).toBe('NOENT');
      expect(outcome(union.lookup(d, 'x'))).toBe('NOENT');
      expect(names(union.upper, '/')).toEqual(['.wh.d']);
    });
  });

  describe('readdir', () => {
    it('should merge in a stable order that copy-up does not change, hiding whiteouts', () => {
      const union = new UnionFileSystem({
        lower: new LowerStack([
          layer({ '/d/c': 'c', '/d/a': 'a', '/d/b': 'b' }),
          layer({ '/d/e': 'e', '/d/.wh.a': '', '/d/sub/': null }),
        ]),
      });
      expect(names(union, '/d')).toEqual(['e', 'sub', 'c', 'b']);
      write(union, '/d/z', 'z');
      write(union, '/d/y', 'y');
      expect(names(union, '/d')).toEqual(['e', 'sub', 'c', 'b', 'z', 'y']);
      append(union, '/d/c', '!');
      expect(names(union, '/d')).toEqual(['e', 'sub', 'c', 'b', 'z', 'y']);
      rm(union, '/d/e');
      expect(names(union, '/d')).toEqual(['sub', 'c', 'b', 'z', 'y']);
      expect(names(union.upper, '/d')).toEqual(['z', 'y', 'c', '.wh.e']);
      const listing = ok(union.readdir(at(union, '/d')));
      expect(union.readdir(at(union, '/d'))).toBe(listing);
      for (const e of listing) {
        const st = union.stat(at(union, `/d/${e.name}`));
        expect([e.ino, e.filetype]).toEqual([st.ino, st.filetype]);
      }
      expect(union.stat(at(union, '/d')).nlink).toBe(3);
    });
  });

  describe('diff', () => {
    it('should report a scripted set of changes as docker diff prints them', () => {
      const union = new UnionFileSystem({
        lower: new LowerStack([
          layer({
            '/etc/passwd': 'root:x:0:0\n',
            '/etc/hosts': '127.0.0.1 localhost\n',
            '/etc/ssl/certs/ca.pem': 'PEM',
            '/usr/bin/sh': 'ELF',
            '/home/user/.profile': 'PS1=$ ',
            '/var/log/': null,
            '/tmp/': null,
          }),
          layer({ '/usr/lib/libc.so': 'ELF' }),
        ]),
        clock: tickingClock(),
      });
      append(union, '/etc/passwd', 'app:x:1000:1000\n'); // docker: C /etc/passwd (its directory unchanged)
      write(union, '/tmp/build.log', 'ok'); // C /tmp, A /tmp/build.log
      rm(union, '/etc/hosts'); // C /etc, D /etc/hosts
      mkdirp(union, '/app');
      write(union, '/app/main.wasm', '\0asm'); // A /app, A /app/main.wasm
      expect(union.setMode(at(union, '/usr/bin/sh'), 0o700)).toBe(ERRNO_SUCCESS); // C /usr/bin/sh
      rm(union, '/home/user'); // C /home, D /home/user (nothing below it)
      mkdirp(union, '/var/log/app'); // C /var/log, A /var/log/app
      read(union, '/etc/ssl/certs/ca.pem'); // reads change nothing
      expect(union.diff().map((c) => `${c.kind} ${c.path}`)).toEqual([
        'A /app',
        'A /app/main.wasm',
        'C /etc',
        'D /etc/hosts',
        'C /etc/passwd',
        'C /home',
        'D /home/user',
        'C /tmp',
        'A /tmp/build.log',
        'C /usr/bin/sh',
        'C /var/log',
        'A /var/log/app',
      ]);
    });

    it('should be empty for a fresh container and for one that only read', () => {
      const union = new UnionFileSystem({ lower: new LowerStack([layer({ '/a/b': 'b' })]) });
      expect(union.diff()).toEqual([]);
      expect(read(union, '/a/b')).toBe('b');
      expect(names(union, '/a')).toEqual(['b']);
      expect(union.diff()).toEqual([]);
    });
  });

  describe('upperLayerEntries', () => {
    it('should give the upper layer as sorted plain entries that rebuild the same tree', () => {
      const lower = new LowerStack([layer({ '/etc/hosts': 'h', '/etc/passwd': 'p', '/opt/x/y': 'y' })]);
      const union = new UnionFileSystem({ lower, clock: tickingClock() });
      rm(union, '/etc/hosts');
      append(union, '/etc/passwd', '+');
      rm(union, '/opt/x');
      mkdirp(union, '/opt/x');
      write(union, '/opt/x/z', 'z');
      ok(union.symlink(at(union, '/opt'), 'link', 'x/z'));
      expect(union.link(at(union, '/opt/x/z'), at(union, '/opt'), 'hard')).toBe(ERRNO_SUCCESS);
      const entries = [...upperLayerEntries(union)];
      expect(
        entries.map((e) => [e.path, e.type, e.target ?? (e.data ? fromUtf8.decode(e.data) : null)]),
      ).toEqual([
        ['/etc', 'dir', null],
        ['/etc/.wh.hosts', 'whiteout', null],
        ['/etc/passwd', 'file', 'p+'],
        ['/opt', 'dir', null],
        ['/opt/hard', 'file', 'z'],
        ['/opt/link', 'symlink', 'x/z'],
        ['/opt/x', 'dir', null],
        ['/opt/x/.wh..wh..opq', 'opaque', null],
        ['/opt/x/z', 'hardlink', '/opt/hard'],
      ]);
      for (const e of entries) {
        expect(typeof e.mode).toBe('number');
        expect(typeof e.mtim).toBe('bigint');
        expect(structuredClone(e)).toEqual(e);
      }
      expect(entries.find((e) => e.path === '/etc/passwd')!.mode).toBe(0o644);
      const image = new UnionFileSystem({
        lower: new LowerStack([...lower.layers, layerFromEntries(entries)]),
      });
      expect(tree(image)).toEqual(tree(union));
      expect(inoOf(image, '/opt/hard')).toBe(inoOf(image, '/opt/x/z'));
    });
  });

  describe('containers sharing an image', () => {
    it('should give each container only its own writes and merge each lower directory once', () => {
      const { fs: base, calls } = counted(layer({ '/etc/passwd': 'root', '/etc/motd': 'hi', '/srv/': null }));
      const lower = new LowerStack([base, layer({ '/etc/issue': 'berth' })]);
      const one = new UnionFileSystem({ lower });
      const two = new UnionFileSystem({ lower });
      expect(calls.readdir ?? 0).toBe(0);
      expect(names(one, '/etc')).toEqual(['issue', 'passwd', 'motd']);
      const afterFirst = calls.readdir;
      expect(names(two, '/etc')).toEqual(['issue', 'passwd', 'motd']);
      expect(calls.readdir).toBe(afterFirst);

      write(one, '/etc/passwd', 'one');
      write(two, '/srv/two.txt', 'two');
      rm(two, '/etc/motd');
      expect(read(one, '/etc/passwd')).toBe('one');
      expect(read(two, '/etc/passwd')).toBe('root');
      expect(outcome(find(one, '/srv/two.txt'))).toBe('NOENT');
      expect(read(one, '/etc/motd')).toBe('hi');
      expect(outcome(find(two, '/etc/motd'))).toBe('NOENT');
      expect(one.diff().map((c) => `${c.kind} ${c.path}`)).toEqual(['C /etc/passwd']);
      expect(two.diff().map((c) => `${c.kind} ${c.path}`)).toEqual([
        'C /etc',
        'D /etc/motd',
        'C /srv',
        'A /srv/two.txt',
      ]);
      expect(tree(new UnionFileSystem({ lower }))).toEqual({
        '/etc/': '/',
        '/etc/issue': 'berth',
        '/etc/motd': 'hi',
        '/etc/passwd': 'root',
        '/srv/': '/',
      });
    });

    it('should mount without reading the image', () => {
      const files: MemoryTreeJSON = {};
      for (let i = 0; i < 10_000; i++) files[`/d${i % 100}/f${i}`] = 'x';
      const { fs: base, calls } = counted(layer(files));
      const lower = new LowerStack([base]);
      new UnionFileSystem({ lower });
      const union = new UnionFileSystem({ lower });
      expect(calls.readdir ?? 0).toBe(0);
      expect(read(union, '/d7/f107')).toBe('x');
      // The root and /d7 were merged; the other 99 directories were not looked at.
      expect(calls.readdir).toBe(2);
    });
  });

  describe('through the WASI layer', () => {
    const wasmDir = join(resolve(__dirname, '..'), 'wasi', 'wasm');

    for (const program of ['dirs', 'links']) {
      it(`should pass every check of ${program}.wasm on a union root and leave the image untouched`, () => {
        const image = layer({ '/etc/motd': 'welcome\n', '/usr/share/doc/readme': 'docs' });
        const before = image.snapshot();
        const union = new UnionFileSystem({ lower: new LowerStack([image]) });
        const ns = new Namespace(union);
        const stdout = new CollectingOutput();
        const stderr = new CollectingOutput();
        const module = new WebAssembly.Module(readFileSync(join(wasmDir, `${program}.wasm`)));
        const result = runInThreadSync(module, {
          args: [program],
          namespace: ns,
          stdin: bufferedInput(''),
          stdout,
          stderr,
        });
        const out = stdout.text();
        const failures = out.split('\n').filter((l) => l.startsWith('not ok'));
        expect(failures, `stderr: ${stderr.text()}`).toEqual([]);
        expect(result).toEqual({ exitCode: 0, reason: 'exit' });
        expect(out).toMatch(/# passed \d+ failed 0/);
        expect(image.snapshot()).toEqual(before);
        expect(read(union, '/etc/motd')).toBe('welcome\n');
        expect(tree(new UnionFileSystem({ lower: committed(union) }))).toEqual(tree(union));
      });
    }
  });
});
