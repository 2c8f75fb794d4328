import { describe, expect, it } from 'vitest';
import { expand, expandWords, SubstitutionError } from '../../src/build/dockerfile';
import type { EscapeChar } from '../../src/build/dockerfile';

const vars = { A: 'a', B: 'b', E: '', SP: 'x y', HOME: '/root', DIR: 'app' };

describe('expand: substitution as Docker does it', () => {
  it.each<[string, string, EscapeChar?]>([
    ['$A', 'a'],
    ['${A}', 'a'],
    ['${A}_x', 'a_x'],
    ['$A_x', ''], // the name is A_x, which is unset
    ['$A-x', 'a-x'],
    ['$A$B', 'ab'],
    ['pre/${HOME}/post', 'pre//root/post'],
    ['$NOPE', ''],
    ['${NOPE:-def}', 'def'],
    ['${E:-def}', 'def'],
    ['${E-def}', ''], // set but empty: `-` only replaces unset
    ['${NOPE-def}', 'def'],
    ['${A:-def}', 'a'],
    ['${A:+alt}', 'alt'],
    ['${E:+alt}', ''],
    ['${E+alt}', 'alt'],
    ['${NOPE:+alt}', ''],
    ['${NOPE:-$B}', 'b'], // the word is expanded too
    ['${NOPE:-${E:-deep}}', 'deep'],
    ['${NOPE:-"x  y"}', 'x  y'],
    ['${NOPE:-a\\}b}', 'a}b'],
    ['${A:-$NOPE_NEVER_EVALUATED}', 'a'],
    ['\\$A', '$A'],
    ['\\${A}', '${A}'],
    ['$$', ''], // `$` is a special parameter, looked up and unset: Docker expands `$$` to nothing
    ['a$$b', 'ab'],
    ['\\$$', '$$'],
    ['a$', 'a$'], // a lone `$` stays
    ['$/x', '$/x'],
    ['$1', ''],
    ['$12x', 'x'],
    ['"$A b"', 'a b'],
    ["'$A b'", '$A b'],
    ['"a\\"b"', 'a"b'],
    ['"a\\xb"', 'a\\xb'], // inside "…" the escape only escapes " $ and itself
    ['"a\\$A"', 'a$A'],
    ["'a\\'", 'a\\'],
    ['a\\ b', 'a b'],
    ['a\\', 'a'], // a trailing escape is dropped
    ['C:\\path\\$DIR', 'C:path$DIR'], // with the default escape, backslashes escape
    ['C:\\path\\$DIR', 'C:\\path\\app', '`'], // with `# escape=\``, they are plain characters
    ['`$A and `` ', '$A and ` ', '`'],
    ['"a`"b"', 'a"b', '`'],
  ])('%s → %s', (word, expected, escape) => {
    expect(expand(word, vars, { escape })).toBe(expected);
  });

  it('accepts a Map, where a present key is set even when empty', () => {
    const map = new Map([['E', '']]);
    expect(expand('${E-unset}${U-unset}', map)).toBe('unset');
  });

  it.each([
    ['${}', 'syntax error: bad substitution'],
    ['${:x}', 'syntax error: bad substitution'],
    ['${A', "syntax error: missing '}'"],
    ['${', "syntax error: missing '}'"],
    ['${A:-x', "syntax error: missing '}'"],
    ['${A#x}', 'unsupported modifier (#) in substitution'],
    ['${A/x/y}', 'unsupported modifier (/) in substitution'],
    ['${A:x}', 'unsupported modifier (:x) in substitution'],
    ["'abc", 'unexpected end of statement while looking for matching single-quote'],
    ['"abc', 'unexpected end of statement while looking for matching double-quote'],
    ['${NOPE?must be given}', 'NOPE: must be given'],
    ['${NOPE?}', 'NOPE: is not allowed to be unset'],
    ['${E:?}', 'E: is not allowed to be empty'],
  ])('%s fails: %s', (word, reason) => {
    let caught: unknown;
    try {
      expand(word, vars);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SubstitutionError);
    expect((caught as SubstitutionError).reason).toBe(reason);
    expect((caught as Error).message).toBe(`failed to process ${JSON.stringify(word)}: ${reason}`);
  });

  it('${E?} is fine for a set-but-empty variable', () => {
    expect(expand('${E?}', vars)).toBe('');
  });
});

describe('expandWords: split after substitution', () => {
  it.each([
    ['$SP z', ['x', 'y', 'z']],
    ['"$SP" z', ['x y', 'z']],
    ['a\\ b c', ['a b', 'c']],
    ['  80   443/udp ', ['80', '443/udp']],
    ['""', []],
  ])('%s', (word, expected) => {
    expect(expandWords(word, vars)).toEqual(expected);
  });
});
