import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFileSystem } from '../../runtime/fs/HostFileSystem';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import { Namespace } from '../../runtime/fs/Namespace';
import { bufferedInput, CollectingOutput } from '../../runtime/process/hostDefaults';
import { runInThreadSync } from '../../runtime/process/runInThread';

/**
 * The C conformance programs (test/wasi/c, one self-checking program per area of wasi_snapshot_preview1)
 * run here in-thread on a fresh in-memory root, the way `berth wasm run` runs a module. Each program
 * prints `ok - …` / `not ok - …` per check and exits non-zero when any check fails.
 */
interface Case {
  name: string;
  args: string[];
  env: Record<string, string>;
  stdin: string;
  needsMount: boolean;
  expectExit: number | 'killed';
  /** The module file when it is not `<name>.wasm` (one program, several cases). */
  wasm?: string;
  expectStdout?: string;
  expectStdoutContains?: string;
}

const here = resolve(__dirname);
const cases: Case[] = JSON.parse(readFileSync(join(here, 'cases.json'), 'utf8'));
const modules = new Map<string, WebAssembly.Module>();
const scratch = mkdtempSync(join(tmpdir(), 'berth-wasi-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function moduleFor(file: string): WebAssembly.Module {
  let m = modules.get(file);
  if (!m) modules.set(file, (m = new WebAssembly.Module(readFileSync(join(here, 'wasm', file)))));
  return m;
}

/** Everything under a host directory, as relative path -> content (symlinks as "-> target"). */
function hostTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = prefix + e.name;
    if (e.isSymbolicLink()) out[rel] = '-> ' + nodeFs.readlinkSync(p);
    else if (e.isDirectory()) Object.assign(out, hostTree(p, rel + '/'));
    else out[rel] = readFileSync(p, 'latin1');
  }
  return out;
}

// Limit attacks (memory bomb, loop, flood) need a Worker and caps: test/process covers them.
const runnable = cases.filter(
  (c) =>
    c.expectExit !== 'killed' && !c.name.startsWith('bench_') && !/^attack_(memory|loop|flood)/.test(c.name),
);

describe('WASI preview1 conformance programs (in-thread, Node)', () => {
  for (const c of runnable) {
    it(`should pass every check of ${c.name}`, () => {
      const ns = new Namespace(new MemoryFileSystem());
      let mountParent: string | undefined;
      if (c.needsMount) {
        mountParent = mkdtempSync(join(scratch, `${c.name}-`));
        mkdirSync(join(mountParent, 'mnt'));
        writeFileSync(join(mountParent, 'secret.txt'), 'BERTH-HOST-SECRET\n');
        // Host-side symlinks planted in the mount, pointing out of it: the guest must not follow them out.
        nodeFs.symlinkSync('../secret.txt', join(mountParent, 'mnt', 'hostlink_rel'));
        nodeFs.symlinkSync(join(mountParent, 'secret.txt'), join(mountParent, 'mnt', 'hostlink_abs'));
        nodeFs.symlinkSync('..', join(mountParent, 'mnt', 'hostlink_dir'));
        ns.mount('/mnt', new HostFileSystem({ fs: nodeFs, root: join(mountParent, 'mnt') }));
      }
      const stdout = new CollectingOutput();
      const stderr = new CollectingOutput();
      const result = runInThreadSync(moduleFor(c.wasm ?? `${c.name}.wasm`), {
        args: [c.name, ...c.args],
        env: [
          ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
          ...(mountParent ? [`HOST_SECRET_PATH=${join(mountParent, 'secret.txt')}`] : []),
        ],
        namespace: ns,
        stdin: bufferedInput(c.stdin),
        stdout,
        stderr,
      });
      const out = stdout.text();
      const failures = out.split('\n').filter((l) => l.startsWith('not ok'));
      expect(failures, `${c.name} failed checks:\n${failures.join('\n')}\nstderr: ${stderr.text()}`).toEqual(
        [],
      );
      expect(result, `${c.name} stderr: ${stderr.text()}`).toEqual({
        exitCode: c.expectExit,
        reason: 'exit',
      });
      if (c.expectStdout !== undefined) expect(out).toBe(c.expectStdout);
      else if (c.expectStdoutContains !== undefined) expect(out).toContain(c.expectStdoutContains);
      else expect(out).toMatch(/# passed \d+ failed 0/);
      if (mountParent) {
        // Nothing outside the mount was read back or written: the secret is intact and alone.
        const outside = readdirSync(mountParent).sort();
        expect(outside).toEqual(['mnt', 'secret.txt']);
        expect(readFileSync(join(mountParent, 'secret.txt'), 'utf8')).toBe('BERTH-HOST-SECRET\n');
        expect(out).not.toContain('BERTH-HOST-SECRET');
        expect(JSON.stringify(hostTree(join(mountParent, 'mnt')))).not.toContain('BERTH-HOST-SECRET');
      }
    });
  }
});
