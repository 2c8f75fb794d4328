import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/build/errors';
import { parseDockerfile, planStages, resolveStages } from '../../src/build/dockerfile';
import type { ResolveOptions, ResolvedBuild, ResolvedInstruction } from '../../src/build/dockerfile';

function resolve(text: string, options: ResolveOptions = {}): ResolvedBuild {
  return resolveStages(parseDockerfile(text), options);
}

/** The resolved instructions of the target stage. */
function target(text: string, options: ResolveOptions = {}): ResolvedInstruction[] {
  const build = resolve(text, options);
  return build.stages[build.stages.length - 1].instructions;
}

function failure(fn: () => unknown): DockerfileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error('expected a DockerfileError');
}

describe('ARG scoping', () => {
  it('an ARG before FROM is visible in FROM lines only', () => {
    const build = resolve('ARG V=3.19\nFROM alpine:$V\nWORKDIR /v$V\nRUN echo $V\n');
    expect(build.metaArgs).toEqual({ V: '3.19' });
    expect(build.stages[0].base).toEqual({ kind: 'image', ref: 'alpine:3.19' });
    expect(build.stages[0].instructions).toMatchObject([
      { kind: 'WORKDIR', path: '/v' },
      { kind: 'RUN', command: { form: 'shell', command: 'echo $V' }, args: {} },
    ]);
  });

  it('`ARG NAME` inside a stage picks up the global value; build-args override both', () => {
    const text =
      'ARG VERSION=latest\nFROM busybox:$VERSION\nARG VERSION\nRUN echo $VERSION > image_version\n';
    expect(resolve(text).stages[0]).toMatchObject({
      base: { ref: 'busybox:latest' },
      instructions: [
        { kind: 'ARG', args: [{ name: 'VERSION', value: 'latest' }] },
        { kind: 'RUN', args: { VERSION: 'latest' } },
      ],
    });
    expect(resolve(text, { buildArgs: { VERSION: '1.36' } }).stages[0]).toMatchObject({
      base: { ref: 'busybox:1.36' },
      instructions: [{ args: [{ value: '1.36' }] }, { args: { VERSION: '1.36' } }],
    });
  });

  it('a stage default wins over the global value but not over a build-arg', () => {
    const text = 'ARG V=global\nFROM x\nARG V=stage\nWORKDIR /$V\n';
    expect(target(text)[1]).toMatchObject({ path: '/stage' });
    expect(target(text, { buildArgs: { V: 'cli' } })[1]).toMatchObject({ path: '/cli' });
  });

  it('a variable used before its ARG is empty (the documented USER example)', () => {
    const text = 'FROM busybox\nUSER ${user:-some_user}\nARG user\nUSER $user\n';
    expect(target(text, { buildArgs: { user: 'what_user' } })).toMatchObject([
      { kind: 'USER', user: 'some_user' },
      { kind: 'ARG' },
      { kind: 'USER', user: 'what_user' },
    ]);
  });

  it('an ARG ends with its stage', () => {
    const build = resolve(
      'FROM busybox\nARG SETTINGS=a\nWORKDIR /$SETTINGS\nFROM busybox\nWORKDIR /x$SETTINGS\n',
      {
        target: '1',
      },
    );
    expect(build.stages.map((s) => s.index)).toEqual([1]);
    expect(build.stages[0].instructions).toMatchObject([{ kind: 'WORKDIR', path: '/x' }]);
  });

  it('global ARG defaults may use earlier global ARGs (overridden ones included)', () => {
    const text = 'ARG A=1\nARG B=${A}2\nFROM img:$B\n';
    expect(resolve(text).stages[0].base).toEqual({ kind: 'image', ref: 'img:12' });
    expect(resolve(text, { buildArgs: { A: '5' } }).stages[0].base).toEqual({ kind: 'image', ref: 'img:52' });
  });

  it('FROM uses defaults, --platform is expanded with global ARGs', () => {
    const build = resolve('ARG PLAT=wasi/wasm\nFROM --platform=$PLAT ${IMG:-berth/base}\n');
    expect(build.stages[0]).toMatchObject({
      base: { kind: 'image', ref: 'berth/base' },
      platform: 'wasi/wasm',
    });
  });
});

