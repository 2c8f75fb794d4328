/**
 * `--runtime wasmer`: the module runs under @wasmer/wasi 1.2.2 (wasmer-js) instead of Berth's own WASI.
 * The container's filesystem is copied into wasmer's MemFS before the run and what changed is copied back
 * through the container's namespace after it, so the writable layer (and any volume) ends up as if the
 * module had written to it directly. See WASMER_RUNTIME_HELP for what differs.
 */
import type { Namespace } from '../../runtime/fs/Namespace';
import type { FsNode } from '../../runtime/fs/types';
import type { RunResult } from '../../runtime/process/runInThread';
import { FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE, FILETYPE_SYMBOLIC_LINK } from '../../runtime/wasi/defs';
import { importsBerthProcess } from '../../runtime/wasi/Preview1';
import { EngineError } from './errors';
import { check, readFile, splitPath, writeFile } from './fsCopy';

/** For `--help`: what `--runtime wasmer` does differently from Berth's own runtime. */
export const WASMER_RUNTIME_HELP = `--runtime wasmer runs the module with @wasmer/wasi 1.2.2 instead of Berth's
own WASI implementation:
  - the container's files (image layers, writable layer, volumes and bind mounts)
    are copied into wasmer's in-memory filesystem before the run, and what the
    module changed is copied back after it; symlinks are not copied, and wasmer
    keeps no file modes or times;
  - output is buffered: stdout and stderr appear (and are logged) when the
    module exits;
  - stdin is read to its end before the module starts: no interactive input;
  - the module runs on the engine's own thread: it cannot be stopped, killed or
    timed out while it runs; --memory is enforced.
`;

interface WasmerFile {
  read(): Uint8Array;
  write(buf: Uint8Array): number;
  free(): void;
}

interface WasmerFs {
  readDir(path: string): { path: string; metadata: { filetype: { dir: boolean; file: boolean } } }[];
  createDir(path: string): void;
  open(path: string, options: Record<string, boolean>): WasmerFile;
}

interface WasmerWasi {
  readonly fs: WasmerFs;
  instantiate(module: WebAssembly.Module, imports: object): WebAssembly.Instance;
  start(instance: WebAssembly.Instance): number;
  getStdoutBuffer(): Uint8Array;
  getStderrBuffer(): Uint8Array;
  setStdinBuffer(buf: Uint8Array): void;
  free(): void;
}

interface WasmerLibrary {
  init(): Promise<void>;
  WASI: new (config: {
    args: string[];
    env: Record<string, string>;
    preopens: Record<string, string>;
  }) => WasmerWasi;
}

let library: Promise<WasmerLibrary> | undefined;

async function loadWasmer(): Promise<WasmerLibrary> {
  library ??= (async () => {
    let lib: WasmerLibrary;
    try {
      lib = (await import('@wasmer/wasi')) as unknown as WasmerLibrary;
    } catch (e) {
      library = undefined;
      throw new EngineError(
        'unsupported',
        `--runtime wasmer needs the @wasmer/wasi package, which cannot be loaded: ${(e as Error).message}`,
      );
    }
    await lib.init();
    return lib;
  })();
  return library;
}

export interface WasmerRunOptions {
  module: WebAssembly.Module;
  args: readonly string[];
  env: readonly string[];
  /** The container's filesystem; changed in place after the run. */
  namespace: Namespace;
  stdin: Uint8Array;
}

export interface WasmerRunResult {
  result: RunResult;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Things that could not be carried over (symlinks, read-only paths). */
  warnings: string[];
}

/** What was copied into MemFS: path → contents (files) or null (directories). */
type Copied = Map<string, Uint8Array | null>;

