/**
 * `berth build`: build an image from a Dockerfile, like `DOCKER_BUILDKIT=0 docker build`.
 *
 *   berth build [-t NAME[:TAG]]... [-f FILE] [--build-arg K=V]... [--no-cache] [--target STAGE] [-q]
 *               [--iidfile FILE] CONTEXT
 *
 * Flags follow Docker's (pflag) syntax: `-t x`, `--tag x`, `--tag=x`; flags and the context may come in
 * any order; `--` ends the flags. Host-neutral: the context directory, files and the Dockerfile come in
 * through BuildIo.
 *
 * Exit status: 0 when built; 1 when the build failed (a RUN step exited non-zero, a COPY source is
 * missing, a bad Dockerfile — Docker's `docker build` exits 1 for these); 125 for a usage error (unknown
 * flag, missing context, a malformed -t).
 */
import { build, type BuildOptions } from '../build/Builder';
import type { BuildCache } from '../build/cache';
import type { BuildContextSource } from '../build/context';
import type { Engine } from '../engine/Engine';
import { parseReference } from '../oci/reference';

export const EXIT_USAGE = 125;
export const EXIT_BUILD_FAILED = 1;

export const BUILD_USAGE = `Usage:  berth build [OPTIONS] PATH

Build an image from a Dockerfile (like the classic "docker build").

Options:
      --build-arg list   Set build-time variables (KEY=VALUE, or KEY to take the
                         value from the environment). Repeatable.
  -f, --file string      Name of the Dockerfile (default: "PATH/Dockerfile")
      --iidfile string   Write the image ID to the file
      --no-cache         Do not use cache when building the image
  -q, --quiet            Suppress the build output and print image ID on success
  -t, --tag list         Name and optionally a tag in the "name:tag" format.
                         Repeatable.
      --target string    Set the target build stage to build.
  -h, --help             Print this help
`;

export interface BuildIo {
  stdout(s: string): unknown;
  stderr(s: string): unknown;
  /** Reads a host file (for `-f` outside the context); rejection with code ENOENT means missing. */
  readFile?(path: string): Promise<Uint8Array>;
  /** Writes a host file (for `--iidfile`). */
  writeFile?(path: string, data: string): Promise<void>;
  /** Opens the CONTEXT directory (path as given, relative to cwd) as a build context. */
  openContext?(path: string): Promise<BuildContextSource>;
  /** The host's environment, for `--build-arg KEY` without a value. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The working directory the paths are relative to ('/'-separated). */
  cwd: string;
  /** The layer cache (default: the engine's, see Builder). */
  cache?: BuildCache;
  /** Makes a FROM / COPY --from image that is not in the store available (BuildOptions.provideImage). */
  provideImage?(ref: string): Promise<boolean>;
  /** Called when the build built steps, rather than taking them all from the cache (CliHost.heavyRun). */
  heavyRun?(): void;
}

export interface BuildArgs {
  help: boolean;
  tags: string[];
  file: string | undefined;
  buildArgs: Record<string, string>;
  noCache: boolean;
  target: string | undefined;
  quiet: boolean;
  iidfile: string | undefined;
  context: string;
}

export class UsageError extends Error {}

type Flag = 'tag' | 'file' | 'build-arg' | 'no-cache' | 'target' | 'quiet' | 'iidfile' | 'help';
const LONG: Record<string, Flag> = {
  tag: 'tag',
  file: 'file',
  'build-arg': 'build-arg',
  'no-cache': 'no-cache',
  target: 'target',
  quiet: 'quiet',
  iidfile: 'iidfile',
  help: 'help',
};
const SHORT: Record<string, Flag> = { t: 'tag', f: 'file', q: 'quiet', h: 'help' };
const BOOLEAN = new Set<Flag>(['no-cache', 'quiet', 'help']);

