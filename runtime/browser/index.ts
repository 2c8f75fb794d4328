/** The runtime for browsers: the isomorphic API plus module Web Workers for spawn(). */
export * from '../index';
export { BrowserWorkerHost } from './BrowserWorkerHost';
