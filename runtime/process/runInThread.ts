import type { Namespace } from '../fs/Namespace';
import { type InputStream, type OutputStream, ProcExit, type WasiClock, WasiKill } from '../wasi/host';
import { type ImportFn, Preview1, type WasiImports } from '../wasi/Preview1';
import { blockingSleep, bufferedInput, cryptoRandom, realClock } from './hostDefaults';

/** How a guest run ended. exitCode is null unless the guest exited (or returned from _start). */
export interface RunResult {
  exitCode: number | null;
  reason: 'exit' | 'trap' | 'killed' | 'timeout' | 'oom' | 'output-limit' | 'error';
  /** Human-readable cause for everything but a plain exit (the trap message, the limit hit). */
  message?: string;
}

export interface GuestOptions {
  args: readonly string[];
  env?: readonly string[];
  namespace: Namespace;
  preopens?: readonly string[];
  stdin?: InputStream;
  stdout?: OutputStream;
  stderr?: OutputStream;
  clock?: WasiClock;
  random?: (dst: Uint8Array) => void;
  sleep?: (ns: bigint) => void;
  trace?: (line: string) => void;
  /** The memory cap the module was compiled with, so an allocation-failure trap can be reported as oom. */
  memoryLimitBytes?: number;
  /** Whether stdio are a terminal for the guest (isatty); default true. */
  terminal?: boolean;
  /** berth_process for a module that imports it (default: NOSYS); see Preview1Options.processImports. */
  processImports?: (wasi: Preview1) => Record<string, ImportFn>;
  /** Last word on the import object (a process kernel or a child's relay wraps the syscalls). */
  wrapImports?: (imports: WasiImports, wasi: Preview1, module: WebAssembly.Module) => WasiImports;
}

const discard: OutputStream = { write() {} };

function preview1(opts: GuestOptions): Preview1 {
  return new Preview1({
    args: opts.args,
    env: opts.env ?? [],
    namespace: opts.namespace,
    preopens: opts.preopens ?? ['/'],
    stdin: opts.stdin ?? bufferedInput(),
    stdout: opts.stdout ?? discard,
    stderr: opts.stderr ?? discard,
    clock: opts.clock ?? realClock(),
    random: opts.random ?? cryptoRandom,
    sleep: opts.sleep ?? blockingSleep,
    ...(opts.trace ? { trace: opts.trace } : {}),
    ...(opts.processImports ? { processImports: opts.processImports } : {}),
    ...(opts.terminal !== undefined ? { terminal: opts.terminal } : {}),
  });
}

function importsOf(wasi: Preview1, module: WebAssembly.Module, opts: GuestOptions): WebAssembly.Imports {
  const imports = wasi.importsFor(module);
  return (opts.wrapImports
    ? opts.wrapImports(imports, wasi, module)
    : imports) as unknown as WebAssembly.Imports;
}

/** Turns whatever ended the guest into a RunResult. */
export function resultOf(e: unknown, memory?: WebAssembly.Memory, limit?: number): RunResult {
  if (e instanceof ProcExit) return { exitCode: e.code, reason: 'exit' };
  if (e instanceof WasiKill) return { exitCode: null, reason: e.reason, message: e.message };
  if (e instanceof WebAssembly.RuntimeError) {
    const nearLimit =
      limit !== undefined && memory !== undefined && memory.buffer.byteLength + 16 * 65536 >= limit;
    if (nearLimit) {
      return { exitCode: null, reason: 'oom', message: `out of memory: ${e.message} (limit ${limit} bytes)` };
    }
    return { exitCode: null, reason: 'trap', message: `wasm trap: ${e.message}` };
  }
  if (e instanceof RangeError) return { exitCode: null, reason: 'oom', message: e.message };
  return { exitCode: null, reason: 'error', message: e instanceof Error ? e.message : String(e) };
}

function run(instance: WebAssembly.Instance, wasi: Preview1, opts: GuestOptions): RunResult {
  const memory = instance.exports.memory as WebAssembly.Memory | undefined;
  try {
    const code = wasi.start(instance);
    return { exitCode: code, reason: 'exit' };
  } catch (e) {
    return resultOf(e, memory, opts.memoryLimitBytes);
  }
}

/**
 * Runs a command module on the calling thread. Synchronous instantiation: fastest start, fine in Node and
 * in workers (a browser main thread refuses it for large modules: use runInThread there).
 * No wall-clock timeout can interrupt a guest on its own thread: use a Worker (spawn) for untrusted code.
 */
export function runInThreadSync(module: WebAssembly.Module, opts: GuestOptions): RunResult {
  const wasi = preview1(opts);
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, importsOf(wasi, module, opts));
  } catch (e) {
    return { exitCode: null, reason: 'error', message: `cannot instantiate module: ${(e as Error).message}` };
  }
  return run(instance, wasi, opts);
}

export async function runInThread(module: WebAssembly.Module, opts: GuestOptions): Promise<RunResult> {
  const wasi = preview1(opts);
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, importsOf(wasi, module, opts));
  } catch (e) {
    return { exitCode: null, reason: 'error', message: `cannot instantiate module: ${(e as Error).message}` };
  }
  return run(instance, wasi, opts);
}
