import type { InputStream, OutputStream, WasiClock } from '../wasi/host';

/**
 * Default host services for a guest: real clocks, crypto randomness, a blocking sleep. And their
 * deterministic twins, so that the same run with the same inputs is byte-identical.
 */

// Made on first use: a page that is not cross-origin isolated has no SharedArrayBuffer at all, and the
// runtime must still load there.
let sleepCell: Int32Array | null = null;

/** Blocks the thread. Atomics.wait works in Node (any thread) and in Web Workers. */
export function blockingSleep(ns: bigint): void {
  const ms = Number(ns / 1_000_000n);
  if (ms <= 0) return;
  try {
    if (sleepCell === null) sleepCell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleepCell, 0, 0, ms);
  } catch {
    // A browser main thread may not block; spin instead (short sleeps only reach here from tests).
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* spin */
    }
  }
}

export function realClock(): WasiClock {
  const origin = BigInt(Date.now()) * 1_000_000n;
  const perfOrigin = performance.now();
  return {
    // Wall clock with sub-millisecond resolution: epoch at start plus the high-resolution elapsed time.
    realtime: () => origin + BigInt(Math.round((performance.now() - perfOrigin) * 1e6)),
    monotonic: () => BigInt(Math.round(performance.now() * 1e6)),
    resolution: 1_000n,
  };
}

export function cryptoRandom(dst: Uint8Array): void {
  // getRandomValues takes at most 64 KiB per call.
  for (let i = 0; i < dst.length; i += 65536) {
    crypto.getRandomValues(dst.subarray(i, Math.min(dst.length, i + 65536)));
  }
}

/** A clock that starts at a fixed instant and advances 1 µs per reading, and by the full amount of sleeps. */
export function deterministicClock(
  startNs = 1_700_000_000_000_000_000n,
): WasiClock & { sleep(ns: bigint): void } {
  let t = 0n;
  return {
    realtime: () => startNs + (t += 1000n),
    monotonic: () => (t += 1000n),
    resolution: 1_000n,
    sleep: (ns: bigint) => {
      t += ns;
    },
  };
}

/** splitmix64: tiny, well-distributed, and the same everywhere for the same seed. */
export function seededRandom(seed: bigint): (dst: Uint8Array) => void {
  let state = BigInt.asUintN(64, seed);
  return (dst) => {
    for (let i = 0; i < dst.length; i += 8) {
      state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
      let z = state;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z ^= z >> 31n;
      for (let j = 0; j < 8 && i + j < dst.length; j++) dst[i + j] = Number((z >> BigInt(j * 8)) & 0xffn);
    }
  };
}

/** stdin given up front: reads drain the bytes, then EOF. */
export function bufferedInput(data: Uint8Array | string = new Uint8Array(0)): InputStream {
  let bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    read(max) {
      if (bytes.length === 0) return null;
      const out = bytes.subarray(0, max);
      bytes = bytes.subarray(out.length);
      return out;
    },
    ready: () => true,
  };
}

/** Collects output in memory, up to a cap; past it `onLimit` decides (usually: kill the guest). */
export class CollectingOutput implements OutputStream {
  private chunks: Uint8Array[] = [];
  length = 0;
  constructor(
    private readonly limit = Infinity,
    private readonly onLimit?: () => void,
  ) {}
  write(data: Uint8Array): void {
    if (this.length + data.length > this.limit) {
      const room = this.limit - this.length;
      if (room > 0) this.chunks.push(data.slice(0, room));
      this.length = this.limit;
      this.onLimit?.();
      return;
    }
    this.chunks.push(data.slice());
    this.length += data.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}
