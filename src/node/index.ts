/**
 * Berth's Node entry (the package's "./node" export, bundled as dist/node.js): the isomorphic core plus
 * the Node host — disk stores under a state root, node:crypto SHA-256, worker_threads, host directories
 * over node:fs, zlib gunzip. The CLI (bin.ts) is built on the same pieces.
 *
 *   import { openNodeEngine, build, hostBuildContext } from 'berth/node';
 *   const engine = await openNodeEngine({ root: '/tmp/berth' });
 *   await build(engine, { context: await hostBuildContext('./app'), tags: ['app'] });
 */
import { Engine } from '../engine/Engine';
import type { EngineOptions } from '../engine/types';
import { nodeEngineHost, type NodeEngineHostOptions } from './engineHost';

export * from '../index';
export { hostBuildContext } from './buildContext';
export { DiskBuildCache } from './DiskBuildCache';
export { nodeEngineHost, type NodeEngineHostOptions } from './engineHost';
export { nodeGunzip } from './gzip';
export { nodeHostDirs } from './nodeHostDirs';
export { nodeSha256 } from './sha256';

/** Opens an engine on a state root (default $BERTH_ROOT, else ~/.local/share/berth), as the CLI does. */
export function openNodeEngine(options: NodeEngineHostOptions & EngineOptions = {}): Promise<Engine> {
  return Engine.open(nodeEngineHost(options), {
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
  });
}