/** pflag's bool parsing: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. */
function parseBool(flag: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new UsageError(
    `invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
  );
}

/** Parses the arguments after `build`. Throws UsageError with Docker's wording. */
export function parseBuildArgs(argv: readonly string[], env: BuildIo['env'] = {}): BuildArgs {
  const out: BuildArgs = {
    help: false,
    tags: [],
    file: undefined,
    buildArgs: {},
    noCache: false,
    target: undefined,
    quiet: false,
    iidfile: undefined,
    context: '',
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let flag: Flag;
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const long = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      name = `--${long}`;
      const known = LONG[long];
      if (known === undefined) throw new UsageError(`unknown flag: ${name}`);
      flag = known;
    } else {
      const letter = arg[1];
      name = `-${letter}`;
      const known = SHORT[letter];
      if (known === undefined) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
      flag = known;
      if (arg.length > 2) {
        if (arg[2] === '=') inline = arg.slice(3);
        else if (BOOLEAN.has(flag)) throw new UsageError(`unknown shorthand flag: '${arg[2]}' in ${arg}`);
        else
          throw new UsageError(`flag ${name} takes its value as the next argument: ${name} ${arg.slice(2)}`);
      }
    }
    let value: string;
    if (BOOLEAN.has(flag)) {
      const on = inline === undefined ? true : parseBool(name, inline);
      if (flag === 'help') out.help = on;
      else if (flag === 'quiet') out.quiet = on;
      else out.noCache = on;
      continue;
    }
    if (inline !== undefined) value = inline;
    else if (i + 1 < argv.length) value = argv[++i];
    else
      throw new UsageError(
        `flag needs an argument: ${name.startsWith('--') ? name : `'${name[1]}' in ${name}`}`,
      );
    switch (flag) {
      case 'tag':
        out.tags.push(value);
        break;
      case 'file':
        out.file = value;
        break;
      case 'target':
        out.target = value;
        break;
      case 'iidfile':
        out.iidfile = value;
        break;
      case 'build-arg': {
        const eq = value.indexOf('=');
        if (eq === 0)
          throw new UsageError(`invalid argument "${value}" for "--build-arg" flag: no variable name`);
        if (eq > 0) out.buildArgs[value.slice(0, eq)] = value.slice(eq + 1);
        else if (env?.[value] !== undefined) out.buildArgs[value] = env[value] as string;
        // Docker: `--build-arg NAME` with NAME unset in the environment is ignored.
        break;
      }
    }
  }
  if (out.help) return out;
  if (positional.length !== 1) {
    throw new UsageError(
      `"berth build" requires exactly 1 argument.\nSee 'berth build --help'.\n\nUsage:  berth build [OPTIONS] PATH`,
    );
  }
  out.context = positional[0];
  for (const tag of out.tags) {
    let ref;
    try {
      ref = parseReference(tag);
    } catch {
      throw new UsageError(`invalid argument "${tag}" for "-t, --tag" flag: invalid reference format`);
    }
    if (ref.digest !== undefined) {
      throw new UsageError(`invalid argument "${tag}" for "-t, --tag" flag: a tag may not contain a digest`);
    }
  }
  return out;
}

function joinPath(cwd: string, path: string): string {
  if (path.startsWith('/')) return path;
  if (cwd === '' || cwd === '.') return path;
  return cwd.endsWith('/') ? `${cwd}${path}` : `${cwd}/${path}`;
}

/** Relative path of `file` inside `dir`, or undefined when it is outside (both '/'-separated). */
function inside(dir: string, file: string): string | undefined {
  const norm = (p: string) => p.split('/').filter((s) => s !== '' && s !== '.');
  const d = norm(dir);
  const f = norm(file);
  if (f.includes('..') || d.includes('..')) return undefined;
  if (f.length <= d.length || !d.every((part, i) => f[i] === part)) return undefined;
  return f.slice(d.length).join('/');
}

function errorCode(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
}

export async function buildCommand(engine: Engine, argv: string[], io: BuildIo): Promise<number> {
  let args: BuildArgs;
  try {
    args = parseBuildArgs(argv, io.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(
      e.message.includes('\n') ? `berth: ${e.message}\n` : `berth: ${e.message}\nSee 'berth build --help'.\n`,
    );
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout(BUILD_USAGE);
    return 0;
  }
  const fail = (message: string, code = EXIT_BUILD_FAILED): number => {
    io.stderr(`${message}\n`);
    return code;
  };
  if (io.openContext === undefined)
    return fail('berth: build contexts cannot be opened on this host', EXIT_USAGE);

  let context: BuildContextSource;
  try {
    context = await io.openContext(args.context);
  } catch (e) {
    return fail(`berth: ${(e as Error).message}`);
  }

  // -f: relative to the working directory like Docker; inside the context it is read from there,
  // outside it through readFile.
  let dockerfile: BuildOptions['dockerfile'];
  if (args.file !== undefined) {
    const contextDir = joinPath(io.cwd, args.context);
    const fileAbs = joinPath(io.cwd, args.file);
    const rel = inside(contextDir, fileAbs);
    if (rel !== undefined) {
      dockerfile = { path: rel };
    } else {
      if (io.readFile === undefined) return fail(`berth: cannot read ${args.file} on this host`);
      try {
        const text = new TextDecoder().decode(await io.readFile(fileAbs));
        dockerfile = { text, name: args.file.split('/').pop() || 'Dockerfile' };
      } catch (e) {
        if (errorCode(e) === 'ENOENT') {
          return fail(
            `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${fileAbs}: no such file or directory`,
          );
        }
        return fail(`berth: cannot read ${args.file}: ${(e as Error).message}`);
      }
    }
  }

  // -q: the progress is kept back and shown only when the build fails (docker build -q does the same).
  let held = '';
  const output = args.quiet ? (s: string) => void (held += s) : (s: string) => void io.stdout(s);
  let imageId: string;
  try {
    const result = await build(engine, {
      context,
      ...(dockerfile !== undefined ? { dockerfile } : {}),
      tags: args.tags,
      buildArgs: args.buildArgs,
      noCache: args.noCache,
      ...(args.target !== undefined ? { target: args.target } : {}),
      ...(io.cache !== undefined ? { cache: io.cache } : {}),
      ...(io.provideImage !== undefined ? { provideImage: io.provideImage } : {}),
      output,
    });
    imageId = result.imageId;
    if (result.built > 0) io.heavyRun?.();
  } catch (e) {
    if (held !== '') io.stderr(held);
    return fail((e as Error).message);
  } finally {
    // Remembered file digests are only a speed-up: failing to save them fails no build.
    await context.release?.().catch(() => undefined);
  }
  if (args.quiet) io.stdout(`${imageId}\n`);
  if (args.iidfile !== undefined) {
    if (io.writeFile === undefined) return fail('berth: --iidfile is not available on this host');
    try {
      await io.writeFile(joinPath(io.cwd, args.iidfile), imageId);
    } catch (e) {
      return fail(`berth: failed to write image ID to file: ${(e as Error).message}`);
    }
  }
  return 0;
}
