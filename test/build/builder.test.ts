/**
 * `berth build` against the engine's memory host: memfs contexts, the committed C programs (hello.wasm,
 * the many-purpose tool.wasm) as the files to COPY and RUN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { build, BuildError, type BuildOptions } from '../../src/build/Builder';
import { MemoryBuildCache } from '../../src/build/cache';
import { syncFsContext } from '../../src/build/context';
import { Engine, createMemoryHost } from '../../src/engine/index';

const root = join(import.meta.dirname, '../..');
const HELLO = new Uint8Array(readFileSync(join(root, 'test/wasi/wasm/hello.wasm')));
const TOOL = new Uint8Array(readFileSync(join(root, 'test/process/fixtures/tool.wasm')));

type Files = Record<string, string | Uint8Array>;

function context(files: Files) {
  const vol = new Volume();
  vol.mkdirSync('/ctx', { recursive: true });
  for (const [path, data] of Object.entries(files)) {
    const full = `/ctx/${path}`;
    vol.mkdirSync(full.slice(0, full.lastIndexOf('/')), { recursive: true });
    vol.writeFileSync(full, data);
  }
  return { vol, source: syncFsContext(vol as never, '/ctx') };
}

let engine: Engine;
const workerHost = new NodeWorkerHost();

beforeAll(async () => {
  engine = await Engine.open(createMemoryHost({ workerHost }));
});
afterAll(async () => {
  await engine.close();
});

interface Built {
  imageId: string;
  output: string;
  warnings: string[];
  built: number;
}

async function run(files: Files, options: Partial<BuildOptions> = {}, on: Engine = engine): Promise<Built> {
  const { source } = context(files);
  let output = '';
  const result = await build(on, { context: source, output: (s) => (output += s), ...options });
  return { imageId: result.imageId, output, warnings: result.warnings, built: result.built };
}

async function failing(
  files: Files,
  options: Partial<BuildOptions> = {},
): Promise<{ error: Error; output: string }> {
  const { source } = context(files);
  let output = '';
  try {
    await build(engine, { context: source, output: (s) => (output += s), ...options });
  } catch (error) {
    return { error: error as Error, output };
  }
  throw new Error(`the build succeeded:\n${output}`);
}

async function runImage(
  image: string,
  cmd?: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const c = await engine.run({
    image,
    ...(cmd ? { cmd } : {}),
    stdout: (b) => void (stdout += Buffer.from(b).toString()),
    stderr: (b) => void (stderr += Buffer.from(b).toString()),
  });
  const exit = await c.wait();
  await engine.removeContainer(c.id, { volumes: true });
  return { code: exit.statusCode, stdout, stderr };
}

/** The output with IDs and sizes replaced, for exact comparison. */
function shape(output: string): string {
  return output
    .replace(/\b[0-9a-f]{12}\b/g, '<id>')
    .replace(/Sending build context to Berth {2}\S+/, 'Sending build context to Berth  <size>');
}

