import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rule (docs/ARCHITECTURE.md): runtime/ never imports src/; host specifics (node:* and Node
 * built-ins) appear only in the node/ adapters of runtime/ and src/. This test fails when an import
 * points the wrong way.
 */
const root = resolve(__dirname, '..');
const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'worker_threads', 'child_process', 'crypto', 'http', 'url', 'stream', 'util', 'events', 'net', 'zlib', 'buffer']); // prettier-ignore

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    specs.push((m[1] ?? m[2])!);
  }
  return specs;
}

/**
 * src/ levels: a folder may import only from folders on lower levels (docs/ARCHITECTURE.md). The host
 * adapters src/node and src/browser sit on top and may import anything.
 */
const SRC_LEVELS: Record<string, number> = {
  platform: 0,
  errors: 0,
  util: 1,
  oci: 2,
  content: 3,
  layer: 3,
  image: 4,
  transfer: 5,
  engine: 6,
  build: 7,
  cli: 8,
};

const isHostAdapter = (rel: string) => /^(runtime|src)\/(node|browser)\//.test(rel);

describe('import rule', () => {
  const files = ['runtime', 'src'].flatMap((d) => {
    try {
      return sourceFiles(join(root, d));
    } catch {
      return [];
    }
  });

  it('should find the sources it checks', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('should never import src/ from runtime/', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(root, f);
      if (!rel.startsWith('runtime/')) continue;
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(f), spec));
        if (target.startsWith('src/') || target === 'src') bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('should import only lower levels inside src/', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(root, f);
      const own = /^src\/([^/]+)\//.exec(rel)?.[1];
      if (own === undefined || own === 'node' || own === 'browser') continue;
      const ownLevel = SRC_LEVELS[own];
      if (ownLevel === undefined) {
        bad.push(`${rel}: folder src/${own} has no level in SRC_LEVELS`);
        continue;
      }
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = /^src\/([^/]+)\//.exec(relative(root, resolve(dirname(f), spec)) + '/')?.[1];
        if (target === undefined || target === own) continue;
        const level = SRC_LEVELS[target];
        if (level === undefined || level >= ownLevel)
          bad.push(`${rel} (level ${ownLevel}) imports src/${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('should keep Node built-ins inside the node/ adapters', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(root, f);
      if (rel.startsWith('runtime/node/') || rel.startsWith('src/node/')) continue;
      for (const spec of importsOf(f)) {
        if (spec.startsWith('node:') || NODE_BUILTINS.has(spec)) bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('should keep node/ and browser/ adapters from importing each other', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(root, f);
      if (!isHostAdapter(rel)) continue;
      const own = rel.split('/')[1];
      const other = own === 'node' ? 'browser' : 'node';
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(f), spec));
        if (new RegExp(`^(runtime|src)/${other}/`).test(target)) bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
