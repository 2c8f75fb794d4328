/**
 * The page script of engine.html (bundled by test/browser/engine.browser.test.ts with esbuild,
 * platform=browser, the same aliases as scripts/build.mjs). It opens the browser engine
 * (src/browser/index.ts), builds an image from a Dockerfile and files given by the test plus wasm modules
 * fetched from test/wasi/wasm/, runs it, and reports what came out as `window.buildAndRun(request)`.
 *
 * `buildAndRun(request, 'dist')` does the same through the built dist/browser/engine.js, loaded as a
 * module by the page, instead of the sources bundled into this script.
 *
 * The guest worker's URL comes from the page's `?worker=` query parameter (relative to the page).
 */
import * as bundled from '../../../src/browser/index';

type EngineModule = typeof bundled;

export interface BuildRunRequest {
  /** Context files given as text. */
  files: Record<string, string>;
  /** Context path → name of a module in test/wasi/wasm/ (fetched by the page). */
  wasm: Record<string, string>;
  tags: string[];
  /** Every context entry's mtime and the engine clock, ms since the epoch. */
  timeMs: number;
}

export interface BuildRunResult {
  crossOriginIsolated: boolean;
  imageId: string;
  manifestDigest: string;
  layers: string[];
  diffIds: string[];
  created: string;
  buildOutput: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  reason: string;
}

/** What the persistence, loading and timing checks report. */
export interface RunReport {
  imageId: string;
  /** Every tag in the store when the run happened. */
  tags: string[];
  /** The IDs `images` lists (dangling images included). */
  listed?: string[];
  stdout: string;
  exitCode: number;
  /** loadFromUrl's lines. */
  lines?: string[];
  /** ms, performance.now() in the page. */
  ms?: number;
}

declare global {
  interface Window {
    buildAndRun(
      request: BuildRunRequest,
      engine?: 'source' | 'dist',
      fromVolume?: boolean,
    ): Promise<BuildRunResult>;
    /** The same build from a memfs Volume (dist/browser/memfs.js's volumeFromFiles) instead of a plain object. */
    buildFromVolumeAndRun(request: BuildRunRequest): Promise<BuildRunResult>;
    /** Builds into the IndexedDB database `dbName` (persist) and closes the engine. */
    persistBuild(request: BuildRunRequest, dbName: string): Promise<{ imageId: string; output: string }>;
    /** Opens the engine on `dbName` again (after a reload) and runs `image` from it. */
    persistRun(dbName: string, image: string): Promise<RunReport>;
    /** Loads `url` with loadFromUrl into an in-memory engine and runs `image`. */
    loadAndRun(url: string, image: string, format?: 'layout' | 'archive'): Promise<RunReport>;
    /**
     * Bind mounts of a memfs Volume (openBrowserEngine hostFs): runs tool (test/process/fixtures) with
     * `-v /data:/data` reading and writing, and with `:ro`; returns what the guest printed and the Volume's
     * files after.
     */
    bindMountRun(): Promise<{ cat: string; wrote: number; after: string; roExit: number; afterRo: string }>;
    /** Times `runs` runs of `image` on one engine (warm module cache after the first). */
    timeRuns(
      request: BuildRunRequest,
      runs: number,
      persist?: string,
    ): Promise<{ buildMs: number; runMs: number[] }>;
    engineReady: boolean;
  }
}

const workerUrl = new URL(
  new URLSearchParams(location.search).get('worker') ?? '../../../dist/browser/worker.js',
  location.href,
).href;

/** The request's files, with the wasm modules fetched from test/wasi/wasm/. */
async function contextFiles(request: BuildRunRequest): Promise<Record<string, string | Uint8Array>> {
  const files: Record<string, string | Uint8Array> = { ...request.files };
  for (const [path, name] of Object.entries(request.wasm)) {
    const response = await fetch(new URL(`../../wasi/wasm/${name}.wasm`, location.href));
    if (!response.ok) throw new Error(`fetch ${name}.wasm: HTTP ${response.status}`);
    files[path] = new Uint8Array(await response.arrayBuffer());
  }
  return files;
}

/** A module of dist/ (a computed URL: esbuild leaves the import to the browser). */
async function distModule<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ new URL(`../../../dist/browser/${name}`, location.href).href)) as T;
}

const text = (chunks: Uint8Array[]) => {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
};

async function runImage(
  engine: bundled.Engine,
  image: string,
): Promise<{ stdout: string; exitCode: number }> {
  const out: Uint8Array[] = [];
  const running = await engine.run({
    image,
    autoRemove: true,
    stdout: (chunk: Uint8Array) => void out.push(chunk.slice()),
  });
  const exit = await running.wait();
  return { stdout: text(out), exitCode: exit.statusCode };
}

async function tagsOf(engine: bundled.Engine): Promise<string[]> {
  return (await engine.listImages()).flatMap((i) => i.RepoTags).sort();
}

window.persistBuild = async (request, dbName) => {
  const engine = await bundled.openBrowserEngine({
    workerUrl,
    persist: dbName,
    clock: { now: () => new Date(request.timeMs) },
  });
  let output = '';
  try {
    const built = await bundled.buildFromFiles(engine, await contextFiles(request), {
      tags: request.tags,
      mtime: new Date(request.timeMs),
      output: (t) => void (output += t),
    });
    return { imageId: built.imageId, output };
  } finally {
    await engine.close();
  }
};

window.persistRun = async (dbName, image) => {
  const engine = await bundled.openBrowserEngine({ workerUrl, persist: dbName });
  try {
    const inspect = await engine.inspectImage(image);
    return { imageId: inspect.Id, tags: await tagsOf(engine), ...(await runImage(engine, image)) };
  } finally {
    await engine.close();
  }
};

