/**
 * Several berth processes on one state root (the disk host): concurrent creates, stop/kill across
 * processes, an owner process that dies, and kill -9 in the middle of a commit. The other processes are
 * test/engine/fixtures/child.ts, bundled here with esbuild and run with node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { Engine } from '../../src/engine/Engine';
import { resolveImage } from '../../src/image/resolveImage';
import { nodeEngineHost, nodeProcesses, startTimeOf } from '../../src/node/engineHost';
import { runCollect, seedImages, waitForLog } from './engine.suite';
import { makeTar } from './tarHelpers';

const repo = join(import.meta.dirname, '../..');
const workerScript = join(repo, 'dist/node-worker.js');
let dir: string;
let root: string;
let childScript: string;
let engine: Engine;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-procs-'));
  root = join(dir, 'root');
  childScript = join(dir, 'child.mjs');
  await build({
    entryPoints: [join(repo, 'test/engine/fixtures/child.ts')],
    outfile: childScript,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);",
    },
  });
  engine = await openEngine();
  await seedImages(engine);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function openEngine(): Promise<Engine> {
  return Engine.open(nodeEngineHost({ root, workerHost: new NodeWorkerHost() }));
}

interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

function child(...args: string[]): Child {
  const proc = spawn(process.execPath, [childScript, ...args], {
    env: { ...process.env, BERTH_ROOT: root, BERTH_WORKER_SCRIPT: workerScript },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  let buffer = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const l = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.pattern.test(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const hit = lines.find((l) => pattern.test(l));
        if (hit !== undefined) return resolve(hit);
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`child exited (${code}) before ${pattern}: ${stderr}`)));
      }),
  };
}

describe('several processes on one state root', () => {
  it('should tell a live owner from a later process with the same pid', () => {
    const p = nodeProcesses();
    expect(p.isAlive(process.pid)).toBe(true);
    if (startTimeOf(process.pid) === undefined) return; // no /proc here
    expect(p.token).toBe(startTimeOf(process.pid));
    expect(p.isAlive(process.pid, p.token)).toBe(true);
    expect(p.isAlive(process.pid, 'another-start-time')).toBe(false);
    expect(p.isAlive(2 ** 22 + 12345, p.token)).toBe(false);
  });

  it('should create containers from three processes and this one at once, all kept, names unique', async () => {
    const kids = [
      child('create', '10', 'multi'),
      child('create', '10', 'multi'),
      child('create', '10', 'multi'),
    ];
    const mine = Promise.all(
      Array.from({ length: 10 }, () =>
        engine.createContainer({ image: 'hello', labels: { batch: 'multi' } }),
      ),
    );
    const theirs = await Promise.all(kids.map(async (k) => JSON.parse(await k.line(/^\[/)) as string[]));
    const ids = [...theirs.flat(), ...(await mine).map((m) => m.id)];
    expect(new Set(ids).size).toBe(40);
    const listed = await engine.listContainers({ all: true, filters: { label: ['batch=multi'] } });
    expect(listed.map((c) => c.Id).sort()).toEqual([...ids].sort());
    expect(new Set(listed.map((c) => c.Names[0])).size).toBe(40);
    for (const id of ids) await engine.removeContainer(id);
  });

  it('should stop and kill a container running in another process, following its log meanwhile', async () => {
    const k = child('run', 'tool', 'ticker', '100000', '20');
    const id = (await k.line(/^started /)).split(' ')[1]!;
    const info = await engine.inspectContainer(id);
    expect(info.State).toMatchObject({ Status: 'running', Pid: k.proc.pid });
    const followed: string[] = [];
    const following = (async () => {
      for await (const e of await engine.containerLogs(id, { follow: true }))
        followed.push(Buffer.from(e.data).toString());
    })();
    await waitForLog(engine, id, 'tick 3');
    await engine.stopContainer(id, { timeout: 0 });
    expect((await engine.inspectContainer(id)).State).toMatchObject({
      Status: 'exited',
      ExitCode: 137,
      Running: false,
    });
    await following;
    expect(followed.slice(0, 3)).toEqual(['tick 0\n', 'tick 1\n', 'tick 2\n']);
    expect(await k.line(/^exit /)).toBe('exit 137');
    expect(await k.exited).toBe(0);

    const k2 = child('run', 'tool', 'ticker', '100000', '20');
    const id2 = (await k2.line(/^started /)).split(' ')[1]!;
    await engine.killContainer(id2);
    expect((await engine.waitContainer(id2)).StatusCode).toBe(137);
    expect(await k2.line(/^exit /)).toBe('exit 137');
  });

  it('should read a container whose owner process died as Exited (137), keeping its last saved layer', async () => {
    const k = child('run', 'busy', 'write-then-sleep', '/x', 'y');
    const id = (await k.line(/^started /)).split(' ')[1]!;
    await waitForLog(engine, id, 'written');
    k.proc.kill('SIGKILL');
    await k.exited;
    const row = (await engine.listContainers({ all: true, filters: { id: [id] } }))[0]!;
    expect(row.State).toBe('exited');
    expect(row.Status).toMatch(/^Exited \(137\)/);
    const state = (await engine.inspectContainer(id)).State;
    expect(state).toMatchObject({ ExitCode: 137, Running: false });
    expect(state.Error).toMatch(/is gone/);
    // It can be started again from here.
    const again = await engine.startContainer(id);
    await waitForLog(engine, id, 'written');
    await engine.killContainer(id);
    expect((await again.wait()).statusCode).toBe(137);
    expect(await engine.containerDiff(id)).toEqual([{ Kind: 1, Path: '/x' }]);
  });

  it('should leave the store consistent when a process is killed -9 in the middle of commits', async () => {
    const { id } = await engine.createContainer({ image: 'tool', cmd: ['cat', '/big/blob'], name: 'big' });
    await engine.copyToContainer(
      id,
      '/',
      makeTar({ 'big/blob': new Uint8Array(randomBytes(12 * 1024 * 1024)), 'big/small': 'x' }),
    );
    for (let round = 0; round < 4; round++) {
      const k = child('commit-loop', id);
      await k.line(round % 2 === 0 ? /^committing 0/ : /^committed 0/);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
      k.proc.kill('SIGKILL');
      await k.exited;
    }
    const fresh = await openEngine();
    const host = nodeEngineHost({ root });
    // Every image record resolves to a manifest whose blobs are all there, whole.
    for (const record of await host.images.list()) {
      const resolved = await resolveImage(host.content, record);
      for (const l of [resolved.manifest.config, ...resolved.manifest.layers]) {
        expect((await host.content.info(l.digest)).size).toBe(l.size);
      }
    }
    expect((await fresh.listImages()).length).toBeGreaterThan(0);
    // Locks left by the dead processes do not block: a commit and a run work now.
    const c = await fresh.commitContainer('big', { reference: 'after-crash' });
    expect(c.reference).toBe('docker.io/library/after-crash:latest');
    const r = await runCollect(fresh, { image: 'after-crash', cmd: ['cat', '/big/small'] });
    expect(r.stdout).toBe('x');
    expect(readdirSync(join(root, 'containers')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await fresh.close();
  });
});
