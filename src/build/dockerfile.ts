/**
 * Dockerfile parsing with the classic builder's rules (the same parser BuildKit shares with it):
 * parser directives, comments, line continuations, exec/shell forms, per-instruction argument syntax
 * and flags. Variable substitution and stage selection live in ./resolve and are re-exported here.
 *
 * Deliberate limits (each fails with a clear DockerfileError rather than doing something else):
 * heredocs (`RUN <<EOF`), BuildKit-only flags (`RUN --mount`, `COPY --link`, `ADD --checksum` …),
 * remote ADD sources (no network), duplicate stage names and a stage named `scratch`.
 * HEALTHCHECK, ONBUILD and MAINTAINER are parsed and recorded (MAINTAINER with a deprecation warning).
 */
import { DockerfileError } from './errors';
import type { EscapeChar } from './expand';
import { isSpace } from './expand';
import type {
  ArgDeclaration,
  ArgInstruction,
  CommandLine,
  FromInstruction,
  HealthConfig,
  Instruction,
  KeyValue,
  ParsedDockerfile,
  ParserDirective,
  Stage,
} from './types';
import { isRemoteSource, parseGoDuration, remoteSourceError } from './validate';

export { expand, expandWords, SubstitutionError } from './expand';
export type { EscapeChar, ExpandOptions, Vars } from './expand';
export { planStages, resolveStages } from './resolve';
export type { PlannedStage, ResolveOptions, StagePlan } from './resolve';
export type * from './types';

export interface ParseOptions {
  /** The name used in error messages and warnings (default `Dockerfile`). */
  file?: string;
}

const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
// Go's regexp `\s` is ASCII whitespace, not JavaScript's Unicode `\s`.
const DIRECTIVE_RE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const ARG_SEPARATOR = /[\t\v\f\r ]+/;

