/**
 * The engine's conformance suite, run against every host (engine.memory.test.ts, engine.disk.test.ts):
 * real guests (test/wasi/wasm/*.wasm and test/process/fixtures/tool.wasm, both committed) in real
 * workers, images made in the test with importModuleAsImage.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine, KILL_GRACE_MS } from '../../src/engine/Engine';
import { EngineError } from '../../src/engine/errors';
import { importModuleAsImage } from '../../src/engine/importModuleAsImage';
import type { ContainerExit, RunOptions } from '../../src/engine/types';
import { extractTar, makeTar } from './tarHelpers';

const root = join(import.meta.dirname, '../..');
export const wasm = (name: string): Uint8Array =>
  new Uint8Array(
    readFileSync(
      name === 'tool'
        ? join(root, 'test/process/fixtures/tool.wasm')
        : name === 'busy'
          ? join(root, 'test/engine/fixtures/busy.wasm')
          : join(root, `test/wasi/wasm/${name}.wasm`),
    ),
  );
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

export interface EngineFixture {
  kind: 'memory' | 'disk';
  /** A new Engine on the same state (for disk: a new host on the same state root). */
  open(): Promise<Engine>;
  cleanup(): Promise<void>;
}

export interface Ran {
  id: string;
  exit: ContainerExit;
  stdout: string;
  stderr: string;
}

export async function runCollect(engine: Engine, options: RunOptions): Promise<Ran> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const run = await engine.run({
    ...options,
    stdout: (c) => void out.push(c),
    stderr: (c) => void err.push(c),
  });
  const exit = await run.wait();
  return { id: run.id, exit, stdout: text(out), stderr: text(err) };
}

async function catchError(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an EngineError');
}

async function logText(engine: Engine, id: string, options = {}): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const e of await engine.containerLogs(id, options)) parts.push(e.data);
  return text(parts);
}

/** Standard images every test can use. */
export async function seedImages(engine: Engine): Promise<void> {
  await importModuleAsImage(engine, 'hello', wasm('hello'));
  await importModuleAsImage(engine, 'tool', wasm('tool'), {
    files: { '/etc/motd': 'welcome\n', '/etc/app/conf': 'a=1\n' },
    config: { Env: ['GREETING=hi', 'LEVEL=1'], Labels: { 'org.example.kind': 'tool' } },
  });
  await importModuleAsImage(engine, 'pathtool', wasm('tool'), {
    path: '/opt/bin/tool',
    config: { Entrypoint: null, Cmd: ['tool', 'echo', 'found in PATH'], Env: ['PATH=/usr/bin:/opt/bin'] },
  });
  await importModuleAsImage(engine, 'echo', wasm('stdin_echo'));
  await importModuleAsImage(engine, 'busy', wasm('busy'), { path: '/busy' });
  await importModuleAsImage(engine, 'vol', wasm('tool'), {
    files: { '/cache/seed.txt': 'seeded\n' },
    config: { Volumes: { '/cache': {} } },
  });
}

