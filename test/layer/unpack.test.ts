import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ERRNO_ROFS, FILETYPE_REGULAR_FILE } from '../../runtime/wasi/defs';
import { InvalidLayerError, unpackLayer, webGzip } from '../../src/layer';
import { nodeGunzip } from '../../src/node/gzip';
import { nodeSha256 } from '../../src/node/sha256';
import {
  at,
  chunked,
  collect,
  listTree,
  makeTar,
  random,
  readText,
  sha256,
  utf8,
  type TarSpec,
} from './helpers';

const hasher = nodeSha256;

async function unpack(
  bytes: Uint8Array,
  options: Partial<Parameters<typeof unpackLayer>[1]> = {},
  chunk = 1 << 16,
) {
  return unpackLayer(chunked(bytes, chunk), { hasher, ...options });
}

async function unpackEntries(entries: TarSpec[]) {
  return unpack(await makeTar(entries));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('unpackLayer', () => {
  it('builds the tree with contents, modes and mtimes, and the diff_id of the uncompressed tar', async () => {
    const tar = await makeTar([
      { name: 'app/', type: 'directory', mode: 0o750, mtime: new Date(1_600_000_000_000) },
      { name: 'app/hello.wasm', mode: 0o755, data: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
      { name: 'etc/motd', mode: 0o644, data: 'hello\n', mtime: new Date(1_650_000_000_000) },
    ]);
    const layer = await unpack(tar);
    expect(layer.diffId).toBe(sha256(tar));
    expect(layer.size).toBe(tar.length);
    expect(layer.warnings).toEqual([]);
    expect(listTree(layer.fs)).toEqual(['app/', 'app/hello.wasm', 'etc/', 'etc/motd']);
    expect(readText(layer.fs, 'etc/motd')).toBe('hello\n');
    const app = layer.fs.stat(at(layer.fs, 'app')!);
    expect(app.mode).toBe(0o750);
    expect(app.mtim).toBe(1_600_000_000n * 1_000_000_000n);
    const wasm = layer.fs.stat(at(layer.fs, 'app/hello.wasm')!);
    expect([wasm.mode, wasm.size, wasm.filetype]).toEqual([0o755, 8, FILETYPE_REGULAR_FILE]);
    expect(layer.fs.stat(at(layer.fs, 'etc/motd')!).mtim).toBe(1_650_000_000n * 1_000_000_000n);
    // 'etc' had no entry of its own: made as tar does, 0755, mtime 0.
    expect(layer.fs.stat(at(layer.fs, 'etc')!).mode).toBe(0o755);
    expect(layer.fs.stat(at(layer.fs, 'etc')!).mtim).toBe(0n);
  });

  it('hands back a read-only tree', async () => {
    const layer = await unpackEntries([{ name: 'a', data: 'x' }]);
    expect(layer.fs.readOnly).toBe(true);
    expect(layer.fs.createFile(layer.fs.root(), 'b', 0o644)).toBe(ERRNO_ROFS);
    expect(layer.fs.open(at(layer.fs, 'a')!, { read: true, write: true })).toBe(ERRNO_ROFS);
  });

  it('keeps OCI whiteouts and opaque markers as entries of the tree', async () => {
    const layer = await unpackEntries([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.motd', data: '' },
      { name: 'var/', type: 'directory' },
      { name: 'var/.wh..wh..opq', data: '' },
      { name: 'var/new', data: 'n' },
    ]);
    expect(listTree(layer.fs)).toEqual(['etc/', 'etc/.wh.motd', 'var/', 'var/.wh..wh..opq', 'var/new']);
    expect(layer.warnings).toEqual([]);
  });

  it('makes hard links one inode and keeps symlinks as they are', async () => {
    const layer = await unpackEntries([
      { name: 'bin/busybox', mode: 0o755, data: 'BB' },
      { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' },
      { name: './bin/ls', type: 'link', linkname: './bin/busybox' },
      { name: 'usr/bin/env', type: 'link', linkname: '/bin/busybox' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'abs', type: 'symlink', linkname: '/etc/../../outside' },
    ]);
    const ino = layer.fs.stat(at(layer.fs, 'bin/busybox')!).ino;
    for (const name of ['bin/sh', 'bin/ls', 'usr/bin/env']) {
      expect(layer.fs.stat(at(layer.fs, name)!).ino).toBe(ino);
      expect(readText(layer.fs, name)).toBe('BB');
    }
    expect(layer.fs.stat(at(layer.fs, 'bin/busybox')!).nlink).toBe(4);
    // Symlink targets are data: the Namespace resolves them inside the container root, never the host.
    expect(listTree(layer.fs)).toContain('lib -> usr/lib');
    expect(listTree(layer.fs)).toContain('abs -> /etc/../../outside');
  });

  it('fails on a hard link to a missing target, naming both paths', async () => {
    const error = await failure(
      unpackEntries([
        { name: 'a', data: 'x' },
        { name: 'dir/link', type: 'link', linkname: 'no/such/file' },
      ]),
    );
    expect(error).toBeInstanceOf(InvalidLayerError);
    expect(error.message).toContain('"dir/link"');
    expect(error.message).toContain('"no/such/file"');
  });

  it('fails on a hard link to a directory', async () => {
    const error = await failure(
      unpackEntries([
        { name: 'd/', type: 'directory' },
        { name: 'l', type: 'link', linkname: 'd' },
      ]),
    );
    expect(error.message).toMatch(/"l".*"d" is a directory/);
  });

  it.each(['../../etc/passwd', 'a/../../x', '..', './../x', 'a/b/../../../x'])(
    'rejects the whole layer for an entry escaping the root: %s',
    async (name) => {
      const error = await failure(
        unpackEntries([
          { name: 'ok', data: 'fine' },
          { name, data: 'pwned' },
        ]),
      );
      expect(error).toBeInstanceOf(InvalidLayerError);
      expect((error as InvalidLayerError).entry).toBe(name);
      expect(error.message).toContain(JSON.stringify(name));
      expect(error.message).toContain('escapes the layer root');
    },
  );

  it('rejects a hard link whose target escapes the root', async () => {
    const error = await failure(
      unpackEntries([
        { name: 'x', data: 'x' },
        { name: 'evil', type: 'link', linkname: '../../etc/shadow' },
      ]),
    );
    expect(error.message).toContain('"evil"');
    expect(error.message).toContain('"../../etc/shadow" escapes the layer root');
  });

  it('makes absolute and ./ names relative to the layer root, and resolves harmless ..', async () => {
    const layer = await unpackEntries([
      { name: '/etc/x', data: 'abs' },
      { name: './etc/y', data: 'dot' },
      { name: 'etc//z', data: 'double' },
      { name: 'a/b/../c', data: 'inside' },
      { name: './', type: 'directory', mode: 0o700 },
    ]);
    // 'a/b/../c' is 'a/c' (lexically: nothing is resolved through the tree), so no 'a/b' is made.
    expect(listTree(layer.fs)).toEqual(['a/', 'a/c', 'etc/', 'etc/x', 'etc/y', 'etc/z']);
    expect(readText(layer.fs, 'etc/x')).toBe('abs');
    expect(readText(layer.fs, 'a/c')).toBe('inside');
    expect(layer.fs.stat(layer.fs.root()).mode).toBe(0o700);
  });

  it('skips device nodes and FIFOs with a warning naming each', async () => {
    const layer = await unpackEntries([
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'run/fifo', type: 'fifo' },
      { name: 'keep', data: 'k' },
    ]);
    expect(listTree(layer.fs)).toEqual(['keep']);
    expect(layer.warnings).toHaveLength(3);
    expect(layer.warnings[0]).toContain('character-device "dev/null"');
    expect(layer.warnings[1]).toContain('block-device "dev/sda"');
    expect(layer.warnings[2]).toContain('fifo "run/fifo"');
  });

  it('lets a later entry replace an earlier one, as tar extraction does', async () => {
    const layer = await unpackEntries([
      { name: 'f', data: 'old' },
      { name: 'f', data: 'new' },
      { name: 'd/inner', data: 'i' },
      { name: 'd', type: 'symlink', linkname: 'elsewhere' },
      { name: 's', type: 'symlink', linkname: 'x' },
      { name: 's/', type: 'directory' },
    ]);
    expect(readText(layer.fs, 'f')).toBe('new');
    expect(listTree(layer.fs)).toEqual(['d -> elsewhere', 'f', 's/']);
  });

  it('refuses to go through a non-directory (no entry is written through a symlink)', async () => {
    const error = await failure(
      unpackEntries([
        { name: 'etc', type: 'symlink', linkname: '/host-etc' },
        { name: 'etc/passwd', data: 'x' },
      ]),
    );
    expect(error.message).toMatch(/"etc\/passwd".*"etc" is not a directory/);
  });

  it('reads long names (pax and GNU) and pax mtimes with nanoseconds', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const layer = await unpackEntries([
      { name: long, data: 'long' },
      { name: 'ü/ñ', data: 'utf8' },
      { name: 'precise', data: 'p', pax: { mtime: '1700000000.123456789' } } as TarSpec,
    ]);
    expect(readText(layer.fs, long)).toBe('long');
    expect(readText(layer.fs, 'ü/ñ')).toBe('utf8');
    expect(layer.fs.stat(at(layer.fs, 'precise')!).mtim).toBe(1_700_000_000_123_456_789n);
  });

  describe('compression', () => {
    const entries: TarSpec[] = [
      { name: 'a.txt', data: 'a'.repeat(100_000) },
      { name: 'b.bin', data: random(70_000) },
    ];

    it('detects gzip by its magic bytes and gives the diff_id of the uncompressed tar', async () => {
      const tar = await makeTar(entries);
      const gz = gzipSync(tar);
      for (const bytes of [tar, gz]) {
        const layer = await unpack(bytes, {}, 777);
        expect(layer.diffId).toBe(sha256(tar));
        expect(readText(layer.fs, 'a.txt')).toHaveLength(100_000);
      }
    });

    it('honours gzip: true / false', async () => {
      const tar = await makeTar(entries);
      expect((await unpack(gzipSync(tar), { gzip: true })).diffId).toBe(sha256(tar));
      expect((await unpack(tar, { gzip: false })).diffId).toBe(sha256(tar));
      expect((await failure(unpack(tar, { gzip: true }))).message).toContain('not gzip');
      const error = await failure(unpack(gzipSync(tar), { gzip: false }));
      expect(error).toBeInstanceOf(InvalidLayerError);
      expect(error.message).toContain('not a valid tar');
    });

    it('decompresses the same with the node:zlib gunzip and with DecompressionStream', async () => {
      const tar = await makeTar(entries);
      const gz = await collect(webGzip(chunked(tar)));
      const web = await unpack(gz, {}, 1000);
      const node = await unpack(gz, { gunzip: nodeGunzip }, 1000);
      expect(node.diffId).toBe(web.diffId);
      expect(listTree(node.fs)).toEqual(listTree(web.fs));
    });

    it.each([
      ['DecompressionStream', undefined],
      ['node:zlib', nodeGunzip],
    ])('fails on a truncated or corrupt gzip stream (%s)', async (_, gunzip) => {
      const gz = gzipSync(await makeTar(entries));
      const truncated = await failure(unpack(gz.subarray(0, gz.length - 100), { gunzip }));
      expect(truncated).toBeInstanceOf(InvalidLayerError);
      const corrupt = gz.slice();
      corrupt[100] ^= 0xff;
      corrupt[101] ^= 0xff;
      const error = await failure(unpack(corrupt, { gunzip }));
      expect(error).toBeInstanceOf(InvalidLayerError);
      expect(error.message).toMatch(/gzip|tar/);
    });

    it('refuses zstd layers by their magic bytes', async () => {
      const error = await failure(unpack(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])));
      expect(error.message).toContain('zstd');
    });
  });

  it('fails on a tar cut inside an entry, naming the entry', async () => {
    const tar = await makeTar([{ name: 'big', data: 'x'.repeat(5000) }]);
    const error = await failure(unpack(tar.subarray(0, 2048)));
    expect(error).toBeInstanceOf(InvalidLayerError);
    expect(error.message).toContain('"big"');
    expect(error.message).toContain('truncated');
  });

  it('warns when the end-of-archive marker is missing', async () => {
    const tar = await makeTar([{ name: 'a', data: 'x' }]);
    const layer = await unpack(tar.subarray(0, 1024));
    expect(layer.warnings.join()).toContain('end-of-archive');
  });

  it('fails on a corrupt header', async () => {
    const tar = await makeTar([{ name: 'a', data: 'x' }]);
    const bad = tar.slice();
    bad[0] ^= 0x01;
    const error = await failure(unpack(bad));
    expect(error.message).toContain('not a valid tar');
  });

  it('passes an error of the source through unchanged and stops reading it', async () => {
    const tar = await makeTar([{ name: 'a', data: 'x'.repeat(10_000) }]);
    const boom = new Error('disk on fire');
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield tar.subarray(0, 1000);
        throw boom;
      } finally {
        closed = true;
      }
    }
    expect(await failure(unpackLayer(source(), { hasher }))).toBe(boom);
    expect(closed).toBe(true);
    const gz = gzipSync(tar);
    async function* gzSource(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, 20);
      throw boom;
    }
    expect(await failure(unpackLayer(gzSource(), { hasher }))).toBe(boom);
    expect(await failure(unpackLayer(gzSource(), { hasher, gunzip: nodeGunzip }))).toBe(boom);
  });

  it('closes the source when the layer is rejected early', async () => {
    const tar = await makeTar([
      { name: '../evil', data: 'x' },
      { name: 'later', data: 'y'.repeat(200_000) },
    ]);
    let closed = false;
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < tar.length; i += 512) {
          pulled++;
          yield tar.subarray(i, i + 512);
        }
      } finally {
        closed = true;
      }
    }
    await failure(unpackLayer(source(), { hasher }));
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(tar.length / 512);
  });

  it('writes each file through one allocation of its final size', async () => {
    const data = random(300_000);
    const layer = await unpack(await makeTar([{ name: 'f', data }]), {}, 4096);
    const node = at(layer.fs, 'f')!;
    // The memory backend's buffer is exactly the file size: no doubling growth, no second copy.
    expect((node as { data: Uint8Array }).data.length).toBe(300_000);
    const handle = layer.fs.open(node, { read: true, write: false });
    if (typeof handle === 'number') throw new Error('open');
    const back = new Uint8Array(300_000);
    handle.pread(back, 0);
    expect(sha256(back)).toBe(sha256(data));
  });

  it('accepts an empty tar', async () => {
    const layer = await unpack(await makeTar([]));
    expect(listTree(layer.fs)).toEqual([]);
    expect(layer.warnings).toEqual([]);
    expect(utf8.encode('').length).toBe(0);
  });
});
