import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-repro-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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

  it('should refuse a SOURCE_DATE_EPOCH that is not a number of seconds', () => {
    expect(() => buildIn('c', new Date(), 'yesterday')).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
