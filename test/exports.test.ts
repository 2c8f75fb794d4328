/**
 * The package's entry points (package.json "exports", built by scripts/build.mjs), imported by the
 * package's own name as a user would: "berth" (the isomorphic core), "berth/node" (with the Node host)
 * and "berth/browser" (the page's engine; here only resolved and checked for Node built-ins, the browser
 * tests run it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dynamicImport = (specifier: string) =>
  import(/* @vite-ignore */ specifier) as Promise<Record<string, unknown>>;

describe('package entry points', () => {
  it('should give the core from "berth" with no host in it', async () => {
    const core = await dynamicImport('berth');
    for (const name of [
      'Engine',
      'build',
      'createMemoryHost',
      'parseReference',
      'packLayer',
      'MemoryContentStore',
    ]) {
      expect(core[name], name).toBeTypeOf('function');
    }
    expect(core.openNodeEngine).toBeUndefined();
    const text = readFileSync(fileURLToPath(import.meta.resolve('berth')), 'utf8');
    expect(text).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });

  it('should open an engine from "berth/node" that imports and runs an image', async () => {
    const api = (await dynamicImport('berth/node')) as {
      openNodeEngine(o: { root: string }): Promise<{
        run(o: object): Promise<{ wait(): Promise<{ statusCode: number }> }>;
        close(): Promise<void>;
      }>;
      importModuleAsImage(engine: unknown, ref: string, wasm: Uint8Array): Promise<unknown>;
    };
    const root = mkdtempSync(join(tmpdir(), 'berth-exports-'));
    const engine = await api.openNodeEngine({ root });
    try {
      const wasm = new Uint8Array(readFileSync(join(import.meta.dirname, 'wasi/wasm/hello.wasm')));
      await api.importModuleAsImage(engine, 'hello', wasm);
      const out: Uint8Array[] = [];
      const running = await engine.run({
        image: 'hello',
        autoRemove: true,
        stdout: (c: Uint8Array) => void out.push(c.slice()),
      });
      expect((await running.wait()).statusCode).toBe(0);
      expect(Buffer.concat(out).toString('utf8')).toBe('hello\n');
    } finally {
      await engine.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('should resolve "berth/browser" and "berth/browser/memfs" to browser bundles', () => {
    for (const [specifier, file] of [
      ['berth/browser', 'dist/browser/engine.js'],
      ['berth/browser/memfs', 'dist/browser/memfs.js'],
    ] as const) {
      const path = fileURLToPath(import.meta.resolve(specifier));
      expect(path.endsWith(file), specifier).toBe(true);
      expect(readFileSync(path, 'utf8')).not.toMatch(/from\s*["']node:|require\(["']node:/);
    }
  });
});
