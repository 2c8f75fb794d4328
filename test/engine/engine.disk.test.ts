import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { Engine } from '../../src/engine/Engine';
import { nodeEngineHost } from '../../src/node/engineHost';
import { runEngineSuite } from './engine.suite';

runEngineSuite('disk host (Node, tmp BERTH_ROOT)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-root-'));
  const workerHost = new NodeWorkerHost();
  return {
    kind: 'disk',
    open: () => Engine.open(nodeEngineHost({ root, workerHost })),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});
