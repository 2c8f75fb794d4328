/**
 * Berth's isomorphic core (the package's "." entry, bundled as dist/index.js): the engine, the builder,
 * images, layers and the content store, with no host in it. A host supplies an EngineHost: the Node entry
 * ("berth/node", src/node/index.ts) and the browser entry ("berth/browser", src/browser/index.ts) each
 * make one; createMemoryHost makes an in-memory one over any WorkerHost.
 */
export * from './engine';
export * from './build';
export { build, BuildError, type BuildOptions, type BuildResult } from './build/Builder';
export { MemoryBuildCache, type BuildCache, type CachedStep } from './build/cache';
export { syncFsContext, type BuildContextSource, type SyncFsLike } from './build/context';
export * from './content';
export * from './image';
export * from './layer';
export * from './oci';
export * from './transfer';
// Both name a type ImportedImage: the engine's (importModuleAsImage) is the one exported as such.
export type { ImportedImage } from './engine';
export type { ImportedImage as TransferredImage } from './transfer';
export * from './errors';
