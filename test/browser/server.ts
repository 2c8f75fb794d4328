/**
 * A tiny static server for the browser tests, on 127.0.0.1 at a random port.
 *
 * It serves the repository's dist/, test/wasi/ and test/browser/pages/ (plus any extra directories the
 * test mounts, such as the freshly bundled page script). Every response carries the cross-origin
 * isolation headers (COOP same-origin, COEP require-corp, CORP same-origin) so that the page and its
 * workers get SharedArrayBuffer. The same files under the prefix /plain/ come without those headers: a
 * page loaded from there is not cross-origin isolated, which is how the non-isolated fallback (stdin
 * given up front) is tested.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.c': 'text/plain; charset=utf-8',
  '.h': 'text/plain; charset=utf-8',
};

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The prefix that serves the same files without the isolation headers. */
export const PLAIN_PREFIX = '/plain';

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

export interface ServerOptions {
  /**
   * Extra URL prefixes (starting and ending with '/') mapped to directories; they take precedence over
   * the defaults, longest prefix first.
   */
  mounts?: Record<string, string>;
}

/** The URL prefix → directory table: dist/, test/wasi/, test/browser/pages/ of the repository. */
function mountTable(extra: Record<string, string> = {}): [string, string][] {
  const table: Record<string, string> = {
    '/dist/': join(REPO, 'dist'),
    '/test/wasi/': join(REPO, 'test', 'wasi'),
    '/test/browser/pages/': join(REPO, 'test', 'browser', 'pages'),
    ...extra,
  };
  return Object.entries(table).sort((a, b) => b[0].length - a[0].length);
}

/** Maps a URL path to a file inside one of the mounted directories, or null when it is outside them all. */
function fileFor(pathname: string, mounts: [string, string][]): string | null {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    const file = resolve(dir, '.' + sep + pathname.slice(prefix.length));
    // resolve() has already folded any '..': a path that left the directory is refused.
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

export function startServer(options: ServerOptions = {}): Promise<StaticServer> {
  const mounts = mountTable(options.mounts);
  const server = createServer((req, res) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const plain = pathname === PLAIN_PREFIX || pathname.startsWith(PLAIN_PREFIX + '/');
    if (plain) pathname = pathname.slice(PLAIN_PREFIX.length) || '/';
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      ...(plain ? {} : ISOLATION_HEADERS),
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = fileFor(pathname, mounts);
    let size = -1;
    if (file) {
      try {
        const st = statSync(file);
        if (st.isFile()) size = st.size;
      } catch {
        // missing: 404 below
      }
    }
    if (!file || size < 0) {
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

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        origin: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
