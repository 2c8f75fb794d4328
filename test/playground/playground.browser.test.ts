/**
 * The playground in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core), as a visitor
 * uses it: the page loads cross-origin isolated, the Build and Run buttons build and run the hello
 * example, commands typed into the terminal run the berth CLI, a container reads what is typed (-i), Ctrl-C
 * kills a runaway container and a flood, the file browser shows each file's layer and a container's own
 * changes, the layer picture shows an image's steps, and after a reload the images built are still there
 * (IndexedDB).
 *
 * The page is dist/playground (playground/build.mjs, run in beforeAll) served by playground/server.ts; the
 * runaway fixture is test/wasi/wasm/attack_loop.wasm (spins without a WASI call), served at /fixtures/.
 * A failing test leaves a screenshot in test-results/playground-<test>.png. Timings are printed, not
 * asserted. Without /usr/bin/chromium the file is skipped, except under CI (CI set), where that fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startPlaygroundServer, type PlaygroundServer } from '../../playground/server';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveChromium = existsSync(CHROMIUM);
const skipAll = !haveChromium && !inCI;
if (skipAll)
  console.warn(`[playground tests] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let server: PlaygroundServer;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

/** The whole terminal buffer (scrollback included), lines joined with '\n', trailing blanks trimmed. */
async function terminalText(): Promise<string> {
  return page.evaluate(async () => {
    const term = (window as unknown as { playground: { term: import('@xterm/xterm').Terminal } }).playground
      .term;
    // xterm parses writes asynchronously: an empty write's callback runs once everything before it is on screen.
    await new Promise<void>((r) => term.write('', r));
    const buffer = term.buffer.active;
    const lines: string[] = [];
    // A line the terminal wrapped at its width is one line of output.
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i)!;
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += line.translateToString(true);
      else lines.push(line.translateToString(true));
    }
    return lines.join('\n').trimEnd();
  });
}

/** What the terminal shows after `mark` (a length of terminalText() taken earlier). */
async function terminalSince(mark: number): Promise<string> {
  return (await terminalText()).slice(mark);
}

async function waitForTerminal(pattern: RegExp, since: number, timeout = 30_000): Promise<string> {
  const until = Date.now() + timeout;
  for (;;) {
    const text = await terminalSince(since);
    if (pattern.test(text)) return text;
    if (Date.now() > until)
      throw new Error(`terminal never showed ${pattern}; it shows:\n${text.slice(-3000)}`);
    await page.waitForTimeout(100);
  }
}

function shellBusy(): Promise<boolean> {
  return page.evaluate(
    () => (window as unknown as { playground: { shell: { busy: boolean } } }).playground.shell.busy,
  );
}

async function waitIdle(timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => !(window as unknown as { playground: { shell: { busy: boolean } } }).playground.shell.busy, undefined, { timeout, polling: 50 }); // prettier-ignore
}

/** Types a line into the terminal (focused through xterm's hidden textarea) and presses Enter. */
async function typeLine(text: string): Promise<void> {
  await page.locator('#terminal .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Runs a command at the prompt and gives what it printed (the command line itself not included). */
async function command(text: string, timeout = 60_000): Promise<string> {
  await waitIdle();
  const mark = (await terminalText()).length;
  await typeLine(text);
  await page.waitForFunction(() => (window as unknown as { playground: { shell: { busy: boolean } } }).playground.shell.busy, undefined, { timeout: 5_000, polling: 10 }).catch(() => undefined); // prettier-ignore
  await waitIdle(timeout);
  const out = await terminalSince(mark);
  const lines = out.split('\n');
  return lines.slice(1, -1).join('\n');
}

/** A failed test leaves test-results/playground-<test>.png: what the page showed. */
async function screenshotOnFailure(ctx: TestContext): Promise<void> {
  if (ctx.task.result?.state !== 'fail' || page === undefined) return;
  mkdirSync(join(repo, 'test-results'), { recursive: true });
  const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: join(repo, 'test-results', `playground-${name}.png`), fullPage: true }).catch(() => undefined); // prettier-ignore
}

