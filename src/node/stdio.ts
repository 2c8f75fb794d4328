/**
 * The berth process's stdout and stderr. Output goes straight to the file descriptor (fs.writeSync) for
 * as long as it takes it: touching process.stdout loads node:stream, node:net and node:tty, about 5 ms of
 * every start on a small VM, for the few lines most commands print. On Linux that is what Node itself
 * does for files, pipes and terminals (its stdio writes are synchronous there), so order and backpressure
 * are unchanged. A descriptor that would block (EAGAIN: a non-blocking pipe, as on macOS) hands over to
 * process.stdout / process.stderr for the rest of the run, which queue and signal 'drain'.
 */
import { writeSync } from 'node:fs';

/** A write's completion: undefined when done, a promise while the stream's buffer is full. */
export type WriteResult = Promise<void> | undefined;

export function writeOrDrain(stream: NodeJS.WritableStream, chunk: Uint8Array | string): WriteResult {
  if (stream.write(chunk)) return undefined;
  return new Promise((done) => stream.once('drain', done));
}

/** A reader that went away (`berth … | head`) ends our output: exit as a shell does after SIGPIPE. */
function exitOnEpipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
}

export class ProcessOutput {
  private stream: NodeJS.WriteStream | undefined;

  constructor(
    private readonly fd: 1 | 2,
    private readonly openStream: () => NodeJS.WriteStream,
  ) {}

  write(chunk: Uint8Array | string): WriteResult {
    if (this.stream !== undefined) return writeOrDrain(this.stream, chunk);
    let rest = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      while (rest.length > 0) rest = rest.subarray(writeSync(this.fd, rest));
      return undefined;
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      if (error.code !== 'EAGAIN') exitOnEpipe(error);
      return writeOrDrain(this.streamed(), rest);
    }
  }

  /** Resolves once everything written has left the process. */
  flush(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return Promise.resolve();
    return new Promise((done) => stream.write('', () => done()));
  }

  private streamed(): NodeJS.WriteStream {
    if (this.stream === undefined) {
      this.stream = this.openStream();
      this.stream.on('error', exitOnEpipe);
    }
    return this.stream;
  }
}

export const stdout = new ProcessOutput(1, () => process.stdout);
export const stderr = new ProcessOutput(2, () => process.stderr);
