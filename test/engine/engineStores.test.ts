/** The engine record stores' contract (test/suites/engineStores.suite.ts) against the memory and disk stores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBuildCache } from '../../src/build/cache';
import {
  MemoryContainerStore,
  MemoryLogStore,
  MemoryVolumeStore,
  MemoryWritableLayerStore,
} from '../../src/engine/memoryStores';
import { DiskBuildCache } from '../../src/node/DiskBuildCache';
import { DiskContainerStore } from '../../src/node/DiskContainerStore';
import { DiskLogStore } from '../../src/node/DiskLogStore';
import { DiskVolumeStore } from '../../src/node/DiskVolumeStore';
import { DiskWritableLayerStore } from '../../src/node/DiskWritableLayerStore';
import { runEngineStoresSuite } from '../suites/engineStores.suite';

runEngineStoresSuite('memory', () => ({
  containers: new MemoryContainerStore(),
  layers: new MemoryWritableLayerStore(),
  logs: new MemoryLogStore(),
  volumes: new MemoryVolumeStore(),
  buildCache: new MemoryBuildCache(),
}));

runEngineStoresSuite('disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-stores-'));
  const open = () => ({
    containers: new DiskContainerStore(root),
    layers: new DiskWritableLayerStore(root),
    logs: new DiskLogStore(root),
    volumes: new DiskVolumeStore(root),
    buildCache: new DiskBuildCache({ root }),
  });
  return {
    ...open(),
    reopen: async () => open(),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
