import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'berth-base-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function berth(...args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'bin/berth.js'), ...args], {
    env: { ...process.env, BERTH_ROOT: root },
    encoding: 'utf8',
  });
}

describe('base images on a fresh install', () => {
  it('should build hello from images/hello on first use and run it, with no registry', () => {
    const first = berth('run', '--rm', 'hello', 'a', 'b');
    expect(first.stderr).toContain("Unable to find image 'hello:latest' locally");
    expect(first.stderr).toContain("Building hello:latest from Berth's base images");
    expect(first.stdout).toContain('Hello from Berth!');
    expect(first.status).toBe(0);
    const second = berth('run', '--rm', 'hello', '--exit', '3');
    expect(second.stderr).not.toContain('Building');
    expect(second.status).toBe(3);
    expect(
      execFileSync(process.execPath, [join(repo, 'bin/berth.js'), 'images', '--format', '{{.Repository}}'], {
        env: { ...process.env, BERTH_ROOT: root },
        encoding: 'utf8',
      }),
    ).toContain('hello');
  });

  it('should still say an unknown image is missing', () => {
    const r = berth('run', '--rm', 'no-such-base');
    expect(r.status).toBe(125);
    expect(r.stderr).toContain("Unable to find image 'no-such-base:latest' locally");
  });
});
