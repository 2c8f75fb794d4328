/** The image commands end to end, and `berth run FILE.wasm` without an image. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, freshRoot, removeRoot, root, rows, seedImages, TOOL, wasm } from './helpers';

let state: string;
let other: string;
let host: string;
const b = (args: string[], options?: Parameters<typeof berth>[2]) => berth(state, args, options);

beforeAll(async () => {
  state = freshRoot();
  other = freshRoot();
  host = freshRoot('berth-host-');
  await seedImages(state);
});
afterAll(() => {
  for (const d of [state, other, host]) removeRoot(d);
});

describe('images', () => {
  it("lists images in Docker's table", async () => {
    const r = await b(['images']);
    expect(r.code).toBe(0);
    const [header, ...lines] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE$/);
    expect(lines.map((l) => l.split(/ {2,}/)[0]).sort()).toEqual(['echo', 'hello', 'notwasm', 'tool']);
    expect(lines.find((l) => l.startsWith('hello '))).toMatch(/^hello +latest +[0-9a-f]{12} +(Less than a second|\d+ seconds?) ago +\d+(\.\d+)?kB$/); // prettier-ignore
    expect((await b(['image', 'ls', 'hello'])).stdout.trimEnd().split('\n')).toHaveLength(2);
    const q = await b(['images', '-q']);
    expect(q.stdout.trim().split('\n')).toHaveLength(4);
    const noTrunc = await b(['images', '--no-trunc', '--format', '{{.ID}}', 'hello']);
    expect(noTrunc.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const json = await b(['images', '--format', 'json', 'tool']);
    expect(JSON.parse(json.stdout)).toMatchObject({ Repository: 'tool', Tag: 'latest' });
  });

  it('tags, and removes tags and images', async () => {
    expect((await b(['tag', 'hello', 'hello:v2'])).code).toBe(0);
    expect((await b(['image', 'tag', 'hello', 'example.com/team/hello:v3'])).code).toBe(0);
    const tags = (await b(['images', '--format', '{{.Repository}}:{{.Tag}}', 'hello*'])).stdout;
    expect(tags.split('\n')).toEqual(expect.arrayContaining(['hello:latest', 'hello:v2']));
    expect((await b(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toMatch(
      /^example\.com\/team\/hello:v3$/m,
    );
    expect(await b(['rmi', 'hello:v2'])).toMatchObject({ code: 0, stdout: 'Untagged: hello:v2\n' });
    expect(await b(['rmi', 'example.com/team/hello:v3'])).toMatchObject({ code: 0, stdout: 'Untagged: example.com/team/hello:v3\n' }); // prettier-ignore
    const missing = await b(['rmi', 'nosuch']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: No such image: nosuch\n' });
    expect((await b(['rmi', '-f', 'nosuch'])).code).toBe(0);

    await b(['tag', 'echo', 'doomed']);
    await b(['rmi', 'echo']);
    const gone = await b(['rmi', 'doomed']);
    expect(gone.stdout).toMatch(/^Untagged: doomed:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
  });

  it('refuses to remove an image a container uses, unless forced', async () => {
    await b(['create', '--name', 'user', 'notwasm']);
    const r = await b(['rmi', 'notwasm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: conflict: unable to remove repository reference "notwasm" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\n$/); // prettier-ignore
    await b(['rm', 'user']);
  });

  it('shows history and inspects images', async () => {
    const h = await b(['history', 'tool']);
    expect(h.stdout.split('\n')[0]).toMatch(/^IMAGE {10}CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(rows(h.stdout)[0]).toMatch(/^[0-9a-f]{12} +.* ago +berth import \/tool\.wasm +\d/);
    const raw = await b(['history', '-H=false', '--no-trunc', '--format', '{{.ID}}|{{.Size}}', 'tool']);
    expect(raw.stdout).toMatch(/^sha256:[0-9a-f]{64}\|\d+\n$/);
    const i = await b(['image', 'inspect', 'tool']);
    const inspected: unknown = JSON.parse(i.stdout);
    expect(inspected).toMatchObject([
      {
        RepoTags: ['tool:latest'],
        Os: 'wasi',
        Architecture: 'wasm',
        Config: { Env: expect.arrayContaining(['GREETING=hi']) },
      },
    ]);
    expect((await b(['image', 'inspect', '-f', '{{index .Config.Labels "org.example.kind"}}', 'tool'])).stdout).toBe('tool\n'); // prettier-ignore
  });

  it('saves to a file and loads into a fresh state root, where the image runs', async () => {
    const file = join(host, 'tool.tar');
    expect((await b(['save', '-o', file, 'tool'])).code).toBe(0);
    const tar = readFileSync(file).toString('latin1');
    for (const name of ['manifest.json', 'index.json', 'oci-layout', 'repositories'])
      expect(tar).toContain(name);
    const loaded = await berth(other, ['load', '-i', file]);
    expect(loaded).toMatchObject({ code: 0, stdout: 'Loaded image: tool:latest\n' });
    expect(await berth(other, ['run', '--rm', 'tool', 'echo', 'loaded'])).toMatchObject({
      code: 0,
      stdout: 'loaded\n',
    });

    // Through a pipe, as `docker save x | docker load`.
    const piped = await b(['save', 'hello']);
    expect(piped.code).toBe(0);
    const viaStdin = await berth(other, ['load'], { stdin: piped.out });
    expect(viaStdin).toMatchObject({ code: 0, stdout: 'Loaded image: hello:latest\n' });
    expect((await berth(other, ['run', '--rm', 'hello'])).stdout).toBe('hello\n');
    const bad = await berth(other, ['load'], { stdin: 'not a tar archive at all' });
    expect(bad.code).toBe(1);
  });

  it('saves in the formats of podman save: an OCI layout as a tar or a directory, layers as stored', async () => {
    const inspect = async (root: string, ref: string) =>
      (await berth(root, ['image', 'inspect', '--format', '{{.Id}} {{json .RootFS.Layers}}', ref])).stdout;
    const archive = join(host, 'tool-oci.tar');
    expect((await b(['save', '--format', 'oci-archive', '-o', archive, 'tool'])).code).toBe(0);
    const tar = readFileSync(archive).toString('latin1');
    expect(tar).toContain('oci-layout');
    expect(tar).not.toContain('manifest.json');
    const fresh = freshRoot();
    try {
      expect(await berth(fresh, ['load', '-i', archive])).toMatchObject({
        code: 0,
        stdout: 'Loaded image: tool:latest\n',
      });
      expect(await inspect(fresh, 'tool')).toBe(await inspect(state, 'tool'));
    } finally {
      removeRoot(fresh);
    }

    const dir = join(host, 'tool-oci');
    expect((await b(['save', '--format', 'oci-dir', '-o', dir, 'tool', 'hello'])).code).toBe(0);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { annotations: Record<string, string> }[] }; // prettier-ignore
    expect(index.manifests.map((m) => m.annotations['io.containerd.image.name']).sort()).toEqual([
      'docker.io/library/hello:latest',
      'docker.io/library/tool:latest',
    ]);
    expect(readFileSync(join(dir, 'oci-layout'), 'utf8')).toContain('"imageLayoutVersion":"1.0.0"');

    expect(await b(['save', '--format', 'oci-dir', 'tool'])).toMatchObject({ code: 1, stderr: 'berth: --format oci-dir writes a directory: name it with -o DIR\n' }); // prettier-ignore
    const unknown = await b(['save', '--format', 'zip', '-o', join(host, 'x'), 'tool']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'berth: unknown save format "zip": use docker-archive, oci-archive, oci-dir\n' }); // prettier-ignore
  });

  it('prunes images', async () => {
    await berth(other, ['tag', 'hello', 'spare']);
    const r = await berth(other, ['image', 'prune', '-a', '-f']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Deleted Images:\nuntagged: /);
    expect(r.stdout).toMatch(/\nTotal reclaimed space: .*B\n$/);
    expect((await berth(other, ['images', '-q'])).stdout).toBe('');
  });
});

describe('berth run FILE.wasm (no image)', () => {
  it('runs a .wasm path as a bare module, like wasm run', async () => {
    const rel = relative(root, wasm('hello'));
    expect(await b(['run', rel])).toMatchObject({ code: 0, stdout: 'hello\n' });
    const r = await b(['run', '--rm', '-e', 'X=1', TOOL, 'env', 'X']);
    expect(r).toMatchObject({ code: 0, stdout: '1\n' });
    expect((await b(['run', TOOL, 'exit', '7'])).code).toBe(7);
    const local = join(host, 'prog');
    mkdirSync(local);
    copyFileSync(TOOL, join(local, 'tool.wasm'));
    writeFileSync(join(local, 'data.txt'), 'bound');
    const bound = await b(['run', '-v', `${local}:/data`, './tool.wasm', 'cat', '/data/data.txt'], {
      cwd: local,
    });
    expect(bound).toMatchObject({ code: 0, stdout: 'bound' });
    const stdin = await b(['run', '-i', wasm('stdin_echo')], { stdin: 'piped\n' });
    expect(stdin.stdout).toBe('piped\n');
    // No container is left behind.
    expect((await b(['ps', '-aq'])).stdout).toBe('');
  });

  it('still says an image is missing when the name is not a module', async () => {
    const r = await b(['run', 'missing.wasm']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Unable to find image 'missing\.wasm:latest' locally\n/);
  });
});

describe('build', () => {
  it('dispatches berth build (and image build) to the builder', async () => {
    const ctx = join(host, 'ctx');
    mkdirSync(ctx);
    copyFileSync(wasm('hello'), join(ctx, 'hello.wasm'));
    writeFileSync(
      join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY hello.wasm /hello.wasm\nCMD ["/hello.wasm"]\n',
    );
    const r = await b(['build', '-q', '-t', 'built', ctx]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await b(['run', '--rm', 'built'])).stdout).toBe('hello\n');
    expect((await b(['image', 'build', '--help'])).stdout).toMatch(/Usage: +berth build/);
  });
});
