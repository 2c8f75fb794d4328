/**
 * The builder's context and COPY planning, without an engine: memfs contexts, .dockerignore, the size
 * Docker prints, destination rules, globs, symlinks, --chmod, ADD archives, content hashes.
 */
import { gzipSync } from 'node:zlib';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { humanSize, loadContext, syncFsContext, type LoadedContext } from '../../src/build/context';
import { planCopy, type CopyRequest, type SourceTree } from '../../src/build/copy';
import { makeTar } from '../layer/helpers';

const utf8 = new TextDecoder();

function memContext(files: Record<string, string | null>) {
  const vol = Volume.fromJSON(files, '/ctx');
  return { vol, source: syncFsContext(vol as never, '/ctx') };
}

function treeOf(ctx: LoadedContext): SourceTree {
  return {
    kind: 'context',
    entries: ctx.entries,
    byPath: ctx.byPath,
    excluded: (p, d) => !ctx.isCopyable(p, d),
    readFile: (p) => ctx.source.readFile(p),
    readlink: (p) => ctx.source.readlink(p),
  };
}

async function plan(
  files: Record<string, string | null>,
  request: Partial<CopyRequest>,
  dirs: string[] = [],
) {
  const { source } = memContext(files);
  const ctx = await loadContext(source);
  return planCopy(
    {
      instruction: 'COPY',
      sources: ['.'],
      dest: '/',
      workdir: '/',
      isDirectory: (p) => dirs.includes(p),
      ...request,
    },
    treeOf(ctx),
  );
}

const paths = (p: { entries: { path: string; type: string }[] }) =>
  p.entries.map((e) => `${e.type} ${e.path}`);

describe('build context', () => {
  it('lists a memfs tree, applies .dockerignore (an excluded directory is walked for exceptions) and keeps the Dockerfile and .dockerignore sent', async () => {
    const { source } = memContext({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'secret.txt\nlogs\n!logs/keep.log\nDockerfile\n',
      'app.wasm': 'wasm',
      'secret.txt': 'no',
      'logs/a.log': 'a',
      'logs/keep.log': 'k',
      'src/main.c': 'int main;',
    });
    const ctx = await loadContext(source);
    expect(ctx.entries.map((e) => e.path)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'app.wasm',
      'logs/keep.log',
      'src',
      'src/main.c',
    ]);
    expect(ctx.isCopyable('Dockerfile')).toBe(false);
    expect(ctx.isCopyable('app.wasm')).toBe(true);
    expect(ctx.isCopyable('secret.txt')).toBe(false);
    expect(ctx.isCopyable('logs/keep.log')).toBe(true);
  });

  it('reports the context size as Docker does (a tar stream: headers, padded data, two end blocks)', async () => {
    const { source } = memContext({ Dockerfile: 'FROM scratch\nCOPY a /\n' });
    expect(humanSize((await loadContext(source)).tarSize)).toBe('2.048kB');
    const two = memContext({ Dockerfile: 'FROM scratch\n', 'dir/x': 'x'.repeat(600) });
    // Dockerfile 512+512, dir/ 512, dir/x 512+1024, end 1024.
    expect((await loadContext(two.source)).tarSize).toBe(4096);
    expect(humanSize(512)).toBe('512B');
    expect(humanSize(10240)).toBe('10.24kB');
    expect(humanSize(1_500_000)).toBe('1.5MB');
    expect(humanSize(2000)).toBe('2kB');
  });
});

