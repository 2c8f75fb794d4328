/**
 * Docker-compatible command-line flags (the rules of spf13/pflag as the docker CLI configures it) and the
 * help text for each command.
 *
 *   --name value   --name=value   -n value   -nvalue   -n=value
 *   -it            combined short booleans; the last one may take a value (`-ie FOO=1`, `-ieFOO=1`)
 *   --rm           a boolean; `--rm=false` turns it off
 *   -e A -e B      list flags repeat
 *   --             ends the flags: the rest are positional arguments
 *   -              is a positional argument (stdin, for `cp`)
 *
 * A value-taking flag takes the next argument whatever it looks like (`--name -x` names the container
 * "-x"), as pflag does. Commands normally accept flags anywhere (`rm box -f`); `run` and `create` stop at
 * the first positional (the image): everything after it is the container's command, `--help` included.
 *
 * A bad flag is a FlagError: printed as Docker prints it, `unknown flag: --x` then
 * `See 'berth run --help'.`, and exit 125. Too few or too many arguments is an ArgsError (exit 1, as
 * Docker).
 */

export type FlagType = 'bool' | 'string' | 'list' | 'int' | 'bytes' | 'filter' | 'map';

export interface FlagSpec {
  /** The long name without dashes: `env`. */
  long: string;
  /** The one-letter short name: `e`. */
  short?: string;
  type: FlagType;
  /** One line of help. */
  help: string;
  /** Shown in help as `(default …)`; strings are quoted, as pflag shows them. */
  default?: string | number | boolean;
  /** Parsed but not listed in help (deprecated spellings). */
  hidden?: boolean;
  /** Store the value under this flag's key instead of its own (a deprecated alias such as `--time`). */
  key?: string;
}

export interface CommandSpec {
  /** The command path after `berth`: `run`, `container prune`, `volume ls`. */
  path: string;
  /** What follows `berth <path>` in the usage line: `[OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  usage: string;
  /** One line, for the command lists. */
  summary: string;
  /** Longer text for `--help`; the summary when absent. */
  description?: string;
  /** Other full paths that run the same command: `container run`. */
  aliases?: string[];
  flags: FlagSpec[];
  /** False for run/create: flags end at the first positional argument. Default true. */
  interspersed?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Printed after the options in `--help`. */
  notes?: string;
}

export type FlagValue = boolean | string | string[] | number;

/** A bad flag: exit 125 with Docker's message and a pointer to the command's help. */
export class FlagError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'FlagError';
  }

  /** The two lines Docker prints. */
  get text(): string {
    return `${this.message}\nSee '${this.command} --help'.\n`;
  }
}

/** The wrong number of arguments: Docker's message with the usage line; exit 1. */
export class ArgsError extends Error {
  constructor(
    message: string,
    readonly text: string,
  ) {
    super(message);
    this.name = 'ArgsError';
  }
}

export class ParsedFlags {
  constructor(
    readonly spec: CommandSpec,
    private readonly values: Map<string, FlagValue>,
    /** Positional arguments, in order. */
    readonly args: string[],
    /** `-h`/`--help` was given (before the first positional, for run/create). */
    readonly help: boolean,
  ) {}

  /** Whether the flag was given at all. */
  has(long: string): boolean {
    return this.values.has(long);
  }

  bool(long: string): boolean {
    const v = this.values.get(long);
    if (v === undefined) return defaultOf(this.spec, long) === true;
    return v === true;
  }

  string(long: string): string | undefined {
    const v = this.values.get(long);
    if (v === undefined) {
      const d = defaultOf(this.spec, long);
      return typeof d === 'string' ? d : undefined;
    }
    return typeof v === 'string' ? v : undefined;
  }

  list(long: string): string[] {
    const v = this.values.get(long);
    return Array.isArray(v) ? v : [];
  }

  int(long: string): number | undefined {
    const v = this.values.get(long);
    if (v === undefined) {
      const d = defaultOf(this.spec, long);
      return typeof d === 'number' ? d : undefined;
    }
    return typeof v === 'number' ? v : undefined;
  }
}

