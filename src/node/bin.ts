/**
 * The berth executable for Node (bundled to dist/berth.cjs, started by bin/berth.js through
 * dist/boot.cjs): wires the host-neutral CLI to this process's arguments, stdio, filesystem, worker
 * threads and the engine on the state root ($BERTH_ROOT, else ~/.local/share/berth).
 */
import { createReadStream, createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { readFile, rm, writeFile } from './asyncFs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import { main, type FileSink } from '../cli/main';
import { Engine } from '../engine/Engine';
import { CODE_CACHE, type CodeCacheControl } from './boot';
import { hostBuildContext } from './buildContext';
import { FileDigests } from './FileDigests';
import { DiskBuildCache } from './DiskBuildCache';
import { nodeEngineHost } from './engineHost';
import { PrestartedWorkerHost } from './prestartedWorker';
import { nodeSha256 } from './sha256';
import { stateRoot } from './stateRoot';
import { stderr, stdout, writeOrDrain } from './stdio';
import { nodeTransferFs } from './transferFs';

declare const __BERTH_VERSION__: string | undefined;
const version = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : 'dev';

function resolveHostDir(path: string): string {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new Error('no such directory');
  }
  if (!isDir) throw new Error('not a directory');
  return abs;
}

async function createFile(path: string): Promise<FileSink> {
  const stream: WriteStream = createWriteStream(path);
  await new Promise<void>((done, fail) => {
    stream.once('open', () => done());
    stream.once('error', fail);
  });
  let failure: Error | undefined;
  stream.on('error', (e) => (failure = e));
  return {
    write: (chunk) => {
      if (failure) throw failure;
      return writeOrDrain(stream, chunk);
    },
    close: () =>
      new Promise<void>((done, fail) => {
        if (failure) return fail(failure);
        stream.end((e?: Error | null) => (e ? fail(e) : done()));
      }),
    abort: async () => {
      stream.destroy();
      await rm(path, { force: true });
    },
  };
}

// The worker bin/berth.js started before this bundle loaded, if it did, serves the first run.
const workerHost = new PrestartedWorkerHost(new NodeWorkerHost());

/** The installed package: the bundle is dist/berth.cjs, one level below it, beside images/. */
function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

async function runBerth(): Promise<never> {
  const code = await main({
    argv: process.argv.slice(2),
    // A promise while the pipe is full: the guest is held back instead of our memory filling up.
    stdout: (chunk) => stdout.write(chunk),
    stderr: (chunk) => stderr.write(chunk),
    // Read lazily: only a run that needs stdin opens it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    resolveHostDir,
    workerHost,
    version,
    openEngine: () => Engine.open(nodeEngineHost({ env: process.env, workerHost }), { version }),
    readStream: (path) => createReadStream(path),
    createFile,
    writeFile: (path, data) => writeFile(path, data),
    heavyRun: () => (globalThis as { [CODE_CACHE]?: CodeCacheControl })[CODE_CACHE]?.decline(),
    // A getter: only the commands that refuse to write an archive to a terminal ask.
    get stdoutIsTTY() {
      return process.stdout.isTTY === true;
    },
    cwd: process.cwd(),
    openBuildContext: (path) =>
      hostBuildContext(path, {
        digests: new FileDigests(join(stateRoot(process.env), 'buildcache', 'file-digests.json'), nodeSha256),
      }),
    buildCache: async () => new DiskBuildCache({ root: stateRoot(process.env) }),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    baseImageContext: (name) => {
      const dir = join(packageRoot(), 'images', name);
      return /^[a-z0-9-]+$/.test(name) && existsSync(join(dir, 'Dockerfile')) ? dir : undefined;
    },
    baseImageLayout: (name) => {
      const dir = join(packageRoot(), 'images', 'oci', name);
      return /^[a-z0-9-]+$/.test(name) && existsSync(join(dir, 'index.json')) ? dir : undefined;
    },
    transferFs: nodeTransferFs(),
    hostPlatform: `${process.platform}/${process.arch}`,
    jsRuntime: `node ${process.version}`,
  });

  // Let pending output reach the terminal or pipe before leaving.
  await stdout.flush();
  await stderr.flush();
  process.exit(code);
}

// Not a top-level await: the bundle is CommonJS, so that its compiled code can be cached (boot.ts).
void runBerth();
