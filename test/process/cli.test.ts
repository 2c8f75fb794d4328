/**
 * Processes through the real berth binary: `berth wasm run` with the program's directory mounted at
 * /bin, and a container built from an image holding it (the engine runs containers through the same
 * spawn()). The program is test/process/fixtures/proc.wasm (modes at the top of proc.c).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth } from '../cli/helpers';

const repo = join(import.meta.dirname, '../..');
const PROC = join(repo, 'test/process/fixtures/proc.wasm');
const scratch = mkdtempSync(join(tmpdir(), 'berth-proc-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('processes through the berth binary', () => {
  it('berth wasm run: a pipeline of programs found on PATH in a mounted directory', async () => {
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    copyFileSync(PROC, join(bin, 'proc'));
    const r = await berth(join(scratch, 'state-wasm'), [
      'wasm',
      'run',
      '--dir',
      `${bin}::/bin`,
      PROC,
      'run',
      'proc',
      'yes',
      '|',
      'proc',
      'head',
      '2',
    ]);
    expect(r.stdout).toBe('y\ny\n');
    expect(r.stderr).toContain('status 3 0\n');
    expect(r.code).toBe(0);
  });

  it('berth run: a container whose entrypoint starts processes; the writable layer keeps what they wrote', async () => {
    const ctx = join(scratch, 'ctx');
    mkdirSync(ctx);
    copyFileSync(PROC, join(ctx, 'proc.wasm'));
    writeFileSync(
      join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY proc.wasm /bin/proc\nENV PATH=/bin\nENTRYPOINT ["/bin/proc"]\n',
    );
    const state = join(scratch, 'state-run');
    expect((await berth(state, ['build', '-q', '-t', 'proc-test', ctx])).code).toBe(0);
    const run = await berth(state, ['run', '--name', 'p1', 'proc-test', 'redirect', '/out.txt']);
    expect(run.stdout).toBe('child status 0\nwritten by the parent too\ninto the file\n');
    expect(run.code).toBe(0);
    expect((await berth(state, ['diff', 'p1'])).stdout).toBe('A /out.txt\n');
    const pipe = await berth(state, [
      'run',
      '--rm',
      'proc-test',
      'run',
      'proc',
      'produce',
      '3000000',
      '|',
      'proc',
      'count',
    ]);
    expect(pipe.stdout).toBe('3000000 bytes\n');
    const status = await berth(state, ['run', '--rm', 'proc-test', 'run', 'proc', 'exit', '7']);
    expect(status.code, status.stderr).toBe(7);
    // @wasmer/wasi cannot start processes: the run is refused, saying why.
    const wasmer = await berth(state, ['run', '--rm', '--runtime', 'wasmer', 'proc-test', 'ids']);
    expect(wasmer.code).toBe(125);
    expect(wasmer.stderr).toContain('imports berth_process');
  });
});
