import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/build/errors';
import { parseDockerfile } from '../../src/build/dockerfile';
import type { Instruction, ParsedDockerfile } from '../../src/build/dockerfile';

function parse(text: string): ParsedDockerfile {
  return parseDockerfile(text);
}

/** The instructions after `FROM x` on line 1, for single-instruction cases. */
function body(text: string): Instruction[] {
  return parse(`FROM x\n${text}`).stages[0].instructions;
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

describe('parser directives', () => {
  it('records syntax and applies escape, case-insensitively and with blanks around =', () => {
    const parsed = parse('# syntax=docker/dockerfile:1\n#\t  ESCAPE = `\n\nFROM x\n');
    expect(parsed.escape).toBe('`');
    expect(parsed.directives).toEqual([
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'escape', value: '`', line: 2 },
    ]);
  });

  it.each([
    ['after a comment', '# About my dockerfile\n# escape=`\nFROM x\n'],
    ['after an empty line', '\n# escape=`\nFROM x\n'],
    ['after an unknown directive', '# unknowndirective=value\n# escape=`\nFROM x\n'],
    ['after an instruction', 'FROM x\n# escape=`\n'],
    ['with an empty value', '# escape=\nFROM x\n'],
  ])('is an ordinary comment %s', (_what, text) => {
    const parsed = parse(text);
    expect(parsed.escape).toBe('\\');
    expect(parsed.directives).toEqual([]);
  });

  it('the escape directive changes continuations: Windows paths keep their backslashes', () => {
    const parsed = parse(
      '# escape=`\n\nFROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\nRUN a `\n    b\n',
    );
    expect(parsed.stages[0].instructions).toMatchObject([
      { kind: 'COPY', line: 4, sources: ['testfile.txt'], dest: 'c:\\' },
      { kind: 'RUN', line: 5, command: { form: 'shell', command: 'dir c:\\' } },
      { kind: 'RUN', line: 6, endLine: 7, command: { form: 'shell', command: 'a     b' } },
    ]);
  });

  it('without it, the same file joins COPY and RUN into one instruction (the documented pitfall)', () => {
    const [copy] = parse('FROM microsoft/nanoserver\nCOPY testfile.txt c:\\\\\nRUN dir c:\\\n').stages[0]
      .instructions;
    expect(copy).toMatchObject({
      kind: 'COPY',
      line: 2,
      endLine: 3,
      original: 'COPY testfile.txt c:\\RUN dir c:',
      sources: ['testfile.txt', 'c:\\RUN', 'dir'],
      dest: 'c:',
    });
  });
});

describe('lines, comments and continuations', () => {
  it('joins continued lines, skipping comment and empty lines inside them (with a warning)', () => {
    const parsed = parse(
      [
        'FROM x',
        'RUN apt-get update \\',
        '# a comment inside the continuation',
        '    && apt-get install -y curl \\   ',
        '',
        '   # indented comment',
        '    && echo done',
        'RUN echo next',
      ].join('\n'),
    );
    expect(parsed.stages[0].instructions).toMatchObject([
      {
        kind: 'RUN',
        line: 2,
        endLine: 7,
        command: { form: 'shell', command: 'apt-get update     && apt-get install -y curl     && echo done' },
      },
      { kind: 'RUN', line: 8 },
    ]);
    expect(parsed.warnings).toEqual([
      'Dockerfile:2: empty continuation line found in: RUN apt-get update     && apt-get install -y curl     && echo done',
    ]);
  });

  it('treats # as a comment only at the start of a line (after blanks)', () => {
    expect(body('  # comment\n    RUN echo hello # not a comment')).toMatchObject([
      { kind: 'RUN', line: 3, command: { form: 'shell', command: 'echo hello # not a comment' } },
    ]);
  });

  it('does not continue a comment line that ends with the escape character', () => {
    expect(body('# comment \\\nRUN a')).toMatchObject([{ kind: 'RUN', line: 3 }]);
  });

  it('accepts CRLF, a byte-order mark and lower-case keywords; a file may end inside a continuation', () => {
    const parsed = parse('\uFEFFfrom x\r\nrun echo a \\\r\n');
    expect(parsed.instructions).toMatchObject([
      { kind: 'FROM', image: 'x' },
      { kind: 'RUN', line: 2, command: { form: 'shell', command: 'echo a' } },
    ]);
  });
});

