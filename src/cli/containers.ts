/**
 * The container commands: run, create, start, stop, kill, restart, rm, ps, logs, wait, inspect, diff,
 * commit, export, cp, rename, container prune.
 *
 * There is no daemon: a container runs in the process that started it (`run`, `start`, `restart` wait for
 * it), and other processes see it, stop it and kill it through the engine's shared state.
 */
import { provideBaseImage } from './baseImages';
import type { Engine } from '../engine/Engine';
import { EngineError } from '../engine/errors';
import type {
  ContainerExit,
  ContainerFilters,
  CreateContainerOptions,
  LogEntry,
  RunOptions,
  RunningContainer,
} from '../engine/types';
import { familiarName, parseReference } from '../oci/reference';
import { isWasm } from '../../runtime/process/moduleCache';
import { CliError, EXIT_BERTH, EXIT_FAILURE, errorText, kindOf, type Ctx, type Handler } from './context';
import type { ParsedFlags } from './flags';
import { humanSize } from './format';
import { inspectOutput } from './inspect';
import {
  attachStreams,
  confirm,
  labelsOf,
  parseChanges,
  parseEnvFile,
  parseFilters,
  parseLabelFile,
  parseTimeArg,
  readText,
  resolveEnvFlag,
} from './options';
import type { CommandPath } from './specs';
import { containerRow, PS_HEADERS, PS_TABLE, PS_TABLE_SIZE, renderList } from './views';
import { wasmRun } from './wasmRun';

/** Runs `fn` for each argument; prints each failure as Docker does and exits 1 if any failed. */
export async function forEach(
  ctx: Ctx,
  refs: readonly string[],
  fn: (ref: string) => Promise<void>,
  ignore?: (e: unknown) => boolean,
): Promise<number> {
  let failed = false;
  for (const ref of refs) {
    try {
      await fn(ref);
    } catch (e) {
      if (ignore?.(e)) continue;
      if (e instanceof CliError) throw e;
      failed = true;
      await ctx.err(`${errorText(e)}\n`);
    }
  }
  return failed ? EXIT_FAILURE : 0;
}

