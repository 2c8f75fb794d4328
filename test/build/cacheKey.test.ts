/**
 * A step's cache key must not depend on which SHA-256 made it: the Node CLI keys with node:crypto, the
 * browser with @noble/hashes, and a key written by one is looked up by the other's code paths.
 */
import { describe, expect, it } from 'vitest';
import { cacheKey, isCacheKey } from '../../src/build/cache';
import { jsSha256 } from '../../src/engine/index';
import { nodeSha256 } from '../../src/node/sha256';

describe('cacheKey', () => {
  const parent = `sha256:${'ab'.repeat(32)}`;
  const steps = ['COPY file:0123 in /app', '/bin/sh -c make\n{"Cmd":["run"]}', 'WORKDIR /é ünïcode ✓', ''];

  it('should give the same key without a hasher, with node:crypto and with the browser JavaScript hasher', () => {
    for (const step of steps) {
      const js = cacheKey(parent, step);
      expect(isCacheKey(js)).toBe(true);
      expect(cacheKey(parent, step, nodeSha256)).toBe(js);
      expect(cacheKey(parent, step, jsSha256)).toBe(js);
    }
  });

  it('should give different steps and parents different keys', () => {
    const keys = new Set(steps.map((s) => cacheKey(parent, s, nodeSha256)));
    keys.add(cacheKey(`sha256:${'cd'.repeat(32)}`, steps[0]!, nodeSha256));
    expect(keys.size).toBe(steps.length + 1);
  });
});