window.loadAndRun = async (url, image, format) => {
  const engine = await bundled.openBrowserEngine({ workerUrl });
  try {
    const lines = await bundled.loadFromUrl(engine, url, format ? { format } : {});
    const inspect = await engine.inspectImage(image);
    const listed = (await engine.listImages()).map((i) => i.Id);
    return {
      lines,
      imageId: inspect.Id,
      tags: await tagsOf(engine),
      listed,
      ...(await runImage(engine, image)),
    };
  } finally {
    await engine.close();
  }
};

window.timeRuns = async (request, runs, persist) => {
  const api = await distModule<EngineModule>('engine.js');
  const engine = await api.openBrowserEngine({
    workerUrl,
    clock: { now: () => new Date(request.timeMs) },
    ...(persist !== undefined ? { persist } : {}),
  });
  try {
    const files = await contextFiles(request);
    const t0 = performance.now();
    await api.buildFromFiles(engine, files, {
      tags: request.tags,
      mtime: new Date(request.timeMs),
      quiet: true,
    });
    const buildMs = performance.now() - t0;
    const runMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const ran = await runImage(engine, request.tags[0]!);
      if (ran.exitCode !== 0) throw new Error(`run ${i} exited ${ran.exitCode}`);
      runMs.push(performance.now() - t);
    }
    return { buildMs, runMs };
  } finally {
    await engine.close();
  }
};

window.bindMountRun = async () => {
  const { volumeFromFiles } = await distModule<typeof import('../../../src/browser/volume')>('memfs.js');
  const volume = volumeFromFiles({ 'data/in.txt': 'from the page\n' });
  const engine = await bundled.openBrowserEngine({
    workerUrl,
    hostFs: volume as unknown as bundled.SyncNodeFs,
  });
  try {
    const response = await fetch(new URL('../../process/fixtures/tool.wasm', location.href));
    if (!response.ok) throw new Error(`fetch tool.wasm: HTTP ${response.status}`);
    await bundled.buildFromFiles(
      engine,
      {
        Dockerfile: 'FROM scratch\nCOPY tool.wasm /tool.wasm\nENTRYPOINT ["/tool.wasm"]\n',
        'tool.wasm': new Uint8Array(await response.arrayBuffer()),
      },
      { tags: ['tool'], quiet: true },
    );
    const runTool = async (volumes: string[], cmd: string[]) => {
      const out: Uint8Array[] = [];
      const running = await engine.run({
        image: 'tool',
        cmd,
        volumes,
        autoRemove: true,
        stdout: (c: Uint8Array) => void out.push(c.slice()),
        stderr: (c: Uint8Array) => void out.push(c.slice()),
      });
      const exit = (await running.wait()).statusCode;
      return { out: text(out), exit };
    };
    const cat = await runTool(['/data:/data'], ['cat', '/data/in.txt']);
    const wrote = await runTool(['/data:/data'], ['write', '/data/out.txt', 'from the guest']);
    const after = String(volume.readFileSync('/data/out.txt', 'utf8'));
    const ro = await runTool(['/data:/data:ro'], ['write', '/data/out.txt', 'should not land']);
    const afterRo = String(volume.readFileSync('/data/out.txt', 'utf8'));
    return { cat: cat.out, wrote: wrote.exit, after, roExit: ro.exit, afterRo };
  } finally {
    await engine.close();
  }
};

window.buildFromVolumeAndRun = (request) => window.buildAndRun(request, 'source', true);

window.buildAndRun = async (request, from = 'source', fromVolume = false) => {
  const api: EngineModule = from === 'dist' ? await distModule<EngineModule>('engine.js') : bundled;
  const { buildFromFiles, openBrowserEngine } = api;
  const files = await contextFiles(request);
  let context: Parameters<typeof buildFromFiles>[1] = files;
  if (fromVolume) {
    const { volumeFromFiles } = await distModule<typeof import('../../../src/browser/volume')>('memfs.js');
    context = { fs: volumeFromFiles(files, { mtime: new Date(request.timeMs) }), dir: '/' };
  }
  const engine = await openBrowserEngine({
    workerUrl,
    clock: { now: () => new Date(request.timeMs) },
  });
  try {
    let buildOutput = '';
    const built = await buildFromFiles(engine, context, {
      tags: request.tags,
      mtime: new Date(request.timeMs),
      output: (s) => void (buildOutput += s),
    });
    const inspect = await engine.inspectImage(built.imageId);
    const manifest = JSON.parse(
      new TextDecoder().decode(await engine.host.content.readBytes(inspect.Descriptor.digest)),
    ) as { layers: { digest: string }[] };
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const running = await engine.run({
      image: request.tags[0] ?? built.imageId,
      autoRemove: true,
      stdout: (chunk: Uint8Array) => void out.push(chunk.slice()),
      stderr: (chunk: Uint8Array) => void err.push(chunk.slice()),
    });
    const exit = await running.wait();
    return {
      crossOriginIsolated: self.crossOriginIsolated,
      imageId: built.imageId,
      manifestDigest: inspect.Descriptor.digest,
      layers: manifest.layers.map((l) => l.digest),
      diffIds: inspect.RootFS.Layers,
      created: inspect.Created,
      buildOutput,
      stdout: text(out),
      stderr: text(err),
      exitCode: exit.statusCode,
      reason: exit.reason,
    };
  } finally {
    await engine.close();
  }
};

document.getElementById('coi')!.textContent = String(self.crossOriginIsolated);
document.getElementById('status')!.textContent = 'ready';
window.engineReady = true;
