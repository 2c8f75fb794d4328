import { describe, expect, it } from 'vitest';
import { InvalidDigestError } from '../../src/errors/InvalidDigestError';
import { digestHex, isDigest, parseDigest, shortDigest } from '../../src/oci/digest';

const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseDigest', () => {
  it('should accept sha256 with 64 lowercase hex digits', () => {
    const d = parseDigest(`sha256:${HEX}`);
    expect(d).toBe(`sha256:${HEX}`);
    expect(isDigest(d)).toBe(true);
    expect(digestHex(d)).toBe(HEX);
    expect(shortDigest(d)).toBe('sha256:e3b0c44298fc');
  });

  it.each([
    ['', /empty/],
    [HEX, /missing "sha256:" algorithm prefix/],
    [`sha256:${HEX.toUpperCase()}`, /must be lowercase/],
    [`sha256:${HEX.slice(1)}`, /64 digits, got 63/],
    [`sha256:${HEX}0`, /64 digits, got 65/],
    [`sha256:${HEX.slice(1)}g`, /non-hex character/],
    [`sha512:${'a'.repeat(128)}`, /unsupported algorithm "sha512"/],
    [`SHA256:${HEX}`, /expected "sha256:"/],
    [` sha256:${HEX}`, /expected "sha256:"/],
  ])('should reject %j, naming it', (value, reason) => {
    let caught: unknown;
    try {
      parseDigest(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidDigestError);
    expect((caught as InvalidDigestError).value).toBe(value);
    expect((caught as Error).message).toContain(JSON.stringify(value));
    expect((caught as Error).message).toMatch(reason);
    expect(isDigest(value)).toBe(false);
  });
});
