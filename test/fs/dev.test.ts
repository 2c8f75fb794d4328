/**
 * /dev (runtime/fs/DevFileSystem.ts): the devices' semantics through the FileSystem contract, a real C
 * program (test/wasi/c/devices.c) reading, writing, seeking and stat'ing each device through Preview1,
 * and a container root in a real worker, whose writable layer must not gain /dev.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_NAMES, DevFileSystem } from '../../runtime/fs/DevFileSystem';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import { Namespace } from '../../runtime/fs/Namespace';
import type { FileHandle, FileSystem, FsNode } from '../../runtime/fs/types';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { seededRandom } from '../../runtime/process/hostDefaults';
import { compile } from '../../runtime/process/moduleCache';
import { DEV_MOUNT, type MountSpec, type RootSpec } from '../../runtime/process/protocol';
import { runInThreadSync } from '../../runtime/process/runInThread';
import { spawn } from '../../runtime/process/spawn';
import * as W from '../../runtime/wasi/defs';

const DEVICES_WASM = join(import.meta.dirname, '../../test/wasi/wasm/devices.wasm');

function node(fs: FileSystem, name: string): FsNode {
  const found = fs.lookup(fs.root(), name);
  if (typeof found === 'number') throw new Error(`${name}: ${W.ERRNO_NAMES[found]}`);
  return found;
}

function openDevice(fs: FileSystem, name: string): FileHandle {
  const handle = fs.open(node(fs, name), { read: true, write: true });
  if (typeof handle === 'number') throw new Error(`open ${name}: ${W.ERRNO_NAMES[handle]}`);
  return handle;
}

describe('DevFileSystem', () => {
  it('lists the five character devices with stable, distinct inodes', () => {
    const fs = new DevFileSystem({ random: seededRandom(1n) });
    const listing = fs.readdir(fs.root());
    expect(listing).toEqual(
      DEVICE_NAMES.map((name) => ({ name, ino: expect.any(Number), filetype: W.FILETYPE_CHARACTER_DEVICE })),
    );
    const inos = (listing as { ino: number }[]).map((e) => e.ino);
    expect(new Set([...inos, fs.stat(fs.root()).ino]).size).toBe(6);
    for (const name of DEVICE_NAMES) {
      const st = fs.stat(node(fs, name));
      expect(st).toMatchObject({ filetype: W.FILETYPE_CHARACTER_DEVICE, size: 0, mode: 0o666, nlink: 1 });
      expect(fs.stat(node(fs, name)).ino).toBe(st.ino);
    }
    expect(fs.stat(fs.root())).toMatchObject({ filetype: W.FILETYPE_DIRECTORY, mode: 0o755 });
    expect(fs.lookup(fs.root(), 'stdout')).toBe(W.ERRNO_NOENT);
    expect(fs.lookup(node(fs, 'null'), 'x')).toBe(W.ERRNO_NOTDIR);
  });

  it('null reads end of file and swallows writes', () => {
    const h = openDevice(new DevFileSystem({ random: seededRandom(1n) }), 'null');
    expect(h.pread(new Uint8Array(16), 0)).toBe(0);
    expect(h.pwrite(new Uint8Array(1000), 123)).toBe(1000);
    expect(h.size()).toBe(0);
  });

  it('zero and full read zeros; full refuses writes with ENOSPC', () => {
    const fs = new DevFileSystem({ random: seededRandom(1n) });
    for (const name of ['zero', 'full']) {
      const buf = new Uint8Array(4096).fill(0xaa);
      expect(openDevice(fs, name).pread(buf, 1 << 30)).toBe(4096);
      expect(buf.every((b) => b === 0)).toBe(true);
    }
    expect(openDevice(fs, 'zero').pwrite(new Uint8Array(10), 0)).toBe(10);
    expect(openDevice(fs, 'full').pwrite(new Uint8Array(10), 0)).toBe(-W.ERRNO_NOSPC);
  });

  it('random and urandom read the injected source, so a seeded run repeats', () => {
    const read = (name: string) => {
      const buf = new Uint8Array(32);
      expect(openDevice(new DevFileSystem({ random: seededRandom(99n) }), name).pread(buf, 0)).toBe(32);
      return Buffer.from(buf).toString('hex');
    };
    const expected = new Uint8Array(32);
    seededRandom(99n)(expected);
    expect(read('urandom')).toBe(Buffer.from(expected).toString('hex'));
    expect(read('random')).toBe(read('urandom'));
    expect(/^0+$/.test(read('random'))).toBe(false);
  });

  it('fills a view of shared memory through a copy (Web Crypto refuses those)', () => {
    const fs = new DevFileSystem({ random: (dst) => crypto.getRandomValues(dst) });
    const shared = new Uint8Array(new SharedArrayBuffer(64));
    expect(openDevice(fs, 'urandom').pread(shared, 0)).toBe(64);
    expect(shared.some((b) => b !== 0)).toBe(true);
  });

  it('keeps its names fixed: creating, removing and renaming are EROFS; touch is recorded', () => {
    const fs: FileSystem = new DevFileSystem({ random: seededRandom(1n), clock: { now: () => 5n } });
    const root = fs.root();
    expect(fs.createFile(root, 'new', 0o644)).toBe(W.ERRNO_ROFS);
    expect(fs.mkdir(root, 'shm', 0o755)).toBe(W.ERRNO_ROFS);
    expect(fs.symlink(root, 'stdout', '/proc/self/fd/1')).toBe(W.ERRNO_ROFS);
    expect(fs.link(node(fs, 'null'), root, 'null2')).toBe(W.ERRNO_ROFS);
    expect(fs.unlink(root, 'null')).toBe(W.ERRNO_ROFS);
    expect(fs.rename(root, 'null', root, 'nothing')).toBe(W.ERRNO_ROFS);
    expect(fs.setMode(node(fs, 'null'), 0o600)).toBe(W.ERRNO_ROFS);
    expect(fs.setTimes(node(fs, 'null'), 1n, 2n)).toBe(0);
    expect(fs.stat(node(fs, 'null'))).toMatchObject({ atim: 1n, mtim: 2n, ctim: 5n });
    expect(fs.open(root, { read: false, write: true })).toBe(W.ERRNO_ISDIR);
    expect(fs.readlink(node(fs, 'null'))).toBe(W.ERRNO_INVAL);
  });
});

/** Runs devices.wasm on this thread with `/` in memory and /dev mounted; returns stdout and the exit code. */
function runDevices(args: string[], random: (dst: Uint8Array) => void) {
  const module = new WebAssembly.Module(readFileSync(DEVICES_WASM));
  const ns = new Namespace(new MemoryFileSystem());
  expect(ns.mount('/dev', new DevFileSystem({ random }))).toBe(0);
  const out: Uint8Array[] = [];
  const result = runInThreadSync(module, {
    args: ['devices', ...args],
    namespace: ns,
    random,
    stdout: { write: (d) => void out.push(d.slice()) },
    stderr: { write: (d) => void out.push(d.slice()) },
  });
  return { code: result.exitCode, stdout: Buffer.concat(out).toString() };
}