function defaultOf(spec: CommandSpec, long: string): FlagSpec['default'] {
  return spec.flags.find((f) => f.long === long)?.default;
}

/** `berth run`: the command's full name as messages show it. */
export function commandName(spec: CommandSpec): string {
  return `berth ${spec.path}`;
}

const BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const BOOL_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

const RAM_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }; // prettier-ignore

/**
 * Docker's RAMInBytes: `64m`, `1g`, `512k`, `1.5g`, `65536`, `64MiB`, `64mb` → bytes (powers of 1024);
 * null when malformed.
 */
export function parseRamSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtpb]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * RAM_UNITS[m[2]!.toLowerCase()]!);
  return Number.isFinite(bytes) ? bytes : null;
}

/** How pflag names a flag in messages: `-t, --timeout` or `--rm`. */
function flagLabel(flag: FlagSpec): string {
  return flag.short !== undefined ? `-${flag.short}, --${flag.long}` : `--${flag.long}`;
}

/** Parses argv (the arguments after the command path) against the command's flags. Throws FlagError. */
export function parseFlags(spec: CommandSpec, argv: readonly string[]): ParsedFlags {
  const name = commandName(spec);
  const fail = (message: string): never => {
    throw new FlagError(message, name);
  };
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const f of spec.flags) {
    byLong.set(f.long, f);
    if (f.short !== undefined) byShort.set(f.short, f);
  }
  const values = new Map<string, FlagValue>();
  const args: string[] = [];
  let help = false;

  const set = (flag: FlagSpec, raw: string): void => {
    const key = flag.key ?? flag.long;
    const invalid = (why: string): never =>
      fail(`invalid argument ${JSON.stringify(raw)} for ${JSON.stringify(flagLabel(flag))} flag: ${why}`);
    switch (flag.type) {
      case 'bool':
        if (BOOL_TRUE.has(raw)) values.set(key, true);
        else if (BOOL_FALSE.has(raw)) values.set(key, false);
        else invalid(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
        return;
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw))
          invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
        const n = Number(raw);
        if (!Number.isSafeInteger(n))
          invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
        values.set(key, n);
        return;
      }
      case 'bytes': {
        const n = parseRamSize(raw);
        if (n === null) invalid(`invalid size: '${raw}'`);
        values.set(key, n!);
        return;
      }
      case 'list':
      case 'filter':
      case 'map': {
        if (flag.type === 'filter' && !raw.includes('='))
          invalid(`bad format of filter (expected name=value)`);
        const prev = values.get(key);
        values.set(key, [...(Array.isArray(prev) ? prev : []), raw]);
        return;
      }
      case 'string':
        values.set(key, raw);
        return;
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (spec.interspersed === false) {
        args.push(...argv.slice(i));
        break;
      }
      args.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const body = arg.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) fail(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const long = eq < 0 ? body : body.slice(0, eq);
      if (long === 'help') {
        help = true;
        continue;
      }
      const flag = byLong.get(long);
      if (flag === undefined) fail(`unknown flag: --${long}`);
      if (eq >= 0) set(flag!, body.slice(eq + 1));
      else if (flag!.type === 'bool') set(flag!, 'true');
      else if (i + 1 < argv.length) set(flag!, argv[++i]!);
      else fail(`flag needs an argument: --${long}`);
      continue;
    }
    // Short flags, possibly combined.
    let shorts = arg.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      if (c === 'h' && !byShort.has('h')) {
        help = true;
        shorts = shorts.slice(1);
        continue;
      }
      const flag = byShort.get(c);
      if (flag === undefined) fail(`unknown shorthand flag: '${c}' in ${arg}`);
      if (shorts.length > 2 && shorts[1] === '=') {
        set(flag!, shorts.slice(2));
        shorts = '';
      } else if (flag!.type === 'bool') {
        set(flag!, 'true');
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        set(flag!, shorts.slice(1));
        shorts = '';
      } else if (i + 1 < argv.length) {
        set(flag!, argv[++i]!);
        shorts = '';
      } else {
        fail(`flag needs an argument: '${c}' in -${c}`);
      }
    }
  }
  return new ParsedFlags(spec, values, args, help);
}

