/** `berth build` flag parsing: Docker's (pflag) syntax and messages. */
import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from '../../src/cli/build';

describe('berth build flags', () => {
  it('parses every flag in its long, short and = forms, in any order around the context', () => {
    const a = parseBuildArgs([
      '-t',
      'app',
      '--tag=app:1',
      '--tag',
      'reg.example:5000/x/app:2',
      '.',
      '-f',
      'build/Dockerfile',
      '--build-arg',
      'A=1',
      '--build-arg=B=x=y',
      '--no-cache',
      '--target',
      'build',
      '-q',
      '--iidfile',
      'id.txt',
    ]);
    expect(a).toEqual({
      help: false,
      tags: ['app', 'app:1', 'reg.example:5000/x/app:2'],
      file: 'build/Dockerfile',
      buildArgs: { A: '1', B: 'x=y' },
      noCache: true,
      target: 'build',
      quiet: true,
      iidfile: 'id.txt',
      context: '.',
    });
    expect(parseBuildArgs(['--file=D', '--quiet', '--no-cache=false', '--', '-ctx']).context).toBe('-ctx');
    expect(parseBuildArgs(['--quiet=true', 'x']).quiet).toBe(true);
  });

  it('takes a bare --build-arg NAME from the environment, and ignores it when unset', () => {
    expect(
      parseBuildArgs(['--build-arg', 'HOME', '--build-arg', 'NOPE', '.'], { HOME: '/root' }).buildArgs,
    ).toEqual({
      HOME: '/root',
    });
  });

  it('rejects bad flags with pflag/Docker wording', () => {
    expect(() => parseBuildArgs(['--x', '.'])).toThrow('unknown flag: --x');
    expect(() => parseBuildArgs(['-x', '.'])).toThrow("unknown shorthand flag: 'x' in -x");
    expect(() => parseBuildArgs(['-t'])).toThrow("flag needs an argument: 't' in -t");
    expect(() => parseBuildArgs(['.', '--tag'])).toThrow('flag needs an argument: --tag');
    expect(() => parseBuildArgs(['-tapp', '.'])).toThrow(
      'flag -t takes its value as the next argument: -t app',
    );
    expect(() => parseBuildArgs(['--no-cache=maybe', '.'])).toThrow(
      'invalid argument "maybe" for "--no-cache" flag',
    );
    expect(() => parseBuildArgs(['-t', 'Bad:Name', '.'])).toThrow(
      'invalid argument "Bad:Name" for "-t, --tag" flag: invalid reference format',
    );
    expect(() => parseBuildArgs([])).toThrow('"berth build" requires exactly 1 argument.');
    expect(() => parseBuildArgs(['a', 'b'])).toThrow('"berth build" requires exactly 1 argument.');
    expect(parseBuildArgs(['--help']).help).toBe(true);
    expect(() => parseBuildArgs(['-h', '--bogus'])).toThrow('unknown flag: --bogus');
  });
});
