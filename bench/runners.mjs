/* global WebAssembly, Buffer */
// One adapter per WASI runtime. Each is used inside a benchmark child process (bench/child.mjs), so only
// the runtime being measured is loaded in that process.
//
// An adapter has:
//   setup()                      once per process (library init, bundle import)
//   prepare(module, args)        everything a run needs except running it: a fresh filesystem, a new WASI
//                                object, an instance. Returns { start(): exitCode, output(): string,
//                                dispose() }. Only start() is timed for the file-system cases.
//   hello(module, args)          one full "create + instantiate + start" (timed as a whole); returns
//                                the exit code.
//   close()                      optional, at the end (e.g. a worker pool).
//
// Guest stdout/stderr are kept (cheaply) so that a failed run can say why it failed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where node:wasi gets its per-run directories: tmpfs when there is one, so the disk is not measured. */
export function scratchBase() {
  return fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** Collects guest output chunks (copied: the views alias guest memory). */
function outputSink() {
  const chunks = [];
  return {
    write(data) {
      chunks.push(Uint8Array.prototype.slice.call(data));
    },
    text() {
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

// --- node:wasi ------------------------------------------------------------------------------------------

async function nodeWasi() {
  const { WASI } = await import('node:wasi');
  const base = scratchBase();
  // hello reuses one preopen directory (host state, not part of the WASI object) and sends output to
  // /dev/null, so that only the WASI object, instantiation and _start are measured.
  let helloDir = null;
  let devNull = -1;
  return {
    prepare(module, args) {
      const dir = fs.mkdtempSync(path.join(base, 'berth-bench-nodewasi-'));
      const root = path.join(dir, 'root');
      fs.mkdirSync(root);
      const outPath = path.join(dir, 'output');
      const outFd = fs.openSync(outPath, 'w');
      const wasi = new WASI({
        version: 'preview1',
        args,
        env: {},
        preopens: { '/': root },
        returnOnExit: true,
        stdout: outFd,
        stderr: outFd,
      });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject());
      return {
        start: () => wasi.start(instance),
        output: () => fs.readFileSync(outPath, 'utf8'),
        dispose() {
          fs.closeSync(outFd);
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    hello(module, args) {
      if (helloDir === null) {
        helloDir = fs.mkdtempSync(path.join(base, 'berth-bench-nodewasi-hello-'));
        devNull = fs.openSync('/dev/null', 'w');
      }
      const wasi = new WASI({
        version: 'preview1',
        args,
        env: {},
        preopens: { '/': helloDir },
        returnOnExit: true,
        stdout: devNull,
        stderr: devNull,
      });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject());
      return wasi.start(instance);
    },
    close() {
      if (helloDir !== null) {
        fs.closeSync(devNull);
        fs.rmSync(helloDir, { recursive: true, force: true });
      }
    },
  };
}

// --- @bjorn3/browser_wasi_shim -----------------------------------------------------------------------------

async function browserWasiShim() {
  const { WASI, File, OpenFile, ConsoleStdout, PreopenDirectory } = await import('@bjorn3/browser_wasi_shim');
  const make = (args, sink) => {
    const fds = [
      new OpenFile(new File([])), // stdin: empty
      new ConsoleStdout((d) => sink.write(d)),
      new ConsoleStdout((d) => sink.write(d)),
      new PreopenDirectory('/', new Map()), // a fresh, empty in-memory root
    ];
    return new WASI(args, [], fds);
  };
  const discard = { write() {} };
  return {
    prepare(module, args) {
      const sink = outputSink();
      const wasi = make(args, sink);
      const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
      return { start: () => wasi.start(instance), output: () => sink.text(), dispose() {} };
    },
    hello(module, args) {
      const wasi = make(args, discard);
      const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
      return wasi.start(instance);
    },
  };
}

// --- @wasmer/wasi 1.2.2 -----------------------------------------------------------------------------------

async function wasmerWasi() {
  const { init, WASI } = await import('@wasmer/wasi');
  await init();
  // Each WASI object owns its own MemFS (fresh per run). preopens maps guest '/' to MemFS '/'.
  const make = (args) => new WASI({ args, env: {}, preopens: { '/': '/' } });
  return {
    prepare(module, args) {
      const wasi = make(args);
      wasi.instantiate(module, {});
      return {
        start: () => wasi.start(),
        output: () => wasi.getStdoutString() + wasi.getStderrString(),
        dispose: () => wasi.free(),
      };
    },
    hello(module, args) {
      const wasi = make(args);
      wasi.instantiate(module, {});
      const code = wasi.start();
      wasi.free();
      return code;
    },
  };
}

// --- Berth ----------------------------------------------------------------------------------------------

async function berth(bundleFile) {
  const {
    Namespace,
    MemoryFileSystem,
    runInThreadSync,
    Preview1,
    bufferedInput,
    realClock,
    cryptoRandom,
    blockingSleep,
  } = await import(bundleFile);
  const discard = { write() {} };
  return {
    // For the timed cases: build the Preview1 exactly as runInThreadSync does (runtime/process/
    // runInThread.ts, preview1()), instantiate outside the clock, and time Preview1.start() alone, as
    // for the peers. hello below goes through runInThreadSync itself.
    prepare(module, args) {
      const sink = outputSink();
      const wasi = new Preview1({
        args,
        env: [],
        namespace: new Namespace(new MemoryFileSystem()),
        preopens: ['/'],
        stdin: bufferedInput(),
        stdout: sink,
        stderr: sink,
        clock: realClock(),
        random: cryptoRandom,
        sleep: blockingSleep,
      });
      const instance = new WebAssembly.Instance(module, wasi.imports);
      return { start: () => wasi.start(instance), output: () => sink.text(), dispose() {} };
    },
    hello(module, args) {
      const r = runInThreadSync(module, {
        args,
        namespace: new Namespace(new MemoryFileSystem()),
        stdout: discard,
        stderr: discard,
      });
      if (r.reason !== 'exit') throw new Error(`${r.reason}: ${r.message ?? ''}`);
      return r.exitCode;
    },
  };
}

/** The runtimes, by the name used in tables and child specs. */
export const RUNTIMES = ['berth', 'node:wasi', 'browser_wasi_shim', '@wasmer/wasi'];

export async function loadRunner(name, opts) {
  switch (name) {
    case 'berth':
      return berth(opts.bundleFile);
    case 'node:wasi':
      return nodeWasi();
    case 'browser_wasi_shim':
      return browserWasiShim();
    case '@wasmer/wasi':
      return wasmerWasi();
    default:
      throw new Error(`unknown runtime ${name}`);
  }
}
