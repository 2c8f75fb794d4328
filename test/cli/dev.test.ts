/**
 * /dev in containers, through the real berth binary: box's shell redirects to /dev/null and reads
 * /dev/zero and /dev/urandom in pipelines (children of pid 1 reach /dev through its kernel), a C program
 * checks every device in a container, RUN in a build sees /dev, and /dev never shows in diff, export
 * or a built image's layer.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { Engine } from '../../src/engine/Engine';
import { importModuleAsImage } from '../../src/engine/importModuleAsImage';
import { nodeEngineHost } from '../../src/node/engineHost';
import { berth, freshRoot, removeRoot, wasm } from './helpers';

let state: string;
beforeAll(async () => {
  state = freshRoot('berth-dev-');
  const engine = await Engine.open(nodeEngineHost({ root: state, workerHost: new NodeWorkerHost() }));
  await importModuleAsImage(engine, 'devices', new Uint8Array(readFileSync(wasm('devices'))));
  await engine.close();
});
afterAll(() => removeRoot(state));

const run = (args: string[]) => berth(state, args);

describe('/dev in containers', () => {
  it("box's shell uses /dev/null, /dev/zero and /dev/urandom as on Linux", async () => {
    const script = [
      'echo hidden 2>/dev/null >&2',
      'head -c 8 /dev/zero | xxd -p',
      'head -c 32 /dev/urandom | wc -c',
      'ls /nonexistent 2>/dev/null; echo "ls status $?"',
      'cat /dev/null | wc -c',
      'head -c 4 /dev/zero > /dev/full; echo "full status $?"',
      'test -c /dev/null && echo "null is a character device"',
      'test -t 1 </dev/null >/dev/null || echo "not a terminal"',
      'ls -l /dev',
    ].join('\n');
    const r = await run(['run', '--rm', 'box', 'sh', '-c', script]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      '0000000000000000',
      '32',
      'ls status 2',
      '0',
      'full status 1',
      'null is a character device',
      'not a terminal',
    ]);
    expect(lines[7]).toBe('total 0');
    const listing = lines.slice(8).filter((l) => l !== '');
    expect(listing.map((l) => l.split(/\s+/).pop())).toEqual(['full', 'null', 'random', 'urandom', 'zero']);
    for (const l of listing) expect(l).toMatch(/^crw-rw-rw- +1 root +root +0 /);
    expect(r.stderr).not.toContain('hidden');
    expect(r.stderr).not.toContain('nonexistent');
  });

  it('gives a C program every device, none a terminal', async () => {
    const r = await run(['run', '--rm', 'devices']);
    expect(r.stdout).not.toMatch(/^not ok/m);
    expect(r.stdout).toMatch(/^ok - \/dev\/urandom is not a terminal$/m);
    expect(r.stdout).toMatch(/^# passed \d+ failed 0$/m);
    expect(r.code).toBe(0);
  });

  it('keeps /dev out of diff and export', async () => {
    const made = await run([
      'run',
      '--name',
      'devdiff',
      'box',
      'sh',
      '-c',
      'echo gone > /dev/null; touch /dev/null; echo kept > /tmp/kept; mkdir /dev/shm',
    ]);
    expect(made.stderr).toContain("mkdir: cannot create directory '/dev/shm': Read-only file system");
    const diff = await run(['diff', 'devdiff']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe('C /tmp\nA /tmp/kept\n');
    const exported = await run(['export', 'devdiff']);
    expect(exported.code).toBe(0);
    const names = tarNames(exported.out);
    expect(names).toContain('tmp/kept');
    expect(names.filter((n) => n === 'dev' || n.startsWith('dev/'))).toEqual([]);
  });

  it('gives RUN in a build /dev without putting it in the layer', async () => {
    const ctx = join(state, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(
      join(ctx, 'Dockerfile'),
      'FROM box\nRUN head -c 4 /dev/zero | wc -c > /zeros && ls /dev > /devlist 2>/dev/null\n',
    );
    const built = await run(['build', '-t', 'devbuild', ctx]);
    expect(built.code).toBe(0);
    const shown = await run(['run', '--rm', 'devbuild', 'cat', '/zeros', '/devlist']);
    expect(shown.stdout).toBe('4\nfull\nnull\nrandom\nurandom\nzero\n');
    // The image's layers, flattened by export, hold the RUN's files and no /dev.
    await run(['create', '--name', 'devbuilt', 'devbuild']);
    const exported = tarNames((await run(['export', 'devbuilt'])).out);
    expect(exported).toEqual(expect.arrayContaining(['zeros', 'devlist']));
    expect(exported.filter((n) => n === 'dev' || n.startsWith('dev/'))).toEqual([]);
  });
});

describe('/dev in berth wasm run', () => {
  it('is there as in a container', async () => {
    const r = await run(['wasm', 'run', wasm('devices')]);
    expect(r.stdout).toMatch(/^# passed \d+ failed 0$/m);
    expect(r.code).toBe(0);
  });

  it('gives way to a --dir mounted on /dev', async () => {
    const hostDev = join(state, 'hostdev');
    mkdirSync(hostDev, { recursive: true });
    writeFileSync(join(hostDev, 'mine'), 'x');
    const r = await run(['wasm', 'run', '--dir', `${hostDev}::/dev`, wasm('devices')]);
    expect(r.stdout).toMatch(/^not ok - open \/dev\/null O_RDWR/m);
    expect(r.code).toBe(1);
  });
});

/** The member names of a plain tar archive (ustar headers, 512-byte blocks), without trailing slashes. */
function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  let longName: string | null = null;
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = tar.subarray(off + 512, off + 512 + size);
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
    } else if (type !== 'x' && type !== 'g') {
      const prefix = field(345, 155);
      const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      names.push(name.replace(/^\.\//, '').replace(/\/$/, ''));
      longName = null;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}