describe('berth build', () => {
  it('FROM scratch + COPY + ENTRYPOINT: the image runs, the output is the classic builder’s', async () => {
    const b = await run(
      {
        Dockerfile: 'FROM scratch\nCOPY hello.wasm /hello.wasm\nENTRYPOINT ["/hello.wasm"]\n',
        'hello.wasm': HELLO,
      },
      { tags: ['hello-built'] },
    );
    expect(shape(b.output)).toBe(
      [
        'Sending build context to Berth  <size>',
        '',
        'Step 1/3 : FROM scratch',
        ' ---> ',
        'Step 2/3 : COPY hello.wasm /hello.wasm',
        ' ---> <id>',
        'Step 3/3 : ENTRYPOINT ["/hello.wasm"]',
        ' ---> Running in <id>',
        'Removing intermediate container <id>',
        ' ---> <id>',
        'Successfully built <id>',
        'Successfully tagged hello-built:latest',
        '',
      ].join('\n'),
    );
    expect(b.output).toContain(`Successfully built ${b.imageId.slice(7, 19)}\n`);
    expect(await runImage('hello-built')).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    const inspect = await engine.inspectImage('hello-built');
    expect(inspect.Id).toBe(b.imageId);
    expect(inspect.Config.Entrypoint).toEqual(['/hello.wasm']);
    expect(inspect.Config.Cmd).toBeNull();
    expect(inspect.Os).toBe('wasi');
    expect(inspect.Architecture).toBe('wasm');
    const history = await engine.imageHistory('hello-built');
    expect(history.map((h) => [h.CreatedBy, h.Size > 0])).toEqual([
      ['/bin/sh -c #(nop)  ENTRYPOINT ["/hello.wasm"]', false],
      [expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/hello.wasm $/), true],
    ]);
  });

  it('caches every step on a rebuild, and rebuilds from the COPY on when a context file changes', async () => {
    const dockerfile = [
      'FROM scratch',
      'COPY tool.wasm /bin/tool.wasm',
      'ENV GREETING=hi',
      'COPY data.txt /data.txt',
      'RUN ["/bin/tool.wasm", "cat", "/data.txt"]',
      'CMD ["/bin/tool.wasm", "env", "GREETING"]',
      '',
    ].join('\n');
    const files = { Dockerfile: dockerfile, 'tool.wasm': TOOL, 'data.txt': 'one\n' };
    const cache = new MemoryBuildCache();
    const first = await run(files, { cache });
    expect(shape(first.output)).toContain(
      [
        'Step 5/6 : RUN ["/bin/tool.wasm", "cat", "/data.txt"]',
        ' ---> Running in <id>',
        'one',
        'Removing intermediate container <id>',
        ' ---> <id>',
      ].join('\n'),
    );
    expect(first.output).not.toContain('Using cache');
    expect(first.built).toBe(5);

    const again = await run(files, { cache });
    expect(again.imageId).toBe(first.imageId);
    expect(again.output.match(/ ---> Using cache\n/g)).toHaveLength(5);
    expect(again.built).toBe(0);
    expect(again.output).not.toContain('Running in');

    const changed = await run({ ...files, 'data.txt': 'two\n' }, { cache });
    expect(changed.imageId).not.toBe(first.imageId);
    const steps = changed.output.split(/^Step /m).slice(1);
    expect(steps.map((s) => s.includes('Using cache'))).toEqual([false, true, true, false, false, false]);
    expect(changed.built).toBe(3);
    expect(changed.output).toContain('two\n');
    expect(await runImage(changed.imageId)).toMatchObject({ code: 0, stdout: 'hi\n' });

    // A file whose only change is its timestamp does not miss (Docker ignores mtimes).
    const touched = await run({ ...files, 'data.txt': 'two\n' }, { cache });
    expect(touched.imageId).toBe(changed.imageId);

    // --no-cache rebuilds every step, and a step that misses turns the cache off for the rest.
    const fresh = await run(files, { cache, noCache: true });
    expect(fresh.output).not.toContain('Using cache');
    expect(fresh.imageId).not.toBe(first.imageId);
  });

  it('RUN commits what the program wrote; ENV, WORKDIR, LABEL, USER, EXPOSE, VOLUME, STOPSIGNAL, SHELL are recorded', async () => {
    const b = await run(
      {
        Dockerfile: [
          'FROM scratch',
          'COPY tool.wasm /bin/',
          'WORKDIR /app/data',
          'ENV NAME=berth PATH=/bin',
          'RUN ["tool.wasm", "write", "/app/data/out.txt", "written by RUN"]',
          'LABEL org.example.kind=test "two words"="a b"',
          'USER 1000:1000',
          'EXPOSE 8080 53/udp',
          'VOLUME /data',
          'STOPSIGNAL SIGINT',
          'SHELL ["/bin/tool.wasm", "echo"]',
          'RUN shell form through SHELL',
          'CMD hello',
          '',
        ].join('\n'),
        'tool.wasm': TOOL,
      },
      { tags: ['recorded:1'] },
    );
    expect(b.output).toMatch(
      /Step 12\/13 : RUN shell form through SHELL\n ---> Running in \w+\nshell form through SHELL\n/,
    );
    // The build containers after VOLUME got anonymous volumes; they went with the containers.
    expect(await engine.listVolumes()).toEqual([]);
    const inspect = await engine.inspectImage('recorded:1');
    expect(inspect.Id).toBe(b.imageId);
    const config = inspect.Config as Record<string, unknown>;
    expect(config).toMatchObject({
      Env: ['PATH=/bin', 'NAME=berth'],
      WorkingDir: '/app/data',
      Labels: { 'org.example.kind': 'test', 'two words': 'a b' },
      User: '1000:1000',
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      Shell: ['/bin/tool.wasm', 'echo'],
      Cmd: ['/bin/tool.wasm', 'echo', 'hello'],
    });
    expect(await runImage('recorded:1', ['/bin/tool.wasm', 'cat', '/app/data/out.txt'])).toMatchObject({
      code: 0,
      stdout: 'written by RUN',
    });
    expect(await runImage('recorded:1')).toMatchObject({ code: 0, stdout: 'hello\n' });
    const history = await engine.imageHistory('recorded:1');
    const byStep = history.reverse().map((h) => [h.CreatedBy, h.Size > 0]);
    expect(byStep).toEqual([
      [expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY file:\w+ in \/bin\/ $/), true],
      ['/bin/sh -c #(nop) WORKDIR /app/data', true],
      ['/bin/sh -c #(nop)  ENV NAME=berth PATH=/bin', false],
      ['tool.wasm write /app/data/out.txt written by RUN', true],
      ['/bin/sh -c #(nop)  LABEL org.example.kind=test two words=a b', false],
      ['/bin/sh -c #(nop)  USER 1000:1000', false],
      ['/bin/sh -c #(nop)  EXPOSE 8080 53/udp', false],
      ['/bin/sh -c #(nop)  VOLUME [/data]', false],
      ['/bin/sh -c #(nop)  STOPSIGNAL SIGINT', false],
      ['/bin/sh -c #(nop)  SHELL [/bin/tool.wasm echo]', false],
      // The engine makes VOLUME /data's mount point in the container's layer (Docker leaves it out).
      ['/bin/tool.wasm echo shell form through SHELL', true],
      ['/bin/tool.wasm echo #(nop)  CMD ["/bin/tool.wasm" "echo" "hello"]', false],
    ]);
  });

  it('multi-stage: COPY --from a stage by name and by index, --target stops at a stage and tags it', async () => {
    const dockerfile = [
      'FROM scratch AS tools',
      'COPY tool.wasm /tool.wasm',
      'RUN ["/tool.wasm", "write", "/made.txt", "made in stage 0"]',
      '',
      'FROM scratch AS final',
      'COPY --from=tools /made.txt /copied-by-name.txt',
      'COPY --from=0 /tool.wasm /bin/tool.wasm',
      'ENTRYPOINT ["/bin/tool.wasm"]',
      'CMD ["cat", "/copied-by-name.txt"]',
      '',
    ].join('\n');
    const files = { Dockerfile: dockerfile, 'tool.wasm': TOOL };
    const all = await run(files, { tags: ['multi:final'] });
    expect(all.output).toContain('Step 1/8 : FROM scratch AS tools\n');
    expect(all.output).toContain('Step 4/8 : FROM scratch AS final\n');
    expect(await runImage('multi:final')).toMatchObject({ code: 0, stdout: 'made in stage 0' });

    const target = await run(files, { tags: ['multi:tools'], target: 'tools' });
    expect(target.output).toContain('Step 3/3 : RUN');
    expect(target.output).not.toContain('FROM scratch AS final');
    expect(await runImage('multi:tools', ['/tool.wasm', 'cat', '/made.txt'])).toMatchObject({
      stdout: 'made in stage 0',
    });
    expect((await engine.inspectImage('multi:final')).Id).toBe(all.imageId);

    const missing = await failing({
      ...files,
      Dockerfile: 'FROM scratch AS a\nFROM scratch\nCOPY --from=a /nope /x\n',
    });
    expect(missing.error.message).toBe('Dockerfile:3: COPY failed: stat nope: file does not exist');
  });

  it('FROM an image of the store, and a missing image says so honestly', async () => {
    await run(
      { Dockerfile: 'FROM scratch\nCOPY hello.wasm /\nCMD ["/hello.wasm"]\n', 'hello.wasm': HELLO },
      { tags: ['base-img'] },
    );
    const child = await run({ Dockerfile: 'FROM base-img\nENV CHILD=1\n' }, { tags: ['child-img'] });
    expect(child.output).toMatch(/Step 1\/2 : FROM base-img\n ---> [0-9a-f]{12}\n/);
    expect(await runImage('child-img')).toMatchObject({ code: 0, stdout: 'hello\n' });
    const copied = await run(
      { Dockerfile: 'FROM scratch\nCOPY --from=base-img /hello.wasm /copied.wasm\nCMD ["/copied.wasm"]\n' },
      { tags: ['from-image'] },
    );
    expect(copied.output).toContain('Step 2/3 : COPY --from=base-img /hello.wasm /copied.wasm\n');
    expect(await runImage('from-image')).toMatchObject({ code: 0, stdout: 'hello\n' });
    const noCopy = await failing({ Dockerfile: 'FROM scratch\nCOPY --from=nosuch:2 /x /x\n' });
    expect(noCopy.error.message).toBe(
      'Dockerfile:2: COPY --from=nosuch:2: image nosuch:2 not found locally (berth has no registry pull yet)',
    );
    const none = await failing({ Dockerfile: '\nFROM nosuch/image:1\n' });
    expect(none.error.message).toBe(
      'Dockerfile:2: image nosuch/image:1 not found locally (berth has no registry pull yet)',
    );
  });

  it('build args and ARG defaults: substituted, passed to RUN, and part of the cache key', async () => {
    const dockerfile = [
      'ARG BASE=scratch',
      'FROM $BASE',
      'ARG WHO=world',
      'ARG FILE',
      'COPY tool.wasm /${FILE:-default}.wasm',
      'RUN ["/x.wasm", "env", "WHO"]',
      'ENV FROM_ARG=$WHO',
      '',
    ].join('\n');
    const files = { Dockerfile: dockerfile, 'tool.wasm': TOOL };
    const cache = new MemoryBuildCache();
    const a = await run(files, { cache, buildArgs: { FILE: 'x', UNUSED: '1' } });
    expect(a.output).toContain('Step 1/7 : ARG BASE=scratch\nStep 2/7 : FROM $BASE\n');
    expect(a.output).toMatch(/Step 6\/7 : RUN \["\/x.wasm", "env", "WHO"\]\n ---> Running in \w+\nworld\n/);
    expect(a.output).toContain('[Warning] One or more build-args [UNUSED] were not consumed\n');
    expect(a.warnings).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
    const config = (await engine.inspectImage(a.imageId)).Config;
    expect(config.Env).toContain('FROM_ARG=world');
    expect(config.Env!.some((e) => e.startsWith('WHO=') || e.startsWith('FILE='))).toBe(false);

    const b = await run(files, { cache, buildArgs: { FILE: 'x', WHO: 'berth' } });
    expect(b.output).toMatch(/Step 6\/7 : RUN .*\n ---> Running in \w+\nberth\n/);
    const steps = b.output.split(/^Step /m).slice(1);
    // ARG WHO's own line is the same (the default), COPY is cached, RUN misses: WHO is in its cache key.
    expect(steps.map((s) => s.includes('Using cache'))).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    const history = await engine.imageHistory(b.imageId);
    expect(history.map((h) => h.CreatedBy)).toContain('/x.wasm env WHO');
  });

  it('.dockerignore: an excluded file cannot be copied; the rest of the context can', async () => {
    const files = {
      Dockerfile: 'FROM scratch\nCOPY . /ctx/\nENTRYPOINT ["/ctx/tool.wasm"]\n',
      '.dockerignore': 'secret.txt\n*.log\n',
      'tool.wasm': TOOL,
      'secret.txt': 'no',
      'keep.txt': 'yes',
      'debug.log': 'no',
    };
    await run(files, { tags: ['ignored'] });
    expect(await runImage('ignored', ['cat', '/ctx/keep.txt'])).toMatchObject({ code: 0, stdout: 'yes' });
    expect(await runImage('ignored', ['cat', '/ctx/secret.txt'])).toMatchObject({ code: 1 });
    expect(await runImage('ignored', ['cat', '/ctx/debug.log'])).toMatchObject({ code: 1 });
    expect(await runImage('ignored', ['cat', '/ctx/Dockerfile'])).toMatchObject({ code: 0 });
    const history = await engine.imageHistory('ignored');
    expect(history[1].CreatedBy).toMatch(/COPY dir:\w+ in \/ctx\/ $/);
    const bad = await failing({ ...files, Dockerfile: 'FROM scratch\nCOPY keep.txt /\nCOPY secret.txt /\n' });
    expect(bad.error.message).toBe(
      'Dockerfile:3: COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist',
    );
    const missing = await failing({ Dockerfile: 'FROM scratch\nCOPY nope.txt /\n' });
    expect(missing.error.message).toContain('stat nope.txt: file does not exist');
  });

  it('a failing RUN: Docker’s message with the exit code, the line, and no tag moved', async () => {
    await run(
      { Dockerfile: 'FROM scratch\nCOPY hello.wasm /\nCMD ["/hello.wasm"]\n', 'hello.wasm': HELLO },
      { tags: ['keep:me'] },
    );
    const before = (await engine.inspectImage('keep:me')).Id;
    const containersBefore = (await engine.listContainers({ all: true })).length;
    const f = await failing(
      {
        Dockerfile:
          'FROM scratch\nCOPY tool.wasm /tool.wasm\n\n# fails\nRUN ["/tool.wasm", "exit", "3"]\nCMD ["x"]\n',
        'tool.wasm': TOOL,
      },
      { tags: ['keep:me'] },
    );
    expect(f.error).toBeInstanceOf(BuildError);
    expect(f.error.message).toBe("Dockerfile:5: The command '/tool.wasm exit 3' returned a non-zero code: 3");
    expect((f.error as BuildError).exitCode).toBe(3);
    expect(f.output).toContain('Step 3/4 : RUN ["/tool.wasm", "exit", "3"]\n ---> Running in ');
    expect(f.output).not.toContain('Successfully');
    expect((await engine.inspectImage('keep:me')).Id).toBe(before);
    expect((await engine.listContainers({ all: true })).length).toBe(containersBefore);

    const shell = await failing({ Dockerfile: 'FROM scratch\nRUN echo hi\n' });
    expect(shell.error.message).toContain(
      'Dockerfile:2: RUN echo hi: the shell form runs ["/bin/sh","-c"], but /bin/sh does not exist in the image',
    );
  });

  it('bad Dockerfiles fail before any step, naming the line', async () => {
    const unknown = await failing({ Dockerfile: 'FROM scratch\nCOPY a /\nFOO bar\n', a: 'a' });
    expect(unknown.error.message).toMatch(/^Dockerfile:3: unknown instruction: FOO/i);
    expect(unknown.output).not.toContain('Step 1');
    const noFrom = await failing({ Dockerfile: '# comment\nCOPY a /\n', a: 'a' });
    expect(noFrom.error.message).toMatch(/^Dockerfile:2: /);
    const volume = await failing({ Dockerfile: 'FROM scratch\nVOLUME /data\nCOPY a /data/a\n', a: 'a' });
    expect(volume.error.message).toBe(
      'Dockerfile:3: COPY /data/a: writing under VOLUME /data is not supported by berth build yet ' +
        '(build containers mount the volume); put the VOLUME instruction after the steps that fill it',
    );
    const url = await failing({ Dockerfile: 'FROM scratch\nADD https://example.com/x.tar /\n' });
    expect(url.error.message).toMatch(
      /^Dockerfile:2: ADD https:\/\/example.com\/x.tar: remote sources are not supported/,
    );
    const empty = await failing({ Dockerfile: 'FROM scratch\n' });
    expect(empty.error.message).toBe('No image was generated. Is your Dockerfile empty?');
    const noFile = await failing({ 'x.txt': 'x' });
    expect(noFile.error.message).toBe('Cannot locate specified Dockerfile: Dockerfile');
    const target = await failing({ Dockerfile: 'FROM scratch\nCOPY a /\n', a: 'a' }, { target: 'nope' });
    expect(target.error.message).toContain('target stage "nope" could not be found');
  });

  it('ADD extracts a local tar.gz; COPY --chmod sets modes; quiet prints nothing', async () => {
    const { makeTar } = await import('../layer/helpers');
    const { gzipSync } = await import('node:zlib');
    const tgz = gzipSync(await makeTar([{ name: 'pkg/hello.wasm', data: HELLO, mode: 0o755 }]));
    let printed = '';
    const { source } = context({
      Dockerfile:
        'FROM scratch\nADD pkg.tgz /opt/\nCOPY --chmod=600 hello.wasm /h.wasm\nENTRYPOINT ["/opt/pkg/hello.wasm"]\n',
      'pkg.tgz': tgz,
      'hello.wasm': HELLO,
    });
    const result = await build(engine, {
      context: source,
      quiet: true,
      output: (s) => (printed += s),
      tags: ['added'],
    });
    expect(printed).toBe('');
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await runImage('added')).toMatchObject({ code: 0, stdout: 'hello\n' });
  });

  it('two builds at once on one engine both succeed', async () => {
    const a = run(
      { Dockerfile: 'FROM scratch\nCOPY hello.wasm /a.wasm\nCMD ["/a.wasm"]\n', 'hello.wasm': HELLO },
      { tags: ['conc-a'] },
    );
    const b = run(
      {
        Dockerfile:
          'FROM scratch\nCOPY tool.wasm /t.wasm\nRUN ["/t.wasm", "write", "/b.txt", "b"]\nCMD ["/t.wasm", "cat", "/b.txt"]\n',
        'tool.wasm': TOOL,
      },
      { tags: ['conc-b'] },
    );
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.imageId).not.toBe(rb.imageId);
    expect(await runImage('conc-a')).toMatchObject({ stdout: 'hello\n' });
    expect(await runImage('conc-b')).toMatchObject({ stdout: 'b' });
  });

  it('destination rules against the image: existing directories, symlinked directories, parents kept as they are', async () => {
    const { vol, source } = context({
      Dockerfile: [
        'FROM scratch',
        'COPY --chmod=700 root/ /',
        'COPY hello.wasm /bin/',
        'COPY hello.wasm /opt',
        'WORKDIR /opt',
        'WORKDIR /opt/new/dir',
        '',
      ].join('\n'),
      'root/usr/bin/.keep': '',
      'root/opt/.keep': '',
      'hello.wasm': HELLO,
    });
    vol.symlinkSync('usr/bin', '/ctx/root/bin');
    let output = '';
    const result = await build(engine, { context: source, output: (s) => (output += s), tags: ['dests'] });
    expect(result.imageId).toMatch(/^sha256:/);
    const ns = await engine.imageFilesystem('dests');
    const stat = (path: string) => {
      const r = ns.resolve(ns.root, path, false);
      if (typeof r === 'number' || r.node === null) return undefined;
      const st = r.fs.stat(r.node);
      return { filetype: st.filetype, mode: st.mode & 0o7777 };
    };
    // /bin is a symlink to usr/bin: the file lands in /usr/bin, the link stays.
    expect(stat('/usr/bin/hello.wasm')?.mode).toBe(0o666); // memfs's default mode, kept
    expect(stat('/bin')?.filetype).toBe(7); // FILETYPE_SYMBOLIC_LINK
    // /opt exists: COPY without a trailing slash copies into it.
    expect(stat('/opt/hello.wasm')).toBeDefined();
    // The parents were made 0700 by --chmod and COPY into them did not change that.
    expect(stat('/usr')?.mode).toBe(0o700);
    expect(stat('/opt')?.mode).toBe(0o700);
    expect(stat('/opt/new/dir')?.mode).toBe(0o755);
    const history = (await engine.imageHistory('dests')).reverse();
    expect(history.map((h) => [h.CreatedBy.replace(/[0-9a-f]{64}/, '<hash>'), h.Size > 0])).toEqual([
      ['/bin/sh -c #(nop) COPY dir:<hash> in / ', true],
      ['/bin/sh -c #(nop) COPY file:<hash> in /bin/ ', true],
      ['/bin/sh -c #(nop) COPY file:<hash> in /opt ', true],
      // WORKDIR of an existing directory makes no layer; a new one does.
      ['/bin/sh -c #(nop) WORKDIR /opt', false],
      ['/bin/sh -c #(nop) WORKDIR /opt/new/dir', true],
    ]);
  });

  it('ENTRYPOINT keeps a CMD of its own stage only, also through the cache', async () => {
    const cache = new MemoryBuildCache();
    const same = await run(
      {
        Dockerfile: 'FROM scratch\nCOPY hello.wasm /\nCMD ["/hello.wasm"]\nENTRYPOINT ["/hello.wasm"]\n',
        'hello.wasm': HELLO,
      },
      { cache },
    );
    expect((await engine.inspectImage(same.imageId)).Config.Cmd).toEqual(['/hello.wasm']);
    await run(
      { Dockerfile: 'FROM scratch\nCOPY hello.wasm /\nCMD ["/hello.wasm"]\n', 'hello.wasm': HELLO },
      { cache, tags: ['with-cmd'] },
    );
    const child = await run({ Dockerfile: 'FROM with-cmd\nENTRYPOINT ["/hello.wasm"]\n' }, { cache });
    expect(child.output).not.toContain('Using cache');
    expect((await engine.inspectImage(child.imageId)).Config.Cmd).toBeNull();
  });

  it('MAINTAINER sets the author of the image and of every later step', async () => {
    const b = await run({
      Dockerfile:
        'FROM scratch\nMAINTAINER Jane <jane@example.com>\nCOPY hello.wasm /\nCMD ["/hello.wasm"]\n',
      'hello.wasm': HELLO,
    });
    expect((await engine.inspectImage(b.imageId)).Author).toBe('Jane <jane@example.com>');
    expect(b.warnings).toContain('Dockerfile:2: MAINTAINER is deprecated in favor of using LABEL');
  });
});
