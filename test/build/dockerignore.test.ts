import { describe, expect, it } from 'vitest';
import { compileIgnore, contextFilter, parseDockerignore } from '../../src/build/dockerignore';
import { DockerignoreError } from '../../src/build/errors';

describe('compileIgnore', () => {
  it.each<[string, string, boolean]>([
    // Docker's documented example.
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'somedir/temporary.txt', true],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'somedir/temp', true],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'somedir/subdir/temporary.txt', true],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'tempa', true],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'temp', false],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', 'a/b/c/temp.txt', false],
    ['# comment\n*/temp*\n*/*/temp*\ntemp?', '# comment', false],
    // Only column 1 starts a comment.
    [' # not a comment', '# not a comment', true],
    // Root-relative: /foo/bar and foo/bar are the same, and match nothing else.
    ['/foo/bar', 'foo/bar', true],
    ['foo/bar', '/foo/bar', true],
    ['foo/bar', 'x/foo/bar', false],
    ['foo/bar', 'bar', false],
    // A directory pattern excludes its contents.
    ['foo/bar', 'foo/bar/baz/qux.txt', true],
    ['./build/', 'build/out.js', true],
    ['node_modules', 'node_modules/a/b.js', true],
    ['node_modules', 'src/node_modules/a.js', false],
    ['**/node_modules', 'src/node_modules/a.js', true],
    ['**/*.go', 'main.go', true],
    ['**/*.go', 'cmd/x/main.go', true],
    ['foo/**', 'foo/x/y', true],
    ['foo/**', 'foo', false],
    ['foo/**/bar', 'foo/bar', true],
    ['foo/**/bar', 'foo/a/b/bar', true],
    ['**', 'anything/at/all', true],
    ['foo/../bar', 'bar', true],
    ['*.md', 'docs/a.md', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[a-c].txt', 'b.txt', true],
    ['[a-c].txt', 'd.txt', false],
    ['[^a].txt', 'a.txt', false],
    ['[^a].txt', 'b.txt', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['  padded.txt  ', 'padded.txt', true],
    // Exceptions: the last matching line wins.
    ['*.md\n!README.md', 'a.md', true],
    ['*.md\n!README.md', 'README.md', false],
    ['*.md\n!README*.md\nREADME-secret.md', 'README-secret.md', true],
    ['*.md\n!README*.md\nREADME-secret.md', 'README.md', false],
    ['*.md\nREADME-secret.md\n!README*.md', 'README-secret.md', false],
    ['*\n!src', 'src/index.ts', false],
    ['*\n!src', 'package.json', true],
    ['dir\n!dir/keep.txt', 'dir/keep.txt', false],
    ['dir\n!dir/keep.txt', 'dir/other.txt', true],
    ['! dir', 'dir', false],
    ['*.log\r\n!keep.log\r\n', 'keep.log', false],
    ['\uFEFF*.tmp', 'x.tmp', true],
  ])('%j: %s excluded=%s', (text, path, excluded) => {
    expect(compileIgnore(text)(path, false)).toBe(excluded);
  });

  it('records the cleaned patterns', () => {
    expect(parseDockerignore('# c\n\n/a/b/\n!./c//d\n**/')).toEqual([
      { pattern: 'a/b', exception: false, line: 3 },
      { pattern: 'c/d', exception: true, line: 4 },
      { pattern: '**', exception: false, line: 5 },
    ]);
  });

  it('canSkipDir only when no exception can reach inside', () => {
    expect(compileIgnore('dir').canSkipDir('dir')).toBe(true);
    expect(compileIgnore('dir\n!dir/keep.txt').canSkipDir('dir')).toBe(false);
    expect(compileIgnore('dir\n!**/keep.txt').canSkipDir('dir')).toBe(false);
    expect(compileIgnore('dir\n!other').canSkipDir('dir')).toBe(true);
    expect(compileIgnore('*.md').canSkipDir('dir')).toBe(false);
  });

  it.each([
    ['*.md\n!', 1 + 1, 'illegal exclusion pattern: "!"'],
    ['ok\n\nbad[', 3, 'syntax error in pattern "bad["'],
    ['a\\', 1, 'syntax error in pattern "a\\\\"'],
  ])('%j fails on line %i', (text, line, reason) => {
    let caught: unknown;
    try {
      compileIgnore(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DockerignoreError);
    expect((caught as DockerignoreError).message).toBe(`.dockerignore:${line}: ${reason}`);
  });
});

describe('contextFilter: the Dockerfile and .dockerignore are still sent but not copyable', () => {
  it('at the root', () => {
    const filter = contextFilter('Dockerfile\n.dockerignore\n*.log');
    expect(filter.isSent('Dockerfile')).toBe(true);
    expect(filter.isCopyable('Dockerfile')).toBe(false);
    expect(filter.isSent('.dockerignore')).toBe(true);
    expect(filter.isCopyable('.dockerignore')).toBe(false);
    expect(filter.isSent('debug.log')).toBe(false);
    expect(filter.isSent('src/app.ts')).toBe(true);
    expect(filter.isCopyable('src/app.ts')).toBe(true);
  });

  it('with the Dockerfile elsewhere, inside an ignored directory', () => {
    const filter = contextFilter('docker\n', { dockerfile: './docker/Dockerfile.dev' });
    expect(filter.isSent('docker/Dockerfile.dev')).toBe(true);
    expect(filter.isCopyable('docker/Dockerfile.dev')).toBe(false);
    expect(filter.isSent('docker/other')).toBe(false);
    expect(filter.canSkipDir('docker')).toBe(false);
    expect(contextFilter('docker\n').canSkipDir('docker')).toBe(true);
  });
});
