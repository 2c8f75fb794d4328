/** Word splitting of typed command lines (playground/src/commandLine.ts), compared with /bin/sh. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CommandLineError, quoteWord, splitWords } from '../../playground/src/commandLine';

/** What POSIX sh makes of the same line: printf one word per line, NUL-separated. */
function shWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const LINES = [
  'berth run --rm hello',
  "berth run -e NAME='tab user' hello one   'two words'",
  'berth ps -a --format "{{.Names}} {{.Status}}"',
  'a\\ b "c\\"d" \'e\\f\' "g\\h" "\\$x"',
  'mixed\'quo\'ted"parts"',
  '  leading and trailing  ',
  "''",
  '""',
];

describe('splitWords', () => {
  it.each(LINES)('splits %j as sh does', (line) => {
    expect(splitWords(line)).toEqual(shWords(line));
  });

  it('refuses unterminated quotes with a clear error', () => {
    expect(() => splitWords("echo 'open")).toThrow(new CommandLineError('unterminated single quote'));
    expect(() => splitWords('echo "open')).toThrow(new CommandLineError('unterminated double quote'));
  });

  it('quotes words so that splitting gives them back', () => {
    const words = ['berth', 'run', 'two words', "it's", '', '$HOME', 'a"b'];
    expect(splitWords(words.map(quoteWord).join(' '))).toEqual(words);
    expect(quoteWord('hello:latest')).toBe('hello:latest');
  });
});
