/**
 * The engine in a Chromium tab builds and runs an image with the same results as the CLI in Node: the
 * browser entry (src/browser/index.ts: JavaScript SHA-256, Web Workers, the same fflate deflate as the CLI)
 * builds `FROM scratch / COPY hello.wasm / ENTRYPOINT` from files given to the page, runs it, and the
 * test compares that with `berth build` + `berth run` of the same files on a temporary BERTH_ROOT:
 * byte-identical stdout, the same build output, layer blobs, manifest digest and image ID.
 *
 * Determinism: a layer keeps the context files' mtimes and an image config its `created` time (the
 * engine clock), as in Docker's classic builder. Both sides get the same time T: the context files'
 * mtimes (utimes on disk, `mtime` for buildFromFiles), and the engine clock (the page's engine is opened
 * with a fixed clock; the CLI, which has no option for it, runs with a preload that makes `new Date()`
 * return T; Date.now() and timers are untouched).
 *
 * Setup as in conformance.browser.test.ts: esbuild bundles the page script (pages/engine.ts), the static
 * server (server.ts) serves it cross-origin isolated, playwright-core drives the system Chromium.
 * Without /usr/bin/chromium the file is skipped, except under CI (CI set), where that is a failure.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildRunRequest, BuildRunResult } from './pages/engine';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, skipBrowserTests } from './chromium';
import { startServer, type StaticServer } from './server';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const skipAll = skipBrowserTests;
if (skipAll) {
  console.warn(
    `[browser tests] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium). ` +
      'Under CI (CI set) a missing Chromium fails instead.',
  );
}

const run = promisify(execFile);
/** The build's fixed time: context mtimes and the engine clock (2026-01-02T03:04:05.678Z). */
const T = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const DOCKERFILE = 'FROM scratch\nCOPY hello.wasm /hello.wasm\nENTRYPOINT ["/hello.wasm"]\n';
const TAG = 'engine-test:1';
const request: BuildRunRequest = {
  files: { Dockerfile: DOCKERFILE },
  wasm: { 'hello.wasm': 'hello' },
  tags: [TAG],
  timeMs: T,
};

let scratch = '';
let server: StaticServer;
let browser: Browser | undefined;
let page: Page | undefined;
/** The guest worker, relative to the page: the dist build (test/global-setup.ts builds dist first). */
const workerPath = '../../../dist/browser/worker.js';
const pageErrors: string[] = [];