describe('COPY planning', () => {
  const files = {
    Dockerfile: 'FROM scratch\n',
    'hello.wasm': 'HELLO',
    'a.txt': 'a',
    'b.txt': 'bb',
    'dir/one': '1',
    'dir/sub/two': '22',
  };

  it('a file to a file path, a trailing slash makes a directory, relative paths join WORKDIR', async () => {
    expect(paths(await plan(files, { sources: ['hello.wasm'], dest: '/app.wasm' }))).toEqual([
      'file /app.wasm',
    ]);
    expect(paths(await plan(files, { sources: ['hello.wasm'], dest: '/bin/' }))).toEqual([
      'file /bin/hello.wasm',
    ]);
    expect(paths(await plan(files, { sources: ['hello.wasm'], dest: 'x.wasm', workdir: '/app' }))).toEqual([
      'file /app/x.wasm',
    ]);
    expect(paths(await plan(files, { sources: ['./hello.wasm'], dest: '.', workdir: '/app' }))).toEqual([
      'file /app/hello.wasm',
    ]);
  });

  it('an existing directory destination receives the file by its name', async () => {
    expect(paths(await plan(files, { sources: ['a.txt'], dest: '/etc' }, ['/etc']))).toEqual([
      'file /etc/a.txt',
    ]);
  });

  it('a directory copies its contents; globs match; several sources need a directory ending in /', async () => {
    const dir = await plan(files, { sources: ['dir'], dest: '/opt' });
    expect(dir.ensureDirs).toEqual(['/opt']);
    expect(paths(dir)).toEqual(['file /opt/one', 'dir /opt/sub', 'file /opt/sub/two']);
    expect(paths(await plan(files, { sources: ['*.txt'], dest: '/t/' }))).toEqual([
      'file /t/a.txt',
      'file /t/b.txt',
    ]);
    await expect(plan(files, { sources: ['*.txt'], dest: '/t' })).rejects.toThrow(
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
    await expect(plan(files, { sources: ['a.txt', 'b.txt'], dest: '/t' })).rejects.toThrow(/end with a \//);
  });

  it('missing, excluded and outside sources fail with Docker messages', async () => {
    await expect(plan(files, { sources: ['nope.txt'], dest: '/' })).rejects.toThrow(
      'COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist',
    );
    await expect(
      plan({ ...files, '.dockerignore': 'a.txt\n' }, { sources: ['a.txt'], dest: '/' }),
    ).rejects.toThrow('stat a.txt: file does not exist');
    await expect(plan(files, { sources: ['../x'], dest: '/' })).rejects.toThrow(
      'COPY failed: forbidden path outside the build context: ../x',
    );
    await expect(plan(files, { sources: ['*.none'], dest: '/' })).rejects.toThrow(
      'COPY failed: no source files were specified',
    );
  });

  it('--chmod sets every mode; the hash covers contents and modes but not times', async () => {
    const p = await plan(files, { sources: ['dir'], dest: '/opt', chmod: 0o700 });
    expect(p.entries.map((e) => e.mode)).toEqual([0o700, 0o700, 0o700]);
    expect(p.hash).toMatch(/^dir:[0-9a-f]{64}$/);
    const a = await plan(files, { sources: ['a.txt'], dest: '/' });
    const again = await plan(files, { sources: ['a.txt'], dest: '/' });
    const changed = await plan({ ...files, 'a.txt': 'A' }, { sources: ['a.txt'], dest: '/' });
    const chmodded = await plan(files, { sources: ['a.txt'], dest: '/', chmod: 0o600 });
    expect(a.hash).toMatch(/^file:/);
    expect(again.hash).toBe(a.hash);
    expect(changed.hash).not.toBe(a.hash);
    expect(chmodded.hash).not.toBe(a.hash);
    expect((await plan(files, { sources: ['a.txt', 'b.txt'], dest: '/t/' })).hash).toMatch(/^multi:/);
  });

  it('follows a symlink named as a source; keeps symlinks inside directories', async () => {
    const { vol, source } = memContext({ Dockerfile: 'x', 'real.txt': 'real', 'd/f': 'f' });
    vol.symlinkSync('real.txt', '/ctx/link.txt');
    vol.symlinkSync('../real.txt', '/ctx/d/l');
    const ctx = await loadContext(source);
    const base = { instruction: 'COPY' as const, workdir: '/' };
    const one = await planCopy({ ...base, sources: ['link.txt'], dest: '/x' }, treeOf(ctx));
    expect(one.entries).toMatchObject([{ path: '/x', type: 'file' }]);
    expect(utf8.decode(one.entries[0].data)).toBe('real');
    const dir = await planCopy({ ...base, sources: ['d'], dest: '/d/' }, treeOf(ctx));
    expect(dir.entries.map((e) => [e.path, e.type, e.target])).toEqual([
      ['/d/f', 'file', undefined],
      ['/d/l', 'symlink', '../real.txt'],
    ]);
  });

  it('ADD extracts plain and gzip tar archives; COPY copies them as files', async () => {
    const tar = await makeTar([
      { name: 'pkg/', type: 'directory', mode: 0o755 },
      { name: 'pkg/run.wasm', data: 'RUN', mode: 0o755 },
    ]);
    const { vol, source } = memContext({ Dockerfile: 'x' });
    vol.writeFileSync('/ctx/p.tar', tar);
    vol.writeFileSync('/ctx/p.tgz', gzipSync(tar));
    const ctx = await loadContext(source);
    const base = { workdir: '/' };
    for (const name of ['p.tar', 'p.tgz']) {
      const added = await planCopy(
        { ...base, instruction: 'ADD', sources: [name], dest: '/opt/' },
        treeOf(ctx),
      );
      expect(paths(added)).toEqual(['dir /opt/pkg', 'file /opt/pkg/run.wasm']);
      expect(added.entries[1].mode).toBe(0o755);
    }
    const copied = await planCopy(
      { ...base, instruction: 'COPY', sources: ['p.tgz'], dest: '/opt/' },
      treeOf(ctx),
    );
    expect(paths(copied)).toEqual(['file /opt/p.tgz']);
  });
});
