/**
 * Which Chromium the browser tests drive and how: Debian's `chromium` package (no browser download),
 * CHROMIUM_PATH to use another build or to try the missing-browser path. Without it the browser tests
 * are skipped with a warning, except under CI (CI set), where a missing Chromium fails them.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Headless, no sandbox (containers), nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
export const haveChromium = existsSync(CHROMIUM);
/** Skip the browser tests: no Chromium here and not in CI. */
export const skipBrowserTests = !haveChromium && !inCI;
