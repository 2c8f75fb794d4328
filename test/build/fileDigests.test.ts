/**
 * Remembered file digests (src/node/FileDigests.ts) and the host build context that uses them: a COPY
 * source is hashed again whenever it may have changed, never when it has not, and the cache key does not
 * depend on whether a digest came from memory or from reading the file.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContext, type LoadedContext } from '../../src/build/context';
import { planCopy, type SourceTree } from '../../src/build/copy';
import { hostBuildContext } from '../../src/node/buildContext';
import { FileDigests } from '../../src/node/FileDigests';
import { nodeSha256 } from '../../src/node/sha256';
import type { Hasher, HasherFactory } from '../../src/platform/hasher';

let dir: string;
let store: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-digests-'));
  store = join(dir, 'state', 'file-digests.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** nodeSha256, counting the bytes it hashes: how a test sees whether a file was read. */
function countingHasher(): { hasher: HasherFactory; bytes: () => number } {
  let bytes = 0;
  const hasher = (): Hasher => {
    const h = nodeSha256();
    return { update: (c) => ((bytes += c.length), h.update(c)), digest: () => h.digest() };
  };
  return { hasher, bytes: () => bytes };
}

const hexOf = (data: Uint8Array | string) => {
  const h = nodeSha256();
  h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  return h.digest().slice('sha256:'.length);
};

/** A file whose mtime and ctime are old enough to be remembered. */
function oldFile(path: string, text: string): void {
  writeFileSync(path, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

describe('FileDigests', () => {
  it('should hash a file once, and remember it across instances', async () => {
    const file = join(dir, 'a.bin');
    oldFile(file, 'x'.repeat(100_000));
    const later = () => Date.now() + 10_000; // the ctime was just set by utimes: judge it from later
    const first = countingHasher();
    const digests = new FileDigests(store, first.hasher, later);
    expect(await digests.digest(file, statSync(file))).toBe(hexOf('x'.repeat(100_000)));
    expect(first.bytes()).toBe(100_000);
    expect(await digests.digest(file, statSync(file))).toBe(hexOf('x'.repeat(100_000)));
    expect(first.bytes()).toBe(100_000);
    await digests.save();

    const second = countingHasher();
    const again = new FileDigests(store, second.hasher, later);
    expect(await again.digest(file, statSync(file))).toBe(hexOf('x'.repeat(100_000)));
    expect(second.bytes()).toBe(0);
  });

  it('should hash again after an edit that keeps the size and the mtime, a chmod, or a replacement', async () => {
    const file = join(dir, 'a.txt');
    oldFile(file, 'one');
    const later = () => Date.now() + 10_000;
    const counting = countingHasher();
    const digests = new FileDigests(store, counting.hasher, later);
    const hashed = async (expected: string): Promise<number> => {
      const before = counting.bytes();
      expect(await digests.digest(file, statSync(file))).toBe(hexOf(expected));
      return counting.bytes() - before;
    };
    expect(await hashed('one')).toBe(3);
    expect(await hashed('one')).toBe(0);

    const { mtime } = statSync(file);
    writeFileSync(file, 'two');
    utimesSync(file, mtime, mtime); // same size, same mtime: the ctime tells
    expect(await hashed('two')).toBe(3);
    expect(await hashed('two')).toBe(0);

    chmodSync(file, 0o600);
    expect(await hashed('two')).toBe(3);

    const other = join(dir, 'b.txt');
    writeFileSync(other, 'six');
    utimesSync(other, mtime, mtime);
    renameSync(other, file); // another inode in its place
    expect(await hashed('six')).toBe(3);
  });

  it('should not remember a digest while the file is young enough to change within its timestamp tick', async () => {
    const file = join(dir, 'new.txt');
    writeFileSync(file, 'fresh');
    const digests = new FileDigests(store, nodeSha256);
    expect(await digests.digest(file, statSync(file))).toBe(hexOf('fresh'));
    await digests.save();
    const counting = countingHasher();
    await new FileDigests(store, counting.hasher).digest(file, statSync(file));
    expect(counting.bytes()).toBe(5);
  });

  it('should take a damaged or foreign file as empty', async () => {
    const file = join(dir, 'a.txt');
    oldFile(file, 'data');
    for (const text of [
      '{not json',
      '{"version":9,"files":{}}',
      `{"version":1,"files":{"${file}":[1,2,"x"]}}`,
    ]) {
      writeFileSync(join(dir, 'damaged.json'), text);
      const digests = new FileDigests(join(dir, 'damaged.json'), nodeSha256);
      expect(await digests.digest(file, statSync(file))).toBe(hexOf('data'));
    }
  });
});

describe('host build context with remembered digests', () => {
  function treeOf(ctx: LoadedContext): SourceTree {
    return {
      kind: 'context',
      entries: ctx.entries,
      byPath: ctx.byPath,
      excluded: (p, d) => !ctx.isCopyable(p, d),
      readFile: (p) => ctx.source.readFile(p),
      readlink: (p) => ctx.source.readlink(p),
      ...(ctx.source.digest ? { digest: (p: string) => ctx.source.digest!(p) } : {}),
    };
  }
  const request = { instruction: 'COPY' as const, dest: '/app/', workdir: '/', hasher: nodeSha256 };

  it('should give COPY the same source hash and the same bytes as a context without them', async () => {
    const ctxDir = join(dir, 'ctx');
    for (const [name, text] of [
      ['f.txt', 'file'],
      ['d/x.txt', 'x'],
      ['d/y.txt', 'yy'],
    ]) {
      const path = join(ctxDir, name);
      rmSync(path, { force: true });
      mkdirp(path);
      oldFile(path, text);
    }
    for (const sources of [['f.txt'], ['d'], ['f.txt', 'd']]) {
      const plain = await planCopy(
        { ...request, sources },
        treeOf(await loadContext(await hostBuildContext(ctxDir))),
      );
      const digests = new FileDigests(store, nodeSha256, () => Date.now() + 10_000);
      const remembered = await hostBuildContext(ctxDir, { digests });
      const viaDigests = await planCopy({ ...request, sources }, treeOf(await loadContext(remembered)));
      expect(viaDigests.hash).toBe(plain.hash);
      expect(viaDigests.entries.map((e) => [e.path, e.data && Buffer.from(e.data).toString()])).toEqual(
        plain.entries.map((e) => [e.path, e.data && Buffer.from(e.data).toString()]),
      );
      await remembered.release?.();
    }
    expect(JSON.parse(readFileSync(store, 'utf8')).files[join(ctxDir, 'f.txt')][5]).toBe(hexOf('file'));
  });

  it('should refuse to copy a file that no longer has the digest its step was keyed with', async () => {
    const ctxDir = join(dir, 'ctx');
    mkdirp(join(ctxDir, 'f.txt'));
    oldFile(join(ctxDir, 'f.txt'), 'before');
    const source = await hostBuildContext(ctxDir, { digests: new FileDigests(store, nodeSha256) });
    const tree = treeOf(await loadContext(source));
    const hashing = planCopy(
      { ...request, sources: ['f.txt'] },
      {
        ...tree,
        // The file changes after its digest was taken and before COPY reads it.
        digest: async (p) => {
          const d = await tree.digest!(p);
          writeFileSync(join(ctxDir, 'f.txt'), 'after!');
          return d;
        },
      },
    );
    await expect(hashing).rejects.toThrow('COPY failed: f.txt changed during the build');
  });
});

function mkdirp(file: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
}
