/**
 * The berth command line, host-neutral: arguments, stdio, files, workers and the engine come in through
 * CliHost, and the exit status goes out as main()'s result. src/node/bin.ts wires it to a Node process.
 *
 * Commands and flags are Docker's (see specs.ts); `berth wasm run` runs a bare module without an image.
 */
import type { WorkerHost } from '../../runtime/process/types';
import type { BuildCache } from '../build/cache';
import type { BuildContextSource } from '../build/context';
import type { Engine } from '../engine/Engine';
import type { TransferFs } from '../transfer/fs';
import { CliError, EXIT_BERTH, EXIT_FAILURE, errorText, type Ctx, type Handler } from './context';
import { ArgsError, checkArgs, commandHelp, FlagError, parseFlags } from './flags';
import { GROUPS, groupHelp, rootHelp, SPECS, type CommandPath } from './specs';
import { TemplateError } from './template';
import { CONTAINER_HANDLERS } from './containers';
import { IMAGE_HANDLERS } from './images';
import { SYSTEM_HANDLERS } from './system';
import { VOLUME_HANDLERS } from './volumes';
import { EXIT_BERTH_ERROR, WASM_RUN_USAGE, wasmRun } from './wasmRun';

/** A file being written (`export -o`, `save -o`). */
export interface FileSink {
  /** May return a promise while the file's buffer is full. */
  write(chunk: Uint8Array): unknown;
  /** Flushes and closes; the file is complete once it resolves. */
  close(): Promise<void>;
  /** Closes and removes the partial file. */
  abort(): Promise<void>;
}