describe('instructions', () => {
  it('FROM: image, --platform, AS name (lower-cased), stages and global ARGs', () => {
    const parsed = parse(
      'ARG V=1\nFROM --platform=linux/amd64 alpine:$V AS Build\nRUN a\nFROM scratch\nCOPY --from=build a b\n',
    );
    expect(parsed.metaArgs).toMatchObject([{ kind: 'ARG', line: 1, args: [{ name: 'V', default: '1' }] }]);
    expect(parsed.stages).toMatchObject([
      {
        index: 0,
        name: 'build',
        from: { image: 'alpine:$V', platform: 'linux/amd64', stageName: 'build', line: 2 },
      },
      {
        index: 1,
        name: undefined,
        from: { image: 'scratch' },
        instructions: [{ kind: 'COPY', from: 'build' }],
      },
    ]);
    expect(parsed.instructions.map((i) => i.kind)).toEqual(['ARG', 'FROM', 'RUN', 'FROM', 'COPY']);
  });

  it.each<[string, object]>([
    ['RUN echo "$HOME"', { kind: 'RUN', command: { form: 'shell', command: 'echo "$HOME"' } }],
    ['RUN ["echo", "$HOME"]', { kind: 'RUN', command: { form: 'exec', args: ['echo', '$HOME'] } }],
    ['CMD [ "a" ,"b c" ]', { kind: 'CMD', command: { form: 'exec', args: ['a', 'b c'] } }],
    ['CMD []', { kind: 'CMD', command: { form: 'exec', args: [] } }],
    // Not valid JSON (unescaped backslashes): falls back to the shell form, as Docker does.
    [
      'RUN ["c:\\windows\\system32\\tasklist.exe"]',
      { kind: 'RUN', command: { form: 'shell', command: '["c:\\windows\\system32\\tasklist.exe"]' } },
    ],
    ["ENTRYPOINT ['single', 'quotes']", { kind: 'ENTRYPOINT', command: { form: 'shell' } }],
    [
      'ENTRYPOINT ["/bin/app", "--flag"]',
      { kind: 'ENTRYPOINT', command: { form: 'exec', args: ['/bin/app', '--flag'] } },
    ],
    ['SHELL ["powershell", "-command"]', { kind: 'SHELL', shell: ['powershell', '-command'] }],
    [
      'COPY --from=build --chown=1000:1000 --chmod=755 a b /dest/',
      {
        kind: 'COPY',
        from: 'build',
        chown: '1000:1000',
        chmod: '755',
        sources: ['a', 'b'],
        dest: '/dest/',
        json: false,
      },
    ],
    ['COPY ["a b", "/x y/"]', { kind: 'COPY', sources: ['a b'], dest: '/x y/', json: true }],
    ['COPY --chown="app user" a /b', { kind: 'COPY', chown: 'app user' }],
    [
      'ADD --chown=1:2 src.tar.gz /opt/',
      { kind: 'ADD', sources: ['src.tar.gz'], dest: '/opt/', chown: '1:2' },
    ],
    [
      'ENV A=1 B="x y" C=a\\ b',
      {
        kind: 'ENV',
        legacy: false,
        pairs: [
          { key: 'A', value: '1' },
          { key: 'B', value: '"x y"' },
          { key: 'C', value: 'a\\ b' },
        ],
      },
    ],
    ['ENV A hello  world', { kind: 'ENV', legacy: true, pairs: [{ key: 'A', value: 'hello  world' }] }],
    [
      'LABEL "com.example.vendor"="ACME Inc" version=1.0 description="a \\"quoted\\" thing"',
      {
        kind: 'LABEL',
        pairs: [
          { key: '"com.example.vendor"', value: '"ACME Inc"' },
          { key: 'version', value: '1.0' },
          { key: 'description', value: '"a \\"quoted\\" thing"' },
        ],
      },
    ],
    [
      'ARG A B=2 C="x y"',
      {
        kind: 'ARG',
        args: [
          { name: 'A', default: undefined },
          { name: 'B', default: '2' },
          { name: 'C', default: '"x y"' },
        ],
      },
    ],
    ['WORKDIR /a b', { kind: 'WORKDIR', path: '/a b' }],
    ['USER app:app', { kind: 'USER', user: 'app:app' }],
    ['STOPSIGNAL SIGTERM', { kind: 'STOPSIGNAL', signal: 'SIGTERM' }],
    ['EXPOSE 80 443/tcp  8000-8010/udp', { kind: 'EXPOSE', ports: ['80', '443/tcp', '8000-8010/udp'] }],
    ['VOLUME ["/data", "/logs"]', { kind: 'VOLUME', paths: ['/data', '/logs'], json: true }],
    ['VOLUME /data /logs', { kind: 'VOLUME', paths: ['/data', '/logs'], json: false }],
    ['MAINTAINER Jane <jane@example.com>', { kind: 'MAINTAINER', maintainer: 'Jane <jane@example.com>' }],
    [
      'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --retries=3 CMD curl -f http://x/ || exit 1',
      {
        kind: 'HEALTHCHECK',
        health: {
          test: ['CMD-SHELL', 'curl -f http://x/ || exit 1'],
          interval: 30e9,
          timeout: 90e9,
          startPeriod: 500e6,
          retries: 3,
        },
      },
    ],
    [
      'HEALTHCHECK CMD ["/bin/check", "-q"]',
      { kind: 'HEALTHCHECK', health: { test: ['CMD', '/bin/check', '-q'] } },
    ],
    ['healthcheck none', { kind: 'HEALTHCHECK', health: { test: ['NONE'] } }],
    [
      'ONBUILD COPY --from=x a b',
      {
        kind: 'ONBUILD',
        expression: 'COPY --from=x a b',
        trigger: { kind: 'COPY', from: 'x', sources: ['a'], dest: 'b' },
      },
    ],
    ['RUN echo "<<EOF"', { kind: 'RUN', command: { form: 'shell', command: 'echo "<<EOF"' } }],
    ['RUN echo $((1<<2)) a<<b', { kind: 'RUN' }],
  ])('%s', (line, expected) => {
    const [instruction] = body(line);
    expect(instruction).toMatchObject({ line: 2, ...expected });
  });

  it('MAINTAINER and the legacy ENV form are accepted with warnings', () => {
    expect(parse('FROM x\nMAINTAINER me\nENV A b\n').warnings).toEqual([
      'Dockerfile:2: MAINTAINER is deprecated in favor of using LABEL',
      'Dockerfile:3: "ENV key=value" should be used instead of legacy "ENV key value" format',
    ]);
  });
});

