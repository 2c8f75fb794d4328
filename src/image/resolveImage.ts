/**
 * From an image's root descriptor to the one manifest and config to run: walks index (or Docker manifest
 * list, nested to any reasonable depth) → the manifest for the wanted platform → its config.
 *
 * Platform choice (platformRank in src/oci/platform.ts): by default Berth wants `wasi/wasm` and takes,
 * best first, os `wasi`, `wasip1`, then `wasip2`, architecture `wasm` (or `wasm32`). Index entries with a
 * platform are ranked without reading them. Entries without one (nested indexes; skopeo drops platforms
 * from the index.json of `oci:` copies) are opened and judged by their own config, after the ranked ones.
 * A lone manifest is judged by its config (whose os and architecture are required).
 */
import type { Provider } from '../content/types';
import { InvalidManifestError } from '../errors/InvalidManifestError';
import { NoMatchingPlatformError } from '../errors/NoMatchingPlatformError';
import { NotFoundError } from '../errors/NotFoundError';
import { SizeMismatchError } from '../errors/SizeMismatchError';
import { UnsupportedMediaTypeError } from '../errors/UnsupportedMediaTypeError';
import { parseImageConfig } from '../oci/config';
import { parseManifestDocument } from '../oci/manifest';
import {
  ANNOTATION_WASM_VARIANT,
  isImageConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
} from '../oci/mediaTypes';
import { formatPlatform, normalizePlatform, platformRank, WASI_PLATFORM } from '../oci/platform';
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../oci/types';
import type { ImageRecord } from './types';

/** The largest manifest, index or config read into memory (the usual registry limit for manifests is 4 MiB). */
export const MAX_DOCUMENT_SIZE = 8 * 1024 * 1024;
/** How deep indexes may nest. */
export const MAX_INDEX_DEPTH = 8;

export interface ResolvedImage {
  /** The descriptors walked, from the root (the record's target) down to the manifest's. */
  path: Descriptor[];
  /** The chosen manifest's descriptor, as its index lists it (with `platform`), or the root. */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  /** The image's platform as its config states it (normalised), e.g. `{ os: 'wasi', architecture: 'wasm' }`. */
  platform: Platform;
  /** The manifest's annotations over those of its index entry. */
  annotations: Record<string, string>;
  /** `module.wasm.image/variant` (`compat`, `compat-smart`) when the image carries it. */
  variant?: string;
}

/**
 * Resolves an image root (a descriptor or an ImageRecord) for `platform` (default wasi/wasm). Throws
 * NoMatchingPlatformError (listing what the image offers), NotFoundError for a missing manifest or config,
 * InvalidManifestError / UnsupportedMediaTypeError / SizeMismatchError for broken documents.
 */
export async function resolveImage(
  content: Provider,
  root: Descriptor | ImageRecord,
  platform: Platform = WASI_PLATFORM,
): Promise<ResolvedImage> {
  const target = 'target' in root ? root.target : root;
  const offered: string[] = [];
  const found = await walk(content, target, platform, [], offered);
  if (found === undefined) {
    throw new NoMatchingPlatformError(formatPlatform(platform), [...new Set(offered)], target.digest);
  }
  return found;
}

async function walk(
  content: Provider,
  desc: Descriptor,
  wanted: Platform,
  path: Descriptor[],
  offered: string[],
): Promise<ResolvedImage | undefined> {
  const subject = `${desc.mediaType} ${desc.digest}`;
  if (path.length >= MAX_INDEX_DEPTH)
    throw new InvalidManifestError(subject, 'image indexes nested too deep');
  if (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType)) {
    throw new UnsupportedMediaTypeError(desc.mediaType, `image ${desc.digest} (not an index or manifest)`);
  }
  const here = [...path, desc];
  const doc = parseManifestDocument(await readDocument(content, desc), subject, desc.mediaType);
  if (doc === undefined) throw new UnsupportedMediaTypeError(desc.mediaType, `image ${desc.digest}`);

  if (doc.kind === 'manifest') {
    const { manifest } = doc;
    const configDesc = manifest.config;
    if (!isImageConfigMediaType(configDesc.mediaType)) {
      throw new UnsupportedMediaTypeError(configDesc.mediaType, `the config of ${desc.digest}`);
    }
    const config = parseImageConfig(
      await readDocument(content, configDesc),
      `image config ${configDesc.digest}`,
    );
    const own = normalizePlatform(platformOf(config));
    if (platformRank(wanted, own) === undefined) {
      offered.push(formatPlatform(own));
      return undefined;
    }
    const annotations = { ...desc.annotations, ...manifest.annotations };
    const resolved: ResolvedImage = {
      path: here,
      manifestDescriptor: desc,
      manifest,
      config,
      platform: own,
      annotations,
    };
    const variant = annotations[ANNOTATION_WASM_VARIANT];
    if (variant !== undefined) resolved.variant = variant;
    return resolved;
  }

  const ranked: { entry: Descriptor; rank: number; at: number }[] = [];
  const unplaced: Descriptor[] = [];
  doc.index.manifests.forEach((entry, at) => {
    if (entry.platform === undefined) {
      unplaced.push(entry);
      return;
    }
    const rank = platformRank(wanted, entry.platform);
    if (rank === undefined) offered.push(formatPlatform(normalizePlatform(entry.platform)));
    else ranked.push({ entry, rank, at });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.at - b.at);
  for (const { entry } of ranked) {
    // The index says this one fits: a failure below is a broken image, not a reason to look further.
    const found = await walk(content, entry, wanted, here, offered);
    if (found !== undefined) return found;
  }
  for (const entry of unplaced) {
    try {
      const found = await walk(content, entry, wanted, here, offered);
      if (found !== undefined) return found;
    } catch (err) {
      // Not pulled, or not an image at all (an attestation, a signature): judge the next one.
      if (!(err instanceof NotFoundError) && !(err instanceof UnsupportedMediaTypeError)) throw err;
    }
  }
  return undefined;
}

function platformOf(config: ImageConfig): Platform {
  const p: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant !== undefined) p.variant = config.variant;
  return p;
}

/** A small document's bytes, after checking that the stored blob has the size the descriptor says. */
async function readDocument(content: Provider, desc: Descriptor): Promise<Uint8Array> {
  const info = await content.info(desc.digest);
  if (info.size !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, info.size);
  if (info.size > MAX_DOCUMENT_SIZE) {
    throw new InvalidManifestError(`${desc.mediaType} ${desc.digest}`, `${info.size} bytes is too large`);
  }
  return content.readBytes(desc.digest);
}