describe('/dev through Preview1 (devices.c)', () => {
  it('opens, reads, writes, seeks and stats every device; none is a terminal', () => {
    const r = runDevices([], seededRandom(3n));
    expect(r.stdout).not.toMatch(/^not ok/m);
    expect(r.stdout).toMatch(/^ok - \/dev\/null is not a terminal$/m);
    expect(r.stdout).toMatch(/^ok - write \/dev\/full is ENOSPC$/m);
    expect(r.stdout).toMatch(/^# passed \d+ failed 0$/m);
    expect(r.code).toBe(0);
  });

  it('reads /dev/urandom from the same stream as random_get', () => {
    const viaDevice = runDevices(['urandom', '24'], seededRandom(7n));
    const viaCall = runDevices(['getrandom', '24'], seededRandom(7n));
    expect(viaDevice.stdout).toMatch(/^[0-9a-f]{48}\n$/);
    expect(viaDevice).toEqual(viaCall);
    expect(runDevices(['urandom', '24'], seededRandom(8n)).stdout).not.toBe(viaDevice.stdout);
  });
});

describe('/dev in a container root (worker)', () => {
  const host = new NodeWorkerHost();

  const image = MemoryFileSystem.fromJSON({ '/etc/hostname': 'box\n', '/tmp/': null });
  const layers = [{ diffId: 'sha256:dev-test-image', snapshot: image.snapshot() }];

  async function runIn(root: RootSpec, mounts: MountSpec[], args: string[]) {
    const module = await compile(readFileSync(DEVICES_WASM));
    const proc = spawn(host, { module, args: ['devices', ...args], root, mounts, returnRoot: true });
    const out: Uint8Array[] = [];
    proc.onStdout((d) => void out.push(d));
    const result = await proc.wait();
    return { result, stdout: Buffer.concat(out).toString() };
  }

  it('shows /dev on an image without one, and keeps it out of the writable layer', async () => {
    const { result, stdout } = await runIn({ kind: 'union', layers }, [DEV_MOUNT], []);
    expect(stdout).toMatch(/^# passed \d+ failed 0$/m);
    expect(result.exitCode).toBe(0);
    const upper = MemoryFileSystem.fromSnapshot(result.upper!);
    expect(upper.readdir(upper.root())).toEqual([]);
  });

  it('mounts /dev on a read-only root too', async () => {
    const { result, stdout } = await runIn({ kind: 'union', layers, readOnly: true }, [DEV_MOUNT], []);
    expect(stdout).toMatch(/^# passed \d+ failed 0$/m);
    const upper = MemoryFileSystem.fromSnapshot(result.upper!);
    expect(upper.readdir(upper.root())).toEqual([]);
  });

  it('has no /dev without the mount (the checks can fail)', async () => {
    const { result, stdout } = await runIn({ kind: 'union', layers }, [], []);
    expect(stdout).toMatch(/^not ok - open \/dev\/null O_RDWR/m);
    expect(result.exitCode).toBe(1);
  });
});
