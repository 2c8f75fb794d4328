/**
 * Splits a typed command line into words the way a POSIX shell does for simple commands: blanks separate
 * words; 'single quotes' keep everything; "double quotes" keep everything but \" \\ \$ \`; a backslash
 * outside quotes keeps the next character. No variables, globs or operators: the playground runs one
 * command at a time (pipelines arrive with the shell in the box image).
 */
export class CommandLineError extends Error {
  override name = 'CommandLineError';
}

export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError('unterminated single quote');
      word += line.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new CommandLineError('unterminated double quote');
      i = j;
      continue;
    }
    word += c;
  }
  if (inWord) words.push(word);
  return words;
}

/** The inverse, for echoing a command a button runs: quotes a word only when it needs it. */
export function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