/** Writes a tar (or any byte stream) to `-o FILE` or stdout, refusing a terminal as Docker does. */
export async function writeStream(
  ctx: Ctx,
  output: string | undefined,
  data: AsyncIterable<Uint8Array>,
): Promise<void> {
  if (output === undefined || output === '-') {
    if (ctx.host.stdoutIsTTY) {
      throw new CliError('berth: cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    for await (const chunk of data) await ctx.out(chunk);
    return;
  }
  if (ctx.host.createFile === undefined) throw new CliError('berth: this host cannot write files');
  const sink = await ctx.host.createFile(output);
  try {
    for await (const chunk of data) {
      const r = sink.write(chunk);
      if (r instanceof Promise) await r;
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}

// --- run and create ------------------------------------------------------------------------------------------

/** `run`/`create` flags → the engine's options. */
async function createOptions(ctx: Ctx, f: ParsedFlags): Promise<CreateContainerOptions> {
  const hostEnv = ctx.host.env ?? {};
  const [image, ...cmd] = f.args as [string, ...string[]];
  const env: string[] = [];
  for (const file of f.list('env-file'))
    env.push(...parseEnvFile(await readText(ctx, file, '--env-file'), file, hostEnv));
  for (const e of f.list('env')) env.push(resolveEnvFlag(e, hostEnv));
  const labelList: string[] = [];
  for (const file of f.list('label-file'))
    labelList.push(...parseLabelFile(await readText(ctx, file, '--label-file')));
  labelList.push(...f.list('label'));

  const o: CreateContainerOptions = { image };
  if (cmd.length > 0) o.cmd = cmd;
  const entrypoint = f.string('entrypoint');
  if (entrypoint !== undefined) o.entrypoint = [entrypoint];
  if (env.length > 0) o.env = env;
  const name = f.string('name');
  if (name !== undefined) o.name = name;
  const workdir = f.string('workdir');
  if (workdir !== undefined) o.workdir = workdir;
  if (f.list('volume').length > 0) o.volumes = f.list('volume');
  if (labelList.length > 0) o.labels = labelsOf(labelList);
  if (f.bool('read-only')) o.readOnly = true;
  const memory = f.int('memory');
  if (memory !== undefined) o.memory = memory;
  const stopTimeout = f.int('stop-timeout');
  if (stopTimeout !== undefined) o.stopTimeout = stopTimeout;
  const stopSignal = f.string('stop-signal');
  if (stopSignal !== undefined) o.stopSignal = stopSignal;
  const platform = f.string('platform');
  if (platform !== undefined) o.platform = platform;
  const runtime = f.string('runtime');
  if (runtime !== undefined) {
    if (runtime !== 'berth' && runtime !== 'wasmer') {
      throw new CliError(
        `berth: unknown runtime ${JSON.stringify(runtime)}: use berth or wasmer`,
        EXIT_BERTH,
      );
    }
    o.runtime = runtime;
  }
  const hostname = f.string('hostname');
  if (hostname !== undefined) o.hostname = hostname;
  if (f.bool('rm')) o.autoRemove = true;
  if (f.bool('interactive')) o.interactive = true;
  if (f.bool('tty')) o.tty = true;
  return o;
}

/** `Unable to find image 'hello:latest' locally`: the reference as Docker names it. */
function imageLabel(image: string): string {
  try {
    const ref = parseReference(image);
    return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : ''); // prettier-ignore
  } catch {
    return image;
  }
}

async function noSuchImage(ctx: Ctx, command: 'run' | 'create', image: string): Promise<never> {
  const label = imageLabel(image);
  await ctx.err(`Unable to find image '${label}' locally\n`);
  throw new CliError(
    `berth: Error: No such image: ${label}. Berth has no daemon and cannot pull from a registry yet: ` +
      `build it (berth build), load it (berth load -i FILE), or run a .wasm file directly (berth run ./module.wasm).\n\n` +
      `Run 'berth ${command} --help' for more information`,
    EXIT_BERTH,
  );
}

/** What a failed `run`/`create`/`start` prints, and its exit status (125, 126, 127). */
function runError(command: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const code = e instanceof EngineError ? e.exitCode : EXIT_BERTH;
  return new CliError(`berth: ${errorText(e)}\n\nRun 'berth ${command} --help' for more information`, code);
}

/** Whether `path` names a readable WebAssembly file (for `berth run ./module.wasm`). */
async function bareModule(ctx: Ctx, path: string): Promise<boolean> {
  if (!/\.wasm$/i.test(path) && !path.includes('/')) return false;
  try {
    return isWasm((await ctx.host.readFile(path)).subarray(0, 8));
  } catch {
    return false;
  }
}

/**
 * `berth run ./module.wasm ARGS`: no image, so the module runs as `berth wasm run` runs it: a fresh
 * in-memory `/`, bind mounts from -v, -e, -m, --timeout; with stdin only when -i is given.
 */
async function runBareModule(ctx: Ctx, f: ParsedFlags): Promise<number> {
  const [file, ...args] = f.args as [string, ...string[]];
  const argv: string[] = [];
  const hostEnv = ctx.host.env ?? {};
  for (const path of f.list('env-file')) {
    for (const kv of parseEnvFile(await readText(ctx, path, '--env-file'), path, hostEnv))
      argv.push('--env', kv);
  }
  for (const e of f.list('env')) argv.push('--env', resolveEnvFlag(e, hostEnv));
  for (const v of f.list('volume')) {
    const m = /^(.+?):(\/[^:]*)(?::(ro|rw))?$/.exec(v);
    if (!m || !(m[1]!.startsWith('/') || m[1]!.startsWith('.'))) {
      throw new CliError(
        `berth: -v ${v}: a bare module takes bind mounts only (HOST_DIR:/path[:ro])`,
        EXIT_BERTH,
      );
    }
    argv.push('--dir', `${m[1]}::${m[2]}${m[3] === 'ro' ? ':ro' : ''}`);
  }
  const memory = f.int('memory');
  if (memory !== undefined) argv.push('--memory', String(memory));
  const timeout = f.int('timeout');
  if (timeout !== undefined) argv.push('--timeout', String(timeout));
  const ignored = ['name', 'label', 'label-file', 'entrypoint', 'workdir', 'read-only', 'runtime', 'platform', 'stop-timeout', 'stop-signal', 'hostname'].filter((n) => f.has(n)); // prettier-ignore
  if (ignored.length > 0) {
    await ctx.err(`berth: WARNING: ${file} is a bare module, not an image: ${ignored.map((n) => `--${n}`).join(', ')} ignored\n`); // prettier-ignore
  }
  argv.push('--', file, ...args);
  const interactive = f.bool('interactive') || attachStreams(f.list('attach')).has('stdin');
  const { stdin: _stdin, ...rest } = ctx.host;
  return wasmRun(argv, interactive && ctx.host.stdin ? { ...rest, stdin: ctx.host.stdin } : rest);
}

interface Attach {
  stdout: boolean;
  stderr: boolean;
  stdin: boolean;
}

/**
 * Attaches to a started container, waits for it, and gives its exit status. Ctrl-C: with a terminal
 * (-t), as a terminal's INTR does, it interrupts the foreground command (a shell at its prompt shows a
 * new one); a container that starts no processes, or one without -t, is killed.
 */
async function attachAndWait(ctx: Ctx, run: RunningContainer, tty = false): Promise<ContainerExit> {
  const stop = ctx.host.onInterrupt?.(() => {
    if (!(tty && run.interrupt())) void run.kill();
  });
  try {
    const exit = await run.wait();
    if (exit.reason !== 'exit' && exit.reason !== 'killed' && exit.message) {
      await ctx.err(`berth: container ${run.name}: ${exit.message}\n`);
    }
    return exit;
  } finally {
    stop?.();
  }
}

function startOptions(
  ctx: Ctx,
  attach: Attach,
  timeoutS: number | undefined,
): Pick<RunOptions, 'stdout' | 'stderr' | 'stdin' | 'timeoutMs'> {
  // prettier-ignore
  const o: Pick<RunOptions, 'stdout' | 'stderr' | 'stdin' | 'timeoutMs'> = {};
  if (attach.stdout) o.stdout = (chunk) => ctx.host.stdout(chunk);
  if (attach.stderr) o.stderr = (chunk) => ctx.host.stderr(chunk);
  if (attach.stdin && ctx.host.stdin) o.stdin = ctx.host.stdin;
  if (timeoutS !== undefined) o.timeoutMs = timeoutS * 1000;
  return o;
}

const run: Handler = async (ctx, f) => {
  if (f.bool('detach')) {
    throw new CliError('berth: -d needs the daemon, which is not there yet (run it in the foreground, or use another terminal)', EXIT_BERTH); // prettier-ignore
  }
  const streams = attachStreams(f.list('attach'));
  const attach: Attach =
    streams.size > 0
      ? { stdin: streams.has('stdin'), stdout: streams.has('stdout'), stderr: streams.has('stderr') }
      : { stdin: f.bool('interactive'), stdout: true, stderr: true };
  const timeout = f.int('timeout');
  if (timeout !== undefined && timeout <= 0) throw new CliError('berth: --timeout must be a positive number of seconds', EXIT_BERTH); // prettier-ignore
  const engine = await ctx.engine();
  engine.prewarm();
  const options: RunOptions = { ...(await createOptions(ctx, f)), ...startOptions(ctx, attach, timeout) };
  let running: RunningContainer;
  try {
    running = await engine.run(options);
  } catch (e) {
    if (
      kindOf(e) === 'no-such-image' ||
      (kindOf(e) === 'invalid-argument' && (e as Error).message.includes('reference'))
    ) {
      if (await bareModule(ctx, options.image)) return runBareModule(ctx, f);
      if (kindOf(e) === 'no-such-image') {
        if (!(await provideBaseImage(ctx, options.image))) return noSuchImage(ctx, 'run', options.image);
        try {
          running = await engine.run(options);
        } catch (again) {
          throw runError('run', again);
        }
        return (await attachAndWait(ctx, running, options.tty)).statusCode;
      }
    }
    throw runError('run', e);
  }
  return (await attachAndWait(ctx, running, options.tty)).statusCode;
};

const create: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const options = await createOptions(ctx, f);
  let id: string;
  try {
    const created = await engine.createContainer(options);
    id = created.id;
    for (const w of created.warnings) await ctx.err(`WARNING: ${w}\n`);
  } catch (e) {
    if (kindOf(e) !== 'no-such-image') throw runError('create', e);
    if (!(await provideBaseImage(ctx, options.image))) return noSuchImage(ctx, 'create', options.image);
    try {
      const created = await engine.createContainer(options);
      id = created.id;
    } catch (again) {
      throw runError('create', again);
    }
  }
  await ctx.out(`${id}\n`);
  return 0;
};

const start: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const attach = f.bool('attach') || f.bool('interactive');
  if (attach && f.args.length > 1) {
    throw new CliError('berth: you cannot start and attach multiple containers at once', EXIT_FAILURE);
  }
  engine.prewarm();
  if (attach) {
    let running: RunningContainer;
    try {
      running = await engine.startContainer(f.args[0]!, startOptions(ctx, { stdout: true, stderr: true, stdin: f.bool('interactive') }, undefined)); // prettier-ignore
    } catch (e) {
      throw runError('start', e);
    }
    return (await attachAndWait(ctx, running)).statusCode;
  }
  // Docker starts them in the background and prints their names; with no daemon they run here, so
  // berth prints the names and then waits for them (their output goes to their logs).
  const runs: RunningContainer[] = [];
  const failed: string[] = [];
  for (const ref of f.args) {
    try {
      runs.push(await engine.startContainer(ref, {}));
      await ctx.out(`${ref}\n`);
    } catch (e) {
      failed.push(ref);
      await ctx.err(`${errorText(e)}\n`);
    }
  }
  const stop = ctx.host.onInterrupt?.(() => runs.forEach((r) => void r.kill()));
  await Promise.all(runs.map((r) => r.wait()));
  stop?.();
  if (failed.length > 0) throw new CliError(`Error: failed to start containers: ${failed.join(', ')}`);
  return 0;
};

const stop: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const timeout = f.int('timeout');
  return forEach(ctx, f.args, async (ref) => {
    await engine.stopContainer(ref, timeout !== undefined ? { timeout } : {});
    await ctx.out(`${ref}\n`);
  });
};

