/**
 * Starting the CLI through dist/boot.cjs (src/node/boot.ts): the V8 code cache beside the bundle is
 * written after a successful run and used by the next; a damaged or foreign cache is ignored and
 * replaced, never trusted; a bundle caught empty mid-rebuild is an error, not a silent exit 0. Each test
 * works on its own copy of bin/ and dist/, so the repository's cache files are not touched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A package with the built CLI only: bin/berth.js, dist/boot.cjs, dist/berth.cjs. */
function packageCopy(name: string): string {
  const pkg = join(scratch, name);
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true });
  for (const f of ['boot.cjs', 'berth.cjs']) cpSync(join(repo, 'dist', f), join(pkg, 'dist', f));
  writeFileSync(join(pkg, 'package.json'), '{"type":"module"}\n');
  return pkg;
}

function berth(pkg: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(pkg, 'bin/berth.js'), ...args], {
    env: { ...process.env, BERTH_ROOT: join(scratch, 'root') },
    encoding: 'utf8',
  });
}

const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

describe('CLI start-up with the code cache', () => {
  it('should write the cache after a successful run and start from it the next time', () => {
    const pkg = packageCopy('fresh');
    const cache = join(pkg, 'dist/berth.cjs.other.cache');
    expect(existsSync(cache)).toBe(false);
    expect(berth(pkg, '--version')).toMatchObject({ status: 0, stdout: `berth ${version}\n` });
    const written = readFileSync(cache);
    const header = JSON.parse(written.subarray(0, written.indexOf(10)).toString()) as { key: string };
    expect(header.key).toContain(process.versions.v8);
    expect(written.length).toBeGreaterThan(1000);
    // Used, not rewritten: the file is the same after a second run.
    expect(berth(pkg, '--version')).toMatchObject({ status: 0, stdout: `berth ${version}\n` });
    expect(readFileSync(cache).equals(written)).toBe(true);
    // A failed command writes no cache of its own kind.
    expect(berth(pkg, 'build', '--no-such-flag').status).not.toBe(0);
    expect(existsSync(join(pkg, 'dist/berth.cjs.build.cache'))).toBe(false);
  });

  it('should keep no cache from a build that built steps, and keep one from a build that took all from the cache', () => {
    const pkg = packageCopy('build');
    const cache = join(pkg, 'dist/berth.cjs.build.cache');
    const context = join(scratch, 'context');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nENV A=1\n');
    writeFileSync(join(context, 'a.txt'), 'a\n');
    const first = berth(pkg, 'build', '-t', 'boot-test', context);
    expect(first.status).toBe(0);
    expect(first.stdout).not.toContain('Using cache');
    // Its cache would hold the code of building steps, which every cached rebuild would then load.
    expect(existsSync(cache)).toBe(false);
    const again = berth(pkg, 'build', '-t', 'boot-test', context);
    expect(again.stdout.match(/Using cache/g)).toHaveLength(2);
    expect(existsSync(cache)).toBe(true);
  });

  it('should ignore and replace a damaged cache, or one made for another bundle', () => {
    const pkg = packageCopy('damaged');
    const cache = join(pkg, 'dist/berth.cjs.other.cache');
    expect(berth(pkg, '--version').status).toBe(0);
    const good = readFileSync(cache);
    const newline = good.indexOf(10);
    // The right key over garbage bytecode: V8 rejects it, the CLI compiles the source and writes a new one.
    writeFileSync(cache, Buffer.concat([good.subarray(0, newline + 1), Buffer.alloc(4096, 7)]));
    expect(berth(pkg, '--version')).toMatchObject({ status: 0, stdout: `berth ${version}\n` });
    expect(
      readFileSync(cache)
        .subarray(newline + 1, newline + 64)
        .equals(Buffer.alloc(63, 7)),
    ).toBe(false);
    // Good bytecode under another bundle's key is not used either.
    writeFileSync(
      cache,
      Buffer.concat([Buffer.from('{"key":"another bundle"}\n'), good.subarray(newline + 1)]),
    );
    expect(berth(pkg, '--version')).toMatchObject({ status: 0, stdout: `berth ${version}\n` });
    expect(readFileSync(cache).subarray(0, newline).toString()).toBe(good.subarray(0, newline).toString());
    // Not even a header.
    writeFileSync(cache, 'nonsense');
    expect(berth(pkg, '--version')).toMatchObject({ status: 0, stdout: `berth ${version}\n` });
  });

  it('should say so when the bundle is empty (caught while it is being rebuilt)', () => {
    const pkg = packageCopy('empty');
    writeFileSync(join(pkg, 'dist/berth.cjs'), '');
    const r = berth(pkg, '--version');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('berth.cjs is empty: run npm run build');
  });

  it('should say what to do when the bundle is missing', () => {
    const pkg = packageCopy('missing');
    rmSync(join(pkg, 'dist/berth.cjs'));
    expect(berth(pkg, '--version')).toMatchObject({
      status: 125,
      stderr: 'berth: dist/berth.cjs is missing: run npm install (or npm run build) first\n',
    });
  });
});
