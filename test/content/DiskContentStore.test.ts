import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'; // prettier-ignore
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DigestMismatchError } from '../../src/errors/DigestMismatchError';
import { DiskContentStore } from '../../src/node/DiskContentStore';
import { stateRoot } from '../../src/node/stateRoot';
import type { Digest } from '../../src/oci/digest';

const here = dirname(fileURLToPath(import.meta.url));
const utf8 = new TextEncoder();
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest;

describe('DiskContentStore', () => {
  let root: string;
  let store: DiskContentStore;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-disk-'));
    store = new DiskContentStore({ root });
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('should keep blobs at <root>/blobs/sha256/<hex>', async () => {
    const bytes = utf8.encode('on disk');
    const w = await store.writer({ digest: sha256(bytes), size: bytes.length });
    await w.write(bytes);
    const { digest } = await w.commit();
    const path = join(root, 'blobs', 'sha256', digest.slice('sha256:'.length));
    expect(store.blobPath(digest)).toBe(path);
    expect(readFileSync(path)).toEqual(Buffer.from(bytes));
    expect(readdirSync(join(root, 'ingest'))).toEqual([]);
  });

  it('should stream an ingest into a temporary file under ingest/ and move it on commit', async () => {
    const bytes = utf8.encode('x'.repeat(100_000));
    const digest = sha256(bytes);
    const w = await store.writer({ digest, size: bytes.length });
    await w.write(bytes.subarray(0, 40_000));
    const temps = readdirSync(join(root, 'ingest'));
    expect(temps).toHaveLength(1);
    expect(statSync(join(root, 'ingest', temps[0]!)).size).toBe(40_000);
    expect(existsSync(store.blobPath(digest))).toBe(false);
    await w.write(bytes.subarray(40_000));
    await w.commit();
    expect(readdirSync(join(root, 'ingest'))).toEqual([]);
    expect(statSync(store.blobPath(digest)).size).toBe(100_000);
  });

  it('should remove the temporary file on a digest mismatch', async () => {
    const w = await store.writer({ digest: sha256(utf8.encode('expected')) });
    await w.write(utf8.encode('something else'));
    expect(readdirSync(join(root, 'ingest'))).toHaveLength(1);
    await expect(w.commit()).rejects.toBeInstanceOf(DigestMismatchError);
    expect(readdirSync(join(root, 'ingest'))).toEqual([]);
    expect(
      existsSync(join(root, 'blobs', 'sha256')) ? readdirSync(join(root, 'blobs', 'sha256')) : [],
    ).toEqual([]);
  });

  it('should list only blob files, ignoring anything else in the blob folder', async () => {
    const bytes = utf8.encode('listed');
    const w = await store.writer();
    await w.write(bytes);
    await w.commit();
    writeFileSync(join(root, 'blobs', 'sha256', 'README'), 'not a blob');
    writeFileSync(join(root, 'blobs', 'sha256', 'A'.repeat(64)), 'uppercase is not ours');
    expect((await store.list()).map((i) => i.digest)).toEqual([sha256(bytes)]);
  });

  it('should work on a root that does not exist yet', async () => {
    const fresh = new DiskContentStore({ root: join(root, 'not', 'yet') });
    expect(await fresh.list()).toEqual([]);
    expect(await fresh.removeStaleIngests()).toBe(0);
    const w = await fresh.writer();
    await w.write(utf8.encode('created on demand'));
    await w.commit();
    expect(await fresh.list()).toHaveLength(1);
  });

  it('should remove stale ingests only', async () => {
    mkdirSync(join(root, 'ingest'), { recursive: true });
    writeFileSync(join(root, 'ingest', 'old'), 'left by a dead process');
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(root, 'ingest', 'old'), old, old);
    const live = await store.writer();
    await live.write(utf8.encode('still being written'));
    expect(await store.removeStaleIngests()).toBe(1);
    expect(readdirSync(join(root, 'ingest'))).toHaveLength(1);
    await live.commit();
    expect(await store.list()).toHaveLength(1);
  });

  it('should default its root to stateRoot()', () => {
    expect(new DiskContentStore().root).toBe(stateRoot());
  });
});

describe('stateRoot', () => {
  it('should default to ~/.local/share/berth', () => {
    expect(stateRoot({})).toBe(join(homedir(), '.local', 'share', 'berth'));
    expect(stateRoot({ BERTH_ROOT: '' })).toBe(join(homedir(), '.local', 'share', 'berth'));
  });

  it('should honour BERTH_ROOT, made absolute', () => {
    expect(stateRoot({ BERTH_ROOT: '/var/lib/berth' })).toBe('/var/lib/berth');
    expect(stateRoot({ BERTH_ROOT: 'rel/dir' })).toBe(resolve('rel/dir'));
  });
});

describe('DiskContentStore under kill -9', () => {
  let bundleDir: string;
  let child: string;
  let root: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    bundleDir = mkdtempSync(join(tmpdir(), 'berth-child-'));
    child = join(bundleDir, 'child.mjs');
    await build({
      entryPoints: [join(here, 'fixtures', 'diskWriterChild.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: child,
      logLevel: 'silent',
    });
  });

  afterAll(() => {
    rmSync(bundleDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-kill-'));
  });

  afterEach(() => {
    for (const p of running.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  /** Starts the child and calls `onLine` for each stdout line; resolves when it has been killed. */
  function runChild(mode: string, onLine: (line: string, kill: () => void) => void): Promise<void> {
    return new Promise((done, fail) => {
      const p = spawn(process.execPath, [child, root, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.push(p);
      let out = '';
      let err = '';
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          onLine(line, () => p.kill('SIGKILL'));
        }
      });
      p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') done();
        else fail(new Error(`child exited with ${code}: ${err}`));
      });
    });
  }

  it('should leave no blob visible when killed mid-write', async () => {
    await runChild('stall', (line, kill) => {
      if (line === 'STALLED') kill();
    });
    const store = new DiskContentStore({ root });
    expect(await store.list()).toEqual([]);
    const temps = readdirSync(join(root, 'ingest'));
    expect(temps).toHaveLength(1);
    expect(statSync(join(root, 'ingest', temps[0]!)).size).toBe(300_000);
    expect(await store.removeStaleIngests(0)).toBe(1);
    expect(readdirSync(join(root, 'ingest'))).toEqual([]);
  });

  it('should only ever show whole, correct blobs when killed at random moments', async () => {
    for (let round = 0; round < 4; round++) {
      const committed: string[] = [];
      const killAfter = 3 + round * 2;
      await runChild('loop', (line, kill) => {
        committed.push(line.slice('COMMITTED '.length));
        if (committed.length === killAfter) setTimeout(kill, Math.floor(Math.random() * 15));
      });
      const store = new DiskContentStore({ root });
      const listed = await store.list();
      for (const info of listed) {
        const bytes = await store.readBytes(info.digest);
        expect(sha256(bytes)).toBe(info.digest);
        expect(bytes.length).toBe(info.size);
      }
      const digests = new Set(listed.map((i) => i.digest));
      for (const d of committed) expect(digests.has(d as Digest)).toBe(true);
      await store.removeStaleIngests(0);
    }
  }, 30_000);
});
