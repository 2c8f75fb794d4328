/** The runtime for Node: the isomorphic API plus worker_threads for spawn(). */
export * from '../index';
export { defaultWorkerScript, NodeWorkerHost, type NodeWorkerHostOptions } from './NodeWorkerHost';
