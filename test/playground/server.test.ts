/**
 * The playground's server (playground/server.ts): cross-origin isolation headers on every response (the
 * page and its worker need them for SharedArrayBuffer), the right types, 127.0.0.1 only, nothing served
 * from outside its directories.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlaygroundServer, type PlaygroundServer } from '../../playground/server';
import { playgroundTransferFs } from '../../playground/src/transferFs';
import { Workspace } from '../../playground/src/workspace';

const repo = resolve(import.meta.dirname, '..', '..');
let server: PlaygroundServer;

/** A raw GET (no URL normalisation by the client, so '..' reaches the server as sent). */
function get(
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  // prettier-ignore
  return new Promise((done, fail) => {
    const url = new URL(server.origin);
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('playground server', () => {
  beforeAll(async () => {
    server = await startPlaygroundServer({ root: repo, mounts: { '/fixtures/': resolve(repo, 'test', 'wasi', 'wasm') } }); // prettier-ignore
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 and serves the page with the isolation headers', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.body).toContain('app/app.js');
  });

  it('sends COEP on 404s and on module files too, and application/wasm for modules', async () => {
    const missing = await get('/app/nothing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const wasm = await get('/images/hello/hello.wasm', 'HEAD');
    expect(wasm.status).toBe(200);
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect((await get('/fixtures/hello.wasm', 'HEAD')).status).toBe(200);
  });

  it('serves nothing outside its directories', async () => {
    for (const path of [
      '/images/../package.json',
      '/../package.json',
      '/images/%2e%2e/package.json',
      '/dist/browser/../../package.json',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect((await get('/', 'POST')).status).toBe(405);
  });
});

describe('the terminal transfer directories (playground/src/transferFs.ts)', () => {
  beforeAll(async () => {
    server = await startPlaygroundServer({ root: repo });
  });
  afterAll(() => server.close());

  it('reads /images/ from the server, read-only, and everything else from the workspace', async () => {
    const ws = new Workspace();
    const fs = playgroundTransferFs(new URL(`${server.origin}/`), ws);
    const motd = readFileSync(resolve(repo, 'images', 'hello', 'motd'));
    expect(Buffer.from(await fs.readFile('/images/hello/motd')).equals(motd)).toBe(true);
    const chunks: Uint8Array[] = [];
    for await (const c of fs.read('/images/hello/motd')) chunks.push(c);
    expect(Buffer.concat(chunks).equals(motd)).toBe(true);
    expect(await fs.size('/images/hello/motd')).toBe(motd.length);
    expect(await fs.size('/images/hello/nothing')).toBeUndefined();
    await expect(fs.readFile('/images/hello/nothing')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.writeFile('/images/hello/motd', new Uint8Array(1))).rejects.toThrow(/read-only/);

    await fs.mkdir('/work/out/blobs');
    async function* twoChunks() {
      yield new Uint8Array([1, 2]);
      yield new Uint8Array([3]);
    }
    await fs.writeFile('/work/out/blobs/x', twoChunks());
    expect(await fs.readFile('/work/out/blobs/x')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await fs.readdir('/work/out')).toEqual(['blobs']);
    expect(await fs.size('/work/out/blobs/x')).toBe(3);
    await expect(fs.readdir('/work/none')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
