import { describe, expect, it } from 'vitest';
import { compileIgnore } from '../../src/build/dockerignore';
import { BuildContextError, GlobPatternError } from '../../src/build/errors';
import { cleanPath, expandCopySources, hasGlobMeta, matchGlob } from '../../src/build/glob';
import type { ContextEntry } from '../../src/build/glob';

describe('matchGlob: Go filepath.Match semantics', () => {
  it.each<[string, string, boolean]>([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*', '.hidden', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['ab[!c]', 'ab!', true], // `!` does not negate in Go
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['a[/]b', 'a/b', true], // Go's classes do not exclude the separator
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[z-a]', 'm', false],
    ['[^z-a]', 'm', true],
    ['**', 'a', true],
    ['**', 'a/b', false], // no `**` magic for COPY
    ['*x', 'xxx', true],
    ['a.(b)+', 'a.(b)+', true],
  ])('%s ~ %s = %s', (pattern, name, matches) => {
    expect(matchGlob(pattern, name)).toBe(matches);
  });

  it.each(['[]a]', '[-]', '[x-]', '[-x]', '\\', '[a-b-c]', '[', '[^', '[^bc', 'a[', 'ab[x', '[]'])(
    '%s is a bad pattern',
    (pattern) => {
      expect(() => matchGlob(pattern, 'a')).toThrow(GlobPatternError);
      expect(() => matchGlob(pattern, 'a')).toThrow(`syntax error in pattern ${JSON.stringify(pattern)}`);
    },
  );

  it.each<[string, boolean]>([
    ['a/b.txt', false],
    ['*.txt', true],
    ['file?', true],
    ['[ab]', true],
    ['a\\*b', false],
  ])('hasGlobMeta(%s) = %s', (pattern, expected) => {
    expect(hasGlobMeta(pattern)).toBe(expected);
  });

  it.each([
    ['', '.'],
    ['a//b/./c/..', 'a/b'],
    ['./a/', 'a'],
    ['../x', '../x'],
    ['/../x', '/x'],
    ['a/../..', '..'],
  ])('cleanPath(%j) = %j', (path, expected) => {
    expect(cleanPath(path)).toBe(expected);
  });
});

describe('expandCopySources', () => {
  const entries: (string | ContextEntry)[] = [
    'Dockerfile',
    'src/a.js',
    'src/b.ts',
    'src/lib/c.js',
    'README.md',
    'docs/x.md',
    { path: 'empty', isDir: true },
  ];
  const paths = (sources: string[], options = {}) =>
    expandCopySources(sources, entries, options).flatMap((m) =>
      m.matches.map((e) => `${e.path}${e.isDir ? '/' : ''}`),
    );

  it.each<[string[], string[]]>([
    [['src'], ['src/']],
    [['src/'], ['src/']],
    [['./src/a.js'], ['src/a.js']],
    [['/src/a.js'], ['src/a.js']],
    [['.'], ['./']],
    [['*.md'], ['README.md']],
    [['src/*.js'], ['src/a.js']],
    [['*'], ['Dockerfile', 'README.md', 'docs/', 'empty/', 'src/']],
    [['s?c/[ab].*'], ['src/a.js', 'src/b.ts']],
    [
      ['*/*.md', 'empty'],
      ['docs/x.md', 'empty/'],
    ],
    [['*/*/*'], ['src/lib/c.js']],
  ])('%j → %j', (sources, expected) => {
    expect(paths(sources)).toEqual(expected);
  });

  it('keeps each source with its matches', () => {
    expect(expandCopySources(['src/*.js', 'README.md'], entries)).toEqual([
      { source: 'src/*.js', matches: [{ path: 'src/a.js', isDir: false }] },
      { source: 'README.md', matches: [{ path: 'README.md', isDir: false }] },
    ]);
  });

  it.each<[string[], object, string]>([
    [
      ['nope.txt'],
      {},
      'COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist',
    ],
    [
      ['../secret'],
      { instruction: 'ADD' },
      'ADD failed: forbidden path outside the build context: ../secret',
    ],
    [['*.nomatch'], {}, 'COPY failed: no source files were specified'],
    [
      ['*.md', 'src'],
      { dest: '/app' },
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    ],
    [
      ['src/*'],
      { dest: '/app' },
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    ],
    [
      ['README.md'],
      { exclude: compileIgnore('*.md') },
      'COPY failed: file not found in build context or excluded by .dockerignore: stat README.md: file does not exist',
    ],
  ])('%j %j fails', (sources, options, message) => {
    expect(() => expandCopySources(sources, entries, options)).toThrow(BuildContextError);
    expect(() => expandCopySources(sources, entries, options)).toThrow(message);
  });

  it('several matches are fine with a destination ending in /, and excluded entries are not matched', () => {
    expect(paths(['*.md', 'src'], { dest: '/app/' })).toEqual(['README.md', 'src/']);
    expect(paths(['*', '*/*.md'], { exclude: compileIgnore('*.md\nsrc\nDockerfile') })).toEqual([
      'docs/',
      'empty/',
      'docs/x.md',
    ]);
  });
});