const kill: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const signal = f.string('signal');
  return forEach(ctx, f.args, async (ref) => {
    await engine.killContainer(ref, signal !== undefined ? { signal } : {});
    await ctx.out(`${ref}\n`);
  });
};

const restart: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const timeout = f.int('timeout');
  const runs: RunningContainer[] = [];
  const code = await forEach(ctx, f.args, async (ref) => {
    runs.push(await engine.restartContainer(ref, timeout !== undefined ? { timeout } : {}));
    await ctx.out(`${ref}\n`);
  });
  const stopAll = ctx.host.onInterrupt?.(() => runs.forEach((r) => void r.kill()));
  await Promise.all(runs.map((r) => r.wait()));
  stopAll?.();
  return code;
};

const rm: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const force = f.bool('force');
  return forEach(
    ctx,
    f.args,
    async (ref) => {
      await engine.removeContainer(ref, { force, volumes: f.bool('volumes') });
      await ctx.out(`${ref}\n`);
    },
    (e) => force && kindOf(e) === 'no-such-container',
  );
};

const PS_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'volume', 'before', 'since'];

async function psFilters(
  engine: Engine,
  values: readonly string[],
): Promise<{ filters: ContainerFilters; before?: string; since?: string }> {
  // prettier-ignore
  const groups = parseFilters(values, PS_FILTERS);
  const filters: ContainerFilters = {};
  for (const [key, list] of groups) {
    if (key === 'before' || key === 'since') continue;
    if (key === 'status') {
      const bad = list.find(
        (s) => !['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'].includes(s),
      );
      if (bad !== undefined) throw new CliError(`Error: invalid filter 'status=${bad}'`);
    }
    (filters as Record<string, string[]>)[key] = list;
  }
  const out: { filters: ContainerFilters; before?: string; since?: string } = { filters };
  const before = groups.get('before')?.[0];
  const since = groups.get('since')?.[0];
  if (before !== undefined) out.before = (await engine.inspectContainer(before)).Id;
  if (since !== undefined) out.since = (await engine.inspectContainer(since)).Id;
  return out;
}

