// Plain-text formatting for the benchmark report: durations, ratios, aligned tables.

/** Median of a non-empty list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Three significant digits, in the unit that suits: 87.3 µs, 35.1 ms, 204 ms, 43.8 s. */
export function fmtMs(ms) {
  if (ms < 1) return `${sig3(ms * 1000)} µs`;
  if (ms < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1000)} s`;
}

function sig3(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Berth time / peer time, e.g. 0.17x. */
export function fmtRatio(r) {
  if (r < 0.01) return `${r.toPrecision(2)}x`; // 0.00094x rather than 0.00x
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/**
 * Renders rows of cells (strings) as left-aligned columns separated by at least `gap` spaces, with the
 * first row as the header. Trailing spaces are trimmed.
 */
export function table(rows, gap = 3) {
  const widths = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length + (i < row.length - 1 ? gap : 0)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