export interface CliHost {
  /** The arguments after the program name. */
  argv: readonly string[];
  /** May return a promise while the destination is full (backpressure). */
  stdout(chunk: Uint8Array | string): unknown;
  stderr(chunk: Uint8Array | string): unknown;
  /** Streamed into the guest; absent means empty stdin. */
  stdin?: AsyncIterable<Uint8Array>;
  /** The host's environment, for `--env NAME` (pass a host variable through). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file; a rejection with `code: 'ENOENT'` reads as "no such file". */
  readFile(path: string): Promise<Uint8Array>;
  /** Makes a --dir host path absolute and checks it is a directory; throws with the problem otherwise. */
  resolveHostDir(path: string): string;
  workerHost: WorkerHost;
  version: string;
  /** Opens the engine on this machine's state. Absent: only `wasm run` and help work. */
  openEngine?(): Promise<Engine>;
  /** Reads a file as a stream (`load -i`). */
  readStream?(path: string): AsyncIterable<Uint8Array>;
  /** Creates (truncates) a file for writing. */
  createFile?(path: string): Promise<FileSink>;
  /** Writes a whole file (`build --iidfile`). */
  writeFile?(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * Tells the host this run did work that quick runs of its command do not (a build that built steps):
   * the Node host then keeps no code cache from it (src/node/boot.ts).
   */
  heavyRun?(): void;
  /** Whether stdout is a terminal: `save` and `export` refuse to write a tar there. */
  stdoutIsTTY?: boolean;
  /** The working directory, '/'-separated (build contexts, -f paths). */
  cwd?: string;
  /** Opens a build context directory (`berth build PATH`). */
  openBuildContext?(path: string): Promise<BuildContextSource>;
  /** The build layer cache on this machine's state. */
  buildCache?(): Promise<BuildCache | undefined>;
  /** Calls `handler` on an interrupt (Ctrl-C); returns the function that stops listening. */
  onInterrupt?(handler: () => void): () => void;
  /** `linux/x64`: the machine the client runs on, for `version`. */
  hostPlatform?: string;
  /** `node v20.19.0`, for `version`. */
  jsRuntime?: string;
  /** The current time (tests may fix it); default the system clock. */
  now?(): Date;
  /**
   * The build context of one of Berth's own base images (images/NAME in the package), so that
   * `berth run hello` works on a fresh install with no registry: the image is built on first use.
   */
  baseImageContext?(name: string): string | undefined;
  /**
   * The OCI layout directory shipped for one of the base images (images/oci/NAME), loaded instead of
   * building it when present.
   */
  baseImageLayout?(name: string): string | undefined;
  /** Directories on this host (`save --format oci-dir`, loading a base image's layout). */
  transferFs?: TransferFs;
}

/** The whole `berth --help`. */
export const USAGE = rootHelp();

const HANDLERS: Partial<Record<CommandPath, Handler>> = {
  ...CONTAINER_HANDLERS,
  ...IMAGE_HANDLERS,
  ...VOLUME_HANDLERS,
  ...SYSTEM_HANDLERS,
};

/** The commands whose failures are Docker's `run` failures: 125, 126, 127. */
const RUN_LIKE = new Set<CommandPath>(['run', 'create', 'start']);

function makeContext(host: CliHost): Ctx {
  let engine: Promise<Engine> | undefined;
  const settle = (r: unknown): Promise<void> =>
    r instanceof Promise ? r.then(() => undefined) : Promise.resolve();
  return {
    host,
    engine() {
      if (host.openEngine === undefined) {
        return Promise.reject(new CliError('berth: this host has no engine: only `berth wasm run` works here', EXIT_BERTH)); // prettier-ignore
      }
      engine ??= host.openEngine();
      return engine;
    },
    out: (chunk) => settle(host.stdout(chunk)),
    err: (text) => settle(host.stderr(text)),
    now: () => host.now?.() ?? new Date(),
  };
}

async function runCommand(ctx: Ctx, path: CommandPath, argv: readonly string[]): Promise<number> {
  const spec = SPECS[path];
  const handler = HANDLERS[path];
  const runLike = RUN_LIKE.has(path);
  try {
    const flags = parseFlags(spec, argv);
    if (flags.help) {
      await ctx.out(commandHelp(spec));
      return 0;
    }
    checkArgs(spec, flags);
    if (handler === undefined) throw new CliError(`berth: "${path}" is not available yet`, EXIT_BERTH);
    return await handler(ctx, flags);
  } catch (e) {
    if (e instanceof FlagError) {
      await ctx.err(e.text);
      return EXIT_BERTH;
    }
    if (e instanceof ArgsError) {
      await ctx.err(e.text);
      return runLike ? EXIT_BERTH : EXIT_FAILURE;
    }
    if (e instanceof CliError) {
      await ctx.err(e.message.endsWith('\n') ? e.message : `${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof TemplateError) {
      await ctx.err(`${/^template: :\d+:\s/.test(e.message) && !e.message.includes('executing') ? 'template parsing error: ' : ''}${e.message}\n`); // prettier-ignore
      return EXIT_FAILURE;
    }
    await ctx.err(`${errorText(e)}\n`);
    return runLike ? EXIT_BERTH : EXIT_FAILURE;
  }
}

async function build(ctx: Ctx, argv: readonly string[]): Promise<number> {
  const { host } = ctx;
  // Imported lazily: the builder is only loaded for `berth build`.
  const { buildCommand } = await import('./build');
  if (argv.includes('--help') || argv.includes('-h')) return buildCommand(undefined as unknown as Engine, [...argv], { stdout: (s) => host.stdout(s), stderr: (s) => host.stderr(s), cwd: host.cwd ?? '/' }); // prettier-ignore
  let engine: Engine;
  try {
    engine = await ctx.engine();
  } catch (e) {
    await ctx.err(`${e instanceof CliError ? e.message : errorText(e)}\n`);
    return EXIT_BERTH;
  }
  const cache = await host.buildCache?.();
  return buildCommand(engine, [...argv], {
    stdout: (s) => host.stdout(s),
    stderr: (s) => host.stderr(s),
    readFile: (p) => host.readFile(p),
    ...(host.writeFile ? { writeFile: (p: string, d: string) => host.writeFile!(p, d) } : {}),
    ...(host.openBuildContext ? { openContext: (p: string) => host.openBuildContext!(p) } : {}),
    ...(host.env ? { env: host.env } : {}),
    ...(cache ? { cache } : {}),
    ...(host.heavyRun ? { heavyRun: () => host.heavyRun!() } : {}),
    // FROM box on a fresh install: the base image is built or loaded, as `berth run box` does.
    provideImage: async (ref: string) => (await import('./baseImages')).provideBaseImage(ctx, ref),
    cwd: host.cwd ?? '/',
  });
}

export async function main(host: CliHost): Promise<number> {
  const ctx = makeContext(host);
  const [command, ...rest] = host.argv;
  const unknownCommand = async (what: string, help: string): Promise<number> => {
    await ctx.err(`berth: unknown command "${what}"\nSee '${help}'.\n`);
    return EXIT_BERTH_ERROR;
  };
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      await ctx.out(USAGE);
      return 0;
    case 'help': {
      if (rest.length === 0) {
        await ctx.out(USAGE);
        return 0;
      }
      return main({ ...host, argv: [...rest, '--help'] });
    }
    case '-v':
    case '--version':
      await ctx.out(`berth ${host.version}\n`);
      return 0;
    case 'build':
      return build(ctx, rest);
    case 'wasm': {
      const [sub, ...args] = rest;
      if (sub === undefined || sub === '--help' || sub === '-h') {
        await ctx.out(groupHelp('wasm'));
        return 0;
      }
      if (sub === 'run') return wasmRun(args, host);
      return unknownCommand(`wasm ${sub}`, 'berth wasm --help');
    }
  }
  const group = GROUPS[command];
  if (group !== undefined) {
    const [sub, ...args] = rest;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      await ctx.out(groupHelp(command));
      return 0;
    }
    const target = group.commands[sub];
    if (target === undefined) {
      if (sub.startsWith('-')) {
        await ctx.err(`unknown flag: ${sub}\nSee 'berth ${command} --help'.\n`);
        return EXIT_BERTH;
      }
      return unknownCommand(`${command} ${sub}`, `berth ${command} --help`);
    }
    if (target === 'build') return build(ctx, args);
    if (target === 'wasm run') return wasmRun(args, host);
    return runCommand(ctx, target, args);
  }
  if (command in SPECS && !command.includes(' ')) return runCommand(ctx, command as CommandPath, rest);
  if (command.startsWith('-')) {
    await ctx.err(`unknown flag: ${command}\nSee 'berth --help'.\n`);
    return EXIT_BERTH;
  }
  return unknownCommand(command, 'berth --help');
}

export { WASM_RUN_USAGE };
