/**
 * Runs the in-page suites (test/browser/inpage/*.inpage.ts: the store conformance suites against the
 * IndexedDB stores) in Chromium through vitest browser mode (vitest.browser.config.ts), as a child
 * process, and fails with the names and messages of any failed test there. So `npm test` covers them
 * without a second vitest command.
 *
 * Without /usr/bin/chromium the file is skipped, except under CI (CI set), where that is a failure.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, skipBrowserTests } from './chromium';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const skipAll = skipBrowserTests;

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  testResults: {
    name: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

describe.skipIf(skipAll)('the store conformance suites in Chromium (IndexedDB)', () => {
  it('should pass every in-page test', async () => {
    const out = mkdtempSync(join(tmpdir(), 'berth-inpage-'));
    const file = join(out, 'report.json');
    try {
      const status = await new Promise<number>((done) => {
        execFile(
          process.execPath,
          [
            join(repo, 'node_modules/vitest/vitest.mjs'),
            'run',
            '--config',
            'vitest.browser.config.ts',
            '--reporter=json',
            `--outputFile=${file}`,
          ],
          { cwd: repo, env: { ...process.env, CHROMIUM_PATH: CHROMIUM }, maxBuffer: 64 * 1024 * 1024 },
          (error) => done(error ? ((error as { code?: number }).code ?? 1) : 0),
        );
      });
      expect(existsSync(file), 'vitest browser mode wrote no report').toBe(true);
      const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
      const failures = report.testResults.flatMap((f) => [
        ...(f.message ? [`${f.name}: ${f.message}`] : []),
        ...f.assertionResults
          .filter((a) => a.status === 'failed')
          .map((a) => `${a.fullName}: ${a.failureMessages.join('\n').slice(0, 2000)}`),
      ]);
      console.log(`[inpage] ${report.numPassedTests} passed, ${report.numFailedTests} failed in Chromium`);
      expect(failures).toEqual([]);
      expect(status).toBe(0);
      // The content, image and engine-store suites: a run that collected nothing is a failure too.
      expect(report.numPassedTests).toBeGreaterThanOrEqual(45);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
