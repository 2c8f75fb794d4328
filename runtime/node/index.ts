/** The runtime for Node: the isomorphic API plus worker_threads for spawn() and node:fs host directories. */
export * from '../index';
export { defaultWorkerScript, NodeWorkerHost, type NodeWorkerHostOptions } from './NodeWorkerHost';
export { nodeHostDir } from './hostDir';
