/**
 * The store conformance suites in Chromium against the IndexedDB stores of src/browser/idb: content,
 * images, containers, writable layers, logs, volumes, build cache. Each test gets a database of its own;
 * `reopen` opens a second connection to it, as a reloaded page would.
 */
import { jsSha256 } from '../../../src/engine/memoryHost';
import {
  deleteBerthDatabase,
  openBerthDatabase,
  type BerthDatabase,
} from '../../../src/browser/idb/database';
import { IdbBuildCache } from '../../../src/browser/idb/IdbBuildCache';
import { IdbContainerStore } from '../../../src/browser/idb/IdbContainerStore';
import { IdbContentStore } from '../../../src/browser/idb/IdbContentStore';
import { IdbImageStore } from '../../../src/browser/idb/IdbImageStore';
import { IdbLogStore } from '../../../src/browser/idb/IdbLogStore';
import { IdbVolumeStore } from '../../../src/browser/idb/IdbVolumeStore';
import { IdbWritableLayerStore } from '../../../src/browser/idb/IdbWritableLayerStore';
import { runContentStoreSuite } from '../../suites/content.suite';
import { runEngineStoresSuite } from '../../suites/engineStores.suite';
import { clock, runImageStoreSuite } from '../../suites/imageStore.suite';

let counter = 0;

/** A fresh database; cleanup closes every connection opened on it and deletes it. */
async function freshDatabase(): Promise<{
  name: string;
  db: BerthDatabase;
  open(): Promise<BerthDatabase>;
  cleanup(): Promise<void>;
}> {
  const name = `berth-test-${Date.now()}-${counter++}`;
  const connections: BerthDatabase[] = [];
  const open = async () => {
    const db = await openBerthDatabase(name);
    connections.push(db);
    return db;
  };
  const db = await open();
  return {
    name,
    db,
    open,
    cleanup: async () => {
      for (const c of connections) c.close();
      await deleteBerthDatabase(name);
    },
  };
}

runContentStoreSuite('IdbContentStore (Chromium)', async () => {
  const { db, cleanup } = await freshDatabase();
  return { store: new IdbContentStore({ db, hasher: jsSha256 }), cleanup };
});

runImageStoreSuite('IdbImageStore (Chromium)', async () => {
  const { db, cleanup } = await freshDatabase();
  return { store: new IdbImageStore({ db, now: clock() }), cleanup };
});

runEngineStoresSuite('IndexedDB (Chromium)', async () => {
  const fresh = await freshDatabase();
  const stores = (db: BerthDatabase) => ({
    containers: new IdbContainerStore(db),
    layers: new IdbWritableLayerStore(db),
    logs: new IdbLogStore(db),
    volumes: new IdbVolumeStore({ db }),
    buildCache: new IdbBuildCache(db),
  });
  return { ...stores(fresh.db), reopen: async () => stores(await fresh.open()), cleanup: fresh.cleanup };
});
