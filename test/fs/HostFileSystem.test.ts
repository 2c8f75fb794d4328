import * as nodeFs from 'node:fs';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_ERROR_CODES, HostFileSystem, hostErrno, type SyncFs } from '../../runtime/fs/HostFileSystem';
import type { Errno, FileSystem, FsNode } from '../../runtime/fs/types';
import {
  ERRNO_ACCES,
  ERRNO_EXIST,
  ERRNO_INVAL,
  ERRNO_IO,
  ERRNO_ISDIR,
  ERRNO_NAMES,
  ERRNO_NOENT,
  ERRNO_NOTDIR,
  ERRNO_NOTEMPTY,
  ERRNO_PERM,
  ERRNO_ROFS,
  ERRNO_SUCCESS,
  ERRNO_XDEV,
  FILETYPE_DIRECTORY,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';

const SECRET = 'TOP SECRET: outside the root';
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function ok<T extends object | string>(value: T | Errno): T {
  if (typeof value === 'number') throw new Error(`expected success, got ERRNO_${ERRNO_NAMES[value]}`);
  return value;
}

function outcome(value: unknown): string {
  return typeof value === 'number' ? (ERRNO_NAMES[value] ?? String(value)) : 'success';
}

interface HostCall {
  method: string;
  args: unknown[];
}

/** Wraps a SyncFs so every call and its arguments are recorded. */
function recording(fs: SyncFs, calls: HostCall[]): SyncFs {
  return new Proxy(fs, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push({ method: property, args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Host paths a call touches (a symlink's target is only text, and open flags may be strings). */
function pathsOf(call: HostCall): string[] {
  const [first, second] = call.args;
  if (call.method === 'symlinkSync') return [second as string];
  if (call.method === 'linkSync' || call.method === 'renameSync') return [first as string, second as string];
  return typeof first === 'string' ? [first] : [];
}

interface Host {
  fs: SyncFs;
  /** Absolute host paths. */
  root: string;
  secretDir: string;
  secretFile: string;
  cleanup: () => void;
}

/** A host directory holding the root and, beside it, a secret the root's symlinks point at. */
function nodeHost(): Host {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'berth-confine-')));
  return populate(nodeFs, base, () => rmSync(base, { recursive: true, force: true }));
}

function memfsHost(): Host {
  const volume = new Volume();
  volume.mkdirSync('/base');
  return populate(volume, '/base', () => {});
}

function populate(fs: SyncFs, base: string, cleanup: () => void): Host {
  // Setting up uses calls outside SyncFs; both node:fs and memfs have them.
  const host = fs as unknown as typeof nodeFs;
  const root = `${base}/root`;
  const secretDir = `${base}/secret`;
  const secretFile = `${secretDir}/secret.txt`;
  host.mkdirSync(secretDir);
  host.writeFileSync(secretFile, SECRET);
  host.mkdirSync(root);
  host.mkdirSync(`${root}/sub`);
  host.writeFileSync(`${root}/inside.txt`, 'inside');
  host.symlinkSync('../secret/secret.txt', `${root}/up`);
  host.symlinkSync(secretFile, `${root}/abs`);
  host.symlinkSync(secretDir, `${root}/absdir`);
  host.symlinkSync('../../secret', `${root}/sub/updir`);
  return { fs, root, secretDir, secretFile, cleanup };
}

function readText(fs: SyncFs, path: string): string {
  const fd = fs.openSync(path, 'r');
  const bytes = new Uint8Array(4096);
  const n = fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return fromUtf8.decode(bytes.subarray(0, n));
}

for (const [backend, makeHost] of [
  ['node:fs', nodeHost],
  ['memfs', memfsHost],
] as const) {
  describe(`HostFileSystem confinement over ${backend}`, () => {
    let host: Host;
    let calls: HostCall[];
    let fs: FileSystem;
    let root: FsNode;

    beforeEach(() => {
      host = makeHost();
      calls = [];
      fs = new HostFileSystem({ fs: recording(host.fs, calls), root: host.root });
      root = fs.root();
    });

    afterEach(() => {
      // Whatever a test did, the backend only ever named paths inside the root.
      for (const call of calls) {
        for (const path of pathsOf(call)) {
          expect(path === host.root || path.startsWith(host.root + '/'), `${call.method} ${path}`).toBe(true);
        }
      }
      expect(readText(host.fs, host.secretFile)).toBe(SECRET);
      host.cleanup();
    });

    it('should return symlinks as symlinks with their target text', () => {
      for (const [name, target] of [
        ['up', '../secret/secret.txt'],
        ['abs', host.secretFile],
        ['absdir', host.secretDir],
      ]) {
        const link = ok(fs.lookup(root, name));
        expect(fs.stat(link).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
        expect(fs.readlink(link)).toBe(target);
        expect(fs.stat(link).size).toBe(utf8.encode(target).length);
      }
      const sub = ok(fs.lookup(root, 'sub'));
      expect(fs.readlink(ok(fs.lookup(sub, 'updir')))).toBe('../../secret');
    });

    it('should never read through a symlink', () => {
      const up = ok(fs.lookup(root, 'up'));
      const abs = ok(fs.lookup(root, 'abs'));
      const absdir = ok(fs.lookup(root, 'absdir'));
      expect(outcome(fs.open(up, { read: true, write: false }))).toBe('LOOP');
      expect(outcome(fs.open(abs, { read: true, write: true }))).toBe('LOOP');
      expect(outcome(fs.readdir(absdir))).toBe('NOTDIR');
      expect(outcome(fs.lookup(absdir, 'secret.txt'))).toBe('NOTDIR');
      expect(outcome(fs.createFile(absdir, 'planted', 0o644))).toBe('NOTDIR');
      expect(outcome(fs.mkdir(absdir, 'planted', 0o755))).toBe('NOTDIR');
      expect(fs.unlink(absdir, 'secret.txt')).toBe(ERRNO_NOTDIR);
      expect(fs.rename(absdir, 'secret.txt', root, 'stolen')).toBe(ERRNO_NOTDIR);
      expect(fs.rename(root, 'inside.txt', absdir, 'planted')).toBe(ERRNO_NOTDIR);
      expect(nodeFs.existsSync(join(host.secretDir, 'planted'))).toBe(false);
    });

    it('should not change the target when changing a symlink', () => {
      const abs = ok(fs.lookup(root, 'abs'));
      const before = host.fs.lstatSync(host.secretFile, { bigint: true });
      expect(outcome(fs.setMode(abs, 0o777))).toBe('NOTSUP');
      // Either the link's own times change (lutimes) or the call is refused; never the target's.
      fs.setTimes(abs, 1_000_000_000_000_000_000n, 1_000_000_000_000_000_000n);
      const after = host.fs.lstatSync(host.secretFile, { bigint: true });
      expect(after.mtimeNs).toBe(before.mtimeNs);
      expect(after.mode).toBe(before.mode);
      // A hard link to a symlink would pull the target in on hosts whose link(2) follows symlinks.
      expect(outcome(fs.link(abs, root, 'hard'))).toBe('NOTSUP');
    });

    it('should move a symlink by rename, not its target', () => {
      expect(fs.rename(root, 'abs', root, 'moved')).toBe(ERRNO_SUCCESS);
      const moved = ok(fs.lookup(root, 'moved'));
      expect(fs.stat(moved).filetype).toBe(FILETYPE_SYMBOLIC_LINK);
      expect(fs.readlink(moved)).toBe(host.secretFile);
      expect(outcome(fs.lookup(root, 'abs'))).toBe('NOENT');
    });

    it('should not follow a directory that was renamed away and replaced by a symlink', () => {
      const dir = ok(fs.mkdir(root, 'a', 0o755));
      expect(fs.rename(root, 'a', root, 'b')).toBe(ERRNO_SUCCESS);
      ok(fs.symlink(root, 'a', host.secretDir));
      // `dir` still names root/a, which now leads outside: every use must see that it is gone.
      expect(outcome(fs.lookup(dir, 'secret.txt'))).toBe('NOENT');
      expect(outcome(fs.readdir(dir))).toBe('NOENT');
      expect(outcome(fs.createFile(dir, 'planted', 0o644))).toBe('NOENT');
      expect(fs.unlink(dir, 'secret.txt')).toBe(ERRNO_NOENT);
      expect(fs.stat(dir).nlink).toBe(0);
      expect(nodeFs.existsSync(join(host.secretDir, 'planted'))).toBe(false);
    });

    it('should not follow a file that was replaced by a symlink', () => {
      const file = ok(fs.createFile(root, 'f', 0o644));
      expect(fs.unlink(root, 'f')).toBe(ERRNO_SUCCESS);
      ok(fs.symlink(root, 'f', host.secretFile));
      expect(outcome(fs.open(file, { read: true, write: false }))).not.toBe('success');
      expect(fs.setMode(file, 0o777)).not.toBe(ERRNO_SUCCESS);
    });

    it('should not follow an ancestor that was replaced by a symlink', () => {
      const a = ok(fs.mkdir(root, 'a', 0o755));
      // root/a/secret would lead to the real secret directory once root/a points at its parent.
      const inner = ok(fs.mkdir(a, 'secret', 0o755));
      expect(fs.rename(root, 'a', root, 'b')).toBe(ERRNO_SUCCESS);
      ok(fs.symlink(root, 'a', host.secretDir.replace(/\/secret$/, '')));
      expect(outcome(fs.readdir(inner))).toBe('NOENT');
      expect(outcome(fs.lookup(inner, 'secret.txt'))).toBe('NOENT');
    });

    it('should reject names that are not single components', () => {
      for (const name of ['', '.', '..', 'a/b', '../secret', 'nul\0byte']) {
        expect(fs.lookup(root, name), JSON.stringify(name)).toBe(ERRNO_INVAL);
        expect(fs.createFile(root, name, 0o644), JSON.stringify(name)).toBe(ERRNO_INVAL);
        expect(fs.mkdir(root, name, 0o755), JSON.stringify(name)).toBe(ERRNO_INVAL);
        expect(fs.unlink(root, name), JSON.stringify(name)).toBe(ERRNO_INVAL);
        expect(fs.rename(root, 'inside.txt', root, name), JSON.stringify(name)).toBe(ERRNO_INVAL);
      }
    });

    it('should list a directory sorted by name', () => {
      expect(ok(fs.readdir(root)).map((e) => e.name)).toEqual(['abs', 'absdir', 'inside.txt', 'sub', 'up']);
    });
  });
}

describe('HostFileSystem over node:fs', () => {
  let host: Host;
  beforeEach(() => {
    host = nodeHost();
  });
  afterEach(() => host.cleanup());

  it('should open files with O_NOFOLLOW', () => {
    const calls: HostCall[] = [];
    const fs = new HostFileSystem({ fs: recording(nodeFs, calls), root: host.root });
    const handle = ok(fs.open(ok(fs.lookup(fs.root(), 'inside.txt')), { read: true, write: false }));
    handle.close();
    const opens = calls.filter((c) => c.method === 'openSync');
    expect(opens).toHaveLength(1);
    expect((opens[0]!.args[1] as number) & nodeFs.constants.O_NOFOLLOW).toBe(nodeFs.constants.O_NOFOLLOW);
  });

  it('should accept a root with a trailing slash and refuse a root that is not a directory', () => {
    const fs = new HostFileSystem({ fs: nodeFs, root: host.root + '/' });
    expect(fs.stat(ok(fs.lookup(fs.root(), 'inside.txt'))).size).toBe(6);
    expect(() => new HostFileSystem({ fs: nodeFs, root: join(host.root, 'inside.txt') })).toThrow(
      /not a directory/,
    );
  });

  it('should report ino and times from the host', () => {
    const fs = new HostFileSystem({ fs: nodeFs, root: host.root });
    const st = fs.stat(ok(fs.lookup(fs.root(), 'inside.txt')));
    const real = nodeFs.lstatSync(join(host.root, 'inside.txt'), { bigint: true });
    expect(st.ino).toBe(Number(real.ino));
    expect(st.mtim).toBe(real.mtimeNs);
    expect(st.nlink).toBe(1);
    expect(fs.stat(fs.root()).filetype).toBe(FILETYPE_DIRECTORY);
  });

  it('should make a closed handle inert', () => {
    const fs = new HostFileSystem({ fs: nodeFs, root: host.root });
    const handle = ok(fs.open(ok(fs.lookup(fs.root(), 'inside.txt')), { read: true, write: false }));
    handle.close();
    handle.close();
    expect(handle.pread(new Uint8Array(4), 0)).toBeLessThan(0);
  });

  it('should return ROFS for every change when read-only', () => {
    const fs = new HostFileSystem({ fs: nodeFs, root: host.root, readOnly: true });
    const root = fs.root();
    const file = ok(fs.lookup(root, 'inside.txt'));
    expect(fs.createFile(root, 'x', 0o644)).toBe(ERRNO_ROFS);
    expect(fs.open(file, { read: true, write: true })).toBe(ERRNO_ROFS);
    expect(fs.unlink(root, 'inside.txt')).toBe(ERRNO_ROFS);
    expect(fs.rename(root, 'inside.txt', root, 'y')).toBe(ERRNO_ROFS);
    expect(fs.open(ok(fs.lookup(root, 'sub')), { read: false, write: true })).toBe(ERRNO_ISDIR);
    expect(nodeFs.readdirSync(host.root).sort()).toEqual(['abs', 'absdir', 'inside.txt', 'sub', 'up']);
  });
});

describe('HostFileSystem error mapping', () => {
  it('should map host error codes to WASI errnos', () => {
    const expected: [string, Errno][] = [
      ['ENOENT', ERRNO_NOENT],
      ['EEXIST', ERRNO_EXIST],
      ['ENOTDIR', ERRNO_NOTDIR],
      ['EISDIR', ERRNO_ISDIR],
      ['ENOTEMPTY', ERRNO_NOTEMPTY],
      ['EACCES', ERRNO_ACCES],
      ['EPERM', ERRNO_PERM],
      ['EXDEV', ERRNO_XDEV],
      ['EROFS', ERRNO_ROFS],
    ];
    for (const [code, errno] of expected) {
      expect(hostErrno(Object.assign(new Error(code), { code })), code).toBe(errno);
      expect(HOST_ERROR_CODES.get(code)).toBe(errno);
    }
    for (const code of ['ELOOP', 'EINVAL', 'EBADF', 'ENAMETOOLONG', 'ENOSPC']) {
      expect(hostErrno({ code }), code).not.toBe(ERRNO_IO);
    }
  });

  it('should map anything unknown to IO', () => {
    expect(hostErrno({ code: 'EWEIRD' })).toBe(ERRNO_IO);
    expect(hostErrno({ code: 'constructor' })).toBe(ERRNO_IO);
    expect(hostErrno(new TypeError('bug'))).toBe(ERRNO_IO);
    expect(hostErrno(null)).toBe(ERRNO_IO);
    expect(hostErrno('ENOENT')).toBe(ERRNO_IO);
  });

  it('should turn errors thrown by the host fs into errnos instead of exceptions', () => {
    const volume = new Volume();
    volume.mkdirSync('/root/dir', { recursive: true });
    volume.writeFileSync('/root/file', 'data');
    const failing: Record<string, unknown> = {
      openSync: { code: 'EACCES' },
      renameSync: { code: 'EXDEV' },
      mkdirSync: new Error('no code at all'),
      readSync: { code: 'EIO' },
      symlinkSync: { code: 'ENAMETOOLONG' },
    };
    const fs = new HostFileSystem({
      root: '/root',
      fs: new Proxy(volume as unknown as SyncFs, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof property !== 'string' || !(property in failing)) return value;
          return () => {
            throw failing[property];
          };
        },
      }),
    });
    const root = fs.root();
    const file = ok(fs.lookup(root, 'file'));
    expect(outcome(fs.open(file, { read: true, write: false }))).toBe('ACCES');
    expect(outcome(fs.createFile(root, 'new', 0o644))).toBe('ACCES');
    expect(outcome(fs.rename(root, 'file', root, 'moved'))).toBe('XDEV');
    expect(outcome(fs.mkdir(root, 'new', 0o755))).toBe('IO');
    expect(outcome(fs.symlink(root, 'new', 'x'))).toBe('NAMETOOLONG');
    expect(outcome(fs.lookup(root, 'missing'))).toBe('NOENT');
    expect(outcome(fs.lookup(file, 'x'))).toBe('NOTDIR');
  });

  it('should return a negated errno from a failing read', () => {
    const volume = new Volume();
    volume.mkdirSync('/root');
    volume.writeFileSync('/root/file', 'data');
    const fs = new HostFileSystem({
      root: '/root',
      fs: new Proxy(volume as unknown as SyncFs, {
        get(target, property, receiver) {
          if (property === 'readSync') {
            return () => {
              throw { code: 'EIO' };
            };
          }
          return Reflect.get(target, property, receiver);
        },
      }),
    });
    const handle = ok(fs.open(ok(fs.lookup(fs.root(), 'file')), { read: true, write: false }));
    expect(handle.pread(new Uint8Array(4), 0)).toBe(-ERRNO_IO);
    handle.close();
  });
});
