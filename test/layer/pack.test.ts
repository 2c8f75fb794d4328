import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import { LowerStack, UnionFileSystem, upperLayerEntries } from '../../runtime/fs/UnionFileSystem';
import type { FsNode } from '../../runtime/fs/types';
import {
  InvalidLayerError,
  packLayer,
  treeEntries,
  unpackLayer,
  type LayerEntry,
  type PackedLayer,
} from '../../src/layer';
import { nodeSha256 } from '../../src/node/sha256';
import { at, chunked, concat, listTree, random, readText, sha256, utf8 } from './helpers';

const hasher = nodeSha256;
const S = 1_000_000_000n;

const blob = (packed: PackedLayer): Uint8Array => concat(packed.chunks);

function sample(): LayerEntry[] {
  // ustar splits the first into prefix + name; the second needs a pax header (a component > 155 bytes).
  const splitDir = `/${'s'.repeat(90)}`;
  const paxDir = `/${'p'.repeat(160)}`;
  return [
    { path: '/app', type: 'dir', mode: 0o755, mtim: 1_700_000_000n * S },
    { path: '/app/hello.wasm', type: 'file', mode: 0o755, mtim: 1_700_000_001n * S, data: random(5000) },
    { path: '/app/empty', type: 'file', mode: 0o600, mtim: 1_700_000_002n * S, data: new Uint8Array(0) },
    { path: '/app/setuid', type: 'file', mode: 0o4755, mtim: 1_700_000_002n * S, data: utf8.encode('s') },
    { path: '/app/nomode', type: 'file', mode: 0, mtim: 1_700_000_002n * S, data: utf8.encode('0') },
    { path: '/app/link', type: 'hardlink', mode: 0o755, mtim: 1_700_000_001n * S, target: '/app/hello.wasm' },
    { path: '/bin', type: 'symlink', mode: 0o777, mtim: 1_700_000_003n * S, target: 'app' },
    { path: '/etc', type: 'dir', mode: 0o755, mtim: 1_700_000_000n * S },
    { path: '/etc/.wh.motd', type: 'whiteout', mode: 0o600, mtim: 1_700_000_004n * S },
    { path: '/var', type: 'dir', mode: 0o755, mtim: 1_700_000_000n * S },
    { path: '/var/.wh..wh..opq', type: 'opaque', mode: 0o600, mtim: 1_700_000_004n * S },
    { path: '/var/ü-ñ', type: 'file', mode: 0o644, mtim: 1_700_000_005n * S, data: utf8.encode('utf8 name') },
    { path: splitDir, type: 'dir', mode: 0o755, mtim: 1_700_000_000n * S },
    {
      path: `${splitDir}/${'n'.repeat(90)}`,
      type: 'file',
      mode: 0o644,
      mtim: 0n,
      data: utf8.encode('split'),
    },
    { path: paxDir, type: 'dir', mode: 0o755, mtim: 1_700_000_000n * S },
    { path: `${paxDir}/f`, type: 'file', mode: 0o644, mtim: 0n, data: utf8.encode('pax') },
    { path: '/x', type: 'symlink', mode: 0o777, mtim: 0n, target: `/${'t'.repeat(200)}` },
  ];
}

/** The entries as treeEntries reports them back: sorted, parents listed, mtimes in whole seconds. */
function expected(entries: LayerEntry[]): LayerEntry[] {
  return entries
    .map((e) => ({ ...e, mtim: (e.mtim / S) * S }))
    .sort((a, b) => (a.path.replaceAll('/', '\0') < b.path.replaceAll('/', '\0') ? -1 : 1));
}