const ps: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const { filters, before, since } = await psFilters(engine, f.list('filter'));
  const last = f.int('last') ?? -1;
  const limit = f.bool('latest') ? 1 : last > 0 ? last : undefined;
  const all = f.bool('all') || before !== undefined || since !== undefined;
  let list = await engine.listContainers({
    all,
    filters,
    size: f.bool('size'),
    ...(limit !== undefined ? { limit } : {}),
  });
  if (before !== undefined || since !== undefined) {
    const everything = await engine.listContainers({ all: true });
    const at = (id: string) => everything.findIndex((c) => c.Id === id);
    list = list.filter(
      (c) => (before === undefined || at(c.Id) > at(before)) && (since === undefined || at(c.Id) < at(since)),
    );
  }
  const now = ctx.now();
  const noTrunc = f.bool('no-trunc');
  let format = f.string('format');
  if (f.bool('quiet') && (format === undefined || format === '' || format === 'table')) format = '{{.ID}}';
  await ctx.out(renderList(format, f.bool('size') ? PS_TABLE_SIZE : PS_TABLE, list.map((c) => containerRow(c, now, noTrunc)), PS_HEADERS)); // prettier-ignore
  return 0;
};

function writeEntry(ctx: Ctx, entry: LogEntry, timestamps: boolean): Promise<void> {
  const stream = entry.stream === 'stderr' ? ctx.host.stderr : ctx.host.stdout;
  const write = (chunk: Uint8Array | string): Promise<void> => {
    const r = stream(chunk);
    return r instanceof Promise ? r.then(() => undefined) : Promise.resolve();
  };
  if (!timestamps) return write(entry.data);
  return write(`${entry.time} `).then(() => write(entry.data));
}

