/**
 * The C conformance programs of test/wasi, run in headless Chromium through Berth's browser runtime:
 * on the page's own thread (runInThread) and in a module Web Worker (spawn + BrowserWorkerHost), with the
 * same expected results as in Node (test/wasi/conformance.test.ts). Then the limits that apply in a
 * browser (wall-clock timeout, output cap, memory cap) and the fallback of a page that is not
 * cross-origin isolated (no SharedArrayBuffer: stdin given up front).
 *
 * Setup: esbuild bundles the page script (pages/conformance.ts, platform=browser) into a temp dir, the
 * static server (server.ts) serves it with the repository's dist/ and test/wasi/, and playwright-core
 * drives the system Chromium. The guest worker is dist/browser/worker.js when that build is newer than
 * every runtime source; otherwise a fresh bundle of runtime/browser/worker.ts (the same esbuild options as
 * scripts/build.mjs) is used, so that a bare `vitest run` never tests a stale build.
 *
 * Without /usr/bin/chromium the file is skipped, except under CI (CI set), where that is a failure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult, Mode, PageInfo, RunOptions } from './pages/conformance';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, skipBrowserTests } from './chromium';
import { startServer, type StaticServer } from './server';

interface Case {
  name: string;
  wasm?: string;
  args: string[];
  env: Record<string, string>;
  stdin: string;
  needsMount: boolean;
  expectExit: number | 'killed';
  expectStdout?: string;
  expectStdoutContains?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const skipAll = skipBrowserTests;
if (skipAll) {
  console.warn(
    `[browser tests] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium). ` +
      'Under CI (CI set) a missing Chromium fails instead.',
  );
}

const cases: Case[] = JSON.parse(readFileSync(join(repo, 'test', 'wasi', 'cases.json'), 'utf8'));
const byName = new Map(cases.map((c) => [c.name, c]));
/** What the browser can run: no benchmarks, no runaway programs, no host-directory mounts. */
const runnable = cases.filter(
  (c) => !c.name.startsWith('bench_') && c.expectExit !== 'killed' && !c.needsMount,
);
/** Run in a module Worker too: files, directories, links, streamed stdin. */
const WORKER_SUBSET = ['fd_basic', 'dirs', 'links', 'stdin_echo', 'poll', 'args_env'];
const workerCases = runnable.filter((c) => WORKER_SUBSET.includes(c.name));
/** Cases that need a limit to reach their expected result: run in 'limits in the browser' instead. */
const LIMIT_CASES = ['attack_memory'];
const threadCases = runnable.filter((c) => !LIMIT_CASES.includes(c.name));
const MEMORY_CAP = 64 * 1024 * 1024;
const stdinCase = runnable.find((c) => c.name === 'stdin_echo') ?? runnable.find((c) => c.stdin !== '');

/** A call into the page that takes longer than this is taken as a hung page. */
const EVALUATE_TIMEOUT_MS = 25_000;
const SHOTS = join(repo, 'test-results');

let scratch = '';
let server: StaticServer;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page | undefined;
/** The page the running test used last: the one a failure screenshot shows. */
let lastPage: Page | undefined;
/** The guest worker, relative to the page: the dist build (test/global-setup.ts builds dist first). */
const workerPath = '../../../dist/browser/worker.js';
const pageErrors: string[] = [];

/** A fresh page, waiting until the page script has loaded; prefix '' (isolated) or '/plain'. */
async function openPage(prefix = ''): Promise<Page> {
  if (!context) context = await browser!.newContext();
  const p = await context.newPage();
  lastPage = p;
  p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  p.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  p.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  const url = `${server.origin}${prefix}/test/browser/pages/conformance.html?worker=${encodeURIComponent(workerPath)}`;
  // A module script runs before the load event: if it has not set berthReady by then, it failed.
  await p.goto(url, { waitUntil: 'load' });
  try {
    await p.waitForFunction(() => window.berthReady === true, undefined, { timeout: 3_000 });
  } catch (e) {
    throw new Error(
      `the page script did not load at ${url}:\n${pageErrors.join('\n')}\n${(e as Error).message}`,
    );
  }
  return p;
}

async function currentPage(): Promise<Page> {
  if (!page || page.isClosed()) page = await openPage();
  return page;
}

