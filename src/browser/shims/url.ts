/**
 * `url` for browser bundles: memfs imports only `URL` from it (to accept file: URLs as paths), which the
 * browser has built in; the npm `url` package would add a copy of Node's legacy parser for nothing.
 */
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;
