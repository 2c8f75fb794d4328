/**
 * The engine's browser entry (bundled as dist/browser/engine.js): the same Engine and builder the CLI
 * runs in Node, on a host made for a page. What a page (the playground) calls:
 *
 *   const engine = await openBrowserEngine({ workerUrl: '/dist/browser/worker.js', persist: true });
 *   const built = await buildFromFiles(engine, { Dockerfile: '…', 'hello.wasm': bytes }, { tags: ['hello'] });
 *   const run = await engine.run({ image: 'hello', autoRemove: true, stdout: (b) => term.write(b) });
 *   const exit = await run.wait();
 *   await loadFromUrl(engine, '/images/box/');          // an OCI layout served as a directory
 *   await loadFromUrl(engine, '/images/box.tar');       // a docker save / OCI layout tar
 *   engine.listImages(), engine.listContainers({ all: true }), engine.containerDiff(id), …  (src/engine/Engine.ts)
 *
 * The host (browserEngineHost):
 * - stores in memory, or with `persist` in IndexedDB (./idb: blobs, image records, containers and their
 *   writable layers, logs, volumes, the build cache), so images survive a reload;
 * - SHA-256 in JavaScript (@noble/hashes; WebCrypto cannot hash incrementally);
 * - guests in module Web Workers (runtime/browser's BrowserWorkerHost over dist/browser/worker.js);
 * - layers compressed with src/layer/gzip's layerGzip (fflate, as the CLI does: the same layer digests),
 *   decompressed with DecompressionStream;
 * - host directories (bind mounts, cp) from a memfs Volume given as `hostFs`, if any (./memfs).
 *
 * Build contexts: a plain object of files (filesContext), or a memfs Volume (`{ fs: volume, dir: '/ctx' }`,
 * served by syncFsContext as src/node/buildContext serves a host directory). memfs itself is not in this
 * bundle: dist/browser/memfs.js (src/browser/volume.ts) has `Volume` and `volumeFromFiles(files)`.
 */
import { BrowserWorkerHost } from '../../runtime/browser/BrowserWorkerHost';
import { build, type BuildResult } from '../build/Builder';
import type { BuildCache } from '../build/cache';
import { syncFsContext, type BuildContextSource, type ContextStat, type SyncFsLike } from '../build/context';
import { Engine } from '../engine/Engine';
import { createMemoryHost, cryptoIds, jsSha256, singleProcess, systemClock } from '../engine/memoryHost';
import type { Clock, EngineHost, ProcessControl } from '../engine/types';
import { layerGzip, webGunzip } from '../layer/gzip';
import type { HasherFactory } from '../platform/hasher';
import { DEFAULT_DATABASE_NAME, openBerthDatabase, type BerthDatabase } from './idb/database';
import { IdbBuildCache } from './idb/IdbBuildCache';
import { IdbContainerStore } from './idb/IdbContainerStore';
import { IdbContentStore } from './idb/IdbContentStore';
import { IdbImageStore } from './idb/IdbImageStore';
import { IdbLogStore } from './idb/IdbLogStore';
import { IdbVolumeStore } from './idb/IdbVolumeStore';
import { IdbWritableLayerStore } from './idb/IdbWritableLayerStore';
import { memfsHostDirs, type SyncNodeFs } from './memfs';

export { Engine } from '../engine/Engine';
export { build, type BuildOptions, type BuildResult } from '../build/Builder';
export { syncFsContext } from '../build/context';
export { deleteBerthDatabase, openBerthDatabase, type BerthDatabase } from './idb/database';
export { IdbBuildCache } from './idb/IdbBuildCache';
export { IdbContainerStore } from './idb/IdbContainerStore';
export { IdbContentStore } from './idb/IdbContentStore';
export { IdbImageStore } from './idb/IdbImageStore';
export { IdbLogStore } from './idb/IdbLogStore';
export { IdbVolumeStore } from './idb/IdbVolumeStore';
export { IdbWritableLayerStore } from './idb/IdbWritableLayerStore';
export { memfsHostDirs, type SyncNodeFs } from './memfs';
export { loadFromUrl, type LoadFromUrlOptions } from './loadFromUrl';

