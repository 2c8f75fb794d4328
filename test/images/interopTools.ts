/**
 * The reference tools the interop tests drive (Debian: `apt-get install skopeo umoci docker-registry`):
 * finding them, running them, a throw-away docker-registry on a loopback port, and a host directory
 * described the way test/fixtures/images describeTree describes an image's tree.
 *
 * Without the tools a test file is skipped, with the reason, unless CI is set: under CI they must be
 * there (importing this module throws).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { nodeSha256 } from '../../src/node/sha256';

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const tools = {
  skopeo: which('skopeo'),
  umoci: which('umoci'),
  registry: which('docker-registry') ?? which('registry'),
};

/** The tools that are not installed, by their Debian package names. */
export const missingTools = Object.entries(tools)
  .filter(([, path]) => path === undefined)
  .map(([name]) => (name === 'registry' ? 'docker-registry' : name));
if (missingTools.length > 0 && process.env.CI) {
  throw new Error(
    `interop tests need ${missingTools.join(', ')} under CI (apt-get install -y skopeo umoci docker-registry)`,
  );
}
/** Appended to a describe's name when its tools are missing. */
export const skipReason =
  missingTools.length > 0 ? ` (skipped: ${missingTools.join(', ')} not installed; CI is not set)` : '';

/** Runs a tool to the end (60 s at most), temporary files in `tmp`; throws with its output if it fails. */
export function runTool(cmd: string, args: string[], tmp: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** docker-registry serving from a directory of its own on 127.0.0.1, until stop(). */
export class LocalRegistry {
  port = 0;
  private child: ChildProcess | undefined;
  private log = '';

  /** Starts it with its storage and config under `work`; resolves once /v2/ answers. */
  async start(work: string): Promise<void> {
    this.port = await freePort();
    const config = join(work, 'registry.yml');
    // Not Debian's /etc/docker/registry/config.yml: it turns on htpasswd auth with a directory as the file.
    writeFileSync(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(work, 'registry')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${this.port}`,
        '  secret: berth-interop-test-only',
        '',
      ].join('\n'),
    );
    const child = spawn(tools.registry!, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited:\n${this.log}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/v2/`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not answer on 127.0.0.1:${this.port}:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** The same one-line-per-entry description as describeTree, of a host directory (umoci's rootfs). */
export function describeHostTree(root: string): string[] {
  const out: [string, string][] = [];
  const walk = (prefix: string): void => {
    for (const name of readdirSync(join(root, prefix))) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const full = join(root, path);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isDirectory()) {
        out.push([path, `d ${mode} ${path}`]);
        walk(path);
      } else if (st.isSymbolicLink()) {
        out.push([path, `l ${path} -> ${readlinkSync(full)}`]);
      } else {
        const h = nodeSha256();
        h.update(readFileSync(full));
        out.push([path, `f ${mode} ${path} ${h.digest().slice(7)}`]);
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, line]) => line);
}
