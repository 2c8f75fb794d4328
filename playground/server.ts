/**
 * The playground's static server: 127.0.0.1 only, every response cross-origin isolated.
 *
 * The page needs SharedArrayBuffer (interactive stdin for containers), so the document gets
 * `Cross-Origin-Opener-Policy: same-origin` + `Cross-Origin-Embedder-Policy: require-corp`, and so does
 * every worker script (Chromium refuses a module worker without COEP under an isolated page). The rule
 * here is the simplest that holds: the three headers on every response.
 *
 * URL layout (each prefix is one directory of the repository; nothing outside them is served):
 *   /                 playground/public/ (index.html)
 *   /app/             dist/playground/   (the bundled app, its CSS, examples.json)
 *   /dist/browser/    dist/browser/      (the guest worker)
 *   /images/          images/            (example build contexts, and OCI layouts when they are built)
 * plus any `mounts` a caller adds (the tests serve their fixtures this way).
 *
 * Bundled by playground/build.mjs to dist/playground/server.mjs; the tests import this file directly.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.c': 'text/plain; charset=utf-8',
  '.h': 'text/plain; charset=utf-8',
};

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface PlaygroundServerOptions {
  /** The repository root (the directory holding playground/, dist/, images/). */
  root: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Extra URL prefixes ('/x/') mapped to directories; they win over the defaults. */
  mounts?: Readonly<Record<string, string>>;
  /**
   * false: no isolation headers, as a plain static host serves the page (no SharedArrayBuffer, so no
   * interactive stdin); for trying and testing that fallback. Default true.
   */
  isolated?: boolean;
}

export interface PlaygroundServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly origin: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** URL prefixes ('/x/') mapped to directories, longest prefix first so `/dist/browser/` wins over `/`. */
export function mountTable(table: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(table)
    .map(([prefix, dir]): [string, string] => [prefix, resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
}

/** The file a URL path names, or null when it would leave its directory or no prefix matches. */
function fileFor(pathname: string, mounts: readonly [string, string][]): string | null {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    const rest = pathname.slice(prefix.length);
    const file = resolve(dir, '.' + sep + (rest === '' ? 'index.html' : rest));
    // resolve() folded any '..': whatever left the directory is refused, not looked up elsewhere.
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

export interface StaticServerOptions {
  /** From mountTable(). */
  mounts: readonly [string, string][];
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The path to look up and the headers for a request's decoded URL path (e.g. isolation or not). */
  route(pathname: string): { pathname: string; headers: Record<string, string> };
}

/**
 * A static file server on 127.0.0.1: GET and HEAD of files inside the mounted directories, nothing
 * outside them. The playground and the browser tests both serve through it.
 */
export function startStaticServer(options: StaticServerOptions): Promise<PlaygroundServer> {
  const { mounts } = options;
  const server = createServer((req, res) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const { pathname, headers } = options.route(decoded);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = fileFor(pathname, mounts);
    let size = -1;
    if (file !== null) {
      try {
        const st = statSync(file);
        if (st.isFile()) size = st.size;
      } catch {
        // missing: 404 below
      }
    }
    if (file === null || size < 0) {
      res
        .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`not found: ${pathname}\n`);
      return;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({
        origin: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((closed) => {
            server.closeAllConnections();
            server.close(() => closed());
          }),
      });
    });
  });
}

export function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const { root } = options;
  const headers: Record<string, string> = {
    ...(options.isolated === false ? {} : ISOLATION_HEADERS),
    'Cache-Control': 'no-cache',
  };
  return startStaticServer({
    mounts: mountTable({
      '/': join(root, 'playground', 'public'),
      '/app/': join(root, 'dist', 'playground'),
      '/dist/browser/': join(root, 'dist', 'browser'),
      '/images/': join(root, 'images'),
      ...options.mounts,
    }),
    ...(options.port !== undefined ? { port: options.port } : {}),
    route: (pathname) => ({ pathname, headers }),
  });
}
