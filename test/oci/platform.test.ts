import { describe, expect, it } from 'vitest';
import { InvalidPlatformError } from '../../src/errors/InvalidPlatformError';
import {
  formatPlatform,
  isWasmPlatform,
  normalizePlatform,
  parsePlatformString,
  platformRank,
  WASI_PLATFORM,
} from '../../src/oci/platform';

describe('platforms', () => {
  it("should write Docker's wasi/wasm", () => {
    expect(WASI_PLATFORM).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect(formatPlatform(WASI_PLATFORM)).toBe('wasi/wasm');
  });

  it.each([
    [{ os: 'wasi', architecture: 'wasm' }, true],
    [{ os: 'wasip1', architecture: 'wasm' }, true],
    [{ os: 'wasip2', architecture: 'wasm' }, true],
    [{ os: 'wasi', architecture: 'wasm32' }, true],
    [{ os: 'Wasip1', architecture: 'wasm' }, true],
    [{ os: 'linux', architecture: 'wasm' }, false],
    [{ os: 'wasi', architecture: 'amd64' }, false],
  ])('should judge %j as wasm: %s', (p, wasm) => {
    expect(isWasmPlatform(p)).toBe(wasm);
  });

  it('should rank wasi, then wasip1, then wasip2 for wasi/wasm', () => {
    const rank = (os: string, architecture = 'wasm') => platformRank(WASI_PLATFORM, { os, architecture });
    expect(rank('wasi')).toBe(0);
    expect(rank('wasip1')).toBe(1);
    expect(rank('wasip2')).toBe(2);
    expect(rank('wasi', 'wasm32')).toBe(0);
    expect(rank('linux')).toBeUndefined();
    expect(rank('wasi', 'amd64')).toBeUndefined();
  });

  it('should keep wasip2 for those who ask for it, and match other platforms exactly', () => {
    expect(
      platformRank({ os: 'wasip2', architecture: 'wasm' }, { os: 'wasi', architecture: 'wasm' }),
    ).toBeUndefined();
    expect(platformRank({ os: 'wasip2', architecture: 'wasm' }, { os: 'wasip2', architecture: 'wasm' })).toBe(
      0,
    );
    expect(platformRank({ os: 'wasip1', architecture: 'wasm' }, { os: 'wasi', architecture: 'wasm' })).toBe(
      1,
    );
    const arm = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    expect(platformRank({ os: 'linux', architecture: 'arm64' }, arm)).toBe(0);
    expect(platformRank({ os: 'linux', architecture: 'arm64', variant: 'v7' }, arm)).toBeUndefined();
  });

  it('should parse --platform strings', () => {
    expect(parsePlatformString('wasi/wasm')).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect(parsePlatformString('wasi/wasm32')).toEqual({ os: 'wasi', architecture: 'wasm' });
    expect(parsePlatformString('linux/arm64/v8')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    for (const bad of ['wasi', 'wasi/', '/wasm', 'a/b/c/d', 'wasi wasm']) {
      expect(() => parsePlatformString(bad)).toThrow(InvalidPlatformError);
    }
    expect(normalizePlatform({ os: 'WASI', architecture: 'WASM32' })).toEqual(WASI_PLATFORM);
  });
});
