import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryContentStore } from '../../src/content/MemoryContentStore';
import { DiskContentStore } from '../../src/node/DiskContentStore';
import { nodeSha256 } from '../../src/node/sha256';
import { runContentStoreSuite } from '../suites/content.suite';

runContentStoreSuite('MemoryContentStore', () => ({ store: new MemoryContentStore({ hasher: nodeSha256 }) }));

runContentStoreSuite('DiskContentStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-content-'));
  const store = new DiskContentStore({ root });
  return {
    store,
    streamsToStorage: true,
    ingestBytesOnStorage: async () => {
      let names: string[];
      try {
        names = readdirSync(store.ingestDir);
      } catch {
        return 0;
      }
      return names.reduce((sum, n) => sum + statSync(join(store.ingestDir, n)).size, 0);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
