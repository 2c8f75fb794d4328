export { checkRange } from './checkRange';
export { DEFAULT_MAX_DOCUMENT_SIZE, gc } from './gc';
export type { GcOptions, GcResult } from './gc';
export { IngestVerifier } from './IngestVerifier';
export { MemoryContentStore } from './MemoryContentStore';
export type { MemoryContentStoreOptions } from './MemoryContentStore';
export type { ContentStore, Expected, Info, Ingester, Manager, Provider, ReadRange, Writer } from './types';
