/**
 * Vitest browser mode, for suites that must run inside Chromium (the IndexedDB stores under the store
 * conformance suites): test/browser/inpage/*.inpage.ts. The Node test
 * test/browser/stores.browser.test.ts runs this config, so `npm test` covers it; by hand:
 * `npx vitest run --config vitest.browser.config.ts`. Debian's /usr/bin/chromium (CHROMIUM_PATH), no
 * browser download; the pages are cross-origin isolated as the playground's are.
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM, CHROMIUM_ARGS } from './test/browser/chromium';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolation, host: '127.0.0.1' },
  // Its own pre-bundled dependencies, apart from the Node runs' cache.
  cacheDir: 'node_modules/.vite-inpage',
  // Found up front, not when a build first imports them (a mid-run discovery reloads the page and fails
  // the test file: test/browser/inpage/logFlood.inpage.ts builds an image).
  optimizeDeps: { include: ['fflate', '@wasmer/wasi', 'tar-stream'] },
  test: {
    include: ['test/browser/inpage/**/*.inpage.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM,
          // vitest sets headless itself.
          args: CHROMIUM_ARGS.filter((a) => a !== '--headless'),
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
