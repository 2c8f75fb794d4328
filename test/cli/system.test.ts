/** Volumes, system df/prune, version, info, and help for every command, end to end. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPECS } from '../../src/cli/specs';
import { berth, freshRoot, removeRoot, root, rows, seedImages } from './helpers';

let state: string;
const b = (args: string[], options?: Parameters<typeof berth>[2]) => berth(state, args, options);

beforeAll(async () => {
  state = freshRoot();
  await seedImages(state);
});
afterAll(() => removeRoot(state));

describe('volumes', () => {
  it('creates, lists, inspects and removes volumes', async () => {
    expect(await b(['volume', 'create', 'data'])).toMatchObject({ code: 0, stdout: 'data\n' });
    expect(await b(['volume', 'create', '--label', 'k=v', 'labelled'])).toMatchObject({ code: 0 });
    const anon = await b(['volume', 'create']);
    expect(anon.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const ls = await b(['volume', 'ls']);
    expect(ls.stdout.split('\n')[0]).toBe('DRIVER    VOLUME NAME');
    expect(rows(ls.stdout)).toEqual(expect.arrayContaining(['local     data', 'local     labelled']));
    expect((await b(['volume', 'ls', '-q', '--filter', 'label=k=v'])).stdout).toBe('labelled\n');
    const inspect = await b(['volume', 'inspect', 'labelled']);
    expect(JSON.parse(inspect.stdout)).toMatchObject([{ Name: 'labelled', Driver: 'local', Labels: { k: 'v' }, Scope: 'local' }]); // prettier-ignore
    expect((await b(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'data'])).stdout).toMatch(/data/);

    await b(['run', '--name', 'uses', '-v', 'data:/d', 'tool', 'write', '/d/x', 'y']);
    const busy = await b(['volume', 'rm', 'data']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/volume is in use/);
    await b(['rm', 'uses']);
    expect(await b(['volume', 'rm', 'data'])).toMatchObject({ code: 0, stdout: 'data\n' });
    const missing = await b(['volume', 'inspect', 'data']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: get data: no such volume\n' });

    const pruned = await b(['volume', 'prune', '-f']);
    expect(pruned.stdout).toMatch(/^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
    expect((await b(['volume', 'ls', '-q'])).stdout).toBe('labelled\n');
    expect((await b(['volume', 'prune', '-a', '-f'])).stdout).toMatch(/labelled/);
  });
});

describe('system', () => {
  it("shows disk usage in Docker's table", async () => {
    await b(['run', '--name', 'kept', 'hello']);
    const r = await b(['system', 'df']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE');
    expect(lines[1]).toMatch(/^Images {10}4 {9}1 {9}\d+(\.\d+)?kB +\d+(\.\d+)?kB \(\d+%\)$/);
    expect(lines[2]).toMatch(/^Containers {6}1 {9}0 {9}/);
    expect(lines[3]).toMatch(/^Local Volumes {3}0 {9}0 {9}0B {8}0B$/);
    expect(lines[4]).toMatch(/^Build Cache {5}0 {9}0 {9}0B {8}0B$/);
    const v = await b(['system', 'df', '-v']);
    expect(v.stdout).toMatch(/^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID/);
    expect((await b(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}'])).stdout).toBe(
      'Images=4\nContainers=1\nLocal Volumes=0\nBuild Cache=0\n',
    );
  });

  it('prints version and info', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const v = await b(['version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      new RegExp(`^Client:\\n Version:           ${pkg.version.replace(/\./g, '\\.')}\\n`),
    );
    expect(v.stdout).toMatch(
      /\nServer: Berth \(in-process engine, no daemon\)\n Engine:\n {2}Version: +\S+\n/,
    );
    expect((await b(['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}'])).stdout).toBe('wasi/wasm\n');
    const i = await b(['info']);
    expect(i.stdout).toMatch(/\n Containers: 1\n {2}Running: 0\n {2}Paused: 0\n {2}Stopped: 1\n Images: 4\n/);
    expect(i.stdout).toContain(`Docker Root Dir: ${state}\n`);
    expect((await b(['system', 'info', '-f', '{{.OSType}} {{.Containers}}'])).stdout).toBe('wasi 1\n');
  });

  it('prunes the system', async () => {
    const r = await b(['system', 'prune', '-f']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
    expect((await b(['ps', '-aq'])).stdout).toBe('');
  });
});

describe('help', () => {
  it("lists the commands grouped as Docker's", async () => {
    const r = await b(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\nUsage: {2}berth \[OPTIONS\] COMMAND\n/);
    for (const heading of ['Common Commands:', 'Management Commands:', 'Commands:', 'Global Options:']) {
      expect(r.stdout).toContain(`\n${heading}\n`);
    }
    expect(r.stdout).toMatch(/\n {2}run {9}Create and run a new container from an image\n/);
    expect(r.stdout).toMatch(/\n {2}volume {6}Manage volumes\n/);
    expect(r.stdout).toMatch(/wasm run/);
    expect((await b([])).stdout).toBe(r.stdout);
    expect((await b(['help', 'run'])).stdout).toMatch(/^\nUsage: {2}berth run /);
  });

  it('prints useful help for every command', async () => {
    const paths = Object.keys(SPECS);
    const results = await Promise.all(paths.map((p) => b([...p.split(' '), '--help'])));
    results.forEach((r, i) => {
      const path = paths[i]!;
      expect(r.code, path).toBe(0);
      expect(r.stdout, path).toContain(`Usage:  berth ${path} `);
      expect(r.stdout, path).toContain(SPECS[path as keyof typeof SPECS].summary);
    });
    const run = results[paths.indexOf('run')]!.stdout;
    expect(run).toContain('\nAliases:\n  berth run, berth container run\n');
    expect(run).toMatch(/\n {2}-e, --env list +Set environment variables/);
    expect(run).toMatch(/-t, --tty +Allocate a pseudo-TTY \(accepted; berth has no TTY emulation\)/);
    for (const group of ['container', 'image', 'volume', 'system']) {
      const g = await b([group, '--help']);
      expect(g.stdout, group).toMatch(new RegExp(`^\\nUsage:  berth ${group} COMMAND\\n`));
    }
  });

  it('refuses unknown commands and flags', async () => {
    expect(await b(['frobnicate'])).toMatchObject({ code: 125, stderr: `berth: unknown command "frobnicate"\nSee 'berth --help'.\n` }); // prettier-ignore
    expect(await b(['--frobnicate'])).toMatchObject({ code: 125, stderr: "unknown flag: --frobnicate\nSee 'berth --help'.\n" }); // prettier-ignore
    expect((await b(['volume', 'frob'])).code).toBe(125);
    const noArgs = await b(['rm']);
    expect(noArgs.code).toBe(1);
    expect(noArgs.stderr).toBe(
      `"berth rm" requires at least 1 argument.\nSee 'berth rm --help'.\n\n` +
        'Usage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n',
    );
    expect((await b(['run'])).code).toBe(125);
  });
});
