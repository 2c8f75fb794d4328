/**
 * Output as the docker CLI prints it: human durations and sizes (docker/go-units), truncated IDs and
 * commands, Go's quoting, and tables laid out by Go's text/tabwriter with Docker's settings (minimum
 * column width 10, padding 3, spaces).
 */

// --- durations -------------------------------------------------------------------------------------

/**
 * go-units HumanDuration: "Less than a second", "1 second", "5 seconds", "About a minute", "3 minutes",
 * "About an hour", "5 hours", "3 days", "2 weeks", "4 months", "2 years".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** "5 seconds ago", as the CREATED columns show it. */
export function timeAgo(then: Date | number, now: Date | number): string {
  return `${humanDuration(+now - +then)} ago`;
}

// --- sizes -----------------------------------------------------------------------------------------

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * Go's `%.<precision>g`: the shortest of %e/%f for that many significant digits, trailing zeros removed
 * (`1.23`, `512`, `1e+03`).
 */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const p = Math.max(1, precision);
  const exp = Number(value.toExponential(p - 1).split('e')[1]);
  if (exp < -4 || exp >= p) {
    const [mantissa, e] = value.toExponential(p - 1).split('e') as [string, string];
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = value.toFixed(Math.max(0, p - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** go-units HumanSizeWithPrecision: units of 1000, `%.<precision>g` then the unit: "1.23MB", "512B". */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, precision)}${DECIMAL_UNITS[i]}`;
}

/** go-units HumanSize (4 significant digits): what `system df` and `volume` sizes use. */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units BytesSize: units of 1024, 4 significant digits ("15.5GiB"), as `info` shows memory. */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < BINARY_UNITS.length - 1) {
    size /= 1024;
    i++;
  }
  return `${formatG(size, 4)}${BINARY_UNITS[i]}`;
}

/** The SIZE columns of `images`, `ps -s` and `history`: 3 significant digits. */
export function imageSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

// --- ids, commands, names --------------------------------------------------------------------------

/** Docker's TruncateID: drop an algorithm prefix (`sha256:`) and keep 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.slice(0, 12);
}

/** The image ID as `images`/`history` show it: truncated, or the full `sha256:…` with --no-trunc. */
export function shortImageId(id: string, noTrunc: boolean): string {
  return noTrunc ? id : truncateId(id);
}

/**
 * Docker's Ellipsis: `s` if it fits `max` characters, else its first max-1 characters and "…". (Docker
 * counts display width; Berth counts code points.)
 */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 0) return '';
  return chars.slice(0, max - 1).join('') + '…';
}

/** Go's strconv.Quote: double quotes, Go escapes for control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c < 0xe000))
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** The COMMAND column of `ps`: the command line, cut to 20 characters unless --no-trunc, quoted. */
export function psCommand(command: string, noTrunc: boolean): string {
  return goQuote(noTrunc ? command : ellipsis(command, 20));
}

/** Docker's container names carry a leading '/'; the CLI drops it. */
export function displayName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

// --- tables --------------------------------------------------------------------------------------------

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** Docker's settings: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

/**
 * Go's text/tabwriter for text whose cells are tab-terminated: a column's width is set by the block of
 * consecutive lines that have a cell in it (the widest cell plus padding, at least minWidth), and the
 * last, unterminated cell of each line is written as it is.
 */
export function tabwrite(text: string, options: TabwriterOptions = DOCKER_TABLE): string {
  const rawLines = text.split('\n');
  const trailingNewline = rawLines[rawLines.length - 1] === '';
  if (trailingNewline) rawLines.pop();
  const lines = rawLines.map((l) => l.split('\t'));
  const widthOf = (s: string) => [...s].length;
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let line = '';
      cells.forEach((cell, j) => {
        if (j < widths.length) line += cell + ' '.repeat(Math.max(0, widths[j]! - widthOf(cell)));
        else line += cell;
      });
      out.push(line);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= lines[row]!.length - 1) continue;
      writeLines(line0, row);
      line0 = row;
      let width = options.minWidth;
      for (; row < line1; row++) {
        const cells = lines[row]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, widthOf(cells[column]!) + options.padding);
      }
      widths.push(width);
      format(line0, row);
      widths.pop();
      line0 = row;
      row--; // the for loop's increment must not skip the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (trailingNewline ? '\n' : '');
}