describe('ENV', () => {
  it('ENV wins over an ARG of the same name (RUN does not get the ARG)', () => {
    const text = 'FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=v1.0.0\nRUN echo $CONT_IMG_VER\n';
    expect(target(text, { buildArgs: { CONT_IMG_VER: 'v2.0.1' } })).toMatchObject([
      { kind: 'ARG', args: [{ value: 'v2.0.1' }] },
      { kind: 'ENV', pairs: [{ key: 'CONT_IMG_VER', value: 'v1.0.0' }] },
      { kind: 'RUN', args: {} },
    ]);
  });

  it('ENV can take an ARG with a default', () => {
    const text = 'FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\n';
    expect(target(text)[1]).toMatchObject({ pairs: [{ value: 'v1.0.0' }] });
    expect(target(text, { buildArgs: { CONT_IMG_VER: 'v2.0.1' } })[1]).toMatchObject({
      pairs: [{ value: 'v2.0.1' }],
    });
  });

  it('all words of one instruction see the values from before it', () => {
    const build = resolve('FROM x\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n');
    expect(build.stages[0].env).toEqual({ abc: 'bye', def: 'hello', ghi: 'bye' });
  });

  it('quotes and escapes are removed from ENV and LABEL; the legacy form keeps inner spaces', () => {
    expect(
      target(
        'FROM x\nENV A="x  y" B=a\\ b C=\'$A\'\nENV D say  "hi there"\nLABEL "com.example.key"="v $B"\n',
      ),
    ).toMatchObject([
      {
        pairs: [
          { key: 'A', value: 'x  y' },
          { key: 'B', value: 'a b' },
          { key: 'C', value: '$A' },
        ],
      },
      { pairs: [{ key: 'D', value: 'say  hi there' }] },
      { pairs: [{ key: 'com.example.key', value: 'v a b' }] },
    ]);
  });

  it('is inherited by stages built FROM the stage, and can start from the base image env', () => {
    const text = 'FROM alpine AS base\nENV P=/opt PATH=/x:$PATH\nFROM base\nWORKDIR $P\n';
    expect(target(text)[0]).toMatchObject({ kind: 'WORKDIR', path: '/opt' });
    const withImage = resolve(text, {
      imageEnv: (ref) => (ref === 'alpine' ? { PATH: '/usr/bin' } : undefined),
    });
    expect(withImage.stages[0].env).toEqual({ PATH: '/x:/usr/bin', P: '/opt' });
    expect(withImage.stages[1].env).toEqual({ PATH: '/x:/usr/bin', P: '/opt' });
  });

  it('honours the escape directive while substituting', () => {
    expect(target('# escape=`\nFROM x\nENV DIR=app\nWORKDIR C:\\$DIR\\`$DIR\n')[1]).toMatchObject({
      path: 'C:\\app\\$DIR',
    });
  });
});

describe('substitution in the other instructions', () => {
  it('COPY/ADD sources, dest, --chown and --chmod; EXPOSE splits; VOLUME, STOPSIGNAL, USER', () => {
    const text = [
      'FROM x',
      'ARG SRC=app UID=1000 MODE=0644 PORTS="80 443/udp" SIG=TERM',
      'COPY --chown=${UID}:${UID} --chmod=$MODE $SRC/*.js /srv/$SRC/',
      'ADD ["$SRC.tar", "/opt/"]',
      'EXPOSE $PORTS 9000',
      'VOLUME /data/$SRC',
      'STOPSIGNAL SIG$SIG',
      'USER $UID',
      'RUN echo $SRC',
      'CMD echo $SRC',
    ].join('\n');
    expect(target(text).slice(1)).toMatchObject([
      {
        kind: 'COPY',
        sources: ['app/*.js'],
        dest: '/srv/app/',
        chown: '1000:1000',
        chmod: '0644',
        source: { kind: 'context' },
      },
      { kind: 'ADD', sources: ['app.tar'], dest: '/opt/', json: true },
      { kind: 'EXPOSE', ports: ['80', '443/udp', '9000'] },
      { kind: 'VOLUME', paths: ['/data/app'] },
      { kind: 'STOPSIGNAL', signal: 'SIGTERM' },
      { kind: 'USER', user: '1000' },
      {
        kind: 'RUN',
        command: { command: 'echo $SRC' },
        args: { SRC: 'app', UID: '1000', MODE: '0644', PORTS: '80 443/udp', SIG: 'TERM' },
      },
      { kind: 'CMD', command: { command: 'echo $SRC' } },
    ]);
  });

  it('RUN gets predefined proxy build-args without an ARG, and they are never "unused"', () => {
    const build = resolve('FROM x\nRUN wget x\n', { buildArgs: { HTTPS_PROXY: 'http://proxy:3128' } });
    expect(build.stages[0].instructions[0]).toMatchObject({ args: { HTTPS_PROXY: 'http://proxy:3128' } });
    expect(build.unusedBuildArgs).toEqual([]);
  });

  it('`$$` expands to nothing and `\\$` keeps a dollar', () => {
    expect(target('FROM x\nWORKDIR /a$$b\nUSER \\$U\n')).toMatchObject([{ path: '/ab' }, { user: '$U' }]);
  });
});

