/**
 * Loading images over plain HTTP (fetch), no registry: an OCI image layout served as a directory
 * (`…/index.json`, `…/blobs/sha256/<hex>`), or a `docker save` / OCI layout tar archive (gzip'd or not).
 * Every blob is verified against its digest and size as it streams into the content store, and image
 * records are written only once all blobs are in (src/transfer/import.ts): a failed load leaves no image.
 */
import type { Engine } from '../engine/Engine';
import { EngineError } from '../engine/errors';
import { danglingReference } from '../engine/images';
import { resolveImage } from '../image/resolveImage';
import { familiarName, parseReference } from '../oci/reference';
import type { TransferFs } from '../transfer/fs';
import { importOciLayout } from '../transfer/import';

export interface LoadFromUrlOptions {
  /**
   * 'layout': `url` is a directory holding an OCI image layout; 'archive': `url` is a tar archive.
   * Default: 'layout' when the URL's path ends with '/', else 'archive'.
   */
  format?: 'layout' | 'archive';
  /** Names the one image loaded (replaces names found inside). */
  name?: string;
  /** OCI layouts: the repository for index.json entries named by a bare tag (`latest` → `REPO:latest`). */
  repository?: string;
  /** Passed to every fetch (credentials, headers, an AbortSignal). */
  init?: RequestInit;
}

function notFound(url: string): Error {
  return Object.assign(new Error(`${url}: not found (HTTP 404)`), { code: 'ENOENT' });
}

async function fetchOk(url: string, init: RequestInit | undefined, method = 'GET'): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, method });
  } catch (error) {
    throw new Error(`cannot fetch ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 404 || response.status === 410) throw notFound(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  return response;
}

async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length > 0) yield value;
    }
  } finally {
    reader.releaseLock();
    await response.body.cancel().catch(() => undefined);
  }
}

/** A directory served over HTTP as the read half of a TransferFs: paths are resolved against `base`. */
function httpDirectory(base: string, init: RequestInit | undefined): TransferFs {
  const url = (path: string) => new URL(path, base).href;
  const readOnly = () => Promise.reject(new Error(`${base} is read-only (HTTP)`));
  return {
    async readFile(path) {
      return new Uint8Array(await (await fetchOk(url(path), init)).arrayBuffer());
    },
    async *read(path) {
      yield* bodyChunks(await fetchOk(url(path), init));
    },
    writeFile: readOnly,
    mkdir: readOnly,
    readdir: () => Promise.reject(new Error(`cannot list ${base} over HTTP`)),
    async size(path) {
      let response: Response;
      try {
        response = await fetchOk(url(path), init, 'HEAD');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
        throw error;
      }
      const length = response.headers.get('Content-Length');
      if (length !== null && /^\d+$/.test(length)) return Number(length);
      // No length (a compressed transfer): count the bytes.
      return (await fetchOk(url(path), init)).arrayBuffer().then((b) => b.byteLength);
    },
  };
}

/**
 * Loads the images at `url` into the engine's store (as `docker load` does) and returns Docker's lines:
 * `Loaded image: hello:latest` per name, `Loaded image ID: sha256:…` for an image without one.
 * Relative URLs are taken from the page's location. Errors (HTTP failures, a digest that does not match,
 * a malformed layout) are EngineError('invalid-argument') naming the URL.
 */
export async function loadFromUrl(
  engine: Engine,
  url: string | URL,
  options: LoadFromUrlOptions = {},
): Promise<string[]> {
  const href = new URL(url, typeof location !== 'undefined' ? location.href : undefined).href;
  const format = options.format ?? (new URL(href).pathname.endsWith('/') ? 'layout' : 'archive');
  if (format === 'archive') {
    let response: Response;
    try {
      response = await fetchOk(href, options.init);
    } catch (error) {
      throw new EngineError('invalid-argument', `cannot load ${href}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return engine.loadImages(bodyChunks(response), {
      ...(options.name !== undefined ? { name: options.name } : {}),
    });
  }
  const base = href.endsWith('/') ? href : `${href}/`;
  const host = engine.host;
  let result;
  try {
    result = await importOciLayout(
      { content: host.content, images: host.images },
      { fs: httpDirectory(base, options.init), dir: '' },
      {
        hasher: host.hasher,
        format: 'oci',
        ...(host.gunzip ? { gunzip: host.gunzip } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.repository !== undefined ? { repository: options.repository } : {}),
      },
    );
  } catch (error) {
    throw new EngineError('invalid-argument', `cannot load ${base}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const lines: string[] = [];
  for (const image of result.images) {
    if (image.names.length === 0) {
      // As `docker load` (Engine.loadImages): an image with no name is kept by a dangling record and
      // reported by its ID; one for no platform Berth runs is reported by its root digest only.
      const resolved = await resolveImage(host.content, image.target).catch(() => undefined);
      if (resolved === undefined) {
        lines.push(`Loaded image ID: ${image.target.digest}`);
      } else {
        await host.images.put(
          danglingReference(resolved.manifestDescriptor.digest),
          resolved.manifestDescriptor,
        );
        lines.push(`Loaded image ID: ${resolved.manifest.config.digest}`);
      }
    }
    for (const name of image.names) {
      const ref = parseReference(name);
      lines.push(
        `Loaded image: ${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : `@${ref.digest}`}`,
      );
    }
  }
  return lines;
}
