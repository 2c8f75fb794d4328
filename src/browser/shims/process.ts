/**
 * The `process` global for browser bundles (esbuild `inject`): memfs and readable-stream read it
 * (process.nextTick, process.platform, process.cwd()). The `process` package is the usual browser
 * stand-in; its cwd() is '/'.
 */
import process from 'process/browser.js';

export { process };
