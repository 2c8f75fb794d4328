/**
 * Runs box.wasm in-process (runInThreadSync: a fresh in-memory root with a host directory mounted at
 * /data, exactly what `berth wasm run --dir TMP::/data` builds) and the host's GNU tools on the same
 * files, for the applet-against-GNU comparisons in box.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostFileSystem } from '../../runtime/fs/HostFileSystem';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import { Namespace } from '../../runtime/fs/Namespace';
import { bufferedInput, CollectingOutput } from '../../runtime/process/hostDefaults';
import { runInThreadSync } from '../../runtime/process/runInThread';
import { WasiKill } from '../../runtime/wasi/host';

export const ROOT = resolve(__dirname, '../..');
export const BOX_WASM = join(ROOT, 'images/box/box.wasm');
export const HELLO_WASM = join(ROOT, 'images/hello/hello.wasm');
export const BERTH = join(ROOT, 'bin/berth.js');

export interface Output {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface RunOptions {
  stdin?: string;
  /** Extra environment, for both sides. */
  env?: Record<string, string>;
  /** Stop the guest after this many bytes of output (for yes). */
  outputLimit?: number;
  /** More host directories to mount: guest path -> host path. */
  mounts?: Record<string, string>;
}

const modules = new Map<string, WebAssembly.Module>();
export function moduleOf(path: string): WebAssembly.Module {
  let m = modules.get(path);
  if (!m) modules.set(path, (m = new WebAssembly.Module(nodeFs.readFileSync(path))));
  return m;
}

