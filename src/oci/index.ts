export { parseImageConfig } from './config';
export { parseDescriptor, parsePlatform } from './descriptor';
export { digestHex, isDigest, parseDigest, SHA256_PREFIX, shortDigest } from './digest';
export type { Digest } from './digest';
export { decodeDocument, parseImageIndex, parseImageManifest, parseManifestDocument } from './manifest';
export type { ManifestDocument } from './manifest';
export * from './mediaTypes';
export {
  formatPlatform,
  isWasmPlatform,
  normalizePlatform,
  parsePlatformString,
  platformRank,
  WASI_OS_VALUES,
  WASI_PLATFORM,
} from './platform';
export { DEFAULT_REGISTRY, DEFAULT_TAG, familiarName, NAME_MAX_LENGTH, parseReference } from './reference';
export type { ImageReference } from './reference';
export type {
  ContainerConfig,
  Descriptor,
  History,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform,
  RootFs,
} from './types';
