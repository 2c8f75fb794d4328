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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ISOLATION_HEADERS,
  mountTable,
  startStaticServer,
  type PlaygroundServer,
} from '../../playground/server';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export { ISOLATION_HEADERS };

/** The prefix that serves the same files without the isolation headers. */
export const PLAIN_PREFIX = '/plain';

export type StaticServer = PlaygroundServer;

export interface ServerOptions {
  /**
   * Extra URL prefixes (starting and ending with '/') mapped to directories; they take precedence over
   * the defaults, longest prefix first.
   */
  mounts?: Record<string, string>;
}

/** Serves dist/, test/wasi/ and test/browser/pages/ of the repository, plus options.mounts. */
export function startServer(options: ServerOptions = {}): Promise<StaticServer> {
  return startStaticServer({
    mounts: mountTable({
      '/dist/': join(REPO, 'dist'),
      '/test/wasi/': join(REPO, 'test', 'wasi'),
      '/test/browser/pages/': join(REPO, 'test', 'browser', 'pages'),
      ...options.mounts,
    }),
    route: (pathname) => {
      const plain = pathname === PLAIN_PREFIX || pathname.startsWith(PLAIN_PREFIX + '/');
      return {
        pathname: plain ? pathname.slice(PLAIN_PREFIX.length) || '/' : pathname,
        headers: { 'Cache-Control': 'no-store', ...(plain ? {} : ISOLATION_HEADERS) },
      };
    },
  });
}
