export {
  Engine,
  exitOf,
  KILL_GRACE_MS,
  DEFAULT_STOP_TIMEOUT_S,
  API_VERSION,
  ANONYMOUS_VOLUME_LABEL,
} from './Engine';
export {
  EngineError,
  exitCodeOfError,
  EXIT_ENGINE_ERROR,
  EXIT_NOT_EXECUTABLE,
  EXIT_NOT_FOUND,
  type EngineErrorKind,
} from './errors';
export { importModuleAsImage } from './importModuleAsImage';
export {
  createMemoryHost,
  cryptoIds,
  jsSha256,
  singleProcess,
  systemClock,
  type MemoryHostOptions,
} from './memoryHost';
export {
  MemoryContainerStore,
  MemoryLogStore,
  MemoryVolumeStore,
  MemoryWritableLayerStore,
} from './memoryStores';
export { hostLayers, HostLayerCache } from './layerCache';
export { DEFAULT_PATH, mergeEnv } from './command';
export { encodeTree, decodeTree } from './treeCodec';
export { humanDuration, statusText } from './views';
export { logTime } from './logs';
export { randomName, checkName } from './names';
export { WASMER_RUNTIME_HELP } from './wasmer';
export { DANGLING_REPOSITORY } from './images';
export type * from './types';
export { ZERO_TIME } from './types';
