import { BerthError } from '../errors/BerthError';

/** The Dockerfile escape character: `\` by default, `` ` `` with `# escape=``. */
export type EscapeChar = '\\' | '`';

/** Variables for substitution. A key that is present is "set", even with an empty value. */
export type Vars = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

export interface ExpandOptions {
  /** The escape character of the Dockerfile the word comes from (default `\`). */
  escape?: EscapeChar;
}

/** A word whose substitution is malformed (`${}`, `${A`, `${A#x}`) or that `${A?msg}` rejected. */
export class SubstitutionError extends BerthError {
  static readonly code = 'SUBSTITUTION';
  readonly code = SubstitutionError.code;

  constructor(
    readonly word: string,
    readonly reason: string,
  ) {
    super(`failed to process ${JSON.stringify(word)}: ${reason}`);
  }
}

/**
 * Expands one Dockerfile word the way Docker's builder does for ADD, COPY, ENV, EXPOSE, FROM, LABEL,
 * STOPSIGNAL, USER, VOLUME and WORKDIR:
 * - `$NAME`, `${NAME}`; an unset variable is the empty string. Names are letters, digits and `_`; a
 *   leading digit reads digits only (`$1`), and the shell's special parameters `$$ $? $! $# $* $@ $- $0`
 *   are looked up like any name and so are empty unless set (Docker: `$$` expands to nothing).
 * - `${NAME:-word}` / `${NAME-word}` (default when unset-or-empty / unset), `${NAME:+word}` /
 *   `${NAME+word}` (alternative when set-and-non-empty / set), `${NAME:?msg}` / `${NAME?msg}` (error).
 *   `word` is itself expanded (`${A:-$B}`) and may be quoted.
 * - Quotes are removed: '…' is literal; in "…" only `$` is special and the escape character escapes
 *   only `"`, `$` and itself.
 * - Outside quotes the escape character makes the next character literal (`\$HOME` is `$HOME`); a
 *   trailing escape character is dropped.
 * - A `$` not followed by a name or `{` is kept.
 * The pattern forms (`${A#p}`, `${A%p}`, `${A/p/r}`) are pre-release Dockerfile syntax and rejected.
 */
export function expand(word: string, vars: Vars, options: ExpandOptions = {}): string {
  return run(word, vars, options).text;
}

/**
 * Like `expand`, then splits the result into words at unquoted whitespace (whitespace coming from a
 * variable's value splits too; quoted or escaped whitespace does not). Docker uses this for EXPOSE.
 */
export function expandWords(word: string, vars: Vars, options: ExpandOptions = {}): string[] {
  return run(word, vars, options).words;
}

function run(word: string, vars: Vars, options: ExpandOptions): { text: string; words: string[] } {
  const lookup =
    vars instanceof Map
      ? (name: string) => (vars as ReadonlyMap<string, string>).get(name)
      : (name: string) =>
          Object.hasOwn(vars, name) ? (vars as Readonly<Record<string, string>>)[name] : undefined;
  try {
    return new WordLexer(word, lookup, options.escape ?? '\\').process(undefined);
  } catch (err) {
    if (err instanceof LexError) throw new SubstitutionError(word, err.message);
    throw err;
  }
}

class LexError extends Error {}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const MODIFIERS = new Set(['-', '+', '?']);
const MISSING_BRACE = "syntax error: missing '}'";

export function isSpace(ch: string): boolean {
  return /^\s$/u.test(ch);
}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/** Collects the words of an expansion: literal whitespace separates, quoted/escaped text does not. */
class WordCollector {
  readonly words: string[] = [];
  private current = '';
  private inWord = false;

  /** A character that splits when it is whitespace. */
  char(ch: string): void {
    if (!isSpace(ch)) {
      this.raw(ch);
    } else if (this.inWord && this.current !== '') {
      this.words.push(this.current);
      this.current = '';
      this.inWord = false;
    }
  }

  chars(text: string): void {
    for (const ch of text) this.char(ch);
  }