describe('errors name the file and the line where the instruction starts', () => {
  it.each<[string, string]>([
    ['FROM', 'Dockerfile:1: FROM requires either one or three arguments'],
    ['FROM a b', 'Dockerfile:1: FROM requires either one or three arguments'],
    ['FROM a AS', 'Dockerfile:1: FROM requires either one or three arguments'],
    ['FROM a FOR b', 'Dockerfile:1: FROM requires either one or three arguments'],
    [
      'FROM a AS 1st',
      'Dockerfile:1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    ],
    ['FROM a AS Scratch', 'Dockerfile:1: invalid name for build stage: "Scratch", the name is reserved'],
    ['FROM a AS b\nFROM c AS B', 'Dockerfile:2: duplicate stage name "b"'],
    ['FROM a\n\n# c\nFOO bar', 'Dockerfile:4: unknown instruction: FOO'],
    ['FROM a\napt-get install \\\n  curl', 'Dockerfile:2: unknown instruction: APT-GET'],
    [
      'ARG A\nRUN echo',
      'Dockerfile:2: no build stage in current context: RUN before the first FROM (only ARG may come before it)',
    ],
    ['', 'Dockerfile:1: file with no instructions'],
    ['# only\n# comments\n\n', 'Dockerfile:3: file with no instructions'],
    ['ARG A=1', 'Dockerfile: dockerfile contains no stages to build (no FROM)'],
    ['# escape=x\nFROM a', "Dockerfile:1: invalid escape token 'x' does not match ` or \\"],
    ['# escape=`\n# escape=\\\nFROM a', 'Dockerfile:2: only one escape parser directive can be used'],
    ['FROM a\nRUN', 'Dockerfile:2: RUN requires at least one argument'],
    ['FROM a\nCMD', 'Dockerfile:2: CMD requires at least one argument'],
    ['FROM a\nENTRYPOINT', 'Dockerfile:2: ENTRYPOINT requires at least one argument'],
    [
      'FROM a\nHEALTHCHECK --retries=many CMD x',
      'Dockerfile:2: strconv.ParseInt: parsing "many": invalid syntax',
    ],
    ['FROM a\nHEALTHCHECK --interval=1s NONE', 'Dockerfile:2: HEALTHCHECK NONE takes no arguments'],
    ['FROM a\nONBUILD MAINTAINER me', "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger"],
    [
      'FROM a\nONBUILD RUN cat <<EOF',
      'Dockerfile:2: heredocs are not supported (found "<<EOF"); put the content in a file in the build context and COPY it',
    ],
    ['FROM a\nLABEL =x', 'Dockerfile:2: LABEL names can not be blank'],
    [
      'FROM a\nCMD ["a", 1]',
      'Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only',
    ],
    ['FROM a\nSHELL /bin/sh -c', 'Dockerfile:2: SHELL requires the arguments to be in JSON form'],
    ['FROM a\nSHELL []', 'Dockerfile:2: SHELL requires at least one argument'],
    [
      'FROM a\nCOPY a',
      'Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    ],
    [
      'FROM a\nADD https://example.com/app.tar.gz /app/',
      'Dockerfile:2: ADD https://example.com/app.tar.gz: remote sources are not supported (berth build has no ' +
        'network access); download the file into the build context and COPY it',
    ],
    [
      'FROM a\nADD git@github.com:moby/buildkit.git /src',
      'Dockerfile:2: ADD git@github.com:moby/buildkit.git: remote sources are not supported (berth build has no ' +
        'network access); download the file into the build context and COPY it',
    ],
    [
      'FROM a\nCOPY http://example.com/x /x',
      'Dockerfile:2: COPY does not accept URLs (http://example.com/x): only files from the build context or another stage',
    ],
    ['FROM a\nENV', 'Dockerfile:2: ENV requires at least one argument'],
    ['FROM a\nENV A', 'Dockerfile:2: ENV must have two arguments'],
    [
      'FROM a\nENV A=1 B',
      'Dockerfile:2: Syntax error - can\'t find = in "B". Must be of the form: name=value',
    ],
    ['FROM a\nENV =1', 'Dockerfile:2: ENV names can not be blank'],
    ['FROM a\nLABEL', 'Dockerfile:2: LABEL requires at least one argument'],
    ['FROM a\nARG', 'Dockerfile:2: ARG requires at least one argument'],
    ['FROM a\nARG =x', 'Dockerfile:2: ARG names can not be blank'],
    ['FROM a\nWORKDIR', 'Dockerfile:2: WORKDIR requires exactly one argument'],
    ['FROM a\nUSER', 'Dockerfile:2: USER requires exactly one argument'],
    ['FROM a\nSTOPSIGNAL', 'Dockerfile:2: STOPSIGNAL requires exactly one argument'],
    ['FROM a\nMAINTAINER', 'Dockerfile:2: MAINTAINER requires exactly one argument'],
    ['FROM a\nEXPOSE', 'Dockerfile:2: EXPOSE requires at least one argument'],
    ['FROM a\nVOLUME', 'Dockerfile:2: VOLUME requires at least one argument'],
    ['FROM a\nVOLUME ["/a", " "]', 'Dockerfile:2: VOLUME specified can not be an empty string'],
    ['FROM a\nHEALTHCHECK', 'Dockerfile:2: HEALTHCHECK requires at least one argument'],
    ['FROM a\nHEALTHCHECK NONE now', 'Dockerfile:2: HEALTHCHECK NONE takes no arguments'],
    ['FROM a\nHEALTHCHECK RUN x', 'Dockerfile:2: Unknown type "RUN" in HEALTHCHECK (try CMD)'],
    ['FROM a\nHEALTHCHECK CMD', 'Dockerfile:2: Missing command after HEALTHCHECK CMD'],
    ['FROM a\nHEALTHCHECK --interval=soon CMD x', 'Dockerfile:2: time: invalid duration "soon"'],
    ['FROM a\nHEALTHCHECK --timeout=0s CMD x', 'Dockerfile:2: Interval "timeout" cannot be less than 1ms'],
    ['FROM a\nHEALTHCHECK --retries=0 CMD x', 'Dockerfile:2: --retries must be at least 1 (not 0)'],
    ['FROM a\nONBUILD', 'Dockerfile:2: ONBUILD requires at least one argument'],
    ['FROM a\nONBUILD ONBUILD RUN x', "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    ['FROM a\nONBUILD FROM b', "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger"],
    ['FROM a\nONBUILD FOO b', 'Dockerfile:2: unknown instruction: FOO'],
    [
      'FROM a\nRUN --mount=type=cache,target=/root/.cache make',
      'Dockerfile:2: the --mount option requires BuildKit, which berth build does not implement',
    ],
    [
      'FROM a\nCOPY --link a b',
      'Dockerfile:2: the --link option requires BuildKit, which berth build does not implement',
    ],
    ['FROM a\nCOPY --foo=1 a b', 'Dockerfile:2: unknown flag: foo'],
    ['FROM a\nADD --from=x a b', 'Dockerfile:2: unknown flag: from'],
    ['FROM a\nENV --x=1 A=1', 'Dockerfile:2: unknown flag: x'],
    ['FROM a\nCOPY --from a b', 'Dockerfile:2: Missing a value on flag: from'],
    ['FROM --platform linux/amd64 a', 'Dockerfile:1: Missing a value on flag: platform'],
    ['FROM a\nCOPY --from=a --from=b c d', 'Dockerfile:2: Duplicate flag specified: from'],
    [
      'FROM a\nRUN x\nRUN cat <<EOF > /etc/motd\nhello\nEOF',
      'Dockerfile:3: heredocs are not supported (found "<<EOF"); put the content in a file in the build context and COPY it',
    ],
    [
      'FROM a\nCOPY <<-"EOT" /x',
      'Dockerfile:2: heredocs are not supported (found "<<-\\"EOT\\""); put the content in a file in the build context and COPY it',
    ],
    [
      'FROM a\nRUN python3 << PY',
      'Dockerfile:2: heredocs are not supported (found "<< PY"); put the content in a file in the build context and COPY it',
    ],
    ['FROM a\nRUN a \\\n  b \\\n  c\nFOO', 'Dockerfile:5: unknown instruction: FOO'],
  ])('%j', (text, message) => {
    const err = failure(() => parse(text));
    expect(err.message).toBe(message);
    expect(err.file).toBe('Dockerfile');
  });

  it('uses the file name given', () => {
    const err = failure(() => parseDockerfile('FROM a\nBAD x', { file: 'docker/Dockerfile.dev' }));
    expect(err.message).toBe('docker/Dockerfile.dev:2: unknown instruction: BAD');
    expect(err.line).toBe(2);
    expect(err.reason).toBe('unknown instruction: BAD');
    expect(err.code).toBe('DOCKERFILE');
  });
});