const logs: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const tailText = f.string('tail') ?? 'all';
  let tail: number | 'all' = 'all';
  if (tailText !== 'all' && tailText !== '') {
    if (!/^-?\d+$/.test(tailText))
      throw new CliError(`Error: invalid value for "tail": ${JSON.stringify(tailText)}`);
    const n = Number(tailText);
    tail = n < 0 ? 'all' : n;
  }
  const now = ctx.now();
  const since = f.string('since');
  const until = f.string('until');
  const abort = new AbortController();
  const it = await engine.containerLogs(f.args[0]!, {
    tail,
    follow: f.bool('follow'),
    signal: abort.signal,
    ...(since !== undefined ? { since: parseTimeArg(since, now, '--since') } : {}),
    ...(until !== undefined ? { until: parseTimeArg(until, now, '--until') } : {}),
  });
  const stopListening = ctx.host.onInterrupt?.(() => abort.abort());
  try {
    for await (const entry of it) await writeEntry(ctx, entry, f.bool('timestamps'));
  } finally {
    stopListening?.();
  }
  return 0;
};

const wait: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  return forEach(ctx, f.args, async (ref) => {
    const r = await engine.waitContainer(ref);
    await ctx.out(`${r.StatusCode}\n`);
  });
};

const containerInspect: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  return inspectOutput(ctx, f, (ref) => engine.inspectContainer(ref, { size: f.bool('size') }));
};

