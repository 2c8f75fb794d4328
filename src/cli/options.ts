/**
 * Reading the values of `run`/`create` flags the way the docker CLI does: env files, label files,
 * `-a` streams, `--filter k=v`, `--since`/`--until` times, `commit --change` instructions, and the
 * `[y/N]` prompt of the prune commands.
 */
import { parseDockerfile } from '../build/dockerfile';
import type { ContainerConfig } from '../oci/types';
import { CliError, EXIT_BERTH, type Ctx } from './context';

const utf8 = new TextDecoder();

/**
 * Docker's env-file format: one `KEY=VALUE` per line, taken literally (no quotes, no expansion); `KEY`
 * alone passes the host's value (skipped when unset); blank lines and `#` comments are skipped.
 */
export function parseEnvFile(
  text: string,
  file: string,
  hostEnv: Readonly<Record<string, string | undefined>>,
): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new CliError(`berth: no variable name on line '${line}' (in ${file})`, EXIT_BERTH);
    if (/\s/.test(key))
      throw new CliError(`berth: variable '${key}' contains whitespaces (in ${file})`, EXIT_BERTH);
    if (eq >= 0) out.push(line);
    else if (hostEnv[key] !== undefined) out.push(`${key}=${hostEnv[key]}`);
  });
  return out;
}

/** `-e KEY` passes the host's value; `-e KEY=VALUE` is taken as it is. */
export function resolveEnvFlag(value: string, hostEnv: Readonly<Record<string, string | undefined>>): string {
  if (value.includes('=')) {
    if (value.startsWith('='))
      throw new CliError(`berth: invalid environment variable: ${value}`, EXIT_BERTH);
    return value;
  }
  const host = hostEnv[value];
  return host !== undefined ? `${value}=${host}` : value;
}

/** Docker's label files: `key=value` or `key` per line, `#` comments. */
export function parseLabelFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function labelsOf(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq === 0) throw new CliError(`berth: invalid label '${l}': empty name`, EXIT_BERTH);
    if (eq < 0) out[l] = '';
    else out[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return out;
}

export async function readText(ctx: Ctx, path: string, what: string): Promise<string> {
  try {
    return utf8.decode(await ctx.host.readFile(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
    throw new CliError(`berth: open ${path}: ${why} (${what})`, EXIT_BERTH);
  }
}

/** `-a stdin -a stdout`: the streams to attach, lower-cased; Docker's message for a bad one. */
export function attachStreams(values: readonly string[]): Set<'stdin' | 'stdout' | 'stderr'> {
  const out = new Set<'stdin' | 'stdout' | 'stderr'>();
  for (const v of values) {
    const s = v.toLowerCase();
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr') {
      throw new CliError(
        `invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR\nSee 'berth run --help'.`,
        EXIT_BERTH,
      );
    }
    out.add(s);
  }
  return out;
}

/** `--filter k=v` values grouped by key; unknown keys are refused with Docker's message. */
export function parseFilters(values: readonly string[], allowed: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1);
    if (!allowed.includes(key)) throw new CliError(`Error: invalid filter '${key}'`);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

export function parseBoolFilter(key: string, values: readonly string[] | undefined): boolean | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const v = values[values.length - 1]!.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new CliError(`Error: invalid filter '${key}=${v}'`);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`1h30m`, `42m`, `2.5s`) in ms; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  // \u00b5 is µ: the bundle stays ASCII, which V8 reads and holds at one byte a character.
  if (!/^([0-9.]+(ns|us|\u00b5s|ms|s|m|h))+$/.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(/([0-9.]+)(ns|us|\u00b5s|ms|s|m|h)/g))
    ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * `--since`/`--until`/`until=` values as Docker reads them: RFC 3339 (or a date), Unix seconds
 * (`1700000000.5`), or a Go duration before now (`42m`).
 */
export function parseTimeArg(value: string, now: Date, flag: string): Date {
  const rel = parseGoDuration(value);
  if (rel !== null) return new Date(now.getTime() - rel);
  if (/^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return new Date(t);
  throw new CliError(`berth: invalid value for ${flag}: ${JSON.stringify(value)} (use RFC 3339, Unix seconds, or a duration such as 42m)`); // prettier-ignore
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) {
    const inner = s.slice(1, -1);
    return s.startsWith('"') ? inner.replace(/\\(.)/g, '$1') : inner;
  }
  return s.replace(/\\(.)/g, '$1');
}

/**
 * `commit --change`: Dockerfile instructions applied to the new image's config. CMD and ENTRYPOINT in
 * shell form become `/bin/sh -c …`, as Docker writes them.
 */
export function parseChanges(changes: readonly string[]): Partial<ContainerConfig> {
  const out: Partial<ContainerConfig> = {};
  for (const change of changes) {
    let parsed;
    try {
      parsed = parseDockerfile(`FROM scratch\n${change}\n`, { file: '--change' });
    } catch (e) {
      throw new CliError(`Error: ${(e as Error).message}`);
    }
    for (const ins of parsed.stages[0]?.instructions ?? []) {
      switch (ins.kind) {
        case 'CMD':
          out.Cmd = ins.command.form === 'exec' ? ins.command.args : ['/bin/sh', '-c', ins.command.command];
          break;
        case 'ENTRYPOINT':
          out.Entrypoint =
            ins.command.form === 'exec' ? ins.command.args : ['/bin/sh', '-c', ins.command.command];
          break;
        case 'ENV':
          out.Env = [...(out.Env ?? []), ...ins.pairs.map((p) => `${p.key}=${unquote(p.value)}`)];
          break;
        case 'LABEL':
          out.Labels = {
            ...out.Labels,
            ...Object.fromEntries(ins.pairs.map((p) => [unquote(p.key), unquote(p.value)])),
          };
          break;
        case 'WORKDIR':
          out.WorkingDir = unquote(ins.path);
          break;
        case 'USER':
          out.User = ins.user;
          break;
        case 'EXPOSE':
          out.ExposedPorts = {
            ...out.ExposedPorts,
            ...Object.fromEntries(ins.ports.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])),
          };
          break;
        case 'VOLUME':
          out.Volumes = { ...out.Volumes, ...Object.fromEntries(ins.paths.map((p) => [p, {}])) };
          break;
        case 'STOPSIGNAL':
          out.StopSignal = ins.signal;
          break;
        default:
          throw new CliError(`Error: ${ins.kind} is not a valid change command`);
      }
    }
  }
  return out;
}

/** Reads one line of the host's stdin (for a prompt); '' at end of input. */
async function readLine(ctx: Ctx): Promise<string> {
  const stdin = ctx.host.stdin;
  if (stdin === undefined) return '';
  let text = '';
  for await (const chunk of stdin) {
    text += utf8.decode(chunk, { stream: true });
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl);
  }
  return text;
}

/** Docker's prune prompt: the warning, `Are you sure you want to continue? [y/N] `, one line of stdin. */
export async function confirm(ctx: Ctx, warning: string): Promise<boolean> {
  await ctx.out(`${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = (await readLine(ctx)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') {
    await ctx.out('\n');
    return false;
  }
  return true;
}
