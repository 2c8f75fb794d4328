/** The Docker-compatible flag parser and help layout (pure). */
import { describe, expect, it } from 'vitest';
import {
  ArgsError,
  checkArgs,
  commandHelp,
  commandList,
  FlagError,
  flagTable,
  parseFlags,
  parseRamSize,
  type CommandSpec,
} from '../../src/cli/flags';

const run: CommandSpec = {
  path: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create and run a new container from an image',
  aliases: ['container run'],
  interspersed: false,
  minArgs: 1,
  flags: [
    { long: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
    { long: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
    { long: 'detach', short: 'd', type: 'bool', help: 'Run container in background' },
    { long: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { long: 'attach', short: 'a', type: 'list', help: 'Attach to STDIN, STDOUT or STDERR' },
    { long: 'name', type: 'string', help: 'Assign a name to the container' },
    { long: 'rm', type: 'bool', help: 'Automatically remove the container when it exits' },
    { long: 'memory', short: 'm', type: 'bytes', help: 'Memory limit' },
    { long: 'stop-timeout', type: 'int', help: 'Timeout (in seconds) to stop a container' },
    { long: 'hostname', short: 'h', type: 'string', help: 'Container host name' },
  ],
};

const rm: CommandSpec = {
  path: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Remove one or more containers',
  minArgs: 1,
  flags: [
    { long: 'force', short: 'f', type: 'bool', help: 'Force the removal of a running container' },
    { long: 'volumes', short: 'v', type: 'bool', help: 'Remove anonymous volumes' },
  ],
};

const stop: CommandSpec = {
  path: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Stop one or more running containers',
  flags: [
    { long: 'timeout', short: 't', type: 'int', help: 'Seconds to wait before killing the container' },
    { long: 'time', type: 'int', help: 'Seconds to wait', hidden: true, key: 'timeout' },
    { long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
  ],
};

function flagError(spec: CommandSpec, argv: string[]): string {
  try {
    parseFlags(spec, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(FlagError);
    return (e as FlagError).text;
  }
  throw new Error('expected a FlagError');
}

describe('parseFlags', () => {
  it.each<[string[], Record<string, unknown>, string[]]>([
    [['hello'], {}, ['hello']],
    [['-it', 'hello'], { interactive: true, tty: true }, ['hello']],
    [['-i', '-t', 'hello', 'a', 'b'], { interactive: true, tty: true }, ['hello', 'a', 'b']],
    [['--name', 'box', 'hello'], { name: 'box' }, ['hello']],
    [['--name=box', 'hello'], { name: 'box' }, ['hello']],
    [['--name', '-x', 'hello'], { name: '-x' }, ['hello']],
    [['--name='], { name: '' }, []],
    [
      ['-e', 'A=1', '--env=B=2', '-eC=3', '-e=D=4', 'hello'],
      { env: ['A=1', 'B=2', 'C=3', 'D=4'] },
      ['hello'],
    ],
    [['-ie', 'A=1', 'hello'], { interactive: true, env: ['A=1'] }, ['hello']],
    [['-ieA=1', 'hello'], { interactive: true, env: ['A=1'] }, ['hello']],
    [['-a', 'stdout', '-a', 'stderr', 'hello'], { attach: ['stdout', 'stderr'] }, ['hello']],
    [['--rm', 'hello'], { rm: true }, ['hello']],
    [['--rm=false', 'hello'], { rm: false }, ['hello']],
    [['--rm=1', 'hello'], { rm: true }, ['hello']],
    [['-m', '64m', 'hello'], { memory: 64 * 1024 * 1024 }, ['hello']],
    [['--memory=1g', 'hello'], { memory: 1024 ** 3 }, ['hello']],
    [['--stop-timeout', '5', 'hello'], { 'stop-timeout': 5 }, ['hello']],
    [['--stop-timeout=-1', 'hello'], { 'stop-timeout': -1 }, ['hello']],
    [['-h', 'myhost', 'hello'], { hostname: 'myhost' }, ['hello']],
    // Flags stop at the image: the rest is the container's command, flags and all.
    [['hello', '-it', '--rm', '--help'], {}, ['hello', '-it', '--rm', '--help']],
    [['hello', '--', 'x'], {}, ['hello', '--', 'x']],
    [['--', 'hello', '-i'], {}, ['hello', '-i']],
    [['-'], {}, ['-']],
  ])('run %j', (argv, flags, args) => {
    const p = parseFlags(run, argv);
    expect(p.args).toEqual(args);
    for (const [k, v] of Object.entries(flags)) {
      if (Array.isArray(v)) expect(p.list(k)).toEqual(v);
      else if (typeof v === 'boolean') expect(p.bool(k)).toBe(v);
      else if (typeof v === 'number') expect(p.int(k)).toBe(v);
      else expect(p.string(k)).toBe(v);
    }
    expect(p.help).toBe(false);
  });

  it('accepts flags after positionals for ordinary commands', () => {
    const p = parseFlags(rm, ['a', '-f', 'b', '--volumes']);
    expect(p.args).toEqual(['a', 'b']);
    expect(p.bool('force')).toBe(true);
    expect(p.bool('volumes')).toBe(true);
    expect(parseFlags(rm, ['-fv', 'x']).bool('volumes')).toBe(true);
    expect(parseFlags(rm, ['--', '-f']).args).toEqual(['-f']);
  });

  it('stores a hidden alias under its key', () => {
    expect(parseFlags(stop, ['--time', '3', 'c']).int('timeout')).toBe(3);
    expect(parseFlags(stop, ['-t3', 'c']).int('timeout')).toBe(3);
    expect(parseFlags(stop, ['c']).int('timeout')).toBeUndefined();
  });

  it('sees --help and -h (when -h is not taken)', () => {
    expect(parseFlags(rm, ['--help']).help).toBe(true);
    expect(parseFlags(rm, ['x', '-h']).help).toBe(true);
    expect(parseFlags(run, ['--help']).help).toBe(true);
    expect(parseFlags(run, ['hello', '--help']).help).toBe(false);
  });

  it.each<[CommandSpec, string[], string]>([
    [run, ['--frobnicate', 'hello'], "unknown flag: --frobnicate\nSee 'berth run --help'.\n"],
    [run, ['-z', 'hello'], "unknown shorthand flag: 'z' in -z\nSee 'berth run --help'.\n"],
    [run, ['-itz', 'hello'], "unknown shorthand flag: 'z' in -itz\nSee 'berth run --help'.\n"],
    [run, ['--name'], "flag needs an argument: --name\nSee 'berth run --help'.\n"],
    [run, ['-e'], "flag needs an argument: 'e' in -e\nSee 'berth run --help'.\n"],
    [run, ['---x'], "bad flag syntax: ---x\nSee 'berth run --help'.\n"],
    [
      run,
      ['--rm=maybe', 'x'],
      'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax\n' +
        "See 'berth run --help'.\n",
    ],
    [
      run,
      ['-m', 'lots', 'x'],
      `invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\nSee 'berth run --help'.\n`,
    ],
    [
      stop,
      ['-t', 'soon', 'c'],
      'invalid argument "soon" for "-t, --timeout" flag: strconv.ParseInt: parsing "soon": invalid syntax\n' +
        "See 'berth stop --help'.\n",
    ],
    [rm, ['x', '--frobnicate'], "unknown flag: --frobnicate\nSee 'berth rm --help'.\n"],
  ])('refuses %#', (spec, argv, text) => {
    expect(flagError(spec, argv)).toBe(text);
  });

  it('parses RAM sizes in powers of 1024', () => {
    expect(parseRamSize('65536')).toBe(65536);
    expect(parseRamSize('512k')).toBe(512 * 1024);
    expect(parseRamSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseRamSize('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseRamSize('64mb')).toBe(64 * 1024 * 1024);
    expect(parseRamSize('lots')).toBeNull();
  });
});

describe('checkArgs', () => {
  it('says how many arguments the command wants, with the usage line', () => {
    const p = parseFlags(rm, []);
    let err: ArgsError | undefined;
    try {
      checkArgs(rm, p);
    } catch (e) {
      err = e as ArgsError;
    }
    expect(err).toBeInstanceOf(ArgsError);
    expect(err!.text).toBe(
      `"berth rm" requires at least 1 argument.\nSee 'berth rm --help'.\n\n` +
        'Usage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n',
    );
    const exact: CommandSpec = { ...rm, path: 'rename', minArgs: 2, maxArgs: 2 };
    expect(() => checkArgs(exact, parseFlags(exact, ['a']))).toThrow(
      '"berth rename" requires exactly 2 arguments.',
    );
    const none: CommandSpec = { ...rm, path: 'version', minArgs: 0, maxArgs: 0 };
    expect(() => checkArgs(none, parseFlags(none, ['a']))).toThrow('"berth version" accepts no arguments.');
    expect(() => checkArgs(rm, parseFlags(rm, ['a', 'b']))).not.toThrow();
  });
});

describe('help', () => {
  it('lays out options as pflag does: sorted, aligned three spaces past the widest', () => {
    expect(flagTable(stop.flags)).toBe(
      '  -s, --signal string   Signal to send to the container\n' +
        '  -t, --timeout int     Seconds to wait before killing the container\n',
    );
    expect(
      flagTable([
        { long: 'rm', type: 'bool', help: 'Remove' },
        { long: 'env', short: 'e', type: 'list', help: 'Env' },
        { long: 'tail', short: 'n', type: 'string', help: 'Lines', default: 'all' },
        { long: 'pause', short: 'p', type: 'bool', help: 'Pause', default: true },
      ]),
    ).toBe(
      '  -e, --env list      Env\n' +
        '  -p, --pause         Pause (default true)\n' +
        '      --rm            Remove\n' +
        '  -n, --tail string   Lines (default "all")\n',
    );
  });

  it('prints a command help like Docker', () => {
    const help = commandHelp(run);
    expect(help).toMatch(
      /^\nUsage: {2}berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n\nCreate and run/,
    );
    expect(help).toContain('\nAliases:\n  berth run, berth container run\n');
    expect(help).toContain('\nOptions:\n  -a, --attach list ');
    expect(help).toContain('      --rm ');
  });

  it('pads command names to 11 columns plus one space', () => {
    expect(
      commandList([
        ['run', 'Run'],
        ['ps', 'List'],
      ]),
    ).toBe('  run         Run\n  ps          List\n');
  });
});
