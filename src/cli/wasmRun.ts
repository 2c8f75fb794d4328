/**
 * `berth wasm run`: run one WASI command module, like `wasmtime run`.
 *
 *   berth wasm run [--dir HOST[::GUEST][:ro]]... [--env K=V]... [--timeout SECONDS] [--memory SIZE]
 *                  [--trace] [--] FILE.wasm [ARGS...]
 *
 * The guest's `/` is a fresh writable in-memory filesystem, preopened as `/` and discarded at exit, so a
 * module can create files with no host directory at all. `--dir` mounts a host directory read-write (or
 * read-only with a trailing `:ro`, as Docker's `-v`) at GUEST on top of it; GUEST defaults to the host
 * path made absolute, and must be absolute. (Only `/` is preopened: the guest reaches mounts through it,
 * and relative paths resolve from `/`.) A host path that itself ends in ":ro" cannot be named. `/dev`
 * holds null, zero, full, random and urandom, as in a container, unless a --dir is mounted at or below it.
 *
 * stdin streams into the guest (its reads block until input arrives), stdout/stderr pass through as
 * written, argv[0] is FILE as given.
 *
 * Exit status: the module's own; otherwise
 *   125  berth's own errors: bad flags, unreadable or invalid module, a module that cannot be
 *        instantiated or mounted (Docker's code for its own failures)
 *   134  the module trapped (as a process killed by SIGABRT)
 *   124  --timeout expired (as timeout(1))
 *   137  ended by a limit: output cap, out of memory (as a process killed by SIGKILL)
 * Every such ending prints one `berth: …` line on stderr.
 */
import { compile, isWasm, ModuleFormatError } from '../../runtime/process/moduleCache';
import { poolFor } from '../../runtime/process/pool';
import { spawn, type SpawnResult } from '../../runtime/process/spawn';
import { pumpStdin } from '../../runtime/process/stdinChannel';
import { DEV_MOUNT, type MountSpec } from '../../runtime/process/protocol';
import { formatBytes } from '../../runtime/process/format';
import type { CliHost } from './main';

export const EXIT_BERTH_ERROR = 125;
export const EXIT_TRAP = 134;
export const EXIT_TIMEOUT = 124;
export const EXIT_LIMIT = 137;

export const WASM_RUN_USAGE = `Usage: berth wasm run [OPTIONS] [--] FILE.wasm [ARGS...]

Run a WASI (preview1) command module in a sandbox. Its / is a fresh in-memory
filesystem, discarded at exit; stdin, stdout and stderr are the terminal's.

Options:
      --dir HOST[::GUEST][:ro]  Mount host directory HOST at GUEST (default: HOST
                                as an absolute path), read-write, or read-only
                                with :ro. Repeatable.
  -e, --env KEY=VALUE           Set an environment variable (--env KEY passes the
                                host's value). Repeatable.
      --timeout SECONDS         Kill the module after this much wall-clock time
                                (exit 124).
  -m, --memory SIZE             Cap the module's linear memory: 512k, 64m, 1g, or
                                bytes (allocations past it fail).
      --trace                   Print every WASI call to stderr.
  -h, --help                    Print this help.

Exit status: the module's; 125 for berth's own errors, 134 when the module
traps, 124 on --timeout, 137 when a memory or output limit ends it.
`;

export interface DirSpec {
  host: string;
  guest: string | null;
  readOnly: boolean;
}

export interface WasmRunArgs {
  help: boolean;
  file: string;
  args: string[];
  dirs: DirSpec[];
  env: string[];
  timeoutMs?: number;
  memoryLimitBytes?: number;
  trace: boolean;
}

class UsageError extends Error {}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MAX_MEMORY = 4 * 1024 ** 3;

/** "64m", "1g", "512k", "1.5g", "65536" (also "64MiB", "64mb") → bytes; null when malformed. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  return Number.isFinite(bytes) ? bytes : null;
}

function parseDir(value: string): DirSpec {
  let spec = value;
  let readOnly = false;
  if (spec.endsWith(':ro')) {
    readOnly = true;
    spec = spec.slice(0, -3);
  } else if (spec.endsWith(':rw')) {
    spec = spec.slice(0, -3);
  }
  const sep = spec.indexOf('::');
  const host = sep < 0 ? spec : spec.slice(0, sep);
  const guest = sep < 0 ? null : spec.slice(sep + 2);
  if (host === '') throw new UsageError(`--dir ${value}: no host directory given`);
  if (guest !== null) {
    if (!guest.startsWith('/'))
      throw new UsageError(`--dir ${value}: guest path ${guest || '""'} must be absolute`);
    if (guest.split('/').every((p) => p === '' || p === '.')) {
      throw new UsageError(`--dir ${value}: cannot mount over the guest's / (pick a directory below it)`);
    }
    if (guest.split('/').includes('..'))
      throw new UsageError(`--dir ${value}: guest path may not contain ".."`);
  }
  return { host, guest, readOnly };
}

/** Parses the arguments after `wasm run`. Throws UsageError. */
export function parseWasmRunArgs(argv: readonly string[], hostEnv: CliHost['env'] = {}): WasmRunArgs {
  const out: WasmRunArgs = { help: false, file: '', args: [], dirs: [], env: [], trace: false };
  let i = 0;
  const valueOf = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[++i]!;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    switch (flag) {
      case '-h':
      case '--help':
        out.help = true;
        return out;
      case '--dir':
        out.dirs.push(parseDir(valueOf(flag, inline)));
        break;
      case '-e':
      case '--env': {
        const kv = valueOf(flag, inline);
        const at = kv.indexOf('=');
        if (at === 0 || kv === '') throw new UsageError(`--env ${kv}: expected KEY=VALUE`);
        if (at > 0) out.env.push(kv);
        else if (hostEnv?.[kv] !== undefined) out.env.push(`${kv}=${hostEnv[kv]}`);
        break;
      }
      case '--timeout': {
        const v = valueOf(flag, inline);
        const seconds = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
        if (!(seconds > 0)) throw new UsageError(`--timeout ${v}: expected a positive number of seconds`);
        out.timeoutMs = Math.round(seconds * 1000);
        break;
      }
      case '-m':
      case '--memory': {
        const v = valueOf(flag, inline);
        const bytes = parseSize(v);
        if (bytes === null)
          throw new UsageError(`--memory ${v}: expected a size like 512k, 64m, 1g or a byte count`);
        if (bytes < 65536) throw new UsageError(`--memory ${v}: below the minimum of 64 KiB (one wasm page)`);
        if (bytes > MAX_MEMORY) throw new UsageError(`--memory ${v}: above the wasm32 maximum of 4 GiB`);
        out.memoryLimitBytes = bytes;
        break;
      }
      case '--trace':
        if (inline !== undefined) throw new UsageError('--trace takes no value');
        out.trace = true;
        break;
      default:
        throw new UsageError(`unknown flag ${flag} for "wasm run" (see berth wasm run --help)`);
    }
  }
  if (i >= argv.length)
    throw new UsageError('no module given (usage: berth wasm run [OPTIONS] FILE.wasm [ARGS...])');
  out.file = argv[i]!;
  out.args = argv.slice(i + 1);
  return out;
}

