/**
 * Driving the real bin/berth.js (the built dist/berth.js) in child processes, each test file with its own
 * fresh BERTH_ROOT; and seeding that root with small images made in this process by the engine.
 */
import { spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { Engine } from '../../src/engine/Engine';
import { importModuleAsImage } from '../../src/engine/importModuleAsImage';
import { nodeEngineHost } from '../../src/node/engineHost';

export const root = join(import.meta.dirname, '../..');
export const bin = join(root, 'bin/berth.js');
export const TOOL = join(root, 'test/process/fixtures/tool.wasm');
export const wasm = (name: string) => join(root, `test/wasi/wasm/${name}.wasm`);

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (tar archives). */
  out: Buffer;
  ms: number;
}

export interface BerthOptions {
  stdin?: string | Buffer;
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs `berth ARGS` with BERTH_ROOT=stateRoot and waits for it to end. */
export function berth(stateRoot: string, args: string[], options: BerthOptions = {}): Promise<Ran> {
  const { child, done } = startBerth(stateRoot, args, options);
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  else child.stdin.end();
  return done;
}

/** Starts `berth ARGS` and returns the child (to signal it, or feed stdin) and its result. */
export function startBerth(stateRoot: string, args: string[], options: BerthOptions = {}) {
  const t0 = performance.now();
  const child = spawnChild(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    stdio: 'pipe',
    env: { ...process.env, BERTH_ROOT: stateRoot, ...options.env },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => {}); // a guest that never reads stdin may leave it unread
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolve({
        code,
        stdout: bytes.toString(),
        stderr: Buffer.concat(err).toString(),
        out: bytes,
        ms: performance.now() - t0,
      });
    });
  });
  return { child, done };
}

export function freshRoot(prefix = 'berth-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Test images:
 *   hello     /hello.wasm (Entrypoint)
 *   tool      /tool.wasm (Entrypoint), Env GREETING=hi, a label, /etc/motd
 *   echo      /stdin_echo.wasm (copies stdin to stdout)
 *   notwasm   Entrypoint /script.sh, a shell script (not a WASI module: 126)
 */
export async function seedImages(stateRoot: string): Promise<void> {
  const engine = await Engine.open(nodeEngineHost({ root: stateRoot, workerHost: new NodeWorkerHost() }));
  const bytes = (p: string) => new Uint8Array(readFileSync(p));
  await importModuleAsImage(engine, 'hello', bytes(wasm('hello')));
  await importModuleAsImage(engine, 'tool', bytes(TOOL), {
    files: { '/etc/motd': 'welcome\n' },
    config: { Env: ['GREETING=hi'], Labels: { 'org.example.kind': 'tool' } },
  });
  await importModuleAsImage(engine, 'echo', bytes(wasm('stdin_echo')), { path: '/stdin_echo.wasm' });
  await importModuleAsImage(engine, 'notwasm', bytes(wasm('hello')), {
    files: { '/script.sh': '#!/bin/sh\necho hi\n' },
    config: { Entrypoint: ['/script.sh'] },
  });
  await engine.close();
}

/** The lines of a table without its header. */
export function rows(table: string): string[] {
  return table
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
}