describe('multi-stage builds and --target', () => {
  const text = [
    'ARG BASE=alpine',
    'FROM $BASE AS base', // 0
    'RUN echo base',
    'FROM base AS deps', // 1
    'RUN echo deps',
    'FROM scratch AS docs', // 2
    'COPY README.md /',
    'FROM deps AS build', // 3
    'COPY --from=docs /README.md /',
    'FROM base AS test', // 4
    'RUN test',
    'FROM scratch AS final', // 5
    'COPY --from=build /app /app',
    'COPY --from=2 /README.md /',
    'COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/',
  ].join('\n');

  it.each<[string | undefined, number[]]>([
    [undefined, [0, 1, 2, 3, 5]],
    ['final', [0, 1, 2, 3, 5]],
    ['test', [0, 4]],
    ['DOCS', [2]],
    ['1', [0, 1]],
    ['build', [0, 1, 2, 3]],
  ])('target %s keeps stages %j', (wanted, indices) => {
    const build = resolve(text, { target: wanted });
    expect(build.stages.map((s) => s.index)).toEqual(indices);
    expect(build.target).toBe(indices[indices.length - 1]);
  });

  it('records bases, dependencies and COPY --from sources', () => {
    const build = resolve(text);
    const byIndex = new Map(build.stages.map((s) => [s.index, s]));
    expect(byIndex.get(0)).toMatchObject({ base: { kind: 'image', ref: 'alpine' }, dependsOn: [] });
    expect(byIndex.get(3)).toMatchObject({
      base: { kind: 'stage', index: 1, name: 'deps' },
      dependsOn: [1, 2],
    });
    expect(byIndex.get(2)).toMatchObject({ base: { kind: 'scratch' } });
    expect(byIndex.get(5)?.instructions).toMatchObject([
      { source: { kind: 'stage', index: 3, name: 'build' } },
      { source: { kind: 'stage', index: 2, name: 'docs' } },
      { source: { kind: 'image', ref: 'nginx:1.27' } },
    ]);
    expect(byIndex.get(5)?.dependsOn).toEqual([2, 3]);
  });

  it('planStages gives the same selection without substituting stage bodies', () => {
    const plan = planStages(parseDockerfile(text), { target: 'test', buildArgs: { BASE: 'berth/base:1' } });
    expect(plan.order).toEqual([0, 4]);
    expect(plan.stages.get(0)?.base).toEqual({ kind: 'image', ref: 'berth/base:1' });
  });

  it('COPY --from can use global ARGs', () => {
    const build = resolve('ARG FROM_STAGE=a\nFROM x AS a\nFROM y\nCOPY --from=$FROM_STAGE /f /f\n');
    expect(build.stages.map((s) => s.index)).toEqual([0, 1]);
    expect(build.stages[1].instructions[0]).toMatchObject({ from: 'a', source: { kind: 'stage', index: 0 } });
  });

  it('FROM a name that is not an earlier stage is an image, even if a later stage has that name', () => {
    const build = resolve('FROM node AS build\nFROM alpine AS node\n', { target: 'build' });
    expect(build.stages).toMatchObject([{ index: 0, base: { kind: 'image', ref: 'node' }, dependsOn: [] }]);
  });

  it('errors in pruned stages do not matter', () => {
    const build = resolve('FROM x AS broken\nWORKDIR ${A\nFROM y AS ok\n', { target: 'ok' });
    expect(build.stages.map((s) => s.name)).toEqual(['ok']);
  });
});

