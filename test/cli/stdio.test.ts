/**
 * berth's own stdout: output written straight to the descriptor (src/node/stdio.ts) must reach a file or
 * a pipe whole and in order, and a reader that goes away must end berth as SIGPIPE ends a shell command
 * (status 141), quietly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, bin, freshRoot, removeRoot } from './helpers';

const stateRoot = freshRoot('berth-stdio-');
const scratch = mkdtempSync(join(tmpdir(), 'berth-stdio-out-'));

beforeAll(async () => {
  const r = await berth(stateRoot, ['run', '--rm', 'box', 'true']);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => {
  removeRoot(stateRoot);
  rmSync(scratch, { recursive: true, force: true });
});

function bash(script: string) {
  return spawnSync('bash', ['-c', script], {
    env: { ...process.env, BERTH_ROOT: stateRoot, BERTH: `${process.execPath} ${bin}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('berth stdout', () => {
  it('should write a long output to a file whole and in order', () => {
    const file = join(scratch, 'seq.txt');
    const r = bash(`$BERTH run --rm box seq 1 200000 > ${file}; echo "status=$?"`);
    expect(r.stdout).toBe('status=0\n');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.length).toBe(200_001);
    expect(lines[0]).toBe('1');
    expect(lines[199_999]).toBe('200000');
  });

  it('should exit 141, without an error message, when the reader of its pipe goes away', () => {
    const r = bash(
      `$BERTH run --rm box seq 1 10000000 2>${join(scratch, 'err.txt')} | head -n 2; echo "status=\${PIPESTATUS[0]}"`,
    );
    expect(r.stdout).toBe('1\n2\nstatus=141\n');
    expect(readFileSync(join(scratch, 'err.txt'), 'utf8')).toBe('');
  });

  it('should keep stdout and stderr apart, each whole', () => {
    const r = bash(
      `$BERTH run --rm box sh -c 'seq 1 3; seq 4 6 >&2; seq 7 9' 2>&1 >/dev/null; echo "status=$?"`,
    );
    expect(r.stdout).toBe('4\n5\n6\nstatus=0\n');
  });
});
