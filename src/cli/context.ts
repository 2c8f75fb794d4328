/**
 * What a command handler gets: the host (stdio, files, the engine), and the exit-status conventions.
 *
 * Exit status, as Docker's: a bad flag is 125 everywhere; `run`, `create` and `start` exit 125 when
 * Berth fails, 126 when the command is not a runnable WASI module, 127 when it is not found, else the
 * container's own status; every other command exits 1 when it fails.
 */
import type { Engine } from '../engine/Engine';
import { EngineError } from '../engine/errors';
import type { CliHost } from './main';
import type { ParsedFlags } from './flags';

export const EXIT_FAILURE = 1;
export const EXIT_BERTH = 125;

export interface Ctx {
  readonly host: CliHost;
  /** The engine on this machine's state, opened on first use. */
  engine(): Promise<Engine>;
  /** Writes to stdout; the promise (when there is one) resolves once the host has taken the bytes. */
  out(chunk: string | Uint8Array): Promise<void>;
  err(text: string): Promise<void>;
  now(): Date;
}

export type Handler = (ctx: Ctx, flags: ParsedFlags) => Promise<number>;

/** A failure a handler reports: the text printed on stderr and the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** How an engine (or any) error reads on the command line: `Error: No such container: x`. */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('Error') ? message : `Error: ${message}`;
}

/** The EngineError kind, if it is one. */
export function kindOf(error: unknown): EngineError['kind'] | undefined {
  return error instanceof EngineError ? error.kind : undefined;
}

/** Reads an abort-aware async iterable of chunks into one buffer. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    n += chunk.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