/** Bytes as a JS string one char per byte, so binary output compares exactly. */
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Runs a module with `dir` mounted at /data and $PWD=/data (box starts there, as containers' WORKDIR). */
export function runGuest(wasm: string, dir: string | null, argv: string[], opts: RunOptions = {}): Output {
  const ns = new Namespace(new MemoryFileSystem());
  if (dir !== null) ns.mount('/data', new HostFileSystem({ fs: nodeFs, root: dir }));
  for (const [guest, host] of Object.entries(opts.mounts ?? {})) {
    ns.mount(guest, new HostFileSystem({ fs: nodeFs, root: host }));
  }
  const stdout = new CollectingOutput(opts.outputLimit ?? Infinity, () => {
    throw new WasiKill('output-limit', 'output limit');
  });
  const stderr = new CollectingOutput();
  const env = { PATH: '/bin', ...(dir !== null ? { PWD: '/data' } : {}), ...opts.env };
  const result = runInThreadSync(moduleOf(wasm), {
    args: argv,
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    namespace: ns,
    stdin: bufferedInput(Buffer.from(opts.stdin ?? '', 'latin1')),
    stdout,
    stderr,
  });
  return { stdout: latin1(stdout.bytes()), stderr: latin1(stderr.bytes()), code: result.exitCode };
}

/** box APPLET ARGS..., in-process. */
export function runBox(dir: string, args: string[], opts: RunOptions = {}): Output {
  return runGuest(BOX_WASM, dir, ['box', ...args], opts);
}

/** The host's GNU tool, run in `dir` with LC_ALL=C and TZ=UTC; `dir` in its output reads /data. */
export function runGnu(dir: string, args: string[], opts: RunOptions = {}): Output {
  const [cmd, ...rest] = args;
  const r = spawnSync(hostPath(cmd!), rest, {
    argv0: cmd,
    cwd: dir,
    input: Buffer.from(opts.stdin ?? '', 'latin1'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC', PWD: dir, ...opts.env },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  const fix = (b: Buffer): string => b.toString('latin1').split(dir).join('/data');
  return { stdout: fix(r.stdout), stderr: fix(r.stderr), code: r.status };
}

/** A command's path in the test process's own PATH (cases may give the tool another PATH). */
function hostPath(cmd: string): string {
  if (cmd.includes('/')) return cmd;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const full = join(dir || '.', cmd);
    try {
      nodeFs.accessSync(full, nodeFs.constants.X_OK);
      if (nodeFs.statSync(full).isFile()) return full;
    } catch {
      // not here
    }
  }
  return cmd;
}

export function hostHas(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const OLD = new Date('2023-03-04T05:06:07Z');

/** The files every comparison reads: text, numbers, a tree, symlinks, binary bytes, odd names. */
export function makeFixture(): string {
  const dir = nodeFs.mkdtempSync(join(tmpdir(), 'berth-box-'));
  nodeFs.chmodSync(dir, 0o755); // mkdtemp's 0700 is not a mode box can report
  const w = (name: string, data: string | Buffer): void => {
    nodeFs.mkdirSync(join(dir, name, '..'), { recursive: true });
    nodeFs.writeFileSync(join(dir, name), data, { mode: 0o644 });
  };
  w('a.txt', 'apple\nbanana\ncherry\napple\n');
  w(
    'b.txt',
    'The quick brown fox\njumps over the lazy dog.\n\n\nLorem ipsum dolor sit amet,\nfoo bar baz 42\nFOO Bar 7\n',
  );
  w('nums.txt', '10\n9\n100\n-3\n2.5\n0\n007\n1e3\n  12\nabc\n');
  w('table.csv', 'name,age,city\nalice,30,paris\nbob,25,berlin\ncarol,35,rome\ndave,25,athens\n');
  w('fields.txt', 'b 2 x\na 10 y\nc 1 z\na 2 w\n  d 3 v\nb 2 x\n');
  w('words.txt', 'one\none\ntwo\nTwo\nthree\nthree\nthree\none\n');
  w('tabs.txt', 'a\tb\tc\n1\t2\t3\nno tabs here\n');
  w('empty.txt', '');
  w('nonl.txt', 'first\nlast line without newline');
  w('with space.txt', 'spaced out\n');
  w('big.txt', Array.from({ length: 300 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  w('bin.dat', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  w('crlf.txt', 'dos\r\nline\r\n');
  w('dir/one.txt', 'one\n');
  w('dir/two.md', '# two\nhello world\n');
  w('dir/.hidden', 'secret\n');
  w('dir/sub/three.txt', 'three\napple pie\n');
  w('dir/sub/deep/four.txt', 'four\n');
  w('dir/sub/deep/big.bin', Buffer.alloc(10_000, 7));
  w('sums.txt', '');
  // for which: wasm modules (box's executables) and a plain file, with the host's modes to match
  const wasmMagic = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  w('bin/tool', wasmMagic);
  w('bin/data', 'not a program\n');
  w('bin2/tool', wasmMagic);
  nodeFs.chmodSync(join(dir, 'bin/tool'), 0o755);
  nodeFs.chmodSync(join(dir, 'bin2/tool'), 0o755);
  nodeFs.mkdirSync(join(dir, 'emptydir'));
  nodeFs.symlinkSync('a.txt', join(dir, 'link'));
  nodeFs.symlinkSync('dir', join(dir, 'dlink'));
  nodeFs.symlinkSync('nowhere', join(dir, 'dangling'));
  nodeFs.linkSync(join(dir, 'a.txt'), join(dir, 'hard.txt'));
  // sha256sum -c input, made by the host's tool
  const sums = ['a.txt', 'b.txt', 'empty.txt']
    .map(
      (f) =>
        `${createHash('sha256')
          .update(nodeFs.readFileSync(join(dir, f)))
          .digest('hex')}  ${f}`,
    )
    .concat(['0000000000000000000000000000000000000000000000000000000000000000  nums.txt'])
    .join('\n');
  w('sums.txt', sums + '\n');
  w('good.sums', sums.split('\n').slice(0, 3).join('\n') + '\n');
  // times: most files old (ls -l shows the year), a few recent (hours and minutes)
  const recent = new Date(Date.now() - 2 * 3600 * 1000);
  const all = listTree(dir);
  for (const p of all.reverse()) {
    const full = join(dir, p);
    const t = /^(a\.txt|hard\.txt|dir\/one\.txt|big\.txt)$/.test(p) ? recent : OLD;
    nodeFs.lutimesSync(full, t, t);
  }
  nodeFs.utimesSync(dir, OLD, OLD);
  return dir;
}

/** Relative paths of everything under dir, parents first. */
export function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of nodeFs.readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    out.push(rel);
    if (nodeFs.lstatSync(join(dir, rel)).isDirectory()) out.push(...listTree(dir, rel));
  }
  return out;
}

/** What a tree holds, for comparing the effects of mutating commands: types, contents, link targets. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of listTree(dir)) {
    const full = join(dir, p);
    const st = nodeFs.lstatSync(full);
    if (st.isSymbolicLink()) out[p] = `link -> ${nodeFs.readlinkSync(full)}`;
    else if (st.isDirectory()) out[p] = 'dir';
    else out[p] = `file ${nodeFs.readFileSync(full).toString('latin1')}`;
  }
  return out;
}

export function removeTree(dir: string): void {
  nodeFs.rmSync(dir, { recursive: true, force: true });
}
