/**
 * Content digests. Berth addresses content by SHA-256 only: a `Digest` is `sha256:` followed by exactly
 * 64 lowercase hex digits (image-spec descriptor.md: the sha256 encoded portion MUST match
 * /[a-f0-9]{64}/). The brand means a value has been checked: get one from parseDigest() (or isDigest()).
 */
import { InvalidDigestError } from '../errors/InvalidDigestError';

declare const digestBrand: unique symbol;

/** A checked `sha256:<64 lowercase hex>` string. */
export type Digest = string & { readonly [digestBrand]: true };

export const SHA256_PREFIX = 'sha256:';

const SHA256 = /^sha256:[a-f0-9]{64}$/;
// The general grammar of image-spec descriptor.md: algorithm ":" encoded.
const GENERAL = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && SHA256.test(value);
}

/** Checks a digest string; throws InvalidDigestError saying what is wrong with it. */
export function parseDigest(value: string): Digest {
  if (isDigest(value)) return value;
  if (typeof value !== 'string') throw new InvalidDigestError(String(value), 'not a string');
  if (value === '') throw new InvalidDigestError(value, 'empty');
  const colon = value.indexOf(':');
  if (colon < 0) throw new InvalidDigestError(value, 'missing "sha256:" algorithm prefix');
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (algorithm !== 'sha256') {
    if (GENERAL.test(value)) {
      throw new InvalidDigestError(value, `unsupported algorithm ${JSON.stringify(algorithm)} (only sha256)`);
    }
    throw new InvalidDigestError(value, 'expected "sha256:" followed by 64 lowercase hex digits');
  }
  if (/^[a-fA-F0-9]{64}$/.test(encoded)) throw new InvalidDigestError(value, 'hex digits must be lowercase');
  if (/[^a-fA-F0-9]/.test(encoded))
    throw new InvalidDigestError(value, 'sha256 hex contains a non-hex character');
  throw new InvalidDigestError(value, `sha256 hex must be 64 digits, got ${encoded.length}`);
}

/** The 64 hex digits of a digest (the part after `sha256:`). */
export function digestHex(digest: Digest): string {
  return digest.slice(SHA256_PREFIX.length);
}

/** Abbreviates a digest for messages and listings: `sha256:0123456789ab`. */
export function shortDigest(digest: Digest, hexDigits = 12): string {
  return digest.slice(0, SHA256_PREFIX.length + hexDigits);
}
