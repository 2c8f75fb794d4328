/**
 * A guest's stdout or stderr in a worker: each write is posted to the host as its own chunk, under the
 * shared output window (protocol.ts OUTPUT_WINDOW_BYTES), and the guest is ended past its output cap.
 * Every process of a container posts through one of these with the container's runId and window, so the
 * host sees one stream.
 */
import { type OutputStream, WasiKill } from '../wasi/host';
import { formatBytes } from './format';
import { OUTPUT_WINDOW_BYTES, WINDOW_IN_FLIGHT, WINDOW_POSTED, type WorkerToHost } from './protocol';

/** The worker's end of the message channel, adapted by the entry script. */
export interface WorkerPort {
  postMessage(message: WorkerToHost, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** Throws WasiKill once the host has asked the guest to stop (StartRequest.control); a no-op otherwise. */
export type StopCheck = () => void;

export class ForwardedOutput implements OutputStream {
  private written = 0;
  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly runId: number,
    private readonly limit: number,
    private readonly port: WorkerPort,
    private readonly window: Int32Array | null,
    private readonly stop: StopCheck,
  ) {}

  write(data: Uint8Array): void {
    this.stop();
    if (data.length === 0) return;
    const room = this.limit - this.written;
    if (data.length > room) {
      if (room > 0) this.send(data.subarray(0, room));
      this.written = this.limit;
      throw new WasiKill(
        'output-limit',
        `${this.stream} exceeded the output limit of ${formatBytes(this.limit)}`,
      );
    }
    this.written += data.length;
    this.send(data);
  }

  private send(view: Uint8Array): void {
    // The view aliases guest memory: copy it, then hand the copy's buffer over instead of cloning it.
    const data = view.slice();
    const window = this.window;
    if (window) {
      Atomics.add(window, WINDOW_IN_FLIGHT, data.length);
      if (window.length > WINDOW_POSTED) Atomics.add(window, WINDOW_POSTED, 1);
    }
    this.port.postMessage({ type: this.stream, runId: this.runId, data }, [data.buffer]);
    if (window) {
      // Backpressure: wait while the host has too much of our output still unconsumed.
      for (;;) {
        const inFlight = Atomics.load(window, WINDOW_IN_FLIGHT);
        if (inFlight <= OUTPUT_WINDOW_BYTES) break;
        Atomics.wait(window, WINDOW_IN_FLIGHT, inFlight, 1000);
      }
    }
  }
}
