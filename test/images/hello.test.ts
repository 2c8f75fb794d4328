/**
 * images/hello: the program (in-process, and a few runs through the real CLI) and its Dockerfile.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/build/dockerfile';
import { BERTH, HELLO_WASM, removeTree, ROOT, runGuest, type Output } from './harness';

const IMAGE = join(ROOT, 'images/hello');
let etc: string;

beforeAll(() => {
  etc = mkdtempSync(join(tmpdir(), 'berth-hello-etc-'));
  writeFileSync(join(etc, 'motd'), readFileSync(join(IMAGE, 'motd')));
});
afterAll(() => removeTree(etc));

const hello = (args: string[], opts: Parameters<typeof runGuest>[3] = {}): Output =>
  runGuest(HELLO_WASM, null, ['/hello.wasm', ...args], opts);

describe('hello.wasm', () => {
  it('greets and says what it is', () => {
    const r = hello([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'Hello from Berth!\n' +
        'This is hello.wasm, a WebAssembly (WASI preview1) program running in a Berth container.\n' +
        'Arguments: (none)\n',
    );
  });

  it('prints its arguments', () => {
    const r = hello(['one', 'two words', '']);
    expect(r.stdout).toContain('Arguments:\n  [1] one\n  [2] two words\n  [3] \n');
  });

  it('shows GREETING and NAME when set, and only then', () => {
    expect(hello([], { env: { GREETING: 'Ahoy', NAME: 'Ada' } }).stdout).toContain(
      'GREETING=Ahoy\nNAME=Ada\nAhoy, Ada!\n',
    );
    expect(hello([], { env: { NAME: 'Grace' } }).stdout).toContain('NAME=Grace\nHello, Grace!\n');
    expect(hello([], { env: { GREETING: 'Hi' } }).stdout).toContain('GREETING=Hi\nHi, world!\n');
    expect(hello([], { env: { HOSTNAME: 'x' } }).stdout).not.toMatch(/GREETING|NAME|world/);
  });

  it('prints /etc/motd when the image has one', () => {
    const motd = readFileSync(join(IMAGE, 'motd'), 'utf8');
    expect(hello([], { mounts: { '/etc': etc } }).stdout).toContain(`/etc/motd:\n${motd}`);
    expect(hello([]).stdout).not.toContain('/etc/motd');
  });

  it('exits with the code given by --exit', () => {
    const r = hello(['a', '--exit', '3', 'b']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('  [1] a\n  [2] b\n');
    expect(r.stdout.endsWith('Exiting with code 3.\n')).toBe(true);
    expect(hello(['--exit', '0']).code).toBe(0);
    expect(hello(['--exit', '255']).code).toBe(255);
  });

  it('refuses an exit code it cannot return', () => {
    for (const bad of ['256', '-1', 'x', '']) {
      const r = hello(['--exit', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`hello: invalid exit code '${bad}' (0-255)\n`);
    }
  });

  it('is small', () => {
    expect(readFileSync(HELLO_WASM).length).toBeLessThan(64 * 1024);
  });
});

describe('hello.wasm through the CLI', () => {
  function cli(args: string[]): Promise<Output> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BERTH, 'wasm', 'run', ...args], { cwd: ROOT });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code }),
      );
      child.stdin.end();
    });
  }

  it('runs with arguments, environment, a mounted /etc and an exit code', async () => {
    const [plain, full] = await Promise.all([
      cli([HELLO_WASM]),
      cli(['--dir', `${etc}::/etc:ro`, '-e', 'NAME=Ada', HELLO_WASM, 'x', '--exit', '7']),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Hello from Berth!\n/);
    expect(full.code).toBe(7);
    expect(full.stdout).toContain('  [1] x\n');
    expect(full.stdout).toContain('NAME=Ada\nHello, Ada!\n');
    expect(full.stdout).toContain('/etc/motd:\nWelcome to the Berth hello image');
  }, 30_000);
});

describe('images/hello/Dockerfile', () => {
  const parsed = parseDockerfile(readFileSync(join(IMAGE, 'Dockerfile'), 'utf8'));

  it('builds FROM scratch with the module, the motd, PATH, WORKDIR, labels and the entrypoint', () => {
    expect(parsed.warnings).toEqual([]);
    expect(parsed.instructions.map((i) => i.kind)).toEqual([
      'FROM',
      'COPY',
      'COPY',
      'ENV',
      'WORKDIR',
      'LABEL',
      'ENTRYPOINT',
    ]);
    const [from, wasm, motd, env, workdir, label, entrypoint] = parsed.instructions;
    expect(from).toMatchObject({ image: 'scratch' });
    expect(wasm).toMatchObject({ sources: ['hello.wasm'], dest: '/hello.wasm' });
    expect(motd).toMatchObject({ sources: ['motd'], dest: '/etc/motd' });
    expect(env).toMatchObject({ pairs: [{ key: 'PATH', value: '/bin:/' }] });
    expect(workdir).toMatchObject({ path: '/' });
    // values are kept as written (quotes included) until the builder expands them
    const labels = Object.fromEntries(
      (label as { pairs: { key: string; value: string }[] }).pairs.map((p) => [
        p.key,
        p.value.replace(/^"|"$/g, ''),
      ]),
    );
    expect(labels['org.opencontainers.image.version']).toBe('0.1.0');
    expect(labels['org.opencontainers.image.source']).toBeTruthy();
    expect(entrypoint).toMatchObject({ command: { form: 'exec', args: ['/hello.wasm'] } });
  });
});
