/**
 * A container that floods its output, with logs in IndexedDB, in Chromium (vitest browser mode, run by
 * test/browser/stores.browser.test.ts): the page stays responsive while it runs, the log keeps every line
 * in order (`logs --tail`), and `rm` takes the log away whole. Prints the figures (wall time to exit, the
 * longest the page's event loop stalled, logs and rm times); asserts behaviour only, no timings.
 *
 * Guests: tool (test/process/fixtures) `ticker N 0`, one write per line, the harshest case for the log;
 * box (images/box) `seq 1 N`, buffered as a real userland writes. The guest worker is dist/browser/worker.js
 * (npm run build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFromFiles, openBrowserEngine, type Engine } from '../../../src/browser/index';
import { deleteBerthDatabase, openBerthDatabase } from '../../../src/browser/idb/database';

const LINES = 100_000;
const dbName = `berth-log-flood-${Date.now()}`;
let engine: Engine;

async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(new URL(path, location.origin));
  if (!response.ok) throw new Error(`fetch ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

beforeAll(async () => {
  engine = await openBrowserEngine({
    workerUrl: new URL('/dist/browser/worker.js', location.origin),
    persist: dbName,
  });
  const files = {
    'tool.wasm': await fetchBytes('/test/process/fixtures/tool.wasm'),
    'box.wasm': await fetchBytes('/images/box/box.wasm'),
    Dockerfile: 'FROM scratch\nCOPY tool.wasm /tool\nCOPY box.wasm /box\n',
  };
  await buildFromFiles(engine, files, { tags: ['flood:1'], quiet: true });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await deleteBerthDatabase(dbName);
});

/** Runs `argv` detached from any reader, timing it and the longest gap between 5 ms timer ticks. */
async function flood(name: string, argv: string[]) {
  let last = performance.now();
  let longestStall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  const running = await engine.run({ image: 'flood:1', name, entrypoint: argv });
  const exit = await running.wait();
  const exitMs = performance.now() - t0;
  clearInterval(ticker);

  const t1 = performance.now();
  const lines: string[] = [];
  const decoder = new TextDecoder();
  for await (const e of await engine.containerLogs(name)) lines.push(decoder.decode(e.data));
  const logsMs = performance.now() - t1;
  const tail: string[] = [];
  for await (const e of await engine.containerLogs(name, { tail: 2 })) tail.push(decoder.decode(e.data));

  const t2 = performance.now();
  await engine.removeContainer(name);
  const rmMs = performance.now() - t2;
  const after = await engine.listContainers({ all: true });
  const db = await openBerthDatabase(dbName);
  const logRecordsLeft = await db.count('logChunks', IDBKeyRange.bound([running.id], [running.id, []]));
  db.close();
  console.log(
    `[log flood] ${argv.join(' ')}: exit ${exitMs.toFixed(0)} ms (event loop stalled at most ` +
      `${longestStall.toFixed(0)} ms), logs ${logsMs.toFixed(0)} ms, rm ${rmMs.toFixed(0)} ms`,
  );
  return { exit, lines, tail, left: after.map((c) => c.Names), logRecordsLeft };
}

describe('a container flooding its output, logs in IndexedDB', () => {
  it('should keep every line of one write per line, and rm it whole', async () => {
    const r = await flood('ticker', ['/tool', 'ticker', String(LINES), '0']);
    expect(r.exit.statusCode).toBe(0);
    expect(r.lines).toHaveLength(LINES);
    expect(r.lines.every((line, i) => line === `tick ${i}\n`)).toBe(true);
    expect(r.tail).toEqual([`tick ${LINES - 2}\n`, `tick ${LINES - 1}\n`]);
    expect(r.left).toEqual([]);
    expect(r.logRecordsLeft).toBe(0);
  }, 300_000);

  it('should keep every line of box seq, and rm it whole', async () => {
    const r = await flood('seq', ['/box', 'seq', '1', String(LINES)]);
    expect(r.exit.statusCode).toBe(0);
    expect(r.lines).toHaveLength(LINES);
    expect(r.lines.every((line, i) => line === `${i + 1}\n`)).toBe(true);
    expect(r.tail).toEqual([`${LINES - 1}\n`, `${LINES}\n`]);
    expect(r.left).toEqual([]);
    expect(r.logRecordsLeft).toBe(0);
  }, 300_000);
});