/** The page is stuck (a guest spinning on its thread): drop it, the next call opens a fresh one. */
function abandon(p: Page): void {
  if (page === p) page = undefined;
  void p.close({ runBeforeUnload: false }).catch(() => undefined);
}

async function runCase(
  p: Page,
  c: Pick<Case, 'name' | 'args' | 'env' | 'stdin' | 'wasm'>,
  mode: Mode,
  options: RunOptions = {},
  timeoutMs = EVALUATE_TIMEOUT_MS,
): Promise<CaseResult> {
  const opts: RunOptions = { ...options, ...(c.wasm ? { wasm: c.wasm.replace(/\.wasm$/, '') } : {}) };
  let timer: ReturnType<typeof setTimeout> | undefined;
  lastPage = p;
  const run = p.evaluate(([name, args, env, stdin, m, o]) => window.runCase(name, args, env, stdin, m, o), [
    c.name,
    c.args,
    c.env,
    c.stdin,
    mode,
    opts,
  ] as const);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon(p);
      reject(new Error(`${c.name} [${mode}] did not finish within ${timeoutMs} ms (page dropped)`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The checks of test/wasi/conformance.test.ts: no `not ok`, the exit code, and the stdout expected. */
function expectConformant(c: Case, mode: Mode, r: CaseResult): void {
  const where = `${c.name} [${mode}]`;
  const failures = r.stdout.split('\n').filter((l) => l.startsWith('not ok'));
  expect(failures, `${where} failed checks:\n${failures.join('\n')}\nstderr: ${r.stderr}`).toEqual([]);
  expect(
    { exitCode: r.exitCode, reason: r.reason },
    `${where} ${r.message ?? ''}\nstderr: ${r.stderr}\nstdout tail: ${r.stdout.slice(-400)}`,
  ).toEqual({ exitCode: c.expectExit, reason: 'exit' });
  if (c.expectStdout !== undefined) expect(r.stdout, `${where} stdout`).toBe(c.expectStdout);
  else if (c.expectStdoutContains !== undefined) {
    expect(r.stdout, `${where} stdout`).toContain(c.expectStdoutContains);
  } else expect(r.stdout, `${where} summary line`).toMatch(/# passed \d+ failed 0/);
}

describe.skipIf(skipAll)('WASI conformance programs in headless Chromium', () => {
  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(
        `no Chromium at ${CHROMIUM}, and CI is set: the browser tests must run here ` +
          '(.ci/run installs it with apt-get install chromium)',
      );
    }
    scratch = mkdtempSync(join(tmpdir(), 'berth-browser-'));
    const outdir = join(scratch, 'build');
    await build({
      entryPoints: [join(here, 'pages', 'conformance.ts')],
      outfile: join(outdir, 'conformance.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      logLevel: 'error',
    });
    server = await startServer({ mounts: { '/test/browser/pages/build/': outdir } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    if (pageErrors.length) console.error(`[browser] page errors:\n${pageErrors.splice(0).join('\n')}`);
    const p = lastPage;
    if (!p || p.isClosed()) return;
    mkdirSync(SHOTS, { recursive: true });
    const file = join(SHOTS, `browser-${ctx.task.name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
    await p
      .screenshot({ path: file, fullPage: true, timeout: 5_000 })
      .then(() => console.error(`[browser] screenshot: ${file}`))
      .catch((e: Error) => console.error(`[browser] no screenshot (${e.message})`));
  });

  it('should serve a cross-origin-isolated page with SharedArrayBuffer', async () => {
    const info: PageInfo = await (await currentPage()).evaluate(() => window.pageInfo());
    expect(info).toMatchObject({ crossOriginIsolated: true, sharedArrayBuffer: true, sharedStdin: true });
    expect(pageErrors).toEqual([]);
  });

  describe('in-thread on the page', () => {
    for (const c of threadCases) {
      it(`should pass every check of ${c.name}`, async () => {
        const r = await runCase(await currentPage(), c, 'thread');
        expectConformant(c, 'thread', r);
      });
    }
  });

  describe('in a module Web Worker', () => {
    for (const c of workerCases) {
      it(`should pass every check of ${c.name}`, async () => {
        const r = await runCase(await currentPage(), c, 'worker');
        expectConformant(c, 'worker', r);
        if (c.stdin !== '') expect(r.stdinMode, 'stdin streamed through SharedArrayBuffer').toBe('stream');
      });
    }

    it.skipIf(!stdinCase)('should take stdin given up front in a worker too', async () => {
      const r = await runCase(await currentPage(), stdinCase!, 'worker', { stdinMode: 'buffer' });
      expectConformant(stdinCase!, 'worker', r);
    });
  });

  describe('limits in the browser', () => {
    it.skipIf(!byName.has('attack_loop'))(
      'should end a spinning guest in a worker with reason timeout and keep the page responsive',
      async () => {
        const p = await currentPage();
        const started = Date.now();
        const r = await runCase(p, byName.get('attack_loop')!, 'worker', { timeoutMs: 500 }, 15_000);
        const elapsed = Date.now() - started;
        expect(r.reason, r.message).toBe('timeout');
        expect(r.exitCode).toBeNull();
        expect(r.message).toMatch(/time limit/);
        // spawn settles once the worker is gone or after its grace period; Chromium needs ~2 s to stop it.
        expect(elapsed).toBeGreaterThanOrEqual(450);
        expect(elapsed).toBeLessThan(10_000);
        // The page still answers, and a new worker runs a guest while the old one may still be dying.
        expect(await p.evaluate(() => 6 * 7)).toBe(42);
        const next = workerCases[0] ?? runnable[0]!;
        expectConformant(next, 'worker', await runCase(p, next, 'worker'));
      },
      30_000,
    );

    it.skipIf(!byName.has('attack_flood'))(
      'should stop a guest that floods stdout at the output cap',
      async () => {
        const cap = 256 * 1024;
        const p = await currentPage();
        const flood = byName.get('attack_flood')!;
        for (const mode of ['worker', 'thread'] as const) {
          const r = await runCase(p, flood, mode, { maxOutputBytes: cap, maxReturnChars: 200 }, 20_000);
          expect(r.reason, `${mode}: ${r.message}`).toBe('output-limit');
          expect(r.exitCode).toBeNull();
          expect(r.stdoutBytes, mode).toBeLessThanOrEqual(cap);
          expect(r.stdoutBytes, mode).toBeGreaterThan(cap / 2);
        }
        expect(await p.evaluate(() => 6 * 7)).toBe(42);
      },
      45_000,
    );

    it.skipIf(!byName.has('attack_memory'))(
      'should let a guest that allocates without bound fail malloc at a 64 MiB cap, and the page survives',
      async () => {
        const p = await currentPage();
        const hog = byName.get('attack_memory')!;
        for (const mode of ['worker', 'thread'] as const) {
          const r = await runCase(
            p,
            hog,
            mode,
            { memoryLimitBytes: MEMORY_CAP, maxReturnChars: 4000 },
            25_000,
          );
          // Under the cap memory.grow fails, malloc returns NULL and the program exits 0 by itself.
          expectConformant(hog, mode, r);
          expect(await p.evaluate(() => 6 * 7), `${mode}: the page still answers`).toBe(42);
        }
      },
      60_000,
    );
  });

  describe('a page that is not cross-origin isolated', () => {
    let plain: Page | undefined;
    afterAll(async () => {
      await plain?.close().catch(() => undefined);
    });

    it('should have no SharedArrayBuffer', async () => {
      plain = await openPage('/plain');
      const info: PageInfo = await plain.evaluate(() => window.pageInfo());
      expect(info).toMatchObject({
        crossOriginIsolated: false,
        sharedArrayBuffer: false,
        sharedStdin: false,
      });
    });

    it.skipIf(!stdinCase)(
      'should run a guest with stdin given up front, in-thread and in a worker',
      async () => {
        plain ??= await openPage('/plain');
        for (const mode of ['thread', 'worker'] as const) {
          const r = await runCase(plain, stdinCase!, mode);
          expectConformant(stdinCase!, mode, r);
          if (mode === 'worker') expect(r.stdinMode).toBe('buffer');
        }
      },
    );

    it('should refuse streamed stdin with an explanation', async () => {
      plain ??= await openPage('/plain');
      const c = stdinCase ?? runnable[0]!;
      await expect(runCase(plain, c, 'worker', { stdinMode: 'stream' })).rejects.toThrow(
        /cross-origin isolated/,
      );
    });
  });
});
