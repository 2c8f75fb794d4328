/**
 * layerGzip, the one layer compressor of every host: its output is a function of the input bytes alone
 * (not of how the source cut them into chunks), is valid gzip that zlib inflates, and carries the header
 * packLayer makes canonical. The browser half (the same bytes in Chromium) is in
 * test/browser/engine.browser.test.ts.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalGzipHeader, layerGzip } from '../../src/layer/gzip';
import { chunked, collect, random, sha256 } from './helpers';

/** Compressible input with some structure: a tar-like mix of repeated text and random runs. */
function sampleInput(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const text = new TextEncoder().encode('usr/bin/tool 0000755 root root hello world\n');
  for (let at = 0; at < size;) {
    const run =
      at % 3 === 0 ? random(Math.min(997, size - at)) : text.subarray(0, Math.min(text.length, size - at));
    out.set(run, at);
    at += run.length;
  }
  return out;
}

describe('layerGzip', () => {
  it('should give the same bytes whatever chunks the source yields', async () => {
    const input = sampleInput(700_000);
    const whole = await collect(layerGzip(chunked(input, input.length)));
    for (const size of [1000, 7, 65_536, 65_537, 200_000]) {
      const cut = await collect(layerGzip(chunked(input, size)));
      expect(sha256(cut), `chunks of ${size}`).toBe(sha256(whole));
    }
    expect(whole.length).toBeLessThan(input.length);
  });

  it('should write gzip that zlib inflates back to the input', async () => {
    for (const size of [0, 1, 65_536, 300_001]) {
      const input = sampleInput(size);
      const gz = await collect(layerGzip(chunked(input, 4096)));
      expect(sha256(gunzipSync(gz)), `${size} bytes`).toBe(sha256(input));
    }
  });

  it('should write a header with no time and no name, which canonicalGzipHeader accepts', async () => {
    const gz = await collect(canonicalGzipHeader(layerGzip(chunked(sampleInput(5000)))));
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it('should pass a failure of the source on unchanged', async () => {
    const boom = new Error('source broke');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100_000);
      throw boom;
    }
    await expect(collect(layerGzip(failing()))).rejects.toBe(boom);
  });
});