  raw(text: string): void {
    this.current += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.current !== '') this.words.push(this.current);
    this.current = '';
    this.inWord = false;
    return this.words;
  }
}

class WordLexer {
  private readonly chars: string[];
  private pos = 0;

  constructor(
    source: string,
    private readonly lookup: (name: string) => string | undefined,
    private readonly escape: string,
  ) {
    this.chars = Array.from(source);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }

  /** Reads up to `stop` (consumed) or to the end when `stop` is undefined. */
  process(stop: string | undefined): { text: string; words: string[] } {
    let text = '';
    const words = new WordCollector();
    while (this.pos < this.chars.length) {
      const ch = this.chars[this.pos];
      if (stop !== undefined && ch === stop) {
        this.pos++;
        return { text, words: words.finish() };
      }
      if (ch === '$') {
        const value = this.dollar();
        text += value;
        words.chars(value);
      } else if (ch === "'") {
        const value = this.singleQuoted();
        text += value;
        words.raw(value);
      } else if (ch === '"') {
        const value = this.doubleQuoted();
        text += value;
        words.raw(value);
      } else {
        this.pos++;
        if (ch === this.escape) {
          const escaped = this.next();
          if (escaped === undefined) break;
          text += escaped;
          words.raw(escaped);
        } else {
          text += ch;
          words.char(ch);
        }
      }
    }
    if (stop !== undefined)
      throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return { text, words: words.finish() };
  }

  private singleQuoted(): string {
    this.pos++;
    let result = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined)
        throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return result;
      result += ch;
    }
  }

  private doubleQuoted(): string {
    this.pos++;
    let result = '';
    for (;;) {
      const peeked = this.peek();
      if (peeked === undefined) {
        throw new LexError('unexpected end of statement while looking for matching double-quote');
      }
      if (peeked === '"') {
        this.pos++;
        return result;
      }
      if (peeked === '$') {
        result += this.dollar();
        continue;
      }
      let ch = this.next() as string;
      if (ch === this.escape) {
        const following = this.peek();
        if (following === undefined) continue;
        if (following === '"' || following === '$' || following === this.escape) ch = this.next() as string;
      }
      result += ch;
    }
  }

  private name(): string {
    let name = '';
    while (this.pos < this.chars.length) {
      const ch = this.chars[this.pos];
      if (name === '' && isDigit(ch)) {
        while (this.pos < this.chars.length && isDigit(this.chars[this.pos])) name += this.chars[this.pos++];
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) {
        this.pos++;
        return ch;
      }
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += ch;
      this.pos++;
    }
    return name;
  }

  private dollar(): string {
    this.pos++;
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.lookup(name) ?? '';
    }
    this.pos++;
    const first = this.peek();
    if (first === undefined) throw new LexError(MISSING_BRACE);
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.name();
    const ch = this.next();
    if (ch === undefined) throw new LexError(MISSING_BRACE);
    if (ch === '}') return this.lookup(name) ?? '';

    let modifier = ch;
    const nullIsUnset = ch === ':';
    if (nullIsUnset) {
      const m = this.next();
      if (m === undefined) throw new LexError(MISSING_BRACE);
      if (!MODIFIERS.has(m)) throw new LexError(`unsupported modifier (:${m}) in substitution`);
      modifier = m;
    } else if (!MODIFIERS.has(ch)) {
      throw new LexError(`unsupported modifier (${ch}) in substitution`);
    }

    let word: string;
    try {
      word = this.process('}').text;
    } catch (err) {
      if (err instanceof LexError && this.pos >= this.chars.length) throw new LexError(MISSING_BRACE);
      throw err;
    }

    const value = this.lookup(name);
    const absent = value === undefined || (nullIsUnset && value === '');
    switch (modifier) {
      case '-':
        return absent ? word : (value as string);
      case '+':
        return absent ? '' : word;
      default:
        if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (absent) throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
    }
  }
}
