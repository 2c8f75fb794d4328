import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOnly } from '../../runtime/fs/ReadOnlyFileSystem';
import type { Errno, FileHandle, FileSystem, FsNode } from '../../runtime/fs/types';
import {
  ERRNO_LOOP,
  ERRNO_NAMES,
  ERRNO_SUCCESS,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';

export interface FileSystemFixture {
  fs: FileSystem;
  cleanup?: () => void;
  /** The same tree opened again through the backend's own read-only mode, when it has one. */
  reopenReadOnly?: () => FileSystem;
}

/** Times far enough in the past that any update is visibly later; whole half-seconds survive every host. */
const OLD_ATIM = 1_000_000_000_500_000_000n;
const OLD_MTIM = 1_100_000_000_500_000_000n;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The errno name of a failed call, or 'success': failures then print as NOENT rather than 44. */
function outcome(value: unknown): string {
  return typeof value === 'number' ? (ERRNO_NAMES[value] ?? `errno ${value}`) : 'success';
}

function errnoName(errno: Errno): string {
  return errno === ERRNO_SUCCESS ? 'success' : (ERRNO_NAMES[errno] ?? `errno ${errno}`);
}

function ok<T extends object | string>(value: T | Errno): T {
  if (typeof value === 'number') throw new Error(`expected success, got ERRNO_${ERRNO_NAMES[value]}`);
  return value;
}

/**
 * The FileSystem contract of runtime/fs/types.ts, run against one backend. The factory gives a fresh,
 * empty, writable filesystem for every test.
 */
export function runFileSystemSuite(name: string, factory: () => FileSystemFixture): void {
  describe(`FileSystem contract: ${name}`, () => {
    let fixture: FileSystemFixture;
    let fs: FileSystem;
    let root: FsNode;

    beforeEach(() => {
      fixture = factory();
      fs = fixture.fs;
      root = fs.root();
    });

    afterEach(() => {
      fixture.cleanup?.();
    });

    function writeFile(dir: FsNode, fileName: string, content: string): FsNode {
      const node = ok(fs.createFile(dir, fileName, 0o644));
      const handle = ok(fs.open(node, { read: false, write: true }));
      expect(handle.pwrite(utf8.encode(content), 0)).toBe(utf8.encode(content).length);
      handle.close();
      return node;
    }

    function readFile(node: FsNode, filesystem: FileSystem = fs): string {
      const handle = ok(filesystem.open(node, { read: true, write: false }));
      const bytes = readAll(handle);
      handle.close();
      return fromUtf8.decode(bytes);
    }

    function readAll(handle: FileHandle): Uint8Array {
      const bytes = new Uint8Array(handle.size());
      expect(handle.pread(bytes, 0)).toBe(bytes.length);
      return bytes;
    }

    function names(dir: FsNode, filesystem: FileSystem = fs): string[] {
      return ok(filesystem.readdir(dir)).map((e) => e.name);
    }

    function mkdir(dir: FsNode, dirName: string): FsNode {
      return ok(fs.mkdir(dir, dirName, 0o755));
    }

    describe('lookup', () => {
      it('should find an entry created in a directory', () => {
        const made = writeFile(root, 'a.txt', 'hello');
        const found = ok(fs.lookup(root, 'a.txt'));
        expect(fs.stat(found).ino).toBe(fs.stat(made).ino);
        expect(fs.stat(found).filetype).toBe(FILETYPE_REGULAR_FILE);
        expect(readFile(found)).toBe('hello');
      });

      it('should return NOENT for a missing name', () => {
        expect(outcome(fs.lookup(root, 'missing'))).toBe('NOENT');
        const dir = mkdir(root, 'd');
        expect(outcome(fs.lookup(dir, 'missing'))).toBe('NOENT');
      });

      it('should return NOTDIR when the directory is a file', () => {
        const file = writeFile(root, 'f', 'x');
        expect(outcome(fs.lookup(file, 'anything'))).toBe('NOTDIR');
      });

      it('should return the symlink itself, never its target', () => {
        writeFile(root, 'target', 'data');
        ok(fs.symlink(root, 'link', 'target'));
        const link = ok(fs.lookup(root, 'link'));
        expect(fs.stat(link).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
        expect(outcome(fs.lookup(link, 'x'))).toBe('NOTDIR');
      });

      it('should keep the root stable', () => {
        expect(fs.stat(fs.root()).ino).toBe(fs.stat(root).ino);
        expect(fs.stat(root).filetype).toBe(FILETYPE_DIRECTORY);
      });
    });

    describe('create', () => {
      it('should create an empty regular file with one link and the requested mode', () => {
        const node = ok(fs.createFile(root, 'f', 0o640));
        const st = fs.stat(node);
        expect(st.filetype).toBe(FILETYPE_REGULAR_FILE);
        expect(st.size).toBe(0);
        expect(st.nlink).toBe(1);
        expect(st.mode & 0o777).toBe(0o640);
      });

      it('should return EXIST when the name is taken by any kind of node', () => {
        writeFile(root, 'file', '');
        mkdir(root, 'dir');
        ok(fs.symlink(root, 'link', 'nowhere'));
        for (const taken of ['file', 'dir', 'link']) {
          expect(outcome(fs.createFile(root, taken, 0o644)), taken).toBe('EXIST');
          expect(outcome(fs.mkdir(root, taken, 0o755)), taken).toBe('EXIST');
          expect(outcome(fs.symlink(root, taken, 'x')), taken).toBe('EXIST');
        }
        // A dangling symlink must not be followed to create its target.
        expect(outcome(fs.lookup(root, 'nowhere'))).toBe('NOENT');
      });

      it('should create an empty directory with two links and count it in its parent', () => {
        const parentLinks = fs.stat(root).nlink;
        const dir = ok(fs.mkdir(root, 'd', 0o750));
        const st = fs.stat(dir);
        expect(st.filetype).toBe(FILETYPE_DIRECTORY);
        expect(st.nlink).toBe(2);
        expect(st.mode & 0o777).toBe(0o750);
        expect(names(dir)).toEqual([]);
        expect(fs.stat(root).nlink).toBe(parentLinks + 1);
      });

      it('should return NOTDIR when creating inside a file', () => {
        const file = writeFile(root, 'f', '');
        expect(outcome(fs.createFile(file, 'x', 0o644))).toBe('NOTDIR');
        expect(outcome(fs.mkdir(file, 'x', 0o755))).toBe('NOTDIR');
        expect(outcome(fs.symlink(file, 'x', 'y'))).toBe('NOTDIR');
      });
    });

    describe('readdir', () => {
      it('should list every entry except . and ..', () => {
        writeFile(root, 'b', '');
        mkdir(root, 'a');
        ok(fs.symlink(root, 'c', 'b'));
        expect([...names(root)].sort()).toEqual(['a', 'b', 'c']);
        expect(names(ok(fs.lookup(root, 'a')))).toEqual([]);
      });

      it('should give the same order on repeated calls', () => {
        for (const n of ['zeta', 'alpha', 'Mid', 'beta', '10', '9']) writeFile(root, n, '');
        const first = names(root);
        expect(names(root)).toEqual(first);
        expect(names(root)).toEqual(first);
      });

      it('should report each entry with the ino and filetype stat gives', () => {
        const file = writeFile(root, 'f', '');
        const dir = mkdir(root, 'd');
        const link = ok(fs.symlink(root, 'l', 'f'));
        const byName = new Map(ok(fs.readdir(root)).map((e) => [e.name, e]));
        expect(byName.get('f')).toEqual({
          name: 'f',
          ino: fs.stat(file).ino,
          filetype: FILETYPE_REGULAR_FILE,
        });
        expect(byName.get('d')).toEqual({ name: 'd', ino: fs.stat(dir).ino, filetype: FILETYPE_DIRECTORY });
        expect(byName.get('l')).toEqual({
          name: 'l',
          ino: fs.stat(link).ino,
          filetype: FILETYPE_SYMBOLIC_LINK,
        });
      });

      it('should reflect additions and removals', () => {
        writeFile(root, 'a', '');
        expect(names(root)).toEqual(['a']);
        writeFile(root, 'b', '');
        expect([...names(root)].sort()).toEqual(['a', 'b']);
        expect(fs.unlink(root, 'a')).toBe(ERRNO_SUCCESS);
        expect(names(root)).toEqual(['b']);
      });

      it('should return NOTDIR for a file or a symlink', () => {
        const file = writeFile(root, 'f', '');
        const link = ok(fs.symlink(root, 'l', '.'));
        expect(outcome(fs.readdir(file))).toBe('NOTDIR');
        expect(outcome(fs.readdir(link))).toBe('NOTDIR');
      });
    });

    describe('symlinks', () => {
      it('should store the target string exactly and report its length as the size', () => {
        for (const [linkName, target] of [
          ['rel', 'some/where'],
          ['up', '../secret'],
          ['abs', '/etc/passwd'],
          ['dangling', 'does-not-exist'],
          ['unicode', 'caf\u00e9'],
        ] as const) {
          const link = ok(fs.symlink(root, linkName, target));
          expect(fs.stat(link).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
          expect(fs.stat(link).size, linkName).toBe(utf8.encode(target).length);
          expect(fs.readlink(link)).toBe(target);
          expect(fs.readlink(ok(fs.lookup(root, linkName)))).toBe(target);
        }
      });

      it('should return INVAL from readlink of a non-symlink', () => {
        const file = writeFile(root, 'f', '');
        expect(outcome(fs.readlink(file))).toBe('INVAL');
        expect(outcome(fs.readlink(root))).toBe('INVAL');
      });

      it('should refuse to open a symlink (open never follows)', () => {
        writeFile(root, 'target', 'data');
        const link = ok(fs.symlink(root, 'link', 'target'));
        expect(outcome(fs.open(link, { read: true, write: false }))).toBe('LOOP');
        expect(fs.open(link, { read: true, write: true })).toBe(ERRNO_LOOP);
      });

      it('should remove the link and not the target on unlink', () => {
        writeFile(root, 'target', 'data');
        ok(fs.symlink(root, 'link', 'target'));
        expect(fs.unlink(root, 'link')).toBe(ERRNO_SUCCESS);
        expect(names(root)).toEqual(['target']);
        expect(readFile(ok(fs.lookup(root, 'target')))).toBe('data');
      });
    });

    describe('hard links', () => {
      it('should give a file a second name with the same inode and contents', () => {
        const file = writeFile(root, 'a', 'shared');
        const dir = mkdir(root, 'd');
        expect(fs.link(file, dir, 'b')).toBe(ERRNO_SUCCESS);
        const other = ok(fs.lookup(dir, 'b'));
        expect(fs.stat(other).ino).toBe(fs.stat(file).ino);
        expect(fs.stat(file).nlink).toBe(2);
        expect(fs.stat(other).nlink).toBe(2);
        const handle = ok(fs.open(other, { read: true, write: true }));
        handle.pwrite(utf8.encode('SH'), 0);
        handle.close();
        expect(readFile(ok(fs.lookup(root, 'a')))).toBe('SHared');
      });

      it('should drop the link count on unlink and keep the data under the other name', () => {
        const file = writeFile(root, 'a', 'data');
        expect(fs.link(file, root, 'b')).toBe(ERRNO_SUCCESS);
        expect(fs.unlink(root, 'a')).toBe(ERRNO_SUCCESS);
        const b = ok(fs.lookup(root, 'b'));
        expect(fs.stat(b).nlink).toBe(1);
        expect(readFile(b)).toBe('data');
      });

      it('should return PERM for a directory and EXIST for a taken name', () => {
        const dir = mkdir(root, 'd');
        const file = writeFile(root, 'f', '');
        writeFile(root, 'g', '');
        expect(errnoName(fs.link(dir, root, 'd2'))).toBe('PERM');
        expect(errnoName(fs.link(file, root, 'g'))).toBe('EXIST');
        expect(errnoName(fs.link(file, root, 'd'))).toBe('EXIST');
        expect(errnoName(fs.link(file, file, 'x'))).toBe('NOTDIR');
      });

      it('should count a directory as 2 plus its subdirectories', () => {
        const dir = mkdir(root, 'd');
        expect(fs.stat(dir).nlink).toBe(2);
        mkdir(dir, 'a');
        mkdir(dir, 'b');
        writeFile(dir, 'file', '');
        ok(fs.symlink(dir, 'link', 'a'));
        expect(fs.stat(dir).nlink).toBe(4);
        expect(fs.rmdir(dir, 'a')).toBe(ERRNO_SUCCESS);
        expect(fs.stat(dir).nlink).toBe(3);
        const other = mkdir(root, 'other');
        expect(fs.rename(dir, 'b', other, 'b')).toBe(ERRNO_SUCCESS);
        expect(fs.stat(dir).nlink).toBe(2);
        expect(fs.stat(other).nlink).toBe(3);
      });
    });

    describe('unlink and rmdir', () => {
      it('should remove a file', () => {
        writeFile(root, 'f', 'x');
        expect(fs.unlink(root, 'f')).toBe(ERRNO_SUCCESS);
        expect(outcome(fs.lookup(root, 'f'))).toBe('NOENT');
        expect(errnoName(fs.unlink(root, 'f'))).toBe('NOENT');
      });

      it('should return ISDIR from unlink of a directory', () => {
        mkdir(root, 'd');
        expect(errnoName(fs.unlink(root, 'd'))).toBe('ISDIR');
        expect(names(root)).toEqual(['d']);
      });

      it('should remove an empty directory and drop its link count to 0', () => {
        const dir = mkdir(root, 'd');
        const rootLinks = fs.stat(root).nlink;
        expect(fs.rmdir(root, 'd')).toBe(ERRNO_SUCCESS);
        expect(outcome(fs.lookup(root, 'd'))).toBe('NOENT');
        expect(fs.stat(root).nlink).toBe(rootLinks - 1);
        expect(fs.stat(dir).nlink).toBe(0);
      });

      it('should return NOTEMPTY, NOTDIR and NOENT where rmdir cannot remove', () => {
        const dir = mkdir(root, 'd');
        writeFile(dir, 'inside', '');
        writeFile(root, 'f', '');
        ok(fs.symlink(root, 'l', 'd'));
        expect(errnoName(fs.rmdir(root, 'd'))).toBe('NOTEMPTY');
        expect(errnoName(fs.rmdir(root, 'f'))).toBe('NOTDIR');
        expect(errnoName(fs.rmdir(root, 'l'))).toBe('NOTDIR');
        expect(errnoName(fs.rmdir(root, 'missing'))).toBe('NOENT');
        expect(names(dir)).toEqual(['inside']);
      });

      it('should refuse new entries in a removed directory', () => {
        const dir = mkdir(root, 'd');
        expect(fs.rmdir(root, 'd')).toBe(ERRNO_SUCCESS);
        expect(outcome(fs.createFile(dir, 'x', 0o644))).toBe('NOENT');
        expect(outcome(fs.mkdir(dir, 'x', 0o755))).toBe('NOENT');
      });
    });

    describe('rename', () => {
      it('should move a file within a directory, keeping its inode', () => {
        const file = writeFile(root, 'old', 'content');
        const ino = fs.stat(file).ino;
        expect(fs.rename(root, 'old', root, 'new')).toBe(ERRNO_SUCCESS);
        expect(outcome(fs.lookup(root, 'old'))).toBe('NOENT');
        const moved = ok(fs.lookup(root, 'new'));
        expect(fs.stat(moved).ino).toBe(ino);
        expect(readFile(moved)).toBe('content');
        expect(names(root)).toEqual(['new']);
      });

      it('should move a file between directories', () => {
        const a = mkdir(root, 'a');
        const b = mkdir(root, 'b');
        writeFile(a, 'f', 'x');
        expect(fs.rename(a, 'f', b, 'g')).toBe(ERRNO_SUCCESS);
        expect(names(a)).toEqual([]);
        expect(names(b)).toEqual(['g']);
        expect(readFile(ok(fs.lookup(b, 'g')))).toBe('x');
      });

      it('should do nothing for two names of the same inode', () => {
        const file = writeFile(root, 'a', 'x');
        expect(fs.link(file, root, 'b')).toBe(ERRNO_SUCCESS);
        expect(fs.rename(root, 'a', root, 'b')).toBe(ERRNO_SUCCESS);
        expect([...names(root)].sort()).toEqual(['a', 'b']);
        expect(fs.stat(file).nlink).toBe(2);
        expect(fs.rename(root, 'a', root, 'a')).toBe(ERRNO_SUCCESS);
        expect([...names(root)].sort()).toEqual(['a', 'b']);
      });

      it('should replace an existing file and drop its link count', () => {
        writeFile(root, 'src', 'new');
        const victim = writeFile(root, 'dst', 'old');
        expect(fs.link(victim, root, 'keep')).toBe(ERRNO_SUCCESS);
        expect(fs.rename(root, 'src', root, 'dst')).toBe(ERRNO_SUCCESS);
        expect(names(root).includes('src')).toBe(false);
        expect(readFile(ok(fs.lookup(root, 'dst')))).toBe('new');
        const kept = ok(fs.lookup(root, 'keep'));
        expect(fs.stat(kept).nlink).toBe(1);
        expect(readFile(kept)).toBe('old');
      });

      it('should replace an empty directory with a directory', () => {
        const src = mkdir(root, 'src');
        writeFile(src, 'inside', 'x');
        mkdir(root, 'dst');
        const rootLinks = fs.stat(root).nlink;
        expect(fs.rename(root, 'src', root, 'dst')).toBe(ERRNO_SUCCESS);
        expect(names(root)).toEqual(['dst']);
        expect(names(ok(fs.lookup(root, 'dst')))).toEqual(['inside']);
        expect(fs.stat(root).nlink).toBe(rootLinks - 1);
      });

      it('should return NOTEMPTY when the target directory has entries', () => {
        mkdir(root, 'src');
        const dst = mkdir(root, 'dst');
        writeFile(dst, 'x', '');
        expect(errnoName(fs.rename(root, 'src', root, 'dst'))).toBe('NOTEMPTY');
        expect([...names(root)].sort()).toEqual(['dst', 'src']);
      });

      it('should return ISDIR for a file over a directory', () => {
        writeFile(root, 'f', '');
        mkdir(root, 'd');
        expect(errnoName(fs.rename(root, 'f', root, 'd'))).toBe('ISDIR');
        expect([...names(root)].sort()).toEqual(['d', 'f']);
      });

      it('should return NOTDIR for a directory over a file', () => {
        writeFile(root, 'f', '');
        mkdir(root, 'd');
        expect(errnoName(fs.rename(root, 'd', root, 'f'))).toBe('NOTDIR');
        expect([...names(root)].sort()).toEqual(['d', 'f']);
      });

      it('should return INVAL when moving a directory into its own subtree', () => {
        const a = mkdir(root, 'a');
        const b = mkdir(a, 'b');
        const c = mkdir(b, 'c');
        expect(errnoName(fs.rename(root, 'a', a, 'x'))).toBe('INVAL');
        expect(errnoName(fs.rename(root, 'a', b, 'x'))).toBe('INVAL');
        expect(errnoName(fs.rename(root, 'a', c, 'x'))).toBe('INVAL');
        expect(errnoName(fs.rename(a, 'b', c, 'x'))).toBe('INVAL');
        expect(names(root)).toEqual(['a']);
        expect(names(c)).toEqual([]);
      });

      it('should return NOENT for a missing source and NOTDIR for a file as directory', () => {
        const file = writeFile(root, 'f', '');
        expect(errnoName(fs.rename(root, 'missing', root, 'x'))).toBe('NOENT');
        expect(errnoName(fs.rename(file, 'x', root, 'y'))).toBe('NOTDIR');
        expect(errnoName(fs.rename(root, 'f', file, 'y'))).toBe('NOTDIR');
      });

      it('should move a directory with its contents and keep inode numbers', () => {
        const a = mkdir(root, 'a');
        const inner = writeFile(a, 'inner', 'deep');
        const innerIno = fs.stat(inner).ino;
        const aIno = fs.stat(a).ino;
        const dest = mkdir(root, 'dest');
        expect(fs.rename(root, 'a', dest, 'moved')).toBe(ERRNO_SUCCESS);
        const moved = ok(fs.lookup(dest, 'moved'));
        expect(fs.stat(moved).ino).toBe(aIno);
        const movedInner = ok(fs.lookup(moved, 'inner'));
        expect(fs.stat(movedInner).ino).toBe(innerIno);
        expect(readFile(movedInner)).toBe('deep');
      });

      it('should rename a symlink without touching its target', () => {
        writeFile(root, 't', 'x');
        ok(fs.symlink(root, 'l', 't'));
        expect(fs.rename(root, 'l', root, 'l2')).toBe(ERRNO_SUCCESS);
        expect(fs.readlink(ok(fs.lookup(root, 'l2')))).toBe('t');
        expect(readFile(ok(fs.lookup(root, 't')))).toBe('x');
      });
    });

    describe('file contents', () => {
      it('should read back what was written at any offset', () => {
        const file = ok(fs.createFile(root, 'f', 0o644));
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(handle.pwrite(utf8.encode('hello world'), 0)).toBe(11);
        expect(handle.pwrite(utf8.encode('WORLD'), 6)).toBe(5);
        expect(handle.size()).toBe(11);
        const part = new Uint8Array(5);
        expect(handle.pread(part, 6)).toBe(5);
        expect(fromUtf8.decode(part)).toBe('WORLD');
        expect(fromUtf8.decode(readAll(handle))).toBe('hello WORLD');
        handle.close();
        expect(fs.stat(file).size).toBe(11);
      });

      it('should return short reads at the end and 0 past it', () => {
        const file = writeFile(root, 'f', 'abc');
        const handle = ok(fs.open(file, { read: true, write: false }));
        const buf = new Uint8Array(10);
        expect(handle.pread(buf, 1)).toBe(2);
        expect(fromUtf8.decode(buf.subarray(0, 2))).toBe('bc');
        expect(handle.pread(buf, 3)).toBe(0);
        expect(handle.pread(buf, 100)).toBe(0);
        expect(handle.pread(new Uint8Array(0), 0)).toBe(0);
        handle.close();
      });

      it('should handle reads and writes larger than a small copy', () => {
        const file = ok(fs.createFile(root, 'big', 0o644));
        const handle = ok(fs.open(file, { read: true, write: true }));
        const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
        expect(handle.pwrite(data, 0)).toBe(data.length);
        const back = new Uint8Array(data.length);
        expect(handle.pread(back, 0)).toBe(data.length);
        expect(back).toEqual(data);
        handle.close();
      });

      it('should zero-fill the gap when writing past the end', () => {
        const file = writeFile(root, 'f', 'ab');
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(handle.pwrite(utf8.encode('Z'), 10)).toBe(1);
        expect(handle.size()).toBe(11);
        expect([...readAll(handle)]).toEqual([97, 98, 0, 0, 0, 0, 0, 0, 0, 0, 90]);
        handle.close();
      });

      it('should grow with zeros and shrink with setSize', () => {
        const file = writeFile(root, 'f', 'abcdef');
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(handle.setSize(3)).toBe(ERRNO_SUCCESS);
        expect(handle.size()).toBe(3);
        expect(fromUtf8.decode(readAll(handle))).toBe('abc');
        // Growing again must not resurrect the truncated bytes.
        expect(handle.setSize(6)).toBe(ERRNO_SUCCESS);
        expect([...readAll(handle)]).toEqual([97, 98, 99, 0, 0, 0]);
        expect(handle.setSize(0)).toBe(ERRNO_SUCCESS);
        expect(handle.size()).toBe(0);
        expect(handle.pwrite(utf8.encode('x'), 2)).toBe(1);
        expect([...readAll(handle)]).toEqual([0, 0, 120]);
        handle.close();
        expect(fs.stat(file).size).toBe(3);
      });

      it('should keep many appends in order', () => {
        const file = ok(fs.createFile(root, 'log', 0o644));
        const handle = ok(fs.open(file, { read: true, write: true }));
        let expected = '';
        for (let i = 0; i < 500; i++) {
          const line = `line ${i}\n`;
          expect(handle.pwrite(utf8.encode(line), handle.size())).toBe(line.length);
          expected += line;
        }
        handle.close();
        expect(readFile(file)).toBe(expected);
      });

      it('should keep a handle usable after the file is unlinked', () => {
        const file = writeFile(root, 'f', 'still here');
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(fs.unlink(root, 'f')).toBe(ERRNO_SUCCESS);
        expect(outcome(fs.lookup(root, 'f'))).toBe('NOENT');
        expect(fromUtf8.decode(readAll(handle))).toBe('still here');
        expect(handle.pwrite(utf8.encode('!'), 10)).toBe(1);
        expect(fromUtf8.decode(readAll(handle))).toBe('still here!');
        expect(handle.stat().nlink).toBe(0);
        handle.close();
      });

      it('should refuse writes through a handle opened for reading', () => {
        const file = writeFile(root, 'f', 'abc');
        const handle = ok(fs.open(file, { read: true, write: false }));
        expect(handle.pwrite(utf8.encode('x'), 0)).toBeLessThan(0);
        expect(handle.setSize(0)).not.toBe(ERRNO_SUCCESS);
        handle.close();
        expect(readFile(file)).toBe('abc');
      });

      it('should return ISDIR when opening a directory for writing', () => {
        const dir = mkdir(root, 'd');
        expect(errnoName(fs.open(dir, { read: false, write: true }) as Errno)).toBe('ISDIR');
        expect(errnoName(fs.open(dir, { read: true, write: true }) as Errno)).toBe('ISDIR');
      });

      it('should report the file through the handle stat', () => {
        const file = writeFile(root, 'f', 'abcd');
        const handle = ok(fs.open(file, { read: true, write: false }));
        const st = handle.stat();
        expect(st.ino).toBe(fs.stat(file).ino);
        expect(st.size).toBe(4);
        expect(st.filetype).toBe(FILETYPE_REGULAR_FILE);
        expect(handle.sync()).toBe(ERRNO_SUCCESS);
        handle.close();
      });
    });

    describe('timestamps', () => {
      it('should set all three times on a new node', () => {
        for (const node of [writeFile(root, 'f', ''), mkdir(root, 'd'), ok(fs.symlink(root, 'l', 'f'))]) {
          const st = fs.stat(node);
          expect(st.atim).toBeGreaterThan(0n);
          expect(st.mtim).toBeGreaterThan(0n);
          expect(st.ctim).toBeGreaterThan(0n);
        }
      });

      it('should set times exactly and leave a null one unchanged', () => {
        const file = writeFile(root, 'f', '');
        expect(fs.setTimes(file, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(file).atim).toBe(OLD_ATIM);
        expect(fs.stat(file).mtim).toBe(OLD_MTIM);
        expect(fs.setTimes(file, null, OLD_ATIM)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(file).atim).toBe(OLD_ATIM);
        expect(fs.stat(file).mtim).toBe(OLD_ATIM);
        expect(fs.setTimes(file, OLD_MTIM, null)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(file).atim).toBe(OLD_MTIM);
        expect(fs.stat(file).mtim).toBe(OLD_ATIM);
      });

      it('should set times through a handle', () => {
        const file = writeFile(root, 'f', '');
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(handle.setTimes(OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        expect(handle.stat().atim).toBe(OLD_ATIM);
        expect(handle.stat().mtim).toBe(OLD_MTIM);
        handle.close();
        expect(fs.stat(file).mtim).toBe(OLD_MTIM);
      });

      it('should set times on a directory', () => {
        const dir = mkdir(root, 'd');
        expect(fs.setTimes(dir, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(dir).mtim).toBe(OLD_MTIM);
      });

      it('should move mtim and ctim forward on write and setSize', () => {
        const file = writeFile(root, 'f', 'x');
        const handle = ok(fs.open(file, { read: true, write: true }));
        expect(fs.setTimes(file, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        let ctim = fs.stat(file).ctim;
        handle.pwrite(utf8.encode('y'), 1);
        expect(fs.stat(file).mtim).toBeGreaterThan(OLD_MTIM);
        expect(fs.stat(file).ctim).toBeGreaterThanOrEqual(ctim);
        expect(fs.setTimes(file, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        ctim = fs.stat(file).ctim;
        expect(handle.setSize(1)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(file).mtim).toBeGreaterThan(OLD_MTIM);
        expect(fs.stat(file).ctim).toBeGreaterThanOrEqual(ctim);
        handle.close();
      });

      it('should move ctim (not mtim) forward on link, unlink, rename and setMode', () => {
        writeFile(root, 'f', 'x');
        expect(fs.setTimes(ok(fs.lookup(root, 'f')), OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        // Looked up afresh each time: a node of a path-based backend need not survive a rename.
        let current = 'f';
        const file = () => ok(fs.lookup(root, current));
        const steps: [string, () => Errno][] = [
          ['link', () => fs.link(file(), root, 'g')],
          ['unlink', () => fs.unlink(root, 'g')],
          ['rename', () => fs.rename(root, 'f', root, (current = 'h'))],
          ['setMode', () => fs.setMode(file(), 0o600)],
        ];
        for (const [label, step] of steps) {
          const ctim = fs.stat(file()).ctim;
          expect(errnoName(step()), label).toBe('success');
          expect(fs.stat(file()).ctim, label).toBeGreaterThanOrEqual(ctim);
          expect(fs.stat(file()).mtim, label).toBe(OLD_MTIM);
        }
      });

      it('should move a directory mtim forward when its entries change', () => {
        const dir = mkdir(root, 'd');
        const other = mkdir(root, 'other');
        const file = writeFile(other, 'f', '');
        const steps: [string, () => unknown][] = [
          ['createFile', () => ok(fs.createFile(dir, 'a', 0o644))],
          ['mkdir', () => ok(fs.mkdir(dir, 'sub', 0o755))],
          ['symlink', () => ok(fs.symlink(dir, 'l', 'a'))],
          ['link', () => expect(fs.link(file, dir, 'hard')).toBe(ERRNO_SUCCESS)],
          ['rename within', () => expect(fs.rename(dir, 'a', dir, 'b')).toBe(ERRNO_SUCCESS)],
          ['rename in', () => expect(fs.rename(other, 'f', dir, 'moved')).toBe(ERRNO_SUCCESS)],
          ['unlink', () => expect(fs.unlink(dir, 'b')).toBe(ERRNO_SUCCESS)],
          ['rmdir', () => expect(fs.rmdir(dir, 'sub')).toBe(ERRNO_SUCCESS)],
        ];
        for (const [label, step] of steps) {
          expect(fs.setTimes(dir, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
          step();
          expect(fs.stat(dir).mtim, label).toBeGreaterThan(OLD_MTIM);
        }
        // Moving an entry out changes the source directory too.
        expect(fs.setTimes(other, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        expect(fs.setTimes(dir, OLD_ATIM, OLD_MTIM)).toBe(ERRNO_SUCCESS);
        expect(fs.rename(dir, 'moved', other, 'back')).toBe(ERRNO_SUCCESS);
        expect(fs.stat(dir).mtim).toBeGreaterThan(OLD_MTIM);
        expect(fs.stat(other).mtim).toBeGreaterThan(OLD_MTIM);
      });
    });

    describe('inode numbers', () => {
      it('should give the same ino on every lookup and a distinct one per inode', () => {
        const a = writeFile(root, 'a', '');
        const b = writeFile(root, 'b', '');
        const d = mkdir(root, 'd');
        const l = ok(fs.symlink(root, 'l', 'a'));
        const inos = [a, b, d, l, root].map((n) => fs.stat(n).ino);
        expect(new Set(inos).size).toBe(inos.length);
        for (const [n, node] of [
          ['a', a],
          ['b', b],
          ['d', d],
          ['l', l],
        ] as const) {
          expect(fs.stat(ok(fs.lookup(root, n))).ino).toBe(fs.stat(node).ino);
          expect(fs.stat(ok(fs.lookup(root, n))).ino).toBe(fs.stat(node).ino);
        }
      });

      it('should keep inos across renames and unrelated changes', () => {
        const file = writeFile(root, 'f', 'x');
        const ino = fs.stat(file).ino;
        const dir = mkdir(root, 'd');
        for (let i = 0; i < 10; i++) writeFile(dir, `n${i}`, '');
        expect(fs.rename(root, 'f', dir, 'g')).toBe(ERRNO_SUCCESS);
        expect(fs.stat(ok(fs.lookup(dir, 'g'))).ino).toBe(ino);
        expect(fs.stat(file).ino).toBe(ino);
      });
    });

    describe('setMode', () => {
      it('should record permission bits on files and directories', () => {
        const file = writeFile(root, 'f', '');
        const dir = mkdir(root, 'd');
        expect(fs.setMode(file, 0o600)).toBe(ERRNO_SUCCESS);
        expect(fs.setMode(dir, 0o711)).toBe(ERRNO_SUCCESS);
        expect(fs.stat(file).mode & 0o7777).toBe(0o600);
        expect(fs.stat(dir).mode & 0o7777).toBe(0o711);
        expect(fs.stat(ok(fs.lookup(root, 'f'))).mode & 0o7777).toBe(0o600);
        expect(fs.stat(file).filetype).toBe(FILETYPE_REGULAR_FILE);
      });
    });

    describe('read-only', () => {
      function populate(): void {
        const dir = mkdir(root, 'd');
        writeFile(dir, 'inside', '');
        writeFile(root, 'f', 'readable');
        ok(fs.symlink(root, 'l', 'f'));
        mkdir(root, 'empty');
      }

      function checkReadOnly(view: FileSystem): void {
        expect(view.readOnly).toBe(true);
        const r = view.root();
        const file = ok(view.lookup(r, 'f'));
        const dir = ok(view.lookup(r, 'd'));
        const link = ok(view.lookup(r, 'l'));
        // Reads work.
        expect([...names(r, view)].sort()).toEqual(['d', 'empty', 'f', 'l']);
        expect(view.readlink(link)).toBe('f');
        expect(readFile(file, view)).toBe('readable');
        // Every mutation is ROFS.
        const refused: [string, Errno | FsNode | FileHandle][] = [
          ['createFile', view.createFile(r, 'new', 0o644)],
          ['mkdir', view.mkdir(r, 'new', 0o755)],
          ['symlink', view.symlink(r, 'new', 'f')],
          ['link', view.link(file, r, 'new')],
          ['unlink', view.unlink(r, 'f')],
          ['unlink symlink', view.unlink(r, 'l')],
          ['rmdir', view.rmdir(r, 'empty')],
          ['rename', view.rename(r, 'f', r, 'g')],
          ['rename dir', view.rename(r, 'd', r, 'e')],
          ['setTimes', view.setTimes(file, OLD_ATIM, OLD_MTIM)],
          ['setMode', view.setMode(file, 0o600)],
          ['open for write', view.open(file, { read: false, write: true })],
          ['open read-write', view.open(file, { read: true, write: true })],
        ];
        for (const [label, result] of refused) expect(outcome(result), label).toBe('ROFS');
        expect(outcome(view.open(dir, { read: false, write: true }))).toBe('ISDIR');
        // A read handle cannot change the file either.
        const handle = ok(view.open(file, { read: true, write: false }));
        expect(handle.pwrite(utf8.encode('x'), 0)).toBeLessThan(0);
        expect(handle.setSize(0)).not.toBe(ERRNO_SUCCESS);
        expect(errnoName(handle.setTimes(OLD_ATIM, OLD_MTIM))).toBe('ROFS');
        handle.close();
        // Nothing changed underneath.
        expect([...names(r, view)].sort()).toEqual(['d', 'empty', 'f', 'l']);
        expect(readFile(file, view)).toBe('readable');
        expect(view.stat(file).mtim).not.toBe(OLD_MTIM);
      }

      it('should refuse every mutation through the readOnly() decorator', () => {
        populate();
        const view = readOnly(fs);
        checkReadOnly(view);
        expect(view.dev).toBe(fs.dev);
        expect(readOnly(view)).toBe(view);
        // The writable filesystem underneath is unaffected.
        expect(fs.readOnly).toBe(false);
        expect(fs.unlink(root, 'f')).toBe(ERRNO_SUCCESS);
      });

      it("should refuse every mutation in the backend's own read-only mode", (ctx) => {
        if (!fixture.reopenReadOnly) return ctx.skip();
        populate();
        checkReadOnly(fixture.reopenReadOnly());
      });
    });
  });
}
