/**
 * The terminal's directories for image transfers (TransferFs: `berth save --format oci-dir`, loading a
 * base image's OCI layout): the site's /images/ over HTTP, read-only (where the server serves
 * images/oci/NAME/, the layouts `npm run images` writes), and everything else in the workspace.
 *
 * Why not src/browser's loadFromUrl: it loads a whole URL into the engine; the CLI wants a filesystem it
 * can read a layout from (and write one to), so `berth run hello` takes the same path here as in Node.
 */
import type { TransferFs } from '../../src/transfer/fs';
import { normalizePath, type Workspace } from './workspace';

function enoent(what: string): Error {
  return Object.assign(new Error(`${what}: no such file or directory`), { code: 'ENOENT' });
}

async function fetchOk(url: URL, method = 'GET'): Promise<Response> {
  const res = await fetch(url, { method });
  if (res.status === 404) throw enoent(url.pathname);
  if (!res.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${res.status}`);
  return res;
}

async function collect(data: Uint8Array | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data.slice();
  const parts: Uint8Array[] = [];
  for await (const chunk of data) parts.push(chunk.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function playgroundTransferFs(base: URL, workspace: Workspace): TransferFs {
  const served = (path: string) => normalizePath(path).startsWith('/images/');
  const url = (path: string) => new URL(normalizePath(path).slice(1), base);
  const readOnly = (path: string) => Promise.reject(new Error(`${normalizePath(path)} is read-only (served over HTTP)`)); // prettier-ignore
  return {
    async readFile(path) {
      if (!served(path)) return workspace.readFile(path);
      return new Uint8Array(await (await fetchOk(url(path))).arrayBuffer());
    },
    async *read(path) {
      if (!served(path)) {
        yield await workspace.readFile(path);
        return;
      }
      const body = (await fetchOk(url(path))).body;
      if (body === null) return;
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          if (value.length > 0) yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
    async writeFile(path, data) {
      if (served(path)) return readOnly(path);
      workspace.writeFile(path, await collect(data));
    },
    async mkdir(path) {
      if (served(path)) return readOnly(path);
      if (workspace.get(path) === undefined) workspace.mkdir(path);
    },
    async readdir(path) {
      if (served(path)) throw new Error(`cannot list ${normalizePath(path)} over HTTP`);
      if (!workspace.has(path)) throw enoent(normalizePath(path));
      return [...new Set(workspace.list(path).map((e) => e.path.split('/')[0]!))];
    },
    async size(path) {
      if (!served(path)) {
        const e = workspace.get(path);
        return e?.type === 'file' ? e.data.length : undefined;
      }
      try {
        const res = await fetchOk(url(path), 'HEAD');
        const length = res.headers.get('Content-Length');
        if (length !== null && /^\d+$/.test(length)) return Number(length);
        return (await (await fetchOk(url(path))).arrayBuffer()).byteLength;
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}
