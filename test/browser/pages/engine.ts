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

declare global {
  interface Window {
    buildAndRun(request: BuildRunRequest, engine?: 'source' | 'dist'): Promise<BuildRunResult>;
    engineReady: boolean;
  }
}

const workerUrl = new URL(
  new URLSearchParams(location.search).get('worker') ?? '../../../dist/browser/worker.js',
  location.href,
).href;

window.buildAndRun = async (request, from = 'source') => {
  let api: EngineModule = bundled;
  if (from === 'dist') {
    // A computed URL: esbuild leaves the import to the browser.
    const url = new URL('../../../dist/browser/engine.js', location.href).href;
    api = (await import(/* @vite-ignore */ url)) as EngineModule;
  }
  const { buildFromFiles, openBrowserEngine } = api;
  const files: Record<string, string | Uint8Array> = { ...request.files };
  for (const [path, name] of Object.entries(request.wasm)) {
    const response = await fetch(new URL(`../../wasi/wasm/${name}.wasm`, location.href));
    if (!response.ok) throw new Error(`fetch ${name}.wasm: HTTP ${response.status}`);
    files[path] = new Uint8Array(await response.arrayBuffer());
  }
  const engine = await openBrowserEngine({
    workerUrl,
    clock: { now: () => new Date(request.timeMs) },
  });
  try {
    let buildOutput = '';
    const built = await buildFromFiles(engine, files, {
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
    const text = (chunks: Uint8Array[]) => {
      const decoder = new TextDecoder();
      return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
    };
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