function copyIn(ns: Namespace, memfs: WasmerFs, warnings: string[]): Copied {
  const copied: Copied = new Map();
  const walk = (path: string): void => {
    const here = ns.resolve(ns.root, path || '/', true);
    if (typeof here === 'number' || here.node === null) return;
    const list = here.fs.readdir(here.node);
    if (typeof list === 'number') return;
    for (const entry of [...list]) {
      const childPath = `${path}/${entry.name}`;
      const r = ns.resolve(ns.root, childPath, false);
      if (typeof r === 'number' || r.node === null) continue;
      const filetype = r.fs.stat(r.node).filetype;
      if (filetype === FILETYPE_DIRECTORY) {
        memfs.createDir(childPath);
        copied.set(childPath, null);
        walk(childPath);
      } else if (filetype === FILETYPE_REGULAR_FILE) {
        const data = readFile(r.fs, r.node as FsNode, childPath);
        const file = memfs.open(childPath, { read: true, write: true, create: true });
        file.write(data);
        file.free();
        copied.set(childPath, data);
      } else if (filetype === FILETYPE_SYMBOLIC_LINK) {
        warnings.push(`symlink ${childPath} is not visible under --runtime wasmer`);
      }
    }
  };
  walk('');
  return copied;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function copyBack(ns: Namespace, memfs: WasmerFs, before: Copied, warnings: string[]): void {
  const seen = new Set<string>();
  const ensureDir = (path: string): void => {
    const r = ns.resolve(ns.root, path, true);
    if (typeof r === 'number') throw new EngineError('internal', `cannot reach ${path}`);
    if (r.node !== null) return;
    check(r.dir.fs.mkdir(r.dir.node, r.name!, 0o755), 'cannot create directory', path);
  };
  const walk = (path: string): void => {
    for (const entry of memfs.readDir(path || '/')) {
      const childPath = entry.path;
      seen.add(childPath);
      try {
        if (entry.metadata.filetype.dir) {
          if (!before.has(childPath)) ensureDir(childPath);
          walk(childPath);
          continue;
        }
        const file = memfs.open(childPath, { read: true });
        const data = file.read();
        file.free();
        const old = before.get(childPath);
        if (old instanceof Uint8Array && same(old, data)) continue;
        const r = ns.resolve(ns.root, splitPath(childPath)[0], true);
        if (typeof r === 'number' || r.node === null)
          throw new EngineError('internal', `cannot reach ${childPath}`);
        writeFile(r.fs, r.node, splitPath(childPath)[1], data, null, null, childPath);
      } catch (e) {
        warnings.push(`cannot keep ${childPath}: ${(e as Error).message}`);
      }
    }
  };
  walk('');
  // Removed by the module: files first, then directories deepest first.
  const gone = [...before.keys()].filter((p) => !seen.has(p)).sort((a, b) => b.length - a.length);
  for (const path of gone) {
    const [parent, name] = splitPath(path);
    const r = ns.resolve(ns.root, parent, true);
    if (typeof r === 'number' || r.node === null) continue;
    const err = before.get(path) === null ? r.fs.rmdir(r.node, name) : r.fs.unlink(r.node, name);
    if (err !== 0) warnings.push(`cannot remove ${path} (errno ${err})`);
  }
}

export async function runWithWasmer(options: WasmerRunOptions): Promise<WasmerRunResult> {
  if (importsBerthProcess(options.module)) {
    // @wasmer/wasi has no way to start processes (and fails on a module that imports more than WASI).
    const message =
      'the module imports berth_process (it starts processes, like sh): --runtime wasmer cannot run it; ' +
      "use Berth's own runtime (the default)";
    return {
      result: { exitCode: null, reason: 'error', message },
      stdout: new Uint8Array(0),
      stderr: new Uint8Array(0),
      warnings: [],
    };
  }
  const lib = await loadWasmer();
  const env: Record<string, string> = {};
  for (const kv of options.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const wasi = new lib.WASI({ args: [...options.args], env, preopens: { '/': '/' } });
  const warnings: string[] = [];
  try {
    const before = copyIn(options.namespace, wasi.fs, warnings);
    wasi.setStdinBuffer(options.stdin);
    let result: RunResult;
    try {
      const instance = wasi.instantiate(options.module, {});
      result = { exitCode: wasi.start(instance), reason: 'exit' };
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      result = /RuntimeError|unreachable|trap/i.test(message)
        ? { exitCode: null, reason: 'trap', message: `wasm trap: ${message.split('\n')[0]}` }
        : { exitCode: null, reason: 'error', message };
    }
    const stdout = wasi.getStdoutBuffer();
    const stderr = wasi.getStderrBuffer();
    copyBack(options.namespace, wasi.fs, before, warnings);
    return { result, stdout, stderr, warnings };
  } finally {
    wasi.free();
  }
}