async function waitReady(): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

// Generous limits: the tab builds and runs real images, on a 2-core machine that may be busy.
describe.skipIf(skipAll)('the playground in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`no Chromium at ${CHROMIUM}, and CI is set (.ci/run installs it)`);
    execFileSync(process.execPath, [join(repo, 'playground', 'build.mjs')], {
      stdio: 'inherit',
      env: { ...process.env, BERTH_BUILD_QUIET: '1' },
    });
    server = await startPlaygroundServer({ root: repo, mounts: { '/fixtures/': join(repo, 'test', 'wasi', 'wasm') } }); // prettier-ignore
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 }); // prettier-ignore
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console.error: ${m.text()}`)));
    page.on('response', (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`)));
  });

  afterEach(screenshotOnFailure);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads cross-origin isolated, with a prompt in the terminal', async () => {
    await page.goto(`${server.origin}/`);
    await waitReady();
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const text = await terminalText();
    expect(text).toContain('Berth');
    expect(text.split('\n').at(-1)).toBe('berth:~$');
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const pg = (window as unknown as { playground: { timings: { readyMs: number; terminalReadyMs: number; firstContentfulPaintMs?: number } } }).playground; // prettier-ignore
      return {
        ready: pg.timings.readyMs,
        prompt: pg.timings.terminalReadyMs,
        fcp: pg.timings.firstContentfulPaintMs,
        domContentLoaded: nav.domContentLoadedEventEnd,
      };
    });
    console.log(`[playground] after navigation start: first contentful paint ${t.fcp?.toFixed(0)} ms, DOMContentLoaded ${t.domContentLoaded.toFixed(0)} ms, prompt usable ${t.prompt.toFixed(0)} ms, editor filled ${t.ready.toFixed(0)} ms`); // prettier-ignore
    expect(problems).toEqual([]);
  });

  it('builds and runs the hello example with the Build and Run buttons', async () => {
    const mark = (await terminalText()).length;
    await page.click('#build');
    const built = await waitForTerminal(/Successfully tagged hello:latest/, mark, 60_000);
    expect(built).toMatch(/Step 1\/\d+ : FROM scratch/);
    await waitIdle();
    await page.waitForSelector('#images-table tr[data-image="hello:latest"]');
    await page.click('#run');
    const ran = await waitForTerminal(/Welcome to the Berth hello image/, mark, 30_000);
    expect(ran).toContain('Hello from Berth!');
    await waitIdle();
    // The Run button keeps the container (no --rm): it is listed, exited 0.
    await page.waitForSelector('#containers-table td:text("Exited (0)")');
  });

  it('runs commands typed at the prompt, and recalls them with the Up arrow', async () => {
    const images = await command('berth images');
    expect(images).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
    expect(images).toMatch(/\nhello\s+latest\s+[0-9a-f]{12}\s/);
    const mark = (await terminalText()).length;
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    expect(await waitForTerminal(/hello\s+latest/, mark)).toMatch(/^ berth images\n/);
    await waitIdle();
    const unknown = await command('berth frobnicate');
    expect(unknown).toContain('berth: unknown command "frobnicate"');
    const ran = await command("berth run --rm -e NAME='tab user' hello one 'two words'");
    expect(ran).toContain('Arguments:\n  [1] one\n  [2] two words\nNAME=tab user\nHello, tab user!');
  });

  it('hands typed lines to a container started with -i, and Ctrl-D ends its input', async () => {
    await waitIdle();
    const mark = (await terminalText()).length;
    await typeLine('berth run --rm -i box cat');
    // box arrives on first use (from its shipped OCI layout); cat then waits on stdin.
    await waitForTerminal(/Loaded box:latest from Berth's base images/, mark, 30_000);
    await page.waitForFunction(() => (window as unknown as { playground: { shell: { busy: boolean } } }).playground.shell.busy); // prettier-ignore
    await page.waitForTimeout(1500);
    await page.keyboard.type('first line');
    await page.keyboard.press('Enter');
    // The line shows twice: echoed as typed, then written back by cat.
    await waitForTerminal(/first line\nfirst line/, mark, 30_000);
    await page.keyboard.type('second');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('D');
    await page.keyboard.press('Enter');
    await waitForTerminal(/seconD\nseconD/, mark);
    expect(await shellBusy()).toBe(true);
    await page.keyboard.press('Control+D');
    await waitIdle(15_000);
    expect((await terminalText()).split('\n').at(-1)).toBe('berth:~$');
    // The image the tab loaded is the one images/oci/box ships: the same image ID (config digest).
    const layout = join(repo, 'images', 'oci', 'box');
    const blob = (digest: string) => JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)), 'utf8')); // prettier-ignore
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const config = (blob(index.manifests[0]!.digest) as { config: { digest: string } }).config.digest;
    expect(await command('berth images --no-trunc --format "{{.ID}}" box')).toBe(config);
  });

  it('gives a shell with berth run -it box sh: pipes, Ctrl-C interrupts its command, Ctrl-D leaves', async () => {
    await waitIdle();
    const mark = (await terminalText()).length;
    await typeLine('berth run -it --name shell box sh');
    await waitForTerminal(/\n\$$/, mark, 30_000); // sh's prompt (the buffer's trailing blank is trimmed)
    await page.keyboard.type('echo one two three | wc -w');
    await page.keyboard.press('Enter');
    await waitForTerminal(/wc -w\n3\n\$ ?$/, mark);
    await page.keyboard.type('sleep 100');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    await page.keyboard.press('Control+C');
    // The shell survives: its next prompt comes, and it runs the next command.
    await waitForTerminal(/sleep 100\n\^C\n[\s\S]*\$ ?$/, mark, 15_000);
    expect(await shellBusy()).toBe(true);
    await page.keyboard.type('echo still here');
    await page.keyboard.press('Enter');
    await waitForTerminal(/still here\n\$ ?$/, mark);
    await page.keyboard.press('Control+D');
    await waitIdle(15_000);
    expect((await terminalText()).split('\n').at(-1)).toBe('berth:~$');
    expect(await command('berth ps -a --filter name=shell --format "{{.Status}}"')).toMatch(/^Exited \(0\)/);
  });

  it('kills a runaway container with Ctrl-C', async () => {
    // A project of our own, made the way a visitor would: the fixture module into the workspace, a
    // Dockerfile, then build and run from the terminal.
    await page.evaluate(async () => {
      const pg = (window as unknown as { playground: { workspace: { writeFile(p: string, d: Uint8Array | string): void } } }).playground; // prettier-ignore
      const wasm = new Uint8Array(await (await fetch('/fixtures/attack_loop.wasm')).arrayBuffer());
      pg.workspace.writeFile('/work/spin/spin.wasm', wasm);
      pg.workspace.writeFile(
        '/work/spin/Dockerfile',
        'FROM scratch\nCOPY spin.wasm /spin.wasm\nENTRYPOINT ["/spin.wasm"]\n',
      );
    });
    expect(await command('cd /work/spin')).toBe('');
    expect(await command('berth build -t spin .')).toContain('Successfully tagged spin:latest');
    const mark = (await terminalText()).length;
    await typeLine('berth run --name spinner spin');
    await waitForTerminal(/# spinning forever/, mark, 30_000);
    await page.waitForTimeout(500);
    expect(await shellBusy()).toBe(true);
    const pressed = Date.now();
    await page.keyboard.press('Control+C');
    await waitIdle(15_000);
    console.log(`[playground] Ctrl-C on a spinning container: prompt back after ${Date.now() - pressed} ms`);
    expect(await terminalSince(mark)).toMatch(/\^C\nberth:~\$$/);
    expect(await command('berth ps -a --format "{{.Names}} {{.Status}}"')).toMatch(
      /^spinner Exited \(137\)/m,
    );
    expect(await command('berth ps -q')).toBe('');
  });

  it('stops a flood of output with Ctrl-C and drops what was not shown yet', async () => {
    const mark = (await terminalText()).length;
    await typeLine('berth run --rm box yes');
    await waitForTerminal(/y\ny\ny\n/, mark, 30_000);
    await page.keyboard.press('Control+C');
    await waitIdle(15_000);
    const text = await terminalSince(mark);
    expect(text).toMatch(/\^C\nberth:~\$$/);
    // Nothing of the flood after the interrupt.
    expect(text.slice(text.lastIndexOf('^C'))).not.toContain('y\n');
    expect(await command('echo-nothing')).toContain('command not found');
    // The flood filled the scrollback: later tests find their output by offsets into the buffer, which
    // lines leaving the scrollback would shift. `clear` empties it, as in a terminal.
    await command('clear');
    expect((await terminalText()).split('\n')).toHaveLength(1);
  });

  it("shows each file's layer and a container's own changes in the file browser", async () => {
    await command('cd /work');
    expect(await command('berth run --name shrinker box rm /bin/yes')).toBe('');
    expect(await command('berth run --name maker box mkdir -p /data/logs')).toBe('');
    await page.evaluate(async () => {
      const pg = (window as unknown as { playground: { showTab(t: string): void } }).playground;
      pg.showTab('files');
    });
    await page.selectOption('#files-source', { label: 'container shrinker (exited)' });
    await page.waitForSelector('#files-table tr[data-path="/bin/yes"]');
    const yes = page.locator('#files-table tr[data-path="/bin/yes"]');
    expect(await yes.getAttribute('class')).toContain('D');
    expect(await yes.locator('td').first().textContent()).toBe('D');
    // Every box file comes from one of its two layers: box.wasm from the first COPY, the links from the second.
    expect(await page.locator('#files-table tr[data-path="/bin/box"] .chip').textContent()).toMatch(
      /^L0 COPY/,
    );
    expect(await page.locator('#files-table tr[data-path="/bin/cat"] .chip').textContent()).toMatch(
      /^L1 COPY/,
    );
    expect(await page.locator('#change-counts').textContent()).toBe('changes: 0 added, 1 changed, 1 deleted');

    await page.selectOption('#files-source', { label: 'container maker (exited)' });
    await page.waitForSelector('#files-table tr[data-path="/data/logs"]');
    expect(await page.locator('#files-table tr[data-path="/data"]').getAttribute('class')).toContain('A');
    expect(await page.locator('#files-table tr[data-path="/data/logs"] .chip').textContent()).toBe(
      'container',
    );
    await page.click('#files-table tr[data-path="/bin/box"]');
    expect(await page.locator('#file-preview').textContent()).toContain('a WebAssembly module');
  });

  it('pictures the layers of an image built on a base image', async () => {
    await page.selectOption('#project-select', 'app');
    await page.waitForSelector('#file-list li[data-path="motd"]');
    expect(await page.locator('#tag').inputValue()).toBe('app');
    const mark = (await terminalText()).length;
    await page.click('#build');
    await waitForTerminal(/Successfully tagged app:latest/, mark, 60_000);
    await waitIdle();
    await page.click('.tabs [data-tab="layers"]');
    await page.selectOption('#layers-image', 'app:latest');
    await page.waitForSelector('#layer-stack .layer[data-layer="2"]');
    // hello's two COPY layers and the app's own, each a box with its instruction, size and digest.
    const boxes = page.locator('#layer-stack .layer:not(.meta)');
    expect(await boxes.count()).toBe(3);
    const top = boxes.first();
    expect(await top.locator('.instr').textContent()).toMatch(/^COPY .* in \/etc\/motd/);
    expect(await top.locator('.digest').textContent()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const metadata = await page.locator('#layer-stack .layer.meta .instr').allTextContents();
    expect(metadata.filter((m) => /^ENV GREETING=.?Hello from the playground/.test(m))).toHaveLength(1);
    await top.click();
    await page.waitForSelector('#layer-files td:text("/etc/motd")');
    // In the merged tree, /etc/motd now comes from the app's layer and /hello.wasm still from hello's first.
    await page.click('.tabs [data-tab="files"]');
    await page.selectOption('#files-source', 'app:latest');
    await page.waitForSelector('#files-table tr[data-path="/etc/motd"]');
    expect(await page.locator('#files-table tr[data-path="/etc/motd"] .chip').textContent()).toMatch(/^L2 /);
    expect(await page.locator('#files-table tr[data-path="/hello.wasm"] .chip').textContent()).toMatch(
      /^L0 /,
    );
    await page.click('#files-table tr[data-path="/etc/motd"]');
    expect(await page.locator('#file-preview pre').textContent()).toContain('comes from the app image');
  });

  it('keeps the images across a reload (IndexedDB), and runs them', async () => {
    await page.reload();
    await waitReady();
    await page.waitForSelector('#images-table tr[data-image="app:latest"]');
    await page.waitForSelector('#images-table tr[data-image="hello:latest"]');
    const ran = await command('berth run --rm app');
    expect(ran).toContain('  [5] tab\nGREETING=Hello from the playground\n');
    expect(ran).toContain('comes from the app image');
    // The build cache survived too: every step of the rebuild is a cache hit.
    await page.selectOption('#project-select', 'app');
    const mark = (await terminalText()).length;
    await page.click('#build');
    const rebuilt = await waitForTerminal(/Successfully tagged app:latest/, mark, 60_000);
    expect(rebuilt.match(/---> Using cache/g)?.length).toBe(3);
    await waitIdle();

    // What was typed in the editor comes back too (localStorage), over the project's own file.
    await page.click('#file-list li[data-path="motd"]');
    await page.fill('#editor', 'Edited before a reload.\n');
    await page.reload();
    await waitReady();
    await page.selectOption('#project-select', 'app');
    await page.click('#file-list li[data-path="motd"]');
    expect(await page.locator('#editor').inputValue()).toBe('Edited before a reload.\n');
    expect(await command('cat /work/app/motd')).toBe('Edited before a reload.');
  });

  it('runs hello quickly once the module is compiled (timing printed, not asserted)', async () => {
    await command('berth run --rm hello');
    const times = await page.evaluate(async () => {
      const pg = (window as unknown as { playground: { shell: { type(argv: string[]): Promise<void> } } }).playground; // prettier-ignore
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await pg.shell.type(['berth', 'run', '--rm', 'hello']);
        out.push(performance.now() - t0);
      }
      return out;
    });
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`[playground] berth run --rm hello in the tab, warm: median ${sorted[2]!.toFixed(1)} ms (${sorted.map((t) => t.toFixed(1)).join(', ')})`); // prettier-ignore
    const sizes = ['app.js', 'app.css'].map((f) => {
      const file = join(repo, 'dist', 'playground', f);
      return `${f} ${(statSync(file).size / 1024).toFixed(0)} KiB (${(gzipSync(readFileSync(file)).length / 1024).toFixed(0)} KiB gzip)`; // prettier-ignore
    });
    console.log(`[playground] bundle: ${sizes.join(', ')}`);
    expect(await terminalText()).toMatch(/Hello from Berth![\s\S]*berth:~\$$/);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(skipAll)('the playground served without cross-origin isolation', { timeout: 90_000 }, () => {
  let plain: PlaygroundServer;
  let plainBrowser: Browser | undefined;

  beforeAll(async () => {
    plain = await startPlaygroundServer({ root: repo, isolated: false });
    plainBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 }); // prettier-ignore
    page = await plainBrowser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterEach(screenshotOnFailure);

  afterAll(async () => {
    await plainBrowser?.close();
    await plain?.close();
  });

  it('runs containers, says why there is no interactive stdin, and refuses -i with that reason', async () => {
    await page.goto(`${plain.origin}/`);
    await waitReady();
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    expect(await page.locator('#isolation').textContent()).toBe('not cross-origin isolated: no interactive stdin (-i)'); // prettier-ignore
    expect(await command('berth run --rm hello')).toContain('Hello from Berth!');
    const refused = await command('berth run --rm -i hello');
    expect(refused).toMatch(
      /interactive input \(-i\) needs a cross-origin isolated page, and this one is not/,
    );
    expect(await command('berth ps -a -q')).toBe('');
  });
});
