export { InvalidLayerError } from './errors';
export { drained, peekBytes, type Peeked } from './stream';
export {
  canonicalGzipHeader,
  hasGzipMagic,
  hasZstdMagic,
  layerGzip,
  webGunzip,
  webGzip,
  type ChunkTransform,
} from './gzip';
export { BLOCK_SIZE, END_OF_ARCHIVE, encodeHeader, padding, type TarHeaderFields } from './tarWriter';
export { packLayer, type PackLayerOptions, type PackedLayer } from './pack';
export { OPAQUE_MARKER, WHITEOUT_PREFIX, compareLayerPaths, normalizeEntryPath } from './paths';
export { treeEntries, type TreeEntriesOptions } from './tree';
export type { LayerEntry } from './types';
export { unpackLayer, type UnpackLayerOptions, type UnpackedLayer } from './unpack';