/** Flags each instruction accepts (all take a value). */
const ALLOWED_FLAGS: Partial<Record<string, readonly string[]>> = {
  from: ['platform'],
  copy: ['from', 'chown', 'chmod'],
  add: ['chown', 'chmod'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

/** Flags Docker only has with BuildKit; the classic builder (and Berth) refuse them by name. */
const BUILDKIT_FLAGS: Partial<Record<string, readonly string[]>> = {
  run: ['mount', 'network', 'security', 'device'],
  copy: ['link', 'parents', 'exclude'],
  add: ['link', 'checksum', 'keep-git-dir', 'exclude', 'unpack'],
};

const INSTRUCTIONS = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label', 'maintainer',
  'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]); // prettier-ignore

const STAGE_NAME_RE = /^[a-z][a-z0-9-_.]*$/;

interface LogicalLine {
  text: string;
  line: number;
  endLine: number;
}

/** Thrown inside the parser with the message only; turned into a DockerfileError with the line. */
class ParseFailure extends Error {}

function fail(message: string): never {
  throw new ParseFailure(message);
}

/**
 * Parses a Dockerfile into directives, global ARGs, stages and instructions (with line numbers).
 * Throws DockerfileError (`Dockerfile:LINE: reason`) on the first problem.
 */
export function parseDockerfile(text: string, options: ParseOptions = {}): ParsedDockerfile {
  const file = options.file ?? 'Dockerfile';
  const lines = text.split(/\r?\n/);
  if (lines[0].startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();

  const directives = readDirectives(lines, file);
  const escape = (directives.find((d) => d.name === 'escape')?.value ?? '\\') as EscapeChar;
  const warnings: string[] = [];
  const logical = joinLines(lines, escape, file, warnings);

  const instructions: Instruction[] = [];
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const entry of logical) {
    let instruction: Instruction;
    try {
      instruction = parseInstruction(entry, escape);
    } catch (err) {
      if (err instanceof ParseFailure) throw new DockerfileError(file, entry.line, err.message);
      throw err;
    }
    instructions.push(instruction);
    if (instruction.kind === 'MAINTAINER') {
      warnings.push(`${file}:${entry.line}: MAINTAINER is deprecated in favor of using LABEL`);
    }
    if ((instruction.kind === 'ENV' || instruction.kind === 'LABEL') && instruction.legacy) {
      warnings.push(
        `${file}:${entry.line}: "${instruction.kind} key=value" should be used instead of legacy ` +
          `"${instruction.kind} key value" format`,
      );
    }
    if (instruction.kind === 'FROM') {
      const name = instruction.stageName;
      if (name !== undefined && stages.some((s) => s.name === name)) {
        throw new DockerfileError(file, entry.line, `duplicate stage name "${name}"`);
      }
      stages.push({ index: stages.length, name, from: instruction, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    } else if (instruction.kind === 'ARG') {
      metaArgs.push(instruction);
    } else {
      throw new DockerfileError(
        file,
        entry.line,
        `no build stage in current context: ${instruction.kind} before the first FROM (only ARG may come before it)`,
      );
    }
  }
  if (instructions.length === 0)
    throw new DockerfileError(file, Math.max(1, lines.length), 'file with no instructions');
  if (stages.length === 0)
    throw new DockerfileError(file, undefined, 'dockerfile contains no stages to build (no FROM)');
  return { file, escape, directives, metaArgs, stages, instructions, warnings };
}

/**
 * Parser directives: `# name=value` lines at the very top. The first line that is not a known
 * directive (an empty line, a plain comment, an unknown directive, an instruction) ends them; later
 * directive-looking lines are ordinary comments.
 */
function readDirectives(lines: string[], file: string): ParserDirective[] {
  const found: ParserDirective[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i].trimStart());
    if (!m) break;
    const name = m[1].toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) break;
    if (found.some((d) => d.name === name)) {
      throw new DockerfileError(file, i + 1, `only one ${name} parser directive can be used`);
    }
    const value = m[2];
    if (name === 'escape' && value !== '\\' && value !== '`') {
      throw new DockerfileError(file, i + 1, `invalid escape token '${value}' does not match \` or \\`);
    }
    found.push({ name: name as ParserDirective['name'], value, line: i + 1 });
  }
  return found;
}

function isCommentLine(raw: string): boolean {
  return raw.trimStart().startsWith('#');
}

/**
 * Physical lines to logical ones. A line ending in the escape character (trailing blanks allowed)
 * continues on the next; inside a continuation, comment lines are skipped and empty lines skipped with
 * a warning (Docker's behaviour). Leading whitespace of continuation lines is kept.
 */
function joinLines(lines: string[], escape: EscapeChar, file: string, warnings: string[]): LogicalLine[] {
  const continuation = escape === '\\' ? /\\[ \t]*$/ : /`[ \t]*$/;
  const trimContinuation = (s: string): [string, boolean] =>
    continuation.test(s) ? [s.replace(continuation, ''), true] : [s, false];

  const out: LogicalLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].trimStart();
    if (first.startsWith('#')) continue;
    let [text, continued] = trimContinuation(first);
    if (!continued && text === '') continue;
    const start = i + 1;
    let sawEmpty = false;
    while (continued && i + 1 < lines.length) {
      i++;
      const raw = lines[i];
      if (isCommentLine(raw)) continue;
      if (raw.trim() === '') {
        sawEmpty = true;
        continue;
      }
      let piece: string;
      [piece, continued] = trimContinuation(raw);
      text += piece;
    }
    if (sawEmpty) warnings.push(`${file}:${start}: empty continuation line found in: ${text.trim()}`);
    out.push({ text: text.trim(), line: start, endLine: i + 1 });
  }
  return out;
}

interface Flag {
  name: string;
  value: string | undefined;
}

/**
 * Leading `--name=value` words. Quotes in a flag word are removed and `\` escapes the next character
 * (always backslash here, as in Docker). A lone `--` ends the flags.
 */
function extractFlags(rest: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let pos = 0;
  for (;;) {
    while (pos < rest.length && isSpace(rest[pos])) pos++;
    if (!rest.startsWith('--', pos)) return { flags, rest: rest.slice(pos) };
    let word = '';
    let quote: string | undefined;
    for (; pos < rest.length; pos++) {
      const ch = rest[pos];
      if (quote === undefined && isSpace(ch)) break;
      if (ch === quote) quote = undefined;
      else if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
      else if (ch === '\\') {
        if (pos + 1 < rest.length) word += rest[++pos];
      } else word += ch;
    }
    if (word === '--') return { flags, rest: rest.slice(pos).trimStart() };
    const body = word.slice(2);
    const eq = body.indexOf('=');
    flags.push(
      eq < 0 ? { name: body, value: undefined } : { name: body.slice(0, eq), value: body.slice(eq + 1) },
    );
  }
}

/** Validates flags against what the instruction accepts; returns name → value. */
function checkFlags(cmd: string, flags: Flag[]): Map<string, string> {
  const allowed = ALLOWED_FLAGS[cmd] ?? [];
  const buildkitOnly = BUILDKIT_FLAGS[cmd] ?? [];
  const values = new Map<string, string>();
  for (const flag of flags) {
    if (buildkitOnly.includes(flag.name)) {
      fail(`the --${flag.name} option requires BuildKit, which berth build does not implement`);
    }
    if (!allowed.includes(flag.name)) fail(`unknown flag: ${flag.name}`);
    if (values.has(flag.name)) fail(`Duplicate flag specified: ${flag.name}`);
    if (flag.value === undefined) fail(`Missing a value on flag: ${flag.name}`);
    values.set(flag.name, flag.value);
  }
  return values;
}

/**
 * Splits at whitespace keeping quotes and escapes in the words (they are removed when the word is
 * expanded): `a="b c" d` → [`a="b c"`, `d`]. The escape character keeps the next character in the
 * word, except inside single quotes; a trailing escape character is dropped.
 */
export function splitWords(rest: string, escape: EscapeChar): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let blankOK = false;
  let quote: string | undefined;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (quote === undefined) {
      if (isSpace(ch)) {
        if (inWord && (blankOK || current !== '')) words.push(current);
        current = '';
        inWord = false;
        blankOK = false;
        continue;
      }
      inWord = true;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        current += ch;
      } else if (ch === escape) {
        if (i + 1 < chars.length) current += ch + chars[++i];
      } else {
        current += ch;
      }
    } else if (ch === quote) {
      quote = undefined;
      current += ch;
    } else if (ch === escape && quote !== "'") {
      if (i + 1 < chars.length) current += ch + chars[++i];
      else quote = undefined;
    } else {
      current += ch;
    }
  }
  if (inWord && (blankOK || current !== '')) words.push(current);
  return words;
}

/** Splits at the first run of blanks, like Go's `reWhitespace.Split(s, 2)`. */
function splitFirst(text: string): [string, string | undefined] {
  const sep = ARG_SEPARATOR.exec(text);
  return sep ? [text.slice(0, sep.index), text.slice(sep.index + sep[0].length)] : [text, undefined];
}

function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(ARG_SEPARATOR).filter((w) => w !== '');
}

/** JSON array of strings, or undefined when `rest` is not valid JSON starting with `[`. */
function parseJsonArray(rest: string): string[] | undefined {
  const trimmed = rest.trimStart();
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) {
    fail('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

/** RUN/CMD/ENTRYPOINT: exec form when the arguments are a JSON string array, else shell form. */
function commandLine(rest: string): CommandLine {
  const json = parseJsonArray(rest);
  return json !== undefined ? { form: 'exec', args: json } : { form: 'shell', command: rest };
}

/** ADD/COPY/VOLUME: a JSON string array, else whitespace-separated words. */
function list(rest: string): { items: string[]; json: boolean } {
  const json = parseJsonArray(rest);
  return json !== undefined ? { items: json, json: true } : { items: splitWhitespace(rest), json: false };
}

/** A here-document opener among the (shell-form) words: `<<EOF`, `<<-EOF`, `2<<"EOF"`, `<< EOF`. */
function findHeredoc(rest: string, escape: EscapeChar): string | undefined {
  const words = splitWords(rest, escape);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (/^\d*<<-?[^<]/.test(w) && !/^\d*<<-$/.test(w)) return w;
    if (/^\d*<<-?$/.test(w) && i + 1 < words.length) return `${w} ${words[i + 1]}`;
  }
  return undefined;
}

function rejectHeredoc(rest: string, escape: EscapeChar): void {
  const heredoc = findHeredoc(rest, escape);
  if (heredoc !== undefined) {
    fail(
      `heredocs are not supported (found ${JSON.stringify(heredoc)}); ` +
        'put the content in a file in the build context and COPY it',
    );
  }
}

/** ENV/LABEL: `K=V …` or the legacy `K V` (value: the rest of the line). */
function nameValues(
  rest: string,
  cmd: 'ENV' | 'LABEL',
  escape: EscapeChar,
): { pairs: KeyValue[]; legacy: boolean } {
  const words = splitWords(rest, escape);
  if (words.length === 0) fail(`${cmd} requires at least one argument`);
  if (!words[0].includes('=')) {
    const [key, value] = splitFirst(rest);
    if (value === undefined) fail(`${cmd} must have two arguments`);
    return { pairs: [{ key, value }], legacy: true };
  }
  const pairs = words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0)
      fail(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    if (eq === 0) fail(`${cmd} names can not be blank`);
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
  return { pairs, legacy: false };
}

function duration(flags: Map<string, string>, name: string): number | undefined {
  const text = flags.get(name);
  if (text === undefined || text === '') return undefined;
  const ns = parseGoDuration(text);
  if (ns === undefined) fail(`time: invalid duration ${JSON.stringify(text)}`);
  if (ns < 1e6) fail(`Interval "${name}" cannot be less than 1ms`);
  return ns;
}

function healthcheck(rest: string, flags: Map<string, string>): HealthConfig {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!m) fail('HEALTHCHECK requires at least one argument');
  const type = m[1].toUpperCase();
  const args = m[2];
  if (type === 'NONE') {
    if (args !== '' || flags.size > 0) fail('HEALTHCHECK NONE takes no arguments');
    return { test: ['NONE'] };
  }
  if (type !== 'CMD') fail(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const command = commandLine(args);
  const health: HealthConfig =
    command.form === 'exec' ? { test: ['CMD', ...command.args] } : { test: ['CMD-SHELL', command.command] };
  if ((command.form === 'exec' ? command.args.length : command.command.length) === 0) {
    fail('Missing command after HEALTHCHECK CMD');
  }
  const interval = duration(flags, 'interval');
  const timeout = duration(flags, 'timeout');
  const startPeriod = duration(flags, 'start-period');
  const startInterval = duration(flags, 'start-interval');
  if (interval !== undefined) health.interval = interval;
  if (timeout !== undefined) health.timeout = timeout;
  if (startPeriod !== undefined) health.startPeriod = startPeriod;
  if (startInterval !== undefined) health.startInterval = startInterval;
  const retries = flags.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?\d+$/.test(retries))
      fail(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
    const n = Number(retries);
    if (n < 1) fail(`--retries must be at least 1 (not ${n})`);
    health.retries = n;
  }
  return health;
}

/** Parses one logical line (also used for ONBUILD triggers). */
function parseInstruction(entry: LogicalLine, escape: EscapeChar): Instruction {
  const base = { line: entry.line, endLine: entry.endLine, original: entry.text };
  const [keyword, afterKeyword] = splitFirst(entry.text);
  const cmd = keyword.toLowerCase();
  if (!INSTRUCTIONS.has(cmd)) fail(`unknown instruction: ${keyword.toUpperCase()}`);
  const extracted = extractFlags(afterKeyword ?? '');
  const flags = checkFlags(cmd, extracted.flags);
  const rest = extracted.rest;

  switch (cmd) {
    case 'from': {
      const args = splitWhitespace(rest);
      if (args.length !== 1 && !(args.length === 3 && args[1].toLowerCase() === 'as')) {
        fail('FROM requires either one or three arguments');
      }
      let stageName: string | undefined;
      if (args.length === 3) {
        stageName = args[2].toLowerCase();
        if (!STAGE_NAME_RE.test(stageName)) {
          fail(
            `invalid name for build stage: "${args[2]}", name can't start with a number or contain symbols`,
          );
        }
        if (stageName === 'scratch') fail(`invalid name for build stage: "${args[2]}", the name is reserved`);
      }
      const from: FromInstruction = {
        kind: 'FROM',
        ...base,
        image: args[0],
        stageName,
        platform: flags.get('platform'),
      };
      return from;
    }
    case 'run':
    case 'cmd':
    case 'entrypoint': {
      const kind = cmd.toUpperCase() as 'RUN' | 'CMD' | 'ENTRYPOINT';
      if (rest === '') fail(`${kind} requires at least one argument`);
      const command = commandLine(rest);
      if (command.form === 'shell' && kind === 'RUN') rejectHeredoc(rest, escape);
      return { kind, ...base, command };
    }
    case 'shell': {
      const json = parseJsonArray(rest);
      if (rest === '' || (json !== undefined && json.length === 0))
        fail('SHELL requires at least one argument');
      if (json === undefined) fail('SHELL requires the arguments to be in JSON form');
      return { kind: 'SHELL', ...base, shell: json };
    }
    case 'copy':
    case 'add': {
      const kind = cmd.toUpperCase() as 'COPY' | 'ADD';
      const { items, json } = list(rest);
      if (!json) rejectHeredoc(rest, escape);
      if (items.length < 2) {
        fail(
          `${kind} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      }
      const sources = items.slice(0, -1);
      const remote = sources.find(isRemoteSource);
      if (remote !== undefined) fail(remoteSourceError(kind, remote));
      return {
        kind,
        ...base,
        sources,
        dest: items[items.length - 1],
        from: flags.get('from'),
        chown: flags.get('chown'),
        chmod: flags.get('chmod'),
        json,
      };
    }
    case 'env':
    case 'label': {
      const kind = cmd.toUpperCase() as 'ENV' | 'LABEL';
      return { kind, ...base, ...nameValues(rest, kind, escape) };
    }
    case 'arg': {
      const words = splitWords(rest, escape);
      if (words.length === 0) fail('ARG requires at least one argument');
      const args: ArgDeclaration[] = words.map((word) => {
        const eq = word.indexOf('=');
        if (eq === 0) fail('ARG names can not be blank');
        return eq < 0
          ? { name: word, default: undefined }
          : { name: word.slice(0, eq), default: word.slice(eq + 1) };
      });
      return { kind: 'ARG', ...base, args };
    }
    case 'workdir':
    case 'user':
    case 'stopsignal':
    case 'maintainer': {
      const kind = cmd.toUpperCase() as 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER';
      if (rest === '') fail(`${kind} requires exactly one argument`);
      switch (kind) {
        case 'WORKDIR':
          return { kind, ...base, path: rest };
        case 'USER':
          return { kind, ...base, user: rest };
        case 'STOPSIGNAL':
          return { kind, ...base, signal: rest };
        default:
          return { kind, ...base, maintainer: rest };
      }
    }
    case 'expose': {
      const ports = splitWhitespace(rest);
      if (ports.length === 0) fail('EXPOSE requires at least one argument');
      return { kind: 'EXPOSE', ...base, ports };
    }
    case 'volume': {
      const { items, json } = list(rest);
      if (items.length === 0) fail('VOLUME requires at least one argument');
      if (items.some((v) => v.trim() === '')) fail('VOLUME specified can not be an empty string');
      return { kind: 'VOLUME', ...base, paths: items.map((v) => v.trim()), json };
    }
    case 'healthcheck':
      return { kind: 'HEALTHCHECK', ...base, health: healthcheck(rest, flags) };
    default: {
      // onbuild
      if (rest === '') fail('ONBUILD requires at least one argument');
      const triggerKeyword = (/^\S+/.exec(rest) as RegExpExecArray)[0].toUpperCase();
      if (triggerKeyword === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (triggerKeyword === 'FROM' || triggerKeyword === 'MAINTAINER') {
        fail(`${triggerKeyword} isn't allowed as an ONBUILD trigger`);
      }
      const trigger = parseInstruction({ text: rest, line: entry.line, endLine: entry.endLine }, escape);
      return { kind: 'ONBUILD', ...base, expression: rest, trigger };
    }
  }
}
