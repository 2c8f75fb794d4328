import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import type { Errno, FileSystem, FsClock, FsNode } from '../../runtime/fs/types';
import {
  ERRNO_FBIG,
  ERRNO_NAMES,
  ERRNO_ROFS,
  ERRNO_SUCCESS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function ok<T extends object | string>(value: T | Errno): T {
  if (typeof value === 'number') throw new Error(`expected success, got ERRNO_${ERRNO_NAMES[value]}`);
  return value;
}

/** Walks an absolute path without following symlinks (test helper; the Namespace does this for real). */
function at(fs: FileSystem, path: string): FsNode {
  let node = fs.root();
  for (const part of path.split('/').filter(Boolean)) node = ok(fs.lookup(node, part));
  return node;
}

function read(fs: FileSystem, path: string): string {
  const handle = ok(fs.open(at(fs, path), { read: true, write: false }));
  const bytes = new Uint8Array(handle.size());
  handle.pread(bytes, 0);
  handle.close();
  return fromUtf8.decode(bytes);
}

function write(fs: FileSystem, path: string, text: string, position = 0): void {
  const handle = ok(fs.open(at(fs, path), { read: false, write: true }));
  handle.pwrite(utf8.encode(text), position);
  handle.close();
}

function fixedClock(start: bigint): FsClock {
  let now = start;
  return { now: () => (now += 1n) };
}

/** A tree with every kind of node, hard links across directories, and distinctive modes and times. */
function sampleTree(): MemoryFileSystem {
  const fs = MemoryFileSystem.fromJSON(
    {
      '/etc/hostname': 'berth\n',
      '/bin/tool': new Uint8Array([0, 97, 115, 109]),
      '/home/user/notes.txt': 'hello',
      '/empty/': null,
    },
    { clock: fixedClock(1_000n) },
  );
  const root = fs.root();
  const bin = at(fs, '/bin');
  expect(fs.link(at(fs, '/bin/tool'), bin, 'tool-alias')).toBe(ERRNO_SUCCESS);
  expect(fs.link(at(fs, '/bin/tool'), at(fs, '/home/user'), 'tool')).toBe(ERRNO_SUCCESS);
  ok(fs.symlink(root, 'sh', '/bin/tool'));
  ok(fs.symlink(at(fs, '/home'), 'up', '../etc'));
  expect(fs.setMode(at(fs, '/bin/tool'), 0o755)).toBe(ERRNO_SUCCESS);
  expect(fs.setMode(at(fs, '/home/user'), 0o700)).toBe(ERRNO_SUCCESS);
  expect(fs.setTimes(at(fs, '/etc/hostname'), 111n, 222n)).toBe(ERRNO_SUCCESS);
  return fs;
}

describe('MemoryFileSystem', () => {
  describe('snapshot and fromSnapshot', () => {
    it('should round-trip a tree through structuredClone', () => {
      const original = sampleTree();
      const snapshot = structuredClone(original.snapshot());
      const restored = MemoryFileSystem.fromSnapshot(snapshot);
      expect(restored.toJSON()).toEqual(original.toJSON());
      expect(read(restored, '/etc/hostname')).toBe('berth\n');
      expect(restored.readlink(at(restored, '/sh'))).toBe('/bin/tool');
      expect(restored.readlink(at(restored, '/home/up'))).toBe('../etc');
      expect(restored.stat(at(restored, '/home/up')).size).toBe(6);
      expect(ok(restored.readdir(at(restored, '/bin'))).map((e) => e.name)).toEqual(['tool', 'tool-alias']);
    });

    it('should keep inode numbers, modes, times and link counts', () => {
      const original = sampleTree();
      const restored = MemoryFileSystem.fromSnapshot(structuredClone(original.snapshot()));
      for (const path of ['/', '/etc', '/etc/hostname', '/bin/tool', '/home/user', '/sh', '/empty']) {
        const a = original.stat(at(original, path));
        const b = restored.stat(at(restored, path));
        expect({ ...b }, path).toMatchObject({
          ino: a.ino,
          mode: a.mode,
          nlink: a.nlink,
          size: a.size,
          filetype: a.filetype,
          atim: a.atim,
          mtim: a.mtim,
          ctim: a.ctim,
        });
      }
      expect(restored.stat(at(restored, '/etc/hostname')).mtim).toBe(222n);
      expect(restored.stat(at(restored, '/home/user')).mode).toBe(0o700);
      expect(restored.stat(restored.root()).nlink).toBe(2 + 4);
    });

    it('should keep hard links as one inode', () => {
      const restored = MemoryFileSystem.fromSnapshot(structuredClone(sampleTree().snapshot()));
      const tool = at(restored, '/bin/tool');
      expect(restored.stat(tool).nlink).toBe(3);
      expect(at(restored, '/bin/tool-alias')).toBe(tool);
      expect(at(restored, '/home/user/tool')).toBe(tool);
      write(restored, '/home/user/tool', 'W');
      expect(read(restored, '/bin/tool-alias').charAt(0)).toBe('W');
      const snapshot = restored.snapshot();
      expect(snapshot.inodes.filter((i) => i.kind === 'file')).toHaveLength(3);
    });

    it('should be independent of the filesystem on both sides', () => {
      const original = sampleTree();
      const snapshot = original.snapshot();
      write(original, '/etc/hostname', 'CHANGED');
      const restored = MemoryFileSystem.fromSnapshot(snapshot);
      expect(read(restored, '/etc/hostname')).toBe('berth\n');
      write(restored, '/etc/hostname', 'other');
      expect(read(MemoryFileSystem.fromSnapshot(snapshot), '/etc/hostname')).toBe('berth\n');
    });

    it('should never reuse an inode number after a restore', () => {
      const original = sampleTree();
      const restored = MemoryFileSystem.fromSnapshot(original.snapshot());
      const used = new Set(original.snapshot().inodes.map((i) => i.ino));
      const made = ok(restored.createFile(restored.root(), 'new', 0o644));
      expect(used.has(restored.stat(made).ino)).toBe(false);
      expect(restored.stat(made).ino).toBeGreaterThanOrEqual(original.snapshot().nextIno);
    });

    it('should leave out files that are unlinked but still open', () => {
      const fs = MemoryFileSystem.fromJSON({ '/tmp/scratch': 'x' });
      const handle = ok(fs.open(at(fs, '/tmp/scratch'), { read: true, write: true }));
      expect(fs.unlink(at(fs, '/tmp'), 'scratch')).toBe(ERRNO_SUCCESS);
      expect(fs.snapshot().inodes).toHaveLength(0);
      handle.close();
    });

    it('should restore read-only when asked', () => {
      const restored = MemoryFileSystem.fromSnapshot(sampleTree().snapshot(), { readOnly: true });
      expect(restored.readOnly).toBe(true);
      expect(restored.createFile(restored.root(), 'x', 0o644)).toBe(ERRNO_ROFS);
      expect(read(restored, '/etc/hostname')).toBe('berth\n');
    });

    it('should snapshot a very deep tree without overflowing the stack', () => {
      const fs = new MemoryFileSystem();
      let dir = fs.root();
      for (let i = 0; i < 20_000; i++) dir = ok(fs.mkdir(dir, 'd', 0o755));
      const restored = MemoryFileSystem.fromSnapshot(fs.snapshot());
      let node = restored.root();
      for (let i = 0; i < 20_000; i++) node = ok(restored.lookup(node, 'd'));
      expect(restored.stat(node).filetype).toBe(FILETYPE_DIRECTORY);
    });

    it('should reject a snapshot of an unknown format', () => {
      const bogus = { ...sampleTree().snapshot(), format: 'other' } as unknown as MemoryTreeSnapshot;
      expect(() => MemoryFileSystem.fromSnapshot(bogus)).toThrow(/format/);
    });
  });

  describe('fromJSON and toJSON', () => {
    it('should build files, parents and empty directories', () => {
      const fs = MemoryFileSystem.fromJSON({
        '/a/b/c.txt': 'text',
        '/bytes.bin': new Uint8Array([104, 105]),
        '/dir/': null,
        '/a/empty': null,
      });
      expect(read(fs, '/a/b/c.txt')).toBe('text');
      expect(read(fs, '/bytes.bin')).toBe('hi');
      expect(fs.stat(at(fs, '/dir')).filetype).toBe(FILETYPE_DIRECTORY);
      expect(fs.stat(at(fs, '/a/b')).filetype).toBe(FILETYPE_DIRECTORY);
      expect(fs.stat(at(fs, '/a/b/c.txt')).filetype).toBe(FILETYPE_REGULAR_FILE);
      expect(fs.toJSON()).toEqual({
        '/a/b/c.txt': 'text',
        '/a/empty': null,
        '/bytes.bin': 'hi',
        '/dir': null,
      });
    });

    it('should round-trip toJSON through fromJSON and leave symlinks out', () => {
      const fs = sampleTree();
      const json = fs.toJSON();
      expect(json['/sh']).toBeUndefined();
      expect(json['/empty']).toBeNull();
      expect(MemoryFileSystem.fromJSON(json).toJSON()).toEqual(json);
    });

    it('should replace the contents of a file named twice', () => {
      const fs = MemoryFileSystem.fromJSON({ '/f': 'a much longer first version', '//f': 'short' });
      expect(read(fs, '/f')).toBe('short');
    });

    it('should be read-only afterwards when asked', () => {
      const fs = MemoryFileSystem.fromJSON({ '/f': 'x' }, { readOnly: true });
      expect(fs.readOnly).toBe(true);
      expect(fs.unlink(fs.root(), 'f')).toBe(ERRNO_ROFS);
      expect(read(fs, '/f')).toBe('x');
    });

    it('should throw for a path through a file', () => {
      expect(() => MemoryFileSystem.fromJSON({ '/f': 'x', '/f/g': 'y' })).toThrow(/not a directory/);
    });
  });

  describe('file growth', () => {
    it('should append 200,000 x 16 bytes in amortised constant time', () => {
      const fs = new MemoryFileSystem();
      const handle = ok(fs.open(ok(fs.createFile(fs.root(), 'log', 0o644)), { read: true, write: true }));
      const record = new Uint8Array(16);
      const count = 200_000;
      let written = 0;
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        record[0] = i & 0xff;
        record[15] = (i >> 8) & 0xff;
        written += handle.pwrite(record, i * 16);
      }
      const elapsed = performance.now() - started;
      expect(written).toBe(count * 16);
      expect(handle.size()).toBe(count * 16);
      const back = new Uint8Array(16);
      for (const i of [0, 1, 255, 256, 65_537, 123_456, count - 1]) {
        expect(handle.pread(back, i * 16)).toBe(16);
        expect(back[0], `record ${i}`).toBe(i & 0xff);
        expect(back[15], `record ${i}`).toBe((i >> 8) & 0xff);
        expect(back.subarray(1, 15).every((b) => b === 0)).toBe(true);
      }
      handle.close();
      // Copying the whole file on every append would take seconds; the bound only catches that.
      expect(elapsed).toBeLessThan(2_000);
    });

    it('should refuse a file past the size limit', () => {
      const fs = new MemoryFileSystem();
      const handle = ok(fs.open(ok(fs.createFile(fs.root(), 'f', 0o644)), { read: true, write: true }));
      expect(handle.pwrite(new Uint8Array(1), 2 ** 40)).toBe(-ERRNO_FBIG);
      expect(handle.setSize(2 ** 40)).toBe(ERRNO_FBIG);
      expect(handle.size()).toBe(0);
      handle.close();
    });

    it('should zero the tail when a large file shrinks and grows again', () => {
      const fs = new MemoryFileSystem();
      const handle = ok(fs.open(ok(fs.createFile(fs.root(), 'f', 0o644)), { read: true, write: true }));
      handle.pwrite(new Uint8Array(100_000).fill(7), 0);
      expect(handle.setSize(10)).toBe(ERRNO_SUCCESS);
      expect(handle.setSize(50_000)).toBe(ERRNO_SUCCESS);
      const back = new Uint8Array(50_000);
      expect(handle.pread(back, 0)).toBe(50_000);
      expect(back.subarray(0, 10).every((b) => b === 7)).toBe(true);
      expect(back.subarray(10).every((b) => b === 0)).toBe(true);
      handle.close();
    });
  });

  describe('hot paths', () => {
    it('should return the same node and stat object on every call', () => {
      const fs = MemoryFileSystem.fromJSON({ '/f': 'x' });
      const node = at(fs, '/f');
      expect(fs.lookup(fs.root(), 'f')).toBe(node);
      expect(fs.stat(node)).toBe(fs.stat(node));
      const handle = ok(fs.open(node, { read: true, write: false }));
      expect(handle.stat()).toBe(fs.stat(node));
      handle.close();
    });

    it('should reuse a frozen readdir listing until the directory changes', () => {
      const fs = MemoryFileSystem.fromJSON({ '/a': '', '/b': '' });
      const first = ok(fs.readdir(fs.root()));
      expect(ok(fs.readdir(fs.root()))).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      ok(fs.createFile(fs.root(), 'c', 0o644));
      const second = ok(fs.readdir(fs.root()));
      expect(second).not.toBe(first);
      expect(first.map((e) => e.name)).toEqual(['a', 'b']);
      expect(second.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('options', () => {
    it('should stamp nodes with the injected clock', () => {
      const fs = new MemoryFileSystem({ clock: { now: () => 42n } });
      const file = ok(fs.createFile(fs.root(), 'f', 0o644));
      expect([fs.stat(file).atim, fs.stat(file).mtim, fs.stat(file).ctim]).toEqual([42n, 42n, 42n]);
      expect(fs.stat(fs.root()).mtim).toBe(42n);
    });

    it('should take a device number, or hand out distinct ones', () => {
      expect(new MemoryFileSystem({ dev: 7 }).dev).toBe(7);
      expect(new MemoryFileSystem().dev).not.toBe(new MemoryFileSystem().dev);
    });

    it('should report a symlink as mode 0777 and a new root as a directory', () => {
      const fs = new MemoryFileSystem();
      const link = ok(fs.symlink(fs.root(), 'l', 'x'));
      expect(fs.stat(link).mode).toBe(0o777);
      expect(fs.stat(link).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
      expect(fs.stat(fs.root()).filetype).toBe(FILETYPE_DIRECTORY);
    });
  });
});
