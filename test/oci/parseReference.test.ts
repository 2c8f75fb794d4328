import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../src/errors/InvalidReferenceError';
import { familiarName, parseReference } from '../../src/oci/reference';

const HEX = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const DIGEST = `sha256:${HEX}`;

type Row = [input: string, registry: string, repository: string, tag: string | undefined, digest?: string];

const valid: Row[] = [
  ['hello', 'docker.io', 'library/hello', 'latest'],
  ['hello:1.0', 'docker.io', 'library/hello', '1.0'],
  ['user/app', 'docker.io', 'user/app', 'latest'],
  ['docker.io/hello', 'docker.io', 'library/hello', 'latest'],
  ['docker.io/library/hello:latest', 'docker.io', 'library/hello', 'latest'],
  ['index.docker.io/library/hello', 'docker.io', 'library/hello', 'latest'],
  ['index.docker.io/user/app:2', 'docker.io', 'user/app', '2'],
  ['localhost/x', 'localhost', 'x', 'latest'],
  ['localhost:5000/x', 'localhost:5000', 'x', 'latest'],
  ['localhost:5000/x:1', 'localhost:5000', 'x', '1'],
  ['127.0.0.1:5000/check/image:1', '127.0.0.1:5000', 'check/image', '1'],
  ['[::1]:5000/foo:bar', '[::1]:5000', 'foo', 'bar'],
  ['ghcr.io/org/team/app:v2', 'ghcr.io', 'org/team/app', 'v2'],
  ['MyRegistry/app', 'MyRegistry', 'app', 'latest'],
  ['a-b--c/d_e__f.g', 'docker.io', 'a-b--c/d_e__f.g', 'latest'],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
  ['hello:Latest_1.x-Y', 'docker.io', 'library/hello', 'Latest_1.x-Y'],
  [`hello:${'t'.repeat(128)}`, 'docker.io', 'library/hello', 't'.repeat(128)],
  [`hello@${DIGEST}`, 'docker.io', 'library/hello', undefined, DIGEST],
  [`hello:1@${DIGEST}`, 'docker.io', 'library/hello', '1', DIGEST],
  [`localhost:5000/x@${DIGEST}`, 'localhost:5000', 'x', undefined, DIGEST],
  ['registry.example.com:443/a/b/c/d', 'registry.example.com:443', 'a/b/c/d', 'latest'],
];

const invalid: [input: string, message: RegExp][] = [
  ['', /empty reference/],
  ['Hello', /must be lowercase/],
  ['user/Hello', /must be lowercase/],
  ['hello world', /whitespace/],
  ['hello\n', /whitespace or a control character/],
  ['hello:', /empty tag/],
  ['hello:-bad', /invalid tag "-bad"/],
  [`hello:${'t'.repeat(129)}`, /tag is 129 characters long/],
  ['hello@', /empty digest/],
  ['hello@sha256:abc', /64 digits, got 3/],
  [`hello@sha256:${HEX.toUpperCase()}`, /lowercase/],
  [`hello@sha512:${'a'.repeat(128)}`, /unsupported algorithm "sha512"/],
  ['a//b', /empty path component/],
  ['/hello', /empty path component/],
  ['hello/', /empty path component/],
  ['he$llo', /invalid repository name component "he\$llo"/],
  ['hello_', /invalid repository name component "hello_"/],
  ['-hello', /invalid repository name component "-hello"/],
  ['a___b', /invalid repository name component "a___b"/],
  ['local_host:5000/x', /invalid registry host "local_host:5000"/],
  ['-bad.io/x', /invalid registry host "-bad.io"/],
  ['hello:1:2', /invalid repository name component "hello:1"/],
  ['0123456789abcdef'.repeat(4), /image ID/],
  [`${'a'.repeat(256)}`, /256 characters long \(at most 255\)/],
  [`example.com/${'a/'.repeat(125)}bb`, /repository name is 264 characters long/],
];

describe('parseReference', () => {
  it.each(valid)('should parse %j', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref.registry).toBe(registry);
    expect(ref.repository).toBe(repository);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(ref.familiar).toBe(input);
    expect(ref.name).toBe(`${registry}/${repository}`);
    expect(ref.canonical).toBe(
      `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`,
    );
    expect('tag' in ref).toBe(tag !== undefined);
    expect('digest' in ref).toBe(digest !== undefined);
  });

  it.each(invalid)('should reject %j', (input, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    const err = caught as InvalidReferenceError;
    expect(err.code).toBe('INVALID_REFERENCE');
    expect(err.value).toBe(input);
    expect(err.message).toContain(JSON.stringify(input));
    expect(err.message).toMatch(message);
  });

  it('should give equal canonical forms to the spellings of one image', () => {
    const spellings = ['hello', 'hello:latest', 'docker.io/hello', 'docker.io/library/hello:latest'];
    const forms = new Set(spellings.map((s) => parseReference(s).canonical));
    expect([...forms]).toEqual(['docker.io/library/hello:latest']);
  });

  it('should parse its own canonical form to the same reference', () => {
    for (const [input] of valid) {
      const ref = parseReference(input);
      const again = parseReference(ref.canonical);
      expect({ ...again, familiar: input }).toEqual(ref);
    }
  });
});

describe('familiarName', () => {
  it.each([
    ['hello', 'hello'],
    ['docker.io/library/hello:1', 'hello'],
    ['user/app', 'user/app'],
    ['docker.io/library/a/b', 'library/a/b'],
    ['localhost:5000/x', 'localhost:5000/x'],
    ['ghcr.io/library/x', 'ghcr.io/library/x'],
  ])('should shorten %j to %j', (input, short) => {
    expect(familiarName(parseReference(input))).toBe(short);
  });
});