export function runEngineSuite(name: string, makeFixture: () => Promise<EngineFixture>): void {
  describe(`Engine conformance: ${name}`, () => {
    let fixture: EngineFixture;
    let engine: Engine;
    let hostDir: string;
    const engines: Engine[] = [];
    const open = async () => {
      const e = await fixture.open();
      engines.push(e);
      return e;
    };

    beforeAll(async () => {
      fixture = await makeFixture();
      engine = await open();
      await seedImages(engine);
    });
    afterAll(async () => {
      for (const e of engines) await e.close();
      await fixture.cleanup();
    });
    beforeEach(() => {
      hostDir = mkdtempSync(join(tmpdir(), 'berth-bind-'));
    });
    afterEach(() => rmSync(hostDir, { recursive: true, force: true }));

    describe('run and exit codes', () => {
      it('should run hello and record its output and exit', async () => {
        const r = await runCollect(engine, { image: 'hello' });
        expect(r.exit).toEqual({ statusCode: 0, reason: 'exit', oomKilled: false });
        expect(r.stdout).toBe('hello\n');
        const info = await engine.inspectContainer(r.id);
        expect(info.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 0, Pid: 0 });
        expect(info.Path).toBe('/hello.wasm');
        expect(info.Name).toMatch(/^\/[a-z]+_[a-z]+\d?$/);
        expect(info.GraphDriver.Name).toBe('berth-union');
        expect(Date.parse(info.State.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(info.State.StartedAt));
      });

      it("should pass the module's exit code through, and 134 for a trap", async () => {
        expect((await runCollect(engine, { image: 'tool', cmd: ['exit', '3'] })).exit.statusCode).toBe(3);
        const trap = await runCollect(engine, { image: 'tool', cmd: ['trap'] });
        expect(trap.exit).toMatchObject({ statusCode: 134, reason: 'trap' });
      });

      it('should create, then start, then wait', async () => {
        const { id, name } = await engine.createContainer({
          image: 'tool',
          cmd: ['echo', 'later'],
          name: 'created-first',
        });
        expect(name).toBe('created-first');
        expect((await engine.inspectContainer('created-first')).State.Status).toBe('created');
        const run = await engine.startContainer(id);
        expect(await engine.waitContainer('created-first')).toEqual({ StatusCode: 0 });
        await run.wait();
        expect(await logText(engine, id)).toBe('later\n');
        await engine.removeContainer(id);
      });

      it('should merge env and resolve a bare command in PATH', async () => {
        const r = await runCollect(engine, { image: 'tool', cmd: ['env', 'GREETING'], env: ['LEVEL=2'] });
        expect(r.stdout).toBe('hi\n');
        const info = await engine.inspectContainer(r.id);
        expect(info.Config.Env).toEqual(['GREETING=hi', 'LEVEL=2']);
        const p = await runCollect(engine, { image: 'pathtool' });
        expect(p.stdout).toBe('found in PATH\n');
        const relative = await runCollect(engine, {
          image: 'pathtool',
          workdir: '/opt',
          cmd: ['bin/tool', 'echo', 'rel'],
        });
        expect(relative.stdout).toBe('rel\n');
      });

      it('should give argv[0] as written and the container HOSTNAME', async () => {
        const r = await runCollect(engine, { image: 'tool', cmd: ['argv'] });
        expect(r.stdout).toBe('/tool.wasm\nargv\n');
        const h = await runCollect(engine, { image: 'tool', cmd: ['env', 'HOSTNAME'] });
        expect(h.stdout.trim()).toBe(h.id.slice(0, 12));
      });

      it('should fail with 127 when the command does not exist', async () => {
        const e = await catchError(engine.run({ image: 'tool', entrypoint: ['/nope.wasm'], name: 'c127' }));
        expect(e.kind).toBe('not-found');
        expect(e.exitCode).toBe(127);
        const info = await engine.inspectContainer('c127');
        expect(info.State).toMatchObject({ Status: 'created', ExitCode: 127 });
        expect(info.State.Error).toMatch(/no such file/);
        const inPath = await catchError(engine.run({ image: 'pathtool', cmd: ['missing'] }));
        expect(inPath.exitCode).toBe(127);
        expect(inPath.message).toMatch(/executable file not found in \$PATH/);
      });

      it('should fail with 126 when the command is not a wasm module', async () => {
        const file = await catchError(
          engine.run({ image: 'tool', entrypoint: ['/etc/motd'], autoRemove: true }),
        );
        expect(file.kind).toBe('not-executable');
        expect(file.exitCode).toBe(126);
        const dir = await catchError(engine.run({ image: 'tool', entrypoint: ['/etc'], autoRemove: true }));
        expect(dir.exitCode).toBe(126);
      });

      it("should fail with 125 for Berth's own errors", async () => {
        const missing = await catchError(engine.run({ image: 'no-such-image' }));
        expect(missing.kind).toBe('no-such-image');
        expect(missing.exitCode).toBe(125);
        const platform = await catchError(
          engine.createContainer({ image: 'hello', platform: 'linux/amd64' }),
        );
        expect(platform.exitCode).toBe(125);
        expect(platform.message).toMatch(/wasi\/wasm/);
        expect((await engine.createContainer({ image: 'hello', platform: 'wasip1/wasm32' })).id).toHaveLength(
          64,
        );
        const badName = await catchError(engine.createContainer({ image: 'hello', name: 'x' }));
        expect(badName.kind).toBe('invalid-argument');
        const noCmd = await catchError(engine.createContainer({ image: 'hello', entrypoint: [''] }));
        expect(noCmd.message).toMatch(/No command specified/);
      });

      it('should remove the container after the run with autoRemove', async () => {
        const r = await runCollect(engine, { image: 'hello', autoRemove: true });
        await expect(engine.inspectContainer(r.id)).rejects.toMatchObject({ kind: 'no-such-container' });
      });

      it('should stream stdin in and stdout out', async () => {
        const run = await engine.run({ image: 'echo', stdin: 'stream', stdout: 'stream' });
        void (async () => {
          run.stdin!.write(new TextEncoder().encode('one\n'));
          await new Promise((r) => setTimeout(r, 20));
          run.stdin!.write(new TextEncoder().encode('two\n'));
          run.stdin!.end();
        })();
        const chunks: Uint8Array[] = [];
        for await (const c of run.stdout!) chunks.push(c);
        expect((await run.wait()).statusCode).toBe(0);
        expect(text(chunks)).toBe('one\ntwo\n');
        expect(await logText(engine, run.id, { stderr: false })).toBe('one\ntwo\n');
        expect(await logText(engine, run.id, { stdout: false })).toBe('# stdin_echo bytes 8 reads 3\n');
      });

      it('should pump a stdin stream into the guest', async () => {
        async function* input() {
          yield new TextEncoder().encode('abc');
          yield new TextEncoder().encode('def\n');
        }
        const r = await runCollect(engine, { image: 'echo', stdin: input() });
        expect(r.stdout).toBe('abcdef\n');
      });

      it('should cap memory (-m) and report OOM or a failed allocation', async () => {
        await importModuleAsImage(engine, 'memhog', wasm('attack_memory'));
        const r = await runCollect(engine, { image: 'memhog', memory: 64 * 1024 * 1024 });
        if (r.exit.reason === 'oom') expect(r.exit).toMatchObject({ statusCode: 137, oomKilled: true });
        else expect(r.stdout).toMatch(/alloc failed after \d+ MiB/);
        expect((await engine.inspectContainer(r.id)).HostConfig.Memory).toBe(64 * 1024 * 1024);
      });
    });

    describe('logs', () => {
      it('should keep stdout and stderr apart, with tail and timestamps', async () => {
        const r = await runCollect(engine, { image: 'tool', cmd: ['echo', 'a', 'b', 'c'] });
        expect(await logText(engine, r.id)).toBe('a\nb\nc\n');
        expect(await logText(engine, r.id, { tail: 2 })).toBe('b\nc\n');
        expect(await logText(engine, r.id, { tail: 0 })).toBe('');
        const bad = await runCollect(engine, { image: 'tool', cmd: ['cat', '/nope'] });
        expect(bad.exit.statusCode).toBe(1);
        expect(await logText(engine, bad.id, { stdout: false })).toMatch(/cannot open \/nope/);
        expect(await logText(engine, bad.id, { stderr: false })).toBe('');
        for await (const e of await engine.containerLogs(r.id)) {
          expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
          expect(e.stream).toBe('stdout');
        }
      });

      it('should follow the log of a running container until it exits', async () => {
        const run = await engine.run({ image: 'tool', cmd: ['ticker', '4', '60'] });
        const seen: string[] = [];
        for await (const e of await engine.containerLogs(run.id, { follow: true }))
          seen.push(Buffer.from(e.data).toString());
        expect(seen).toEqual(['tick 0\n', 'tick 1\n', 'tick 2\n', 'tick 3\n']);
        expect((await run.wait()).statusCode).toBe(0);
      });
    });

    describe('filesystem', () => {
      it('should show what the guest wrote in diff, and keep it across starts', async () => {
        const r = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/etc/app/conf', 'a=2\n'],
          name: 'writer',
        });
        expect(r.exit.statusCode).toBe(0);
        // Copy-up keeps the parents' times, so only the file itself changed.
        expect(await engine.containerDiff('writer')).toEqual([{ Kind: 0, Path: '/etc/app/conf' }]);
        // Starting it again runs on the same writable layer.
        const again = await engine.startContainer('writer', { stdout: 'stream' });
        const chunks: Uint8Array[] = [];
        for await (const c of again.stdout!) chunks.push(c);
        await again.wait();
        const info = await engine.inspectContainer('writer');
        expect(info.State.ExitCode).toBe(0);
        const cat = await runCollect(engine, { image: 'tool', cmd: ['cat', '/etc/app/conf'] });
        expect(cat.stdout).toBe('a=1\n'); // another container sees the image, not the writer's layer
      });

      it('should commit the writable layer and run the committed image', async () => {
        const w = await runCollect(engine, { image: 'tool', cmd: ['write', '/out.txt', 'committed\n'] });
        const c = await engine.commitContainer(w.id, {
          reference: 'snap:1',
          comment: 'saved',
          changes: { Cmd: ['cat', '/out.txt'], Env: ['LEVEL=9'] },
        });
        expect(c.reference).toBe('docker.io/library/snap:1');
        const r = await runCollect(engine, { image: 'snap:1' });
        expect(r.stdout).toBe('committed\n');
        const image = await engine.inspectImage('snap:1');
        expect(image.Id).toBe(c.id);
        expect(image.RootFS.Layers).toHaveLength(2);
        expect(image.Config.Env).toEqual(['GREETING=hi', 'LEVEL=9']);
        const history = await engine.imageHistory('snap:1');
        expect(history[0]).toMatchObject({
          Id: c.id,
          CreatedBy: '/tool.wasm write /out.txt committed\n',
          Comment: 'saved',
          Tags: ['snap:1'],
        });
        expect(history[0]!.Size).toBeGreaterThan(0);
        expect(history[1]!.Id).toBe('<missing>');
        // Nothing changed: no new layer, an empty_layer history entry; untagged: a dangling image.
        const same = await runCollect(engine, { image: 'snap:1' });
        const empty = await engine.commitContainer(same.id);
        const dangling = (await engine.listImages()).find((i) => i.Id === empty.id)!;
        expect(dangling.RepoTags).toEqual([]);
        expect((await engine.inspectImage(empty.id)).RootFS.Layers).toHaveLength(2);
      });

      it('should export the flattened filesystem as a tar', async () => {
        const w = await runCollect(engine, { image: 'tool', cmd: ['write', '/new.txt', 'exported'] });
        const files = await extractTar(await engine.exportContainer(w.id));
        expect(files.get('new.txt')).toBe('exported');
        expect(files.get('etc/motd')).toBe('welcome\n');
        expect(files.has('tool.wasm')).toBe(true);
      });

      it('should copy from and into a stopped container (tar streams and host paths)', async () => {
        const w = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/data.txt', 'inside'],
          name: 'cpbox',
        });
        const { stat, tar } = await engine.copyFromContainer('cpbox', '/etc');
        expect(stat).toMatchObject({ name: 'etc', mode: 0o40755 });
        const files = await extractTar(tar);
        expect(files.get('etc/motd')).toBe('welcome\n');
        expect(files.get('etc/app/conf')).toBe('a=1\n');

        await engine.copyToContainer('cpbox', '/etc', makeTar({ 'added/new.conf': 'b=2\n' }));
        await engine.copyFromContainerToHost('cpbox', '/data.txt', join(hostDir, 'copied.txt'));
        expect(readFileSync(join(hostDir, 'copied.txt'), 'utf8')).toBe('inside');
        writeFileSync(join(hostDir, 'from-host.txt'), 'host bytes');
        mkdirSync(join(hostDir, 'tree/sub'), { recursive: true });
        writeFileSync(join(hostDir, 'tree/sub/f'), 'deep');
        await engine.copyFromHostToContainer('cpbox', join(hostDir, 'from-host.txt'), '/');
        await engine.copyFromHostToContainer('cpbox', join(hostDir, 'tree'), '/copied-tree');
        await engine.copyFromContainerToHost('cpbox', '/etc/app', hostDir);
        expect(readFileSync(join(hostDir, 'app/conf'), 'utf8')).toBe('a=1\n');

        const r = await runCollect(engine, { image: 'tool', cmd: ['cat', '/etc/added/new.conf'] });
        expect(r.stdout).toBe(''); // another container: not there
        await engine.commitContainer(w.id, { reference: 'cpbox-image' });
        const cat = async (path: string) =>
          (await runCollect(engine, { image: 'cpbox-image', cmd: ['cat', path] })).stdout;
        expect(await cat('/etc/added/new.conf')).toBe('b=2\n');
        expect(await cat('/from-host.txt')).toBe('host bytes');
        expect(await cat('/copied-tree/sub/f')).toBe('deep');
        const missing = await catchError(engine.copyFromContainer('cpbox', '/nope'));
        expect(missing.kind).toBe('no-such-path');
      });

      it('should refuse a write to a read-only root filesystem', async () => {
        const r = await runCollect(engine, { image: 'tool', cmd: ['write', '/x', 'y'], readOnly: true });
        expect(r.exit.statusCode).toBe(1);
        expect(r.stderr).toMatch(/cannot create \/x/);
        expect((await engine.inspectContainer(r.id)).HostConfig.ReadonlyRootfs).toBe(true);
      });
    });

    describe('container management', () => {
      it('should list with filters, rename, refuse name clashes, and remove', async () => {
        const a = await runCollect(engine, {
          image: 'tool',
          cmd: ['exit', '5'],
          name: 'ps-a',
          labels: { team: 'x' },
        });
        await runCollect(engine, { image: 'hello', name: 'ps-b' });
        const names = async (filters: Record<string, (string | number)[]>) =>
          (await engine.listContainers({ all: true, filters })).map((c) => c.Names[0]).sort();
        expect(await names({ name: ['^ps-'] })).toEqual(['/ps-a', '/ps-b']);
        expect(await names({ name: ['ps-'], exited: [5] })).toEqual(['/ps-a']);
        expect(await names({ name: ['ps-'], label: ['team=x'] })).toEqual(['/ps-a']);
        expect(await names({ name: ['ps-'], ancestor: ['hello'] })).toEqual(['/ps-b']);
        expect(await names({ id: [a.id.slice(0, 10)] })).toEqual(['/ps-a']);
        expect(await names({ name: ['ps-'], status: ['running'] })).toEqual([]);
        expect(await engine.listContainers({ filters: { name: ['ps-'] } })).toEqual([]); // not running
        const row = (await engine.listContainers({ all: true, filters: { name: ['ps-a'] } }))[0]!;
        expect(row.Status).toMatch(/^Exited \(5\) (Less than a second|\d+ seconds) ago$/);
        expect(row.Command).toBe('/tool.wasm exit 5');

        const clash = await catchError(engine.createContainer({ image: 'hello', name: 'ps-a' }));
        expect(clash.kind).toBe('conflict');
        expect(clash.message).toMatch(/already in use/);
        await engine.renameContainer('ps-a', 'ps-renamed');
        expect((await engine.inspectContainer(a.id)).Name).toBe('/ps-renamed');
        expect((await catchError(engine.renameContainer('ps-b', 'ps-renamed'))).kind).toBe('conflict');
        await engine.removeContainer('ps-renamed');
        await engine.removeContainer(a.id.slice(0, 12)).catch(() => undefined);
        expect((await catchError(engine.inspectContainer('ps-renamed'))).kind).toBe('no-such-container');
      });

      it('should kill and stop a running container, keeping what it wrote', async () => {
        const run = await engine.run({ image: 'tool', cmd: ['ticker', '1000', '20'], name: 'ticker-kill' });
        await waitForLog(engine, run.id, 'tick 2');
        const listed = await engine.listContainers({ filters: { name: ['ticker-kill'] } });
        expect(listed[0]).toMatchObject({ State: 'running' });
        expect(listed[0]!.Status).toMatch(/^Up /);
        expect((await catchError(engine.removeContainer('ticker-kill'))).kind).toBe('conflict');
        expect((await catchError(engine.commitContainer('ticker-kill'))).kind).toBe('conflict');
        await engine.killContainer('ticker-kill');
        expect(await run.wait()).toMatchObject({ statusCode: 137, reason: 'killed' });
        expect((await engine.inspectContainer('ticker-kill')).State).toMatchObject({
          Status: 'exited',
          ExitCode: 137,
        });
        expect((await catchError(engine.killContainer('ticker-kill'))).kind).toBe('not-running');

        // A guest that wrote a file and keeps sleeping: the kill reaches it at its next WASI call, so
        // its writable layer comes back with the exit.
        const sleeper = await engine.run({ image: 'busy', cmd: ['write-then-sleep', '/kept', 'yes'] });
        await waitForLog(engine, sleeper.id, 'written');
        await engine.stopContainer(sleeper.id, { timeout: 0 });
        expect((await sleeper.wait()).statusCode).toBe(137);
        expect(await engine.containerDiff(sleeper.id)).toEqual([{ Kind: 1, Path: '/kept' }]);

        // One that spins without WASI calls is ended by terminating its worker after the grace period.
        const spinner = await engine.run({ image: 'busy', cmd: ['write-then-spin', '/lost', 'no'] });
        await waitForLog(engine, spinner.id, 'written');
        const t1 = Date.now();
        await engine.killContainer(spinner.id);
        expect(Date.now() - t1).toBeLessThan(KILL_GRACE_MS + 2000);
        expect((await spinner.wait()).statusCode).toBe(137);

        const slow = await engine.run({ image: 'tool', cmd: ['ticker', '1000', '20'] });
        await waitForLog(engine, slow.id, 'tick 1');
        const t2 = Date.now();
        await engine.stopContainer(slow.id, { timeout: 1 });
        expect(Date.now() - t2).toBeGreaterThanOrEqual(900);
        expect((await slow.wait()).statusCode).toBe(137);
        const restarted = await engine.restartContainer(slow.id, { timeout: 0 });
        await waitForLog(engine, slow.id, 'tick 1');
        await engine.stopContainer(slow.id, { timeout: 0 });
        expect((await restarted.wait()).statusCode).toBe(137);
        await engine.removeContainer(slow.id);
      });

      it('should force-remove a running container', async () => {
        const run = await engine.run({ image: 'tool', cmd: ['ticker', '1000', '20'] });
        await waitForLog(engine, run.id, 'tick 0');
        await engine.removeContainer(run.id, { force: true });
        expect((await run.wait()).statusCode).toBe(137);
        expect((await catchError(engine.inspectContainer(run.id))).kind).toBe('no-such-container');
      });

      it('should prune stopped containers', async () => {
        const r = await runCollect(engine, { image: 'hello', labels: { prune: 'me' } });
        const result = await engine.pruneContainers({ label: ['prune=me'] });
        expect(result.ContainersDeleted).toEqual([r.id]);
      });
    });

    describe('volumes and bind mounts', () => {
      it('should keep a named volume between containers, and refuse to remove it while used', async () => {
        const w = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/data/v.txt', 'kept'],
          volumes: ['shared:/data'],
        });
        expect(w.exit.statusCode).toBe(0);
        const r = await runCollect(engine, {
          image: 'tool',
          cmd: ['cat', '/data/v.txt'],
          volumes: ['shared:/data:ro'],
        });
        expect(r.stdout).toBe('kept');
        const ro = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/data/v.txt', 'no'],
          volumes: ['shared:/data:ro'],
        });
        expect(ro.exit.statusCode).toBe(1);
        expect((await engine.containerDiff(w.id)).map((c) => c.Path)).not.toContain('/data/v.txt');
        const v = await engine.inspectVolume('shared');
        expect(v).toMatchObject({ Name: 'shared', Driver: 'local', Scope: 'local' });
        expect((await engine.listVolumes()).map((x) => x.Name)).toContain('shared');
        expect((await catchError(engine.removeVolume('shared'))).message).toMatch(/volume is in use/);
        const mounts = (await engine.inspectContainer(r.id)).Mounts;
        expect(mounts).toEqual([
          expect.objectContaining({
            Type: 'volume',
            Name: 'shared',
            Destination: '/data',
            RW: false,
            Mode: 'ro',
          }),
        ]);
        for (const id of [w.id, r.id, ro.id]) await engine.removeContainer(id);
        await engine.removeVolume('shared');
        expect((await catchError(engine.inspectVolume('shared'))).kind).toBe('no-such-volume');
      });

      it("should make an anonymous volume for the image's VOLUME, seeded from the image, and rm -v it", async () => {
        const r = await runCollect(engine, { image: 'vol', cmd: ['cat', '/cache/seed.txt'] });
        expect(r.stdout).toBe('seeded\n');
        const mount = (await engine.inspectContainer(r.id)).Mounts[0]!;
        expect(mount).toMatchObject({ Type: 'volume', Destination: '/cache' });
        expect(mount.Name).toMatch(/^[a-f0-9]{64}$/);
        await engine.removeContainer(r.id, { volumes: true });
        expect((await catchError(engine.inspectVolume(mount.Name!))).kind).toBe('no-such-volume');
        const r2 = await runCollect(engine, { image: 'vol', cmd: ['exit', '0'] });
        await engine.removeContainer(r2.id);
        const pruned = await engine.pruneVolumes();
        expect(pruned.VolumesDeleted.length).toBeGreaterThanOrEqual(1);
        const created = await engine.createVolume({ name: 'named-keep', labels: { a: 'b' } });
        expect(created.Labels).toEqual({ a: 'b' });
        expect((await engine.pruneVolumes()).VolumesDeleted).not.toContain('named-keep');
        expect((await engine.pruneVolumes({ all: true })).VolumesDeleted).toContain('named-keep');
      });

      it('should bind-mount a host directory read-write and read-only', async () => {
        writeFileSync(join(hostDir, 'in.txt'), 'from host');
        const r = await runCollect(engine, {
          image: 'tool',
          cmd: ['cat', '/mnt/in.txt'],
          volumes: [`${hostDir}:/mnt:ro`],
        });
        expect(r.stdout).toBe('from host');
        const w = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/mnt/out.txt', 'from guest'],
          volumes: [`${hostDir}:/mnt`],
        });
        expect(w.exit.statusCode).toBe(0);
        expect(readFileSync(join(hostDir, 'out.txt'), 'utf8')).toBe('from guest');
        const ro = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/mnt/no.txt', 'x'],
          volumes: [`${hostDir}:/mnt:ro`],
        });
        expect(ro.exit.statusCode).toBe(1);
        expect(existsSync(join(hostDir, 'no.txt'))).toBe(false);
        const fresh = join(hostDir, 'made-on-demand');
        await runCollect(engine, { image: 'hello', volumes: [`${fresh}:/m`] });
        expect(existsSync(fresh)).toBe(true);
        const info = await engine.inspectContainer(w.id);
        expect(info.HostConfig.Binds).toEqual([`${hostDir}:/mnt`]);
        expect(info.Mounts[0]).toMatchObject({
          Type: 'bind',
          Source: hostDir,
          Destination: '/mnt',
          RW: true,
        });
      });
    });

    describe('images', () => {
      it('should list, tag, inspect, show history and remove images as Docker does', async () => {
        await importModuleAsImage(engine, 'imgtest:1', wasm('hello'), { createdBy: 'COPY hello.wasm /' });
        await engine.tagImage('imgtest:1', 'imgtest:alias');
        const row = (await engine.listImages()).find((i) => i.RepoTags.includes('imgtest:1'))!;
        expect(row.RepoTags.sort()).toEqual(['imgtest:1', 'imgtest:alias']);
        expect(row.Id).toMatch(/^sha256:[a-f0-9]{64}$/);
        expect(row.Size).toBeGreaterThan(1000);
        const inspect = await engine.inspectImage(row.Id.slice(7, 19));
        expect(inspect).toMatchObject({
          Os: 'wasi',
          Architecture: 'wasm',
          GraphDriver: { Name: 'berth-union' },
        });
        expect((await engine.imageHistory('imgtest:1'))[0]!.CreatedBy).toBe('COPY hello.wasm /');
        expect((await engine.listImages({ filters: { reference: ['imgtest:*'] } })).length).toBe(1);

        const used = await runCollect(engine, { image: 'imgtest:1' });
        expect(await engine.removeImage('imgtest:alias')).toEqual([{ Untagged: 'imgtest:alias' }]);
        const refused = await catchError(engine.removeImage('imgtest:1'));
        expect(refused.message).toMatch(/must force.*container .* is using its referenced image/);
        await engine.removeContainer(used.id);
        expect(await engine.removeImage('imgtest:1')).toEqual([
          { Untagged: 'imgtest:1' },
          { Deleted: row.Id },
        ]);
        expect((await catchError(engine.inspectImage('imgtest:1'))).kind).toBe('no-such-image');
        // Images other containers use keep their blobs.
        expect((await runCollect(engine, { image: 'hello' })).stdout).toBe('hello\n');
      });

      it('should prune dangling images and keep those containers use', async () => {
        await importModuleAsImage(engine, 'prunable', wasm('hello'), { files: { '/p': 'x' } });
        await engine.tagImage('prunable', 'prunable:2');
        const id = (await engine.inspectImage('prunable')).Id;
        const forced = await engine.removeImage(id, { force: true });
        expect(forced).toContainEqual({ Deleted: id });
        await importModuleAsImage(engine, 'keepme', wasm('hello'), { files: { '/k': 'x' } });
        const c = await runCollect(engine, { image: 'keepme' });
        const all = await engine.pruneImages({ all: true });
        expect(all.ImagesDeleted.some((d) => 'Deleted' in d && d.Deleted === (c.id && undefined))).toBe(
          false,
        );
        expect((await engine.inspectImage('keepme')).RepoTags).toEqual(['keepme:latest']);
        expect((await engine.inspectImage('hello')).RepoTags).toEqual(['hello:latest']);
      });

      it('should hide intermediate images and delete them with their last child', async () => {
        const step1 = await runCollect(engine, { image: 'tool', cmd: ['write', '/s1', '1'] });
        const mid = await engine.commitContainer(step1.id);
        const step2 = await runCollect(engine, { image: mid.id, cmd: ['write', '/s2', '2'] });
        const top = await engine.commitContainer(step2.id, { reference: 'layered:top' });
        await engine.removeContainer(step1.id);
        await engine.removeContainer(step2.id);
        const tool = (await engine.inspectImage('tool')).Id;
        expect((await engine.listImages()).map((i) => i.Id)).not.toContain(mid.id);
        const all = await engine.listImages({ all: true });
        expect(all.find((i) => i.Id === mid.id)).toMatchObject({ RepoTags: [], ParentId: tool });
        expect((await engine.inspectImage('layered:top')).Parent).toBe(mid.id);
        expect((await engine.pruneImages()).ImagesDeleted).not.toContainEqual({ Deleted: mid.id });
        expect(await engine.removeImage('layered:top')).toEqual([
          { Untagged: 'layered:top' },
          { Deleted: top.id },
          { Deleted: mid.id },
        ]);
        expect((await engine.inspectImage('tool')).Id).toBe(tool);
        expect((await runCollect(engine, { image: 'tool', cmd: ['cat', '/etc/motd'] })).stdout).toBe(
          'welcome\n',
        );
      });

      it('should save images and load them back (docker-save and OCI layout archives)', async () => {
        await importModuleAsImage(engine, 'saveme:1', wasm('hello'), { files: { '/saved': 'yes' } });
        const id = (await engine.inspectImage('saveme:1')).Id;
        for (const format of ['docker', 'oci'] as const) {
          const chunks: Uint8Array[] = [];
          for await (const c of await engine.saveImages(['saveme:1'], { format })) chunks.push(c);
          await engine.removeImage('saveme:1');
          expect((await catchError(engine.inspectImage('saveme:1'))).kind).toBe('no-such-image');
          async function* archive() {
            yield* chunks;
          }
          expect(await engine.loadImages(archive())).toEqual(['Loaded image: saveme:1']);
          expect((await engine.inspectImage('saveme:1')).Id).toBe(id);
          expect((await runCollect(engine, { image: 'saveme:1', autoRemove: true })).stdout).toBe('hello\n');
        }
        expect((await catchError(engine.saveImages(['no-such']))).kind).toBe('no-such-image');
      });

      it('should report system df, info and version', async () => {
        const df = await engine.systemDf();
        expect(df.Summary.map((s) => s.Type)).toEqual([
          'Images',
          'Containers',
          'Local Volumes',
          'Build Cache',
        ]);
        expect(df.Summary[0]!.TotalCount).toBeGreaterThan(0);
        const info = await engine.info();
        expect(info).toMatchObject({
          Driver: 'berth-union',
          OSType: 'wasi',
          Architecture: 'wasm',
          DefaultRuntime: 'berth',
        });
        expect(engine.version()).toMatchObject({ Os: 'wasi', Arch: 'wasm', ApiVersion: '1.43' });
      });
    });

    describe('runtime wasmer', () => {
      it('should run under @wasmer/wasi and keep its file changes', async () => {
        const r = await runCollect(engine, { image: 'tool', cmd: ['echo', 'via wasmer'], runtime: 'wasmer' });
        expect(r.exit.statusCode).toBe(0);
        expect(r.stdout).toBe('via wasmer\n');
        const w = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/w.txt', 'wasmer wrote'],
          runtime: 'wasmer',
        });
        expect(w.exit.statusCode).toBe(0);
        expect((await engine.containerDiff(w.id)).map((c) => c.Path)).toContain('/w.txt');
        const code = await runCollect(engine, { image: 'tool', cmd: ['exit', '4'], runtime: 'wasmer' });
        expect(code.exit.statusCode).toBe(4);
        expect((await engine.inspectContainer(code.id)).HostConfig.Runtime).toBe('wasmer');
      });
    });

    describe('state and concurrency', () => {
      it('should see the same state from a newly opened engine', async () => {
        const r = await runCollect(engine, {
          image: 'tool',
          cmd: ['write', '/persist', 'p'],
          name: 'persisted',
        });
        const second = await open();
        const row = (await second.listContainers({ all: true, filters: { name: ['persisted'] } }))[0]!;
        expect(row.Id).toBe(r.id);
        expect(await second.containerDiff('persisted')).toEqual([{ Kind: 1, Path: '/persist' }]);
        await second.commitContainer('persisted', { reference: 'persisted-image' });
        const again = await second.startContainer('persisted');
        expect((await again.wait()).statusCode).toBe(0);
        expect(
          (await runCollect(second, { image: 'persisted-image', cmd: ['cat', '/persist'] })).stdout,
        ).toBe('p');
        expect((await engine.inspectImage('persisted-image')).RepoTags).toEqual(['persisted-image:latest']);
      });

      it('should create containers from two engines at once without losing any or clashing names', async () => {
        const second = await open();
        const creates = [];
        for (let i = 0; i < 8; i++) {
          creates.push(engine.createContainer({ image: 'hello', labels: { batch: 'c' } }));
          creates.push(second.createContainer({ image: 'hello', labels: { batch: 'c' } }));
        }
        const clash = [engine, second].map((e) =>
          e.createContainer({ image: 'hello', name: 'only-one' }).then(
            () => 'ok',
            (err: EngineError) => err.kind,
          ),
        );
        const made = await Promise.all(creates);
        expect((await Promise.all(clash)).sort()).toEqual(['conflict', 'ok']);
        const listed = await engine.listContainers({ all: true, filters: { label: ['batch=c'] } });
        expect(listed.map((c) => c.Id).sort()).toEqual(made.map((m) => m.id).sort());
        expect(new Set(listed.map((c) => c.Names[0])).size).toBe(16);
        await Promise.all(made.map((m, i) => (i % 2 ? engine : second).removeContainer(m.id)));
      });
    });
  });
}

export async function waitForLog(
  engine: Engine,
  id: string,
  needle: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await logText(engine, id)).includes(needle)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`log of ${id} never showed ${needle}`);
}