/** SHA-256 for the browser: @noble/hashes, streaming. */
export const browserSha256: HasherFactory = jsSha256;

export interface BrowserEngineOptions {
  /** URL of dist/browser/worker.js (an ES module worker, same origin as the page). */
  workerUrl: string | URL;
  /** The engine's clock (image `created` times, container times); default the system clock. */
  clock?: Clock;
  /** Warm guest workers kept by the engine's pool; default 2. */
  poolSize?: number;
  /** What `version` and `info` report; default 'dev'. */
  version?: string;
  /**
   * Keep the engine's state in IndexedDB, so images, containers, logs, volumes and the build cache
   * survive a reload: `true` for the database named 'berth', or a database name (one name = one state,
   * shared by the tabs of the origin). Default: in memory, gone with the engine.
   */
  persist?: boolean | string;
  /**
   * Host directories for bind mounts (`-v /src:/dst`) and `cp` to and from the host: a memfs Volume (or
   * any synchronous node-fs-like object) whose paths stand for host paths. Default: none (bind mounts are
   * refused with a clear error). See memfsHostDirs.
   */
  hostFs?: SyncNodeFs;
}

/** A page is one process: a pid of its own per page load, so containers a reload left "running" are seen as dead. */
function pageProcess(): ProcessControl {
  return singleProcess(1 + cryptoIds.randomInt(2 ** 30));
}

/**
 * The EngineHost of a page: JavaScript SHA-256, Web Workers, fflate gzip; the stores in memory, or in the
 * IndexedDB database `db` when one is given (openBerthDatabase).
 */
export function browserEngineHost(options: BrowserEngineOptions, db?: BerthDatabase): EngineHost {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const host = createMemoryHost({
    workerHost: new BrowserWorkerHost(options.workerUrl),
    hasher: browserSha256,
    clock,
    processes: pageProcess(),
    ...(options.hostFs ? { hostDirs: memfsHostDirs(options.hostFs) } : {}),
    system: {
      os: 'browser',
      operatingSystem: db ? `Berth (browser, IndexedDB ${db.name})` : 'Berth (browser, in memory)',
      ...(typeof navigator !== 'undefined'
        ? { cpus: navigator.hardwareConcurrency, jsRuntime: navigator.userAgent }
        : {}),
    },
  });
  if (db) {
    host.content = new IdbContentStore({ db, hasher: browserSha256, now });
    host.images = new IdbImageStore({ db, now });
    host.containers = new IdbContainerStore(db);
    host.layers = new IdbWritableLayerStore(db);
    host.logs = new IdbLogStore(db);
    host.volumes = new IdbVolumeStore({ db, now });
    host.root = `indexeddb://${db.name}`;
  }
  host.gzip = layerGzip;
  host.gunzip = webGunzip;
  return host;
}

/** Each engine's build cache: in IndexedDB for a persistent engine, else the builder's own in memory. */
const buildCaches = new WeakMap<Engine, BuildCache>();

/** Opens an engine for this page (in memory, or on IndexedDB with `persist`). */
export async function openBrowserEngine(options: BrowserEngineOptions): Promise<Engine> {
  const db =
    options.persist === undefined || options.persist === false
      ? undefined
      : await openBerthDatabase(options.persist === true ? DEFAULT_DATABASE_NAME : options.persist);
  const engine = await Engine.open(browserEngineHost(options, db), {
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  });
  if (db) {
    buildCaches.set(engine, new IdbBuildCache(db));
    // The engine's IndexedDB connection is its own: closing the engine closes it.
    const closeEngine = engine.close.bind(engine);
    engine.close = async () => {
      try {
        await closeEngine();
      } finally {
        db.close();
      }
    };
  }
  return engine;
}

export interface BuildFromFilesOptions {
  /** References to tag the result with (`name`, `name:tag`). */
  tags?: readonly string[];
  /** The Dockerfile's path in `files` (default `Dockerfile`). */
  dockerfile?: string;
  buildArgs?: Readonly<Record<string, string>>;
  noCache?: boolean;
  target?: string;
  quiet?: boolean;
  /** The build's progress (Docker's stdout), in pieces. */
  output?: (text: string) => void;
  /**
   * The files' modification time, which the layers keep (as Docker does): default now. Give a fixed
   * time for layers that do not depend on when the build ran.
   */
  mtime?: Date;
}

