#!/usr/bin/env node
// The berth command: runs the bundle built by scripts/build.mjs.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/berth.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error('berth: dist/berth.js is missing: run npm install (or npm run build) first');
  process.exit(125);
}
await import(bundle.href);