/** `node bin/berth.js ARGS` on the test's state root, with `new Date()` pinned to T. */
async function berth(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(
    process.execPath,
    ['--import', join(scratch, 'fixed-date.mjs'), join(repo, 'bin', 'berth.js'), ...args],
    {
      cwd: scratch,
      env: { ...process.env, BERTH_ROOT: join(scratch, 'root'), BERTH_TEST_FIXED_TIME: String(T) },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

interface CliResult {
  imageId: string;
  manifestDigest: string;
  /** The compressed layer blobs, as the CLI stored them. */
  layerBlobs: Buffer[];
  diffIds: string[];
  created: string;
  buildOutput: string;
  stdout: string;
}

let cliOnce: Promise<CliResult> | undefined;
/** The CLI's build and run, done once for every test that compares with it. */
const cliResult = (): Promise<CliResult> => (cliOnce ??= cliBuildAndRun());

/** The same build and run through the CLI in Node. */
async function cliBuildAndRun(): Promise<CliResult> {
  const ctx = join(scratch, 'ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  copyFileSync(join(repo, 'test', 'wasi', 'wasm', 'hello.wasm'), join(ctx, 'hello.wasm'));
  for (const name of ['Dockerfile', 'hello.wasm']) {
    chmodSync(join(ctx, name), 0o644);
    utimesSync(join(ctx, name), T / 1000, T / 1000);
  }
  const built = await berth(['build', '-t', TAG, 'ctx']);
  const inspect = await berth(['image', 'inspect', TAG]);
  const [image] = JSON.parse(inspect.stdout) as {
    Id: string;
    Created: string;
    RootFS: { Layers: string[] };
    Descriptor: { digest: string };
  }[];
  const ran = await berth(['run', '--rm', TAG]);
  const blob = (digest: string) => readFileSync(join(scratch, 'root', 'blobs', 'sha256', digest.slice(7)));
  const manifest = JSON.parse(blob(image!.Descriptor.digest).toString('utf8')) as {
    layers: { digest: string }[];
  };
  return {
    imageId: image!.Id,
    manifestDigest: image!.Descriptor.digest,
    layerBlobs: manifest.layers.map((l) => blob(l.digest)),
    diffIds: image!.RootFS.Layers,
    created: image!.Created,
    buildOutput: built.stdout,
    stdout: ran.stdout,
  };
}

describe.skipIf(skipAll)('the engine in a Chromium tab', () => {
  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(
        `no Chromium at ${CHROMIUM}, and CI is set: the browser tests must run here ` +
          '(.ci/run installs it with apt-get install chromium)',
      );
    }
    scratch = mkdtempSync(join(tmpdir(), 'berth-engine-browser-'));
    writeFileSync(
      join(scratch, 'fixed-date.mjs'),
      [
        '// Pins `new Date()` (the CLI engine clock) to BERTH_TEST_FIXED_TIME; Date.now() stays real.',
        'const fixed = Number(process.env.BERTH_TEST_FIXED_TIME);',
        'const RealDate = globalThis.Date;',
        'globalThis.Date = class extends RealDate {',
        '  constructor(...args) {',
        '    if (args.length === 0) super(fixed);',
        '    else super(...args);',
        '  }',
        '};',
        '',
      ].join('\n'),
    );
    const outdir = join(scratch, 'build');
    await build({
      entryPoints: [join(here, 'pages', 'engine.ts')],
      outfile: join(outdir, 'engine.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      logLevel: 'error',
      // As scripts/build.mjs bundles dist/browser/engine.js.
      alias: { events: 'bare-events' },
      external: ['@wasmer/wasi'],
      define: { __BERTH_VERSION__: JSON.stringify('test') },
    });
    mkdirSync(join(scratch, 'fixtures'));
    server = await startServer({
      mounts: {
        '/test/browser/pages/build/': outdir,
        '/fixtures/': join(scratch, 'fixtures'),
        '/test/process/fixtures/': join(repo, 'test', 'process', 'fixtures'),
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 60_000,
    });
    const context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
    });
    const url = `${server.origin}/test/browser/pages/engine.html?worker=${encodeURIComponent(workerPath)}`;
    await page.goto(url, { waitUntil: 'load' });
    try {
      await page.waitForFunction(() => window.engineReady === true, undefined, { timeout: 5_000 });
    } catch (e) {
      throw new Error(`the page script did not load at ${url}:\n${pageErrors.join('\n')}\n${String(e)}`);
    }
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('should build and run an image in the tab exactly as the CLI does in Node', async () => {
    const [tab, cli] = await Promise.all([
      page!.evaluate((r) => window.buildAndRun(r), request) as Promise<BuildRunResult>,
      cliResult(),
    ]);
    console.log(
      `[engine] tab image ${tab.imageId} (manifest ${tab.manifestDigest}); ` +
        `CLI image ${cli.imageId} (manifest ${cli.manifestDigest})`,
    );
    expect(pageErrors).toEqual([]);
    expect(tab.crossOriginIsolated).toBe(true);
    expect({ exitCode: tab.exitCode, reason: tab.reason, stderr: tab.stderr }).toEqual({
      exitCode: 0,
      reason: 'exit',
      stderr: '',
    });
    expect(tab.stdout).not.toBe('');
    expect(tab.stdout, 'stdout').toBe(cli.stdout);
    expect(tab.created).toBe(cli.created);
    expect(tab.diffIds, 'diff_ids (uncompressed layers)').toEqual(cli.diffIds);
    expect(tab.imageId, 'image ID (config digest)').toBe(cli.imageId);
    // Intermediate containers get random IDs (in Docker too); everything else is the same.
    const containers = (out: string) =>
      out.replace(/(Running in |Removing intermediate container )[0-9a-f]{12}/g, '$1<container>');
    expect(containers(tab.buildOutput), 'build output').toBe(containers(cli.buildOutput));

    // Both hosts compress layers with the same deflater (src/layer/gzip.ts layerGzip), so the gzip'd layer
    // blobs, and so the manifest, are the same bytes too.
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    expect(tab.layers, 'layer digests').toEqual(cli.layerBlobs.map(sha));
    expect(tab.manifestDigest, 'manifest digest').toBe(cli.manifestDigest);
  }, 60_000);

  it('should give the same image through the built dist/browser/engine.js', async () => {
    const [fromSource, fromDist] = await Promise.all([
      page!.evaluate((r) => window.buildAndRun(r, 'source'), request),
      page!.evaluate((r) => window.buildAndRun(r, 'dist'), request),
    ]);
    expect(pageErrors).toEqual([]);
    expect(fromDist.exitCode).toBe(0);
    expect(fromDist.stdout).toBe(fromSource.stdout);
    expect(fromDist.imageId).toBe(fromSource.imageId);
    expect(fromDist.manifestDigest).toBe(fromSource.manifestDigest);
  }, 60_000);
  it('should build the same image from a memfs Volume (dist/browser/memfs.js) as from the CLI', async () => {
    const [tab, cli] = await Promise.all([
      page!.evaluate((r) => window.buildFromVolumeAndRun(r), request),
      cliResult(),
    ]);
    expect(pageErrors).toEqual([]);
    expect(tab.exitCode).toBe(0);
    expect(tab.stdout).toBe(cli.stdout);
    expect(tab.imageId, 'image ID').toBe(cli.imageId);
    expect(tab.manifestDigest, 'manifest digest').toBe(cli.manifestDigest);
  }, 60_000);

  it('should bind-mount a memfs Volume directory into a container, read-write and read-only', async () => {
    const r = await page!.evaluate(() => window.bindMountRun());
    expect(pageErrors).toEqual([]);
    expect(r.cat).toBe('from the page\n');
    expect(r.wrote).toBe(0);
    expect(r.after).toBe('from the guest');
    expect(r.roExit).not.toBe(0);
    expect(r.afterRo).toBe('from the guest');
  }, 60_000);

  it('should keep a built image in IndexedDB across a page reload, and run it after', async () => {
    const db = `engine-test-${Date.now()}`;
    const cli = await cliResult();
    const built = await page!.evaluate(({ r, name }) => window.persistBuild(r, name), {
      r: request,
      name: db,
    });
    expect(built.imageId).toBe(cli.imageId);

    await page!.reload({ waitUntil: 'load' });
    await page!.waitForFunction(() => window.engineReady === true, undefined, { timeout: 10_000 });
    const after = await page!.evaluate(({ name, tag }) => window.persistRun(name, tag), {
      name: db,
      tag: TAG,
    });
    expect(pageErrors).toEqual([]);
    expect(after.tags).toContain(TAG);
    expect(after.imageId).toBe(cli.imageId);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toBe(cli.stdout);

    // The build cache is in the database too: the same build after the reload uses it for every step.
    const rebuilt = await page!.evaluate(({ r, name }) => window.persistBuild(r, name), {
      r: request,
      name: db,
    });
    expect(rebuilt.imageId).toBe(cli.imageId);
    expect(rebuilt.output.match(/ ---> Using cache/g) ?? []).toHaveLength(2);
    expect(built.output).not.toContain('Using cache');

    // Another database is another state: nothing there.
    const other = await page!
      .evaluate((name) => window.persistRun(name, 'engine-test:1'), `${db}-other`)
      .catch((e: Error) => e.message);
    expect(other).toMatch(/No such image|not found/i);
  }, 60_000);

  it('should load an OCI layout directory and a docker save archive over HTTP, verifying digests', async () => {
    const cli = await cliResult();
    const fixtures = join(scratch, 'fixtures');
    await berth(['save', '-o', join(fixtures, 'image.tar'), TAG]);
    mkdirSync(join(fixtures, 'layout'));
    await run('tar', ['-xf', join(fixtures, 'image.tar'), '-C', join(fixtures, 'layout')]);

    for (const [url, format] of [
      ['/fixtures/layout/', 'layout'],
      ['/fixtures/image.tar', 'archive'],
    ] as const) {
      const loaded = await page!.evaluate(({ u, t, f }) => window.loadAndRun(u, t, f), {
        u: url,
        t: TAG,
        f: format,
      });
      expect(loaded.lines, url).toEqual([`Loaded image: ${TAG}`]);
      expect(loaded.imageId, url).toBe(cli.imageId);
      expect(loaded.stdout, url).toBe(cli.stdout);
    }

    // A layout whose index.json names nothing: kept by its ID, as `docker load` keeps it.
    cpSync(join(fixtures, 'layout'), join(fixtures, 'unnamed'), { recursive: true });
    const unnamedIndex = JSON.parse(readFileSync(join(fixtures, 'unnamed', 'index.json'), 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    for (const m of unnamedIndex.manifests) delete m.annotations;
    writeFileSync(join(fixtures, 'unnamed', 'index.json'), JSON.stringify(unnamedIndex));
    const unnamed = await page!.evaluate(({ u, t }) => window.loadAndRun(u, t), {
      u: '/fixtures/unnamed/',
      t: cli.imageId,
    });
    expect(unnamed.lines).toEqual([`Loaded image ID: ${cli.imageId}`]);
    expect(unnamed.stdout).toBe(cli.stdout);
    expect(unnamed.imageId).toBe(cli.imageId);
    expect(unnamed.tags).toEqual([]);
    expect(unnamed.listed).toEqual([cli.imageId]);

    // A layout whose layer blob was changed on the server: the digest check refuses it, nothing is kept.
    cpSync(join(fixtures, 'layout'), join(fixtures, 'tampered'), { recursive: true });
    const index = JSON.parse(readFileSync(join(fixtures, 'layout', 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const manifestFile = join(fixtures, 'tampered', 'blobs', 'sha256', index.manifests[0]!.digest.slice(7));
    const layer = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { layers: { digest: string }[] })
      .layers[0]!;
    const layerFile = join(fixtures, 'tampered', 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = readFileSync(layerFile);
    bytes[bytes.length - 1024] ^= 0xff;
    writeFileSync(layerFile, bytes);
    const refused = await page!
      .evaluate(({ u, t }) => window.loadAndRun(u, t), { u: '/fixtures/tampered/', t: TAG })
      .then(() => 'loaded')
      .catch((e: Error) => e.message);
    expect(refused).toContain('cannot load');
    expect(refused).toContain(layer.digest);
    pageErrors.length = 0;

    const missing = await page!
      .evaluate(({ u, t }) => window.loadAndRun(u, t), { u: '/fixtures/nothing-here.tar', t: TAG })
      .catch((e: Error) => e.message);
    expect(missing).toMatch(/cannot load .*nothing-here\.tar.*404/);
    pageErrors.length = 0;
  }, 90_000);

  it('should report how long a build and a warm hello run take in the tab', async () => {
    const runs = 10;
    const timed = await page!.evaluate(({ r, n }) => window.timeRuns(r, n), { r: request, n: runs });
    const sorted = [...timed.runMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `[engine] tab (dist/browser/engine.js): build of the hello image ${timed.buildMs.toFixed(1)} ms; ` +
        `hello run: first ${timed.runMs[0]!.toFixed(1)} ms, warm median ${median.toFixed(1)} ms ` +
        `(min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}) over ${runs} runs`,
    );
    expect(timed.runMs).toHaveLength(runs);

    const db = `timing-${Date.now()}`;
    const kept = await page!.evaluate(({ r, n, d }) => window.timeRuns(r, n, d), {
      r: request,
      n: runs,
      d: db,
    });
    const keptSorted = [...kept.runMs].sort((a, b) => a - b);
    console.log(
      `[engine] tab, IndexedDB (persist): build ${kept.buildMs.toFixed(1)} ms; hello run: first ` +
        `${kept.runMs[0]!.toFixed(1)} ms, warm median ${keptSorted[Math.floor(runs / 2)]!.toFixed(1)} ms`,
    );
    expect(kept.runMs).toHaveLength(runs);
  }, 60_000);
});
