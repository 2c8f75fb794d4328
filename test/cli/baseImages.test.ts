/**
 * `berth run hello` on a fresh install, with no registry: the base image is loaded from the OCI layout
 * the package ships (images/oci/NAME), or built from images/NAME where there is no layout.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'berth-base-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function berthWith(bin: string, root: string, ...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, BERTH_ROOT: root },
    encoding: 'utf8',
  });
}

/** The image id (config digest) of a shipped layout. */
function layoutImageId(name: string): string {
  const layout = join(repo, 'images/oci', name);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const blob = (d: string) => readFileSync(join(layout, 'blobs', ...d.split(':')), 'utf8');
  return (JSON.parse(blob(index.manifests[0]!.digest)) as { config: { digest: string } }).config.digest;
}

describe('base images on a fresh install', () => {
  const root = join(scratch, 'root');
  const berth = (...args: string[]) => berthWith(join(repo, 'bin/berth.js'), root, ...args);

  it('should load hello from the shipped layout on first use and run it, with no registry', () => {
    const first = berth('run', '--rm', 'hello', 'a', 'b');
    expect(first.stderr).toContain("Unable to find image 'hello:latest' locally");
    expect(first.stderr).toContain("Loaded hello:latest from Berth's base images");
    expect(first.stderr).not.toContain('Building');
    expect(first.stdout).toContain('Hello from Berth!');
    expect(first.stdout).toContain('  [1] a\n  [2] b\n');
    expect(first.status).toBe(0);
    // The very image the layout holds, not a rebuild of it.
    expect(berth('images', '--no-trunc', '--format', '{{.ID}}', 'hello').stdout.trim()).toBe(
      layoutImageId('hello'),
    );
    const second = berth('run', '--rm', 'hello', '--exit', '3');
    expect(second.stderr).not.toContain('Unable to find');
    expect(second.status).toBe(3);
  });

  it('should load box the same way', () => {
    const r = berth('run', '--rm', 'box', 'ls', '/bin');
    expect(r.stderr).toContain("Loaded box:latest from Berth's base images");
    expect(r.stdout.split('\n')).toContain('sha256sum');
    expect(r.status).toBe(0);
  });

  it('should build the base image from images/NAME where the package has no layout for it', () => {
    // A package with bin/, dist/ and images/hello but no images/oci.
    const pkg = join(scratch, 'pkg');
    mkdirSync(join(pkg, 'images'), { recursive: true });
    cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true });
    symlinkSync(join(repo, 'dist'), join(pkg, 'dist'));
    cpSync(join(repo, 'images/hello'), join(pkg, 'images/hello'), { recursive: true });
    const r = berthWith(join(pkg, 'bin/berth.js'), join(scratch, 'root-built'), 'run', '--rm', 'hello');
    expect(r.stderr).toContain("Building hello:latest from Berth's base images");
    expect(r.stdout).toContain('Hello from Berth!');
    expect(r.status).toBe(0);
  });

  it('should still say an unknown image is missing', () => {
    const r = berth('run', '--rm', 'no-such-base');
    expect(r.status).toBe(125);
    expect(r.stderr).toContain("Unable to find image 'no-such-base:latest' locally");
  });
});