function errorCode(e: unknown): string | undefined {
  return (e as { code?: unknown })?.code as string | undefined;
}

/** Maps how the guest ended to berth's exit status, printing the reason for anything but an exit. */
export function exitStatus(file: string, result: SpawnResult, stderr: (s: string) => void): number {
  switch (result.reason) {
    case 'exit':
      return result.exitCode ?? 0;
    case 'trap':
      stderr(`berth: ${file}: ${result.message ?? 'wasm trap'}\n`);
      return EXIT_TRAP;
    case 'timeout':
      stderr(`berth: ${file}: ${result.message ?? 'timed out'}\n`);
      return EXIT_TIMEOUT;
    case 'oom':
    case 'output-limit':
    case 'killed':
      stderr(`berth: ${file}: ${result.message ?? result.reason}\n`);
      return EXIT_LIMIT;
    case 'error':
    default:
      stderr(`berth: ${file}: ${result.message ?? 'failed'}\n`);
      return EXIT_BERTH_ERROR;
  }
}

export async function wasmRun(argv: readonly string[], host: CliHost): Promise<number> {
  const fail = (message: string): number => {
    host.stderr(`berth: ${message}\n`);
    return EXIT_BERTH_ERROR;
  };
  let opts: WasmRunArgs;
  try {
    opts = parseWasmRunArgs(argv, host.env);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  if (opts.help) {
    host.stdout(WASM_RUN_USAGE);
    return 0;
  }
  const { file } = opts;
  // Start the worker now: it boots while the module is read and compiled.
  poolFor(host.workerHost).prewarm(1);

  const mounts: MountSpec[] = [];
  for (const dir of opts.dirs) {
    let hostPath: string;
    try {
      hostPath = host.resolveHostDir(dir.host);
    } catch (e) {
      return fail(`--dir ${dir.host}: ${(e as Error).message}`);
    }
    mounts.push({ kind: 'host', hostPath, guestPath: dir.guest ?? hostPath, readOnly: dir.readOnly });
  }
  // /dev as in a container (wasmtime has none; here `/` is a scratch tree anyway); a --dir there wins.
  if (!mounts.some((m) => /^\/dev(\/|$)/.test(m.guestPath))) mounts.unshift(DEV_MOUNT);

  let bytes: Uint8Array;
  try {
    bytes = await host.readFile(file);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT') return fail(`${file}: no such file`);
    if (code === 'EISDIR') return fail(`${file}: is a directory, not a WebAssembly module`);
    return fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (!isWasm(bytes)) return fail(`${file} is not a WebAssembly module (bad magic number)`);

  let module: WebAssembly.Module;
  try {
    module = await compile(
      bytes,
      opts.memoryLimitBytes !== undefined ? { memoryLimitBytes: opts.memoryLimitBytes } : {},
    );
  } catch (e) {
    if (e instanceof ModuleFormatError) return fail(`${file}: ${e.message}`);
    return fail(`${file} is not a valid WebAssembly module: ${(e as Error).message}`);
  }

  const proc = spawn(host.workerHost, {
    module,
    args: [file, ...opts.args],
    env: opts.env,
    mounts,
    stdin: 'stream',
    // Like docker run, output is not capped: it streams with backpressure (the guest waits for the pipe).
    maxOutputBytes: Infinity,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.memoryLimitBytes !== undefined ? { memoryLimitBytes: opts.memoryLimitBytes } : {}),
    ...(opts.trace ? { trace: (line: string) => host.stderr(line + '\n') } : {}),
    onStdout: (chunk) => host.stdout(chunk),
    onStderr: (chunk) => host.stderr(chunk),
  });
  const finished = proc.wait();
  if (host.stdin) void pumpStdin(host.stdin, proc.stdin!, finished);
  else proc.stdin!.end();

  const result = await finished;
  if (result.reason === 'timeout' && opts.timeoutMs !== undefined) {
    result.message = `timed out after ${opts.timeoutMs / 1000} s (--timeout ${opts.timeoutMs / 1000})`;
  } else if (result.reason === 'oom' && opts.memoryLimitBytes !== undefined) {
    result.message = `out of memory: the module hit its limit of ${formatBytes(opts.memoryLimitBytes)} (--memory)`;
  }
  return exitStatus(file, result, (s) => host.stderr(s));
}
