import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { Engine } from '../../src/engine/Engine';
import { createMemoryHost } from '../../src/engine/memoryHost';
import { nodeHostDirs } from '../../src/node/nodeHostDirs';
import { runEngineSuite } from './engine.suite';

runEngineSuite('memory host', async () => {
  const host = createMemoryHost({ workerHost: new NodeWorkerHost(), hostDirs: nodeHostDirs() });
  return {
    kind: 'memory',
    open: () => Engine.open(host),
    cleanup: async () => {},
  };
});
