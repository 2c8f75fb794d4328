/**
 * Processes and pipes in headless Chromium: test/process/fixtures/proc.wasm as pid 1 of a container in
 * module Web Workers (runtime/browser), every child in a worker of its own, pipes in SharedArrayBuffer
 * rings — the same programs and expected output as test/process/processes.test.ts in Node.
 *
 * Setup as in conformance.browser.test.ts: esbuild bundles the page script (pages/processes.ts), the
 * static server serves it cross-origin isolated (processes need SharedArrayBuffer) with dist/ and the
 * fixture, and playwright-core drives the system Chromium. Without /usr/bin/chromium the file is
 * skipped, except under CI (CI set), where that is a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcOptions, ProcResult } from './pages/processes';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, skipBrowserTests } from './chromium';
import { startServer, type StaticServer } from './server';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const skipAll = skipBrowserTests;

let scratch = '';
let server: StaticServer;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

function runProc(args: string[], options: ProcOptions = {}): Promise<ProcResult> {
  return page.evaluate(([a, o]) => window.runProc(a, o), [args, options] as const);
}

describe.skipIf(skipAll)('berth_process in Chromium Web Workers', () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM}, and CI is set`);
    scratch = mkdtempSync(join(tmpdir(), 'berth-browser-proc-'));
    const outdir = join(scratch, 'build');
    await build({
      entryPoints: [join(here, 'pages', 'processes.ts')],
      outfile: join(outdir, 'processes.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    server = await startServer({
      mounts: {
        '/test/browser/pages/build/': outdir,
        '/test/process/fixtures/': join(repo, 'test', 'process', 'fixtures'),
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: 60_000,
    });
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
    });
    await page.goto(`${server.origin}/test/browser/pages/processes.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.berthReady === true, undefined, { timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('a pipeline streams 10 MB from one worker to another', async () => {
    const r = await runProc(['run', 'proc', 'produce', '10000000', '|', 'proc', 'count']);
    expect(r.crossOriginIsolated).toBe(true);
    expect({ exitCode: r.exitCode, reason: r.reason, message: r.message }).toEqual({
      exitCode: 0,
      reason: 'exit',
      message: undefined,
    });
    expect(r.stdout).toBe('10000000 bytes\n');
    expect(r.stderr).toBe('status 0 0\n');
    console.log(`[browser processes] 10 MB pipeline in ${r.elapsedMs.toFixed(0)} ms`);
  }, 60_000);

  it('yes | head -n 3 ends: the writer gets EPIPE', async () => {
    const r = await runProc(['run', 'proc', 'yes', '|', 'proc', 'head', '3']);
    expect(r.stdout).toBe('y\ny\ny\n');
    expect(r.stderr).toContain('status 3 0\n');
  }, 60_000);

  it('nested spawn, files shared with children, and stdin read by a child', async () => {
    expect((await runProc(['nested'])).stdout).toBe('pid=3 ppid=2\nnested status 0\n');
    expect((await runProc(['files', '/tmp'])).stdout).toBe(
      'write status 0\nchild was here\nparent was here\nreadfile status 0\n',
    );
    expect((await runProc(['run', 'proc', 'cat'], { stdin: 'from the page\n' })).stdout).toBe(
      'from the page\n',
    );
  }, 60_000);

  it('a page that is not cross-origin isolated has no SharedArrayBuffer: berth_process calls are NOSYS', async () => {
    const plain = await page.context().newPage();
    try {
      await plain.goto(`${server.origin}/plain/test/browser/pages/processes.html`, { waitUntil: 'load' });
      await plain.waitForFunction(() => window.berthReady === true, undefined, { timeout: 10_000 });
      const r = await plain.evaluate(() => window.runProc(['ids']));
      expect(r.crossOriginIsolated).toBe(false);
      expect(r.stdout).toBe('getpid: errno 52\n');
      expect(r.exitCode).toBe(1);
    } finally {
      await plain.close();
    }
  }, 60_000);

  it('interrupt(): the foreground child ends with 130, pid 1 gets EINTR once', async () => {
    const r = await runProc(['waitintr'], { interruptOnReady: true });
    expect(r.stdout).toBe(
      'ready\nfirst wait: errno 27\nsecond wait: errno 0 status 130\nbackground: errno 0 status 0\n',
    );
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