function strip(entries: LayerEntry[]): object[] {
  return entries.map((e) => ({ ...e, data: e.data === undefined ? undefined : sha256(e.data) }));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('packLayer', () => {
  it('round-trips entries through pack → unpack → treeEntries', async () => {
    const entries = sample();
    const packed = await packLayer(entries, { hasher });
    expect(packed.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(packed.size).toBe(blob(packed).length);
    expect(packed.digest).toBe(sha256(blob(packed)));
    const layer = await unpackLayer(chunked(blob(packed), 1000), { hasher });
    expect(layer.diffId).toBe(packed.diffId);
    expect(layer.size).toBe(packed.uncompressedSize);
    expect(layer.warnings).toEqual([]);
    expect(strip(treeEntries(layer.fs))).toEqual(strip(expected(entries)));
    // The hard link is one inode in the tree.
    expect(layer.fs.stat(at(layer.fs, 'app/link')!).ino).toBe(
      layer.fs.stat(at(layer.fs, 'app/hello.wasm')!).ino,
    );
  });

  it('writes an uncompressed tar whose digest is its diff_id', async () => {
    const packed = await packLayer(sample(), { hasher, gzip: false });
    expect(packed.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(packed.digest).toBe(packed.diffId);
    expect(packed.digest).toBe(sha256(blob(packed)));
    expect(packed.size % 512).toBe(0);
  });

  it('is deterministic: same content, any order → the same bytes, digest and diff_id', async () => {
    const entries = sample();
    const a = await packLayer(entries, { hasher });
    const b = await packLayer([...entries].reverse(), { hasher });
    const c = await packLayer(
      entries.map((e) => ({ ...e })),
      { hasher },
    );
    expect(b.digest).toBe(a.digest);
    expect(c.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    expect(sha256(blob(b))).toBe(sha256(blob(a)));
  });

  it('writes a canonical gzip header: no timestamp, no name, OS unknown', async () => {
    const bytes = blob(await packLayer(sample(), { hasher }));
    expect([...bytes.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // deflate, FLG 0: no FNAME/FCOMMENT/FEXTRA
    expect([...bytes.subarray(4, 8)]).toEqual([0, 0, 0, 0]); // MTIME
    expect(bytes[9]).toBe(0xff); // OS
  });

  it('gives a gzip that node:zlib inflates to the tar the diff_id names', async () => {
    const packed = await packLayer(sample(), { hasher });
    expect(sha256(gunzipSync(blob(packed)))).toBe(packed.diffId);
  });

  it('honours SOURCE_DATE_EPOCH: no mtime later than it, earlier ones kept', async () => {
    const entries: LayerEntry[] = [
      { path: '/old', type: 'file', mode: 0o644, mtim: 1_000n * S, data: utf8.encode('o') },
      { path: '/new', type: 'file', mode: 0o644, mtim: 2_000_000_000n * S, data: utf8.encode('n') },
      { path: '/d', type: 'dir', mode: 0o755, mtim: 2_000_000_000n * S },
    ];
    const packed = await packLayer(entries, { hasher, sourceDateEpoch: 1_700_000_000 });
    const layer = await unpackLayer(chunked(blob(packed)), { hasher });
    const mtime = (p: string): bigint => layer.fs.stat(at(layer.fs, p)!).mtim;
    expect(mtime('old')).toBe(1_000n * S);
    expect(mtime('new')).toBe(1_700_000_000n * S);
    expect(mtime('d')).toBe(1_700_000_000n * S);

    // Content built at different times gives one digest once clamped.
    const later = entries.map((e) => ({ ...e, mtim: e.mtim + (e.path === '/old' ? 0n : 5_000n * S) }));
    const again = await packLayer(later, { hasher, sourceDateEpoch: 1_700_000_000 });
    expect(again.digest).toBe(packed.digest);
    expect((await packLayer(later, { hasher })).digest).not.toBe(
      (await packLayer(entries, { hasher })).digest,
    );
    // 0 pins every mtime.
    const zero = await packLayer(entries, { hasher, sourceDateEpoch: 0 });
    const z = await unpackLayer(chunked(blob(zero)), { hasher });
    expect(z.fs.stat(at(z.fs, 'old')!).mtim).toBe(0n);
  });

  it('lets the first name in tar order carry a hard-linked file, whatever the input says', async () => {
    const packed = await packLayer(
      [
        { path: '/z', type: 'file', mode: 0o644, mtim: 0n, data: utf8.encode('Z') },
        { path: '/a', type: 'hardlink', mode: 0o644, mtim: 0n, target: '/z' },
        { path: '/m', type: 'hardlink', mode: 0o644, mtim: 0n, target: '/a' },
      ],
      { hasher },
    );
    const layer = await unpackLayer(chunked(blob(packed)), { hasher });
    const entries = treeEntries(layer.fs);
    expect(entries.map((e) => [e.path, e.type, e.target])).toEqual([
      ['/a', 'file', undefined],
      ['/m', 'hardlink', '/a'],
      ['/z', 'hardlink', '/a'],
    ]);
    expect(readText(layer.fs, 'z')).toBe('Z');
  });

  it.each([
    [[{ path: '/../etc/passwd', type: 'file', mode: 0o644, mtim: 0n }], 'escapes the layer root'],
    [[{ path: '/', type: 'dir', mode: 0o755, mtim: 0n }], 'the layer root is not an entry'],
    [
      [
        { path: '/a', type: 'file', mode: 0o644, mtim: 0n },
        { path: 'a', type: 'file', mode: 0o644, mtim: 0n },
      ],
      'two entries have this path',
    ],
    [
      [{ path: '/l', type: 'hardlink', mode: 0o644, mtim: 0n, target: '/missing' }],
      '"/missing" is not an entry',
    ],
    [[{ path: '/l', type: 'hardlink', mode: 0o644, mtim: 0n, target: '/../x' }], 'escapes the layer root'],
    [[{ path: '/motd', type: 'whiteout', mode: 0o600, mtim: 0n }], 'must be named ".wh.NAME"'],
    [[{ path: '/var/opq', type: 'opaque', mode: 0o600, mtim: 0n }], 'must be named .wh..wh..opq'],
  ] as [LayerEntry[], string][])('rejects bad entries (%#)', async (entries, message) => {
    const error = await failure(packLayer(entries, { hasher }));
    expect(error).toBeInstanceOf(InvalidLayerError);
    expect(error.message).toContain(message);
    expect(error.message).toContain(JSON.stringify(entries[entries.length - 1]!.path));
  });

  it('writes tars that GNU tar reads the same way', async () => {
    const entries = sample();
    const packed = await packLayer(entries, { hasher, gzip: false });
    const dir = mkdtempSync(join(tmpdir(), 'berth-pack-'));
    try {
      writeFileSync(join(dir, 'layer.tar'), blob(packed));
      mkdirSync(join(dir, 'root'));
      execFileSync('tar', ['-xf', join(dir, 'layer.tar'), '-C', join(dir, 'root')]);
      const root = join(dir, 'root');
      for (const e of entries) {
        const p = join(root, e.path);
        if (e.type === 'symlink') expect(readlinkSync(p)).toBe(e.target);
        else if (e.type === 'file') expect(sha256(readFileSync(p))).toBe(sha256(e.data!));
        else if (e.type === 'dir') expect(statSync(p).isDirectory()).toBe(true);
        if (e.type === 'file' || e.type === 'dir') expect(statSync(p).mode & 0o7777).toBe(e.mode);
        if (e.type === 'file') expect(BigInt(statSync(p).mtimeMs) * 1_000_000n).toBe((e.mtim / S) * S);
      }
      expect(statSync(join(root, 'app/link')).ino).toBe(statSync(join(root, 'app/hello.wasm')).ino);
      const listing = execFileSync('tar', ['--numeric-owner', '-tvf', join(dir, 'layer.tar')], {
        encoding: 'utf8',
      });
      for (const line of listing.trim().split('\n')) expect(line).toMatch(/^\S+ 0\/0 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('treeEntries', () => {
  it('walks any tree into sorted entries, finding hard links by inode and whiteouts by name', () => {
    const fs = new MemoryFileSystem();
    const root = fs.root();
    const b = fs.mkdir(root, 'b', 0o755) as FsNode;
    const f = fs.createFile(b, 'f', 0o640) as FsNode;
    const h = fs.open(f, { read: false, write: true });
    if (typeof h === 'number') throw new Error('open');
    h.pwrite(utf8.encode('data'), 0);
    fs.link(f, root, 'a-link');
    fs.createFile(b, '.wh.gone', 0o600);
    fs.createFile(b, '.wh..wh..opq', 0o600);
    fs.symlink(root, 'sym', 'b/f');
    for (const node of [b, f]) fs.setTimes(node, 5n * S, 5n * S);
    const entries = treeEntries(fs);
    expect(entries.map((e) => [e.path, e.type, e.target ?? null])).toEqual([
      ['/a-link', 'file', null],
      ['/b', 'dir', null],
      ['/b/.wh..wh..opq', 'opaque', null],
      ['/b/.wh.gone', 'whiteout', null],
      ['/b/f', 'hardlink', '/a-link'],
      ['/sym', 'symlink', 'b/f'],
    ]);
    expect(entries[0]!.mode).toBe(0o640);
    expect(readText(fs, 'a-link')).toBe('data');
    expect(entries[1]!.mtim).toBe(5n * S);
  });
});

describe('committing a container layer', () => {
  it('packs a union upper layer so that the new layer stack shows the same tree', async () => {
    const base = await packLayer(
      [
        { path: '/etc', type: 'dir', mode: 0o755, mtim: 0n },
        { path: '/etc/motd', type: 'file', mode: 0o644, mtim: 0n, data: utf8.encode('hi') },
        { path: '/etc/keep', type: 'file', mode: 0o644, mtim: 0n, data: utf8.encode('keep') },
        { path: '/var', type: 'dir', mode: 0o755, mtim: 0n },
        { path: '/var/old', type: 'file', mode: 0o644, mtim: 0n, data: utf8.encode('old') },
      ],
      { hasher },
    );
    const lower = await unpackLayer(chunked(blob(base)), { hasher });
    const union = new UnionFileSystem({ lower: new LowerStack([lower.fs]) });
    const etc = union.lookup(union.root(), 'etc') as FsNode;
    expect(union.unlink(etc, 'motd')).toBe(0);
    const varDir = union.lookup(union.root(), 'var') as FsNode;
    expect(union.unlink(varDir, 'old')).toBe(0);
    expect(union.rmdir(union.root(), 'var')).toBe(0);
    const newVar = union.mkdir(union.root(), 'var', 0o755) as FsNode;
    const created = union.createFile(newVar, 'new', 0o644) as FsNode;
    const h = union.open(created, { read: false, write: true });
    if (typeof h === 'number') throw new Error('open');
    h.pwrite(utf8.encode('new'), 0);
    h.close();

    const upper = await packLayer(upperLayerEntries(union), { hasher, sourceDateEpoch: 0 });
    const layer = await unpackLayer(chunked(blob(upper)), { hasher });
    expect(listTree(layer.fs)).toEqual(['etc/', 'etc/.wh.motd', 'var/', 'var/.wh..wh..opq', 'var/new']);

    const image = new UnionFileSystem({ lower: new LowerStack([lower.fs, layer.fs]) });
    expect(listTree(image)).toEqual(['etc/', 'etc/keep', 'var/', 'var/new']);
    expect(readText(image, 'var/new')).toBe('new');
  });
});
