/**
 * The engine's browser entry (bundled as dist/browser/engine.js): the same Engine and builder the CLI
 * runs in Node, on a host made for a page:
 *
 * - the in-memory stores of src/engine/memoryHost (images, containers and volumes live as long as the
 *   engine object; no IndexedDB persistence yet);
 * - SHA-256 in JavaScript (@noble/hashes; WebCrypto cannot hash incrementally);
 * - guests in module Web Workers (runtime/browser's BrowserWorkerHost over dist/browser/worker.js);
 * - layers compressed with src/layer/gzip's layerGzip (fflate, as the CLI does: the same layer digests),
 *   decompressed with DecompressionStream.
 *
 * `buildFromFiles` builds from a context given as a plain object of files, served by `filesContext` (what
 * src/node/buildContext does for a host directory). Not a memfs Volume: memfs 4 reaches node:buffer,
 * node:events, node:stream, node:path, node:url and process through @jsonjoy.com/fs-node-builtins, and
 * its Buffer would need a shim this repository does not depend on; a context is a flat list of files,
 * which a Map serves directly.
 */
import { BrowserWorkerHost } from '../../runtime/browser/BrowserWorkerHost';
import { build, type BuildResult } from '../build/Builder';
import type { BuildContextSource, ContextStat } from '../build/context';
import { Engine } from '../engine/Engine';
import { createMemoryHost, jsSha256, singleProcess, systemClock } from '../engine/memoryHost';
import type { Clock, EngineHost } from '../engine/types';
import { layerGzip, webGunzip } from '../layer/gzip';
import type { HasherFactory } from '../platform/hasher';

export { Engine } from '../engine/Engine';
export { build, type BuildOptions, type BuildResult } from '../build/Builder';
export { syncFsContext } from '../build/context';

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
}

/** The EngineHost of a page: in-memory stores, JavaScript SHA-256, Web Workers, web gzip. */
export function browserEngineHost(options: BrowserEngineOptions): EngineHost {
  const host = createMemoryHost({
    workerHost: new BrowserWorkerHost(options.workerUrl),
    hasher: browserSha256,
    clock: options.clock ?? systemClock,
    processes: singleProcess(1),
    system: {
      os: 'browser',
      operatingSystem: 'Berth (browser, in memory)',
      ...(typeof navigator !== 'undefined'
        ? { cpus: navigator.hardwareConcurrency, jsRuntime: navigator.userAgent }
        : {}),
    },
  });
  host.gzip = layerGzip;
  host.gunzip = webGunzip;
  return host;
}

/** Opens an engine for this page. */
export async function openBrowserEngine(options: BrowserEngineOptions): Promise<Engine> {
  return Engine.open(browserEngineHost(options), {
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  });
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

/**
 * Builds an image from a context given as files: `{ 'Dockerfile': 'FROM scratch\n…', 'app/x.wasm': bytes }`
 * (see filesContext).
 */
export async function buildFromFiles(
  engine: Engine,
  files: Readonly<Record<string, string | Uint8Array>>,
  options: BuildFromFilesOptions = {},
): Promise<BuildResult> {
  return build(engine, {
    context: filesContext(files, options.mtime),
    ...(options.dockerfile !== undefined ? { dockerfile: { path: options.dockerfile } } : {}),
    ...(options.tags !== undefined ? { tags: options.tags } : {}),
    ...(options.buildArgs !== undefined ? { buildArgs: options.buildArgs } : {}),
    ...(options.noCache !== undefined ? { noCache: options.noCache } : {}),
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.output !== undefined ? { output: options.output } : {}),
  });
}