const diff: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const changes = await engine.containerDiff(f.args[0]!);
  const letter = ['C', 'A', 'D'];
  await ctx.out(changes.map((c) => `${letter[c.Kind]} ${c.Path}\n`).join(''));
  return 0;
};

const commit: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const [ref, reference] = f.args as [string, string | undefined];
  const author = f.string('author');
  const message = f.string('message');
  const changes = f.list('change');
  const result = await engine.commitContainer(ref, {
    ...(reference !== undefined ? { reference } : {}),
    ...(author !== undefined ? { author } : {}),
    ...(message !== undefined ? { comment: message } : {}),
    ...(changes.length > 0 ? { changes: parseChanges(changes) } : {}),
  });
  await ctx.out(`${result.id}\n`);
  return 0;
};

const exportCmd: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const output = f.string('output');
  if ((output === undefined || output === '-') && ctx.host.stdoutIsTTY) {
    throw new CliError('berth: cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  await writeStream(ctx, output, await engine.exportContainer(f.args[0]!));
  return 0;
};

/** Docker's splitCpArg: `CONTAINER:PATH`, or a local path (absolute, or with no colon before a slash). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon <= 0) return { path: arg };
  const slash = arg.indexOf('/');
  if (slash >= 0 && slash < colon) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

const cp: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const src = splitCpArg(f.args[0]!);
  const dst = splitCpArg(f.args[1]!);
  if (src.container !== undefined && dst.container !== undefined) {
    throw new CliError('berth: copying between containers is not supported');
  }
  if (src.container === undefined && dst.container === undefined) {
    throw new CliError('berth: must specify at least one container source');
  }
  if (src.container !== undefined) {
    if (src.path === '') throw new CliError('berth: source can not be empty');
    if (dst.path === '-') {
      const { tar } = await engine.copyFromContainer(src.container, src.path);
      await writeStream(ctx, undefined, tar);
    } else {
      await engine.copyFromContainerToHost(src.container, src.path, dst.path);
    }
    return 0;
  }
  if (dst.path === '') throw new CliError('berth: destination can not be empty');
  if (src.path === '-') {
    if (ctx.host.stdin === undefined) throw new CliError('berth: no tar archive on stdin');
    await engine.copyToContainer(dst.container!, dst.path, ctx.host.stdin);
  } else {
    await engine.copyFromHostToContainer(dst.container!, src.path, dst.path);
  }
  return 0;
};

const rename: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  await engine.renameContainer(f.args[0]!, f.args[1]!);
  return 0;
};

/** `until=` and `label=` filters of the prune commands. */
export function pruneFilters(ctx: Ctx, values: readonly string[]): { until?: Date; label?: string[] } {
  const groups = parseFilters(values, ['until', 'label']);
  const out: { until?: Date; label?: string[] } = {};
  const until = groups.get('until')?.[0];
  if (until !== undefined) out.until = parseTimeArg(until, ctx.now(), 'until');
  if (groups.has('label')) out.label = groups.get('label')!;
  return out;
}

const containerPrune: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const filters = pruneFilters(ctx, f.list('filter'));
  if (!f.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.')))
    return 0;
  const r = await engine.pruneContainers(filters);
  let out = '';
  if (r.ContainersDeleted.length > 0)
    out += `Deleted Containers:\n${r.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`;
  await ctx.out(`${out}Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
  return 0;
};

export const CONTAINER_HANDLERS: Partial<Record<CommandPath, Handler>> = {
  run,
  create,
  start,
  stop,
  kill,
  restart,
  rm,
  ps,
  logs,
  wait,
  'container inspect': containerInspect,
  diff,
  commit,
  export: exportCmd,
  cp,
  rename,
  'container prune': containerPrune,
};
