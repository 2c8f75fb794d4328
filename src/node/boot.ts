/**
 * Starts the CLI bundle (dist/berth.cjs) with V8's code cache, bundled to
 * dist/boot.cjs. Compiling the 700 KB CLI bundle from source is most of what `berth --version` costs
 * beyond Node itself; with the cache V8 deserializes the bytecode instead. Node 20 has no compile cache
 * for ES modules (module.enableCompileCache() is Node 22), hence CommonJS through vm.Script.
 *
 * The cache lives beside the bundle (`<bundle>.<tag>.cache`), never in a shared directory: bytecode is
 * code, so it gets the bundle's own trust. There is one per kind of run (`tag`: the command), holding the
 * functions that kind of run compiled, so `berth --version` does not deserialize the builder. It is keyed
 * by the bundle file and V8's version, because V8 itself only checks the source length (and its flags),
 * and (re)written at the exit of a successful run, atomically, when it was missing or rejected; a
 * read-only install simply runs without it.
 */
import { isAscii } from 'node:buffer';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** What the cache file holds before the bytecode: a JSON header line. */
interface CacheHeader {
  /** Which bundle file (size, mtime, inode) and which V8 made it. */
  key: string;
}

function readCache(path: string): { header: CacheHeader; data: Buffer } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as CacheHeader;
    if (typeof header.key !== 'string') return undefined;
    return { header, data: bytes.subarray(newline + 1) };
  } catch {
    return undefined;
  }
}

function writeCache(path: string, header: CacheHeader, data: Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]));
    renameSync(tmp, path);
  } catch {
    // A read-only install, a full disk: the next run compiles from source, as without a cache.
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

/** Where runBundle leaves the bundle a way to keep this run from writing the code cache (bin.ts). */
export const CODE_CACHE = Symbol.for('berth.codeCache');

/** What the bundle finds at globalThis[CODE_CACHE]. */
export interface CodeCacheControl {
  /**
   * This run did work that the quick runs of its kind do not (a build that built steps rather than
   * taking them all from the cache): it writes no cache, which would hold all that code, and make every
   * quick run deserialize it. The next quick run writes one.
   */
  decline(): void;
}

/**
 * Runs the CommonJS file `bundle` in this thread, as `require` would, through the code cache. `tag` names
 * the kind of run (the command); anything but a plain word shares the cache `other`.
 */
export function runBundle(bundle: string, tag: string): void {
  // Every build writes a new file: its size, mtime and inode tell bundles apart without hashing 700 KB.
  // V8 checks its own flags; a run under other flags finds the cache rejected and rewrites it.
  const { size, mtimeMs, ino } = statSync(bundle);
  const key = `${size}:${mtimeMs}:${ino}:${process.versions.v8}:${process.arch}`;
  const bytes = readFileSync(bundle);
  // Caught in the act of being rebuilt (esbuild truncates, then writes): say so, not exit 0 having done nothing.
  if (bytes.length === 0)
    throw new Error(`${bundle} is empty: run npm run build (or wait for the build running now)`);
  // An ASCII bundle (scripts/build.mjs makes it one) becomes a one-byte string without UTF-8 decoding.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachePath = `${bundle}.${/^[a-z][a-z-]{0,31}$/.test(tag) ? tag : 'other'}.cache`;
  const cached = readCache(cachePath);
  const usable = cached !== undefined && cached.header.key === key ? cached : undefined;
  // The bundle is already a function of the CommonJS module parameters (scripts/build.mjs wraps it).
  const script = new Script(source, {
    filename: bundle,
    ...(usable ? { cachedData: usable.data } : {}),
  });
  let declined = false;
  (globalThis as Record<symbol, unknown>)[CODE_CACHE] = {
    decline: () => void (declined = true),
  } satisfies CodeCacheControl;
  if (usable === undefined || script.cachedDataRejected === true) {
    // At exit, every function this run needed has been compiled: they all go into the cache. Only a run
    // that succeeded writes one, so a mistyped command leaves no file behind.
    process.once('exit', (code) => {
      if (code === 0 && !declined) writeCache(cachePath, { key }, script.createCachedData());
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}

/** Where prestartWorker leaves the worker for the bundle (prestartedWorker.ts) to adopt. */
export const PRESTARTED_WORKER = Symbol.for('berth.prestartedWorker');

/** A guest worker started before the CLI bundle loads, and its failure if it failed before adoption. */
export interface PrestartedWorker {
  worker: import('node:worker_threads').Worker;
  error?: Error;
  exitCode?: number;
}

/**
 * Starts the guest worker (`script`) now, for a command that will run a guest: the worker thread boots on
 * another core while this thread loads the CLI bundle and reads the image. Unref'd until adopted, so it
 * never keeps the process alive on its own.
 */
export function prestartWorker(script: string): void {
  // Loaded here, not at the top: only the commands that run a guest pay for loading worker_threads.
  const { Worker } = createRequire(script)('node:worker_threads') as typeof import('node:worker_threads');
  // The options of runtime/node/NodeWorkerHost: the guest's output travels in messages.
  const worker = new Worker(script, { stdout: false, stderr: false });
  worker.unref();
  const entry: PrestartedWorker = { worker };
  worker.once('error', (error) => (entry.error = error));
  worker.once('exit', (code) => (entry.exitCode = code));
  (globalThis as Record<symbol, unknown>)[PRESTARTED_WORKER] = entry;
}