describe('unused build-args', () => {
  it('are listed and warned about like Docker', () => {
    const build = resolve('ARG USED\nFROM x\nARG STAGE_ARG\nFROM y AS other\nARG ONLY_IN_PRUNED\n', {
      target: '0',
      buildArgs: { USED: '1', STAGE_ARG: '2', ONLY_IN_PRUNED: '3', ZZZ: '4', AAA: '5', http_proxy: 'p' },
    });
    expect(build.unusedBuildArgs).toEqual(['AAA', 'ONLY_IN_PRUNED', 'ZZZ']);
    expect(build.warnings).toEqual([
      '[Warning] One or more build-args [AAA ONLY_IN_PRUNED ZZZ] were not consumed',
    ]);
  });

  it('parser warnings are carried over', () => {
    expect(resolve('FROM x\nMAINTAINER me\n').warnings).toEqual([
      'Dockerfile:2: MAINTAINER is deprecated in favor of using LABEL',
    ]);
  });
});

describe('resolution errors name the line', () => {
  it.each<[string, ResolveOptions, string]>([
    ['FROM x AS a\nFROM y', { target: 'nope' }, 'Dockerfile: target stage "nope" could not be found'],
    ['FROM x\nFROM y', { target: '2' }, 'Dockerfile: target stage "2" could not be found'],
    [
      'FROM x\nRUN a\nFROM ${IMG:-',
      {},
      'Dockerfile:3: failed to process "${IMG:-": syntax error: missing \'}\'',
    ],
    ['ARG EMPTY\nFROM $EMPTY', {}, 'Dockerfile:2: base name ($EMPTY) should not be blank'],
    [
      'FROM x AS a\nCOPY --from=b /x /x\nFROM y AS b',
      { target: 'a' },
      'Dockerfile:2: COPY --from=b refers to the current or a later build stage; only earlier stages can be copied from',
    ],
    [
      'FROM x\nCOPY --from=0 /x /x',
      {},
      'Dockerfile:2: COPY --from=0 refers to the current or a later build stage; only earlier stages can be copied from',
    ],
    ['FROM x\nSTOPSIGNAL SIGFOO', {}, 'Dockerfile:2: Invalid signal: SIGFOO'],
    ['FROM x\nSTOPSIGNAL 0', {}, 'Dockerfile:2: Invalid signal: 0'],
    ['FROM x\nEXPOSE 80/xyz', {}, 'Dockerfile:2: invalid proto: xyz'],
    ['FROM x\nARG P="80 http"\nEXPOSE $P', {}, 'Dockerfile:3: Invalid containerPort: http'],
    ['FROM x\nEXPOSE 90-80', {}, 'Dockerfile:2: Invalid range specified for container port: 90-80'],
    [
      'FROM x\nARG URL=https://example.com/a.tgz\nADD $URL /a/',
      {},
      'Dockerfile:3: ADD https://example.com/a.tgz: remote sources are not supported (berth build has no network ' +
        'access); download the file into the build context and COPY it',
    ],
    ['FROM x\nWORKDIR $NOPE', {}, 'Dockerfile:2: WORKDIR $NOPE expands to an empty path'],
    ['FROM x\nUSER ${U}', {}, 'Dockerfile:2: USER ${U} expands to an empty user'],
    ['FROM x\nVOLUME $NOPE', {}, 'Dockerfile:2: VOLUME specified can not be an empty string'],
    ['FROM x\nENV $NOPE=1', {}, 'Dockerfile:2: ENV names can not be blank'],
    [
      'FROM x\nCOPY --chmod=999 a b',
      {},
      'Dockerfile:2: invalid chmod parameter: 999. it should be octal string and between 0 and 07777',
    ],
    ['FROM x\nLABEL a=${b', {}, 'Dockerfile:2: failed to process "${b": syntax error: missing \'}\''],
    [
      'FROM x\nARG A="${NEEDED:?set NEEDED}"',
      {},
      'Dockerfile:2: failed to process "\\"${NEEDED:?set NEEDED}\\"": NEEDED: set NEEDED',
    ],
  ])('%j %j', (text, options, message) => {
    expect(failure(() => resolve(text, options)).message).toBe(message);
  });
});
