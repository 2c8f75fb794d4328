/**
 * Reproducible builds: under SOURCE_DATE_EPOCH the same context gives the same image in any fresh state
 * root, whatever the files' times; the base images do too, and the layouts committed in images/oci are
 * what their sources build to.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  lutimesSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-repro-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function berthIn(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync(process.execPath, [join(repo, 'bin/berth.js'), ...args], { env, encoding: 'utf8' });
}

/** Every path under dir (files, directories and symlinks, not following links). */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p));
}

/** Builds the same context in a fresh state root and returns the image id `berth build -q` prints. */
function buildIn(name: string, fileTime: Date, sourceDateEpoch: string): string {
  const dir = join(scratch, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY hello.wasm /hello.wasm\nENTRYPOINT ["/hello.wasm"]\n',
  );
  copyFileSync(join(repo, 'test/wasi/wasm/hello.wasm'), join(dir, 'hello.wasm'));
  utimesSync(join(dir, 'hello.wasm'), fileTime, fileTime);
  return execFileSync(process.execPath, [join(repo, 'bin/berth.js'), 'build', '-q', '-t', 'h', '.'], {
    cwd: dir,
    env: { ...process.env, BERTH_ROOT: join(dir, '.root'), SOURCE_DATE_EPOCH: sourceDateEpoch },
    encoding: 'utf8',
  }).trim();
}

describe('reproducible builds', () => {
  it('should give the same image id for the same context under SOURCE_DATE_EPOCH', () => {
    const a = buildIn('a', new Date('2026-01-01T00:00:00Z'), '1700000000');
    const b = buildIn('b', new Date('2026-02-01T00:00:00Z'), '1700000000');
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it.each(['hello', 'box'])(
    'should give base image %s the same image and manifest digests in two fresh state roots',
    (name) => {
      const layouts = [1, 2].map((n) => {
        // A copy of the build context with every file's time moved: only the epoch may show in the image.
        const context = join(scratch, `${name}-${n}`);
        cpSync(join(repo, 'images', name), context, { recursive: true, verbatimSymlinks: true });
        const when = new Date(Date.UTC(2026, n, 1));
        for (const f of walk(context)) lutimesSync(f, when, when);
        const env = {
          ...process.env,
          BERTH_ROOT: join(scratch, `${name}-${n}.root`),
          SOURCE_DATE_EPOCH: '1767225600',
        };
        const id = berthIn(env, 'build', '--no-cache', '-q', '-t', name, context).trim();
        const out = join(scratch, `${name}-${n}.oci`);
        berthIn(env, 'save', '--format', 'oci-dir', '-o', out, name);
        return {
          id,
          index: readFileSync(join(out, 'index.json'), 'utf8'),
          blobs: readdirSync(join(out, 'blobs/sha256')).sort(),
        };
      });
      expect(layouts[0]!.id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(layouts[1]).toEqual(layouts[0]);
    },
    60_000,
  );

  it('should find the committed images/oci layouts equal to a build of their sources', () => {
    // The same check `node scripts/images.mjs --check` makes: build each base image in a temporary state
    // root with the base images' epoch and compare every file of its layout.
    const r = spawnSync(process.execPath, [join(repo, 'scripts/images.mjs'), '--check'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, SOURCE_DATE_EPOCH: undefined },
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^hello: sha256:[0-9a-f]{64}$/m);
  }, 60_000);

  it('should refuse a SOURCE_DATE_EPOCH that is not a number of seconds', () => {
    expect(() => buildIn('c', new Date(), 'yesterday')).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