/** Checks the number of positional arguments; throws ArgsError with Docker's wording. */
export function checkArgs(spec: CommandSpec, parsed: ParsedFlags): void {
  const n = parsed.args.length;
  const name = commandName(spec);
  const plural = (k: number) => (k === 1 ? 'argument' : 'arguments');
  let message: string | undefined;
  if (spec.maxArgs === 0 && n > 0) {
    message = `"${name}" accepts no arguments.`;
  } else if (spec.minArgs !== undefined && spec.maxArgs === spec.minArgs && n !== spec.minArgs) {
    message = `"${name}" requires exactly ${spec.minArgs} ${plural(spec.minArgs)}.`;
  } else if (spec.minArgs !== undefined && n < spec.minArgs) {
    message = `"${name}" requires at least ${spec.minArgs} ${plural(spec.minArgs)}.`;
  } else if (spec.maxArgs !== undefined && n > spec.maxArgs) {
    message = `"${name}" requires at most ${spec.maxArgs} ${plural(spec.maxArgs)}.`;
  }
  if (message === undefined) return;
  const text = `${message}\nSee '${name} --help'.\n\n` + `Usage:  ${usageLine(spec)}\n\n${spec.summary}\n`;
  throw new ArgsError(message, text);
}

export function usageLine(spec: CommandSpec): string {
  return `${commandName(spec)} ${spec.usage}`.trimEnd();
}

/** The value word pflag shows after a flag in help. */
function typeWord(flag: FlagSpec): string {
  switch (flag.type) {
    case 'bool':
      return '';
    default:
      return flag.type;
  }
}

/** pflag's FlagUsages: flags sorted by long name, descriptions aligned three spaces past the widest. */
export function flagTable(flags: readonly FlagSpec[]): string {
  const shown = flags
    .filter((f) => !f.hidden)
    .sort((a, b) => (a.long < b.long ? -1 : a.long > b.long ? 1 : 0));
  const lefts = shown.map((f) => {
    const head = f.short !== undefined ? `  -${f.short}, --${f.long}` : `      --${f.long}`;
    const word = typeWord(f);
    return word === '' ? head : `${head} ${word}`;
  });
  const width = Math.max(0, ...lefts.map((l) => l.length));
  return shown
    .map((f, i) => {
      let text = f.help;
      if (f.default !== undefined && f.default !== false && f.default !== '' && f.default !== 0) {
        text +=
          typeof f.default === 'string'
            ? ` (default ${JSON.stringify(f.default)})`
            : ` (default ${f.default})`;
      }
      const lines = text.split('\n');
      const pad = ' '.repeat(width + 3);
      return (
        lefts[i]!.padEnd(width + 3) +
        lines[0] +
        lines
          .slice(1)
          .map((l) => `\n${pad}${l}`)
          .join('') +
        '\n'
      );
    })
    .join('');
}

/** `berth COMMAND --help`, laid out as Docker's. */
export function commandHelp(spec: CommandSpec): string {
  let out = `\nUsage:  ${usageLine(spec)}\n\n${(spec.description ?? spec.summary).trim()}\n`;
  if (spec.aliases && spec.aliases.length > 0) {
    out += `\nAliases:\n  ${[spec.path, ...spec.aliases].map((p) => `berth ${p}`).join(', ')}\n`;
  }
  if (spec.flags.some((f) => !f.hidden)) out += `\nOptions:\n${flagTable(spec.flags)}`;
  if (spec.notes) out += `\n${spec.notes.trim()}\n`;
  return out;
}

/** Docker's command list: each name padded to at least 11 columns plus one space, then the summary. */
export function commandList(entries: readonly (readonly [string, string])[]): string {
  const pad = Math.max(11, ...entries.map(([n]) => n.length)) + 1;
  return entries.map(([n, s]) => `  ${n.padEnd(pad)}${s}\n`).join('');
}