/**
 * A build context over files given in memory: paths relative to the context root, '/'-separated; the
 * directories above them are made (0755). Files are 0644, every entry has mtime `mtime`.
 */
export function filesContext(
  files: Readonly<Record<string, string | Uint8Array>>,
  mtime: Date = new Date(),
): BuildContextSource {
  const mtimeMs = Math.floor(mtime.getTime());
  const data = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  const utf8 = new TextEncoder();
  for (const [name, contents] of Object.entries(files)) {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..')) throw new Error(`bad context path: ${name}`);
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    data.set(parts.join('/'), typeof contents === 'string' ? utf8.encode(contents) : contents.slice());
  }
  const notFound = (path: string) =>
    Object.assign(new Error(`open ${path}: no such file or directory`), { code: 'ENOENT' });
  const clean = (path: string) =>
    path
      .split('/')
      .filter((p) => p !== '' && p !== '.')
      .join('/');
  return {
    async list(options = {}) {
      // Byte-wise order of names within each directory, each directory before its contents (as
      // src/node/buildContext walks a host directory).
      const children = new Map<string, string[]>();
      for (const path of [...dirs, ...data.keys()]) {
        const slash = path.lastIndexOf('/');
        const parent = slash < 0 ? '' : path.slice(0, slash);
        const list = children.get(parent) ?? [];
        list.push(path.slice(slash + 1));
        children.set(parent, list);
      }
      const out: ContextStat[] = [];
      const walk = (dir: string): void => {
        const names = (children.get(dir) ?? []).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const name of names) {
          const path = dir === '' ? name : `${dir}/${name}`;
          if (dirs.has(path)) {
            if (options.skipDir?.(path)) continue;
            out.push({ path, type: 'dir', mode: 0o755, size: 0, mtimeMs });
            walk(path);
          } else {
            out.push({ path, type: 'file', mode: 0o644, size: data.get(path)!.length, mtimeMs });
          }
        }
      };
      walk('');
      return out;
    },
    async readFile(path) {
      const bytes = data.get(clean(path));
      if (bytes === undefined) throw notFound(path);
      return bytes.slice();
    },
    async readlink(path) {
      throw Object.assign(new Error(`readlink ${path}: invalid argument`), { code: 'EINVAL' });
    },
  };
}

/** A memfs Volume (or any SyncFsLike) holding a build context in directory `dir` (default `/`). */
export interface FsContext {
  fs: SyncFsLike;
  dir?: string;
}

function isFsContext(source: Readonly<Record<string, string | Uint8Array>> | FsContext): source is FsContext {
  const fs = (source as { fs?: unknown }).fs;
  return typeof fs === 'object' && fs !== null && typeof (fs as SyncFsLike).readdirSync === 'function';
}

/**
 * Builds an image from a context given as files, `{ 'Dockerfile': 'FROM scratch\n…', 'app/x.wasm': bytes }`
 * (see filesContext), or held in a memfs Volume, `{ fs: volume, dir: '/ctx' }` (its files' own modes and
 * mtimes go into the layers; `mtime` does not apply). A persistent engine keeps its build cache in
 * IndexedDB, so cached steps stay cached across reloads.
 */
export async function buildFromFiles(
  engine: Engine,
  files: Readonly<Record<string, string | Uint8Array>> | FsContext,
  options: BuildFromFilesOptions = {},
): Promise<BuildResult> {
  const cache = buildCaches.get(engine);
  return build(engine, {
    context: isFsContext(files)
      ? syncFsContext(files.fs, files.dir ?? '/')
      : filesContext(files, options.mtime),
    ...(cache !== undefined ? { cache } : {}),
    ...(options.dockerfile !== undefined ? { dockerfile: { path: options.dockerfile } } : {}),
    ...(options.tags !== undefined ? { tags: options.tags } : {}),
    ...(options.buildArgs !== undefined ? { buildArgs: options.buildArgs } : {}),
    ...(options.noCache !== undefined ? { noCache: options.noCache } : {}),
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.output !== undefined ? { output: options.output } : {}),
  });
}
