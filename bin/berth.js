#!/usr/bin/env node
// The berth command: starts the CLI bundle built by scripts/build.mjs (dist/berth.cjs) through
// dist/boot.cjs, which keeps V8's compiled code for it between runs (src/node/boot.ts). CommonJS
// (bin/package.json): an ES module entry would make Node set up its ES module loader first, 10-20 ms.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '../dist/berth.cjs');
const boot = join(__dirname, '../dist/boot.cjs');
if (!existsSync(bundle) || !existsSync(boot)) {
  console.error('berth: dist/berth.cjs is missing: run npm install (or npm run build) first');
  process.exit(125);
}
// The code cache holds what one kind of run compiled: the commands whose paths differ most keep their own.
const command = process.argv[2];
const cacheTag = command === 'run' || command === 'build' || command === 'wasm' ? command : 'other';
const { prestartWorker, runBundle } = require(boot);
// A command that runs a guest starts its worker first: the thread boots while the bundle loads.
if (
  command === 'run' ||
  command === 'start' ||
  command === 'restart' ||
  (command === 'wasm' && process.argv[3] === 'run')
) {
  prestartWorker(join(__dirname, '../dist/node-worker.js'));
}
runBundle(bundle, cacheTag);
