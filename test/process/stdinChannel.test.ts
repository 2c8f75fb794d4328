/** The stdin ring buffer on one thread: the reader only reads what ready(0) says is there. */
import { describe, expect, it } from 'vitest';
import { createStdinBuffer, SharedInput, StdinWriter } from '../../runtime/process/stdinChannel';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('stdin channel', () => {
  it('carries bytes through a tiny ring in order, wrapping many times, then EOF', async () => {
    const buffer = createStdinBuffer(16);
    const writer = new StdinWriter(buffer, 64);
    const reader = new SharedInput(buffer);
    const input = new Uint8Array(5000).map((_, i) => (i * 31) & 0xff);
    expect(reader.ready(0)).toBe(false);
    const more = writer.write(input);
    expect(more).toBe(false); // far over the high-water mark
    let drained = false;
    void writer.drained().then(() => (drained = true));
    writer.end();
    const out: number[] = [];
    for (let spins = 0; spins < 10_000; spins++) {
      while (reader.ready(0)) {
        const chunk = reader.read(7);
        if (chunk === null) {
          expect(Uint8Array.from(out)).toEqual(input);
          expect(drained).toBe(true);
          expect(reader.read(7)).toBeNull();
          return;
        }
        expect(chunk.length).toBeGreaterThan(0);
        expect(chunk.length).toBeLessThanOrEqual(7);
        out.push(...chunk);
      }
      await tick();
    }
    throw new Error(`stalled after ${out.length} bytes`);
  });

  it('ready(timeout) waits at most the timeout when nothing comes', () => {
    const reader = new SharedInput(createStdinBuffer(16));
    const t0 = performance.now();
    expect(reader.ready(50)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('close() drops what is queued and releases drain waiters', async () => {
    const buffer = createStdinBuffer(16);
    const writer = new StdinWriter(buffer, 8);
    writer.write(new Uint8Array(100));
    expect(writer.pending).toBe(84);
    const waiting = writer.drained();
    writer.close();
    await waiting;
    expect(writer.pending).toBe(0);
    expect(writer.write(new Uint8Array(10))).toBe(true);
  });
});
