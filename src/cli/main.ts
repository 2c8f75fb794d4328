/**
 * The berth command line, host-neutral: arguments, stdio, files and workers come in through CliHost, and
 * the exit status goes out as main()'s result. src/node/bin.ts wires it to a Node process.
 */
import type { WorkerHost } from '../../runtime/process/types';
import { EXIT_BERTH_ERROR, WASM_RUN_USAGE, wasmRun } from './wasmRun';

export interface CliHost {
  /** The arguments after the program name. */
  argv: readonly string[];
  /** May return a promise while the destination is full (backpressure). */
  stdout(chunk: Uint8Array | string): unknown;
  stderr(chunk: Uint8Array | string): unknown;
  /** Streamed into the guest; absent means empty stdin. */
  stdin?: AsyncIterable<Uint8Array>;
  /** The host's environment, for `--env NAME` (pass a host variable through). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file; a rejection with `code: 'ENOENT'` reads as "no such file". */
  readFile(path: string): Promise<Uint8Array>;
  /** Makes a --dir host path absolute and checks it is a directory; throws with the problem otherwise. */
  resolveHostDir(path: string): string;
  workerHost: WorkerHost;
  version: string;
}

export const USAGE = `Usage: berth [--help | --version] COMMAND

Docker for WebAssembly.

Commands:
  wasm run   Run a WASI command module (berth wasm run --help)

Options:
  -h, --help      Print this help
  -v, --version   Print the version
`;

const WASM_USAGE = `Usage: berth wasm COMMAND

Commands:
  run   Run a WASI command module (berth wasm run --help)
`;

export async function main(host: CliHost): Promise<number> {
  const [command, ...rest] = host.argv;
  const unknown = (what: string, help: string): number => {
    host.stderr(`berth: ${what} (see ${help})\n`);
    return EXIT_BERTH_ERROR;
  };
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      host.stdout(USAGE);
      return 0;
    case '-v':
    case '--version':
    case 'version':
      host.stdout(`berth ${host.version}\n`);
      return 0;
    case 'wasm': {
      const [sub, ...args] = rest;
      if (sub === undefined || sub === '--help' || sub === '-h') {
        host.stdout(WASM_USAGE);
        return 0;
      }
      if (sub === 'run') return wasmRun(args, host);
      return unknown(`unknown command "wasm ${sub}"`, 'berth wasm --help');
    }
    default:
      if (command.startsWith('-')) return unknown(`unknown flag ${command}`, 'berth --help');
      return unknown(`unknown command "${command}"`, 'berth --help');
  }
}

export { WASM_RUN_USAGE };
