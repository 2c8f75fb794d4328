/**
 * COPY/ADD source globs with Go's `filepath.Match` semantics (what Docker's builder uses), over a list
 * of build-context paths:
 * - `*` any run of characters other than `/`; `?` one character other than `/`;
 * - `[abc]`, `[a-z]`, `[^a-z]` a character class (as in Go it may match `/`; `!` does not negate);
 * - `\x` the character x. Malformed patterns (`[`, `[]`, `[a-]`, a trailing `\`) are errors.
 * The whole pattern must match the whole path. `**` means nothing more than `*` here (the
 * `.dockerignore` matcher, which shares the compiler, gives it its "any number of directories" sense).
 */
import { BuildContextError, GlobPatternError } from './errors';

/** Docker's containsWildcards: an unescaped `*`, `?` or `[`. */
export function hasGlobMeta(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

function escapeRegExp(ch: string): string {
  // Only syntax characters and '/' may be escaped in a 'u' RegExp.
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function classChar(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Compiles a Go-syntax glob to an anchored RegExp; with `doubleStar`, `**` matches any number of
 * directories (`**` at the end: anything; elsewhere: zero or more leading `dir/` parts).
 * Throws GlobPatternError for a malformed pattern.
 */
export function compileGlob(pattern: string, options: { doubleStar?: boolean } = {}): RegExp {
  const cps = Array.from(pattern);
  const bad = (): never => {
    throw new GlobPatternError(pattern);
  };
  let re = '';
  let i = 0;
  while (i < cps.length) {
    const ch = cps[i];
    if (ch === '*') {
      if (options.doubleStar && cps[i + 1] === '*') {
        i += 2;
        if (cps[i] === '/') i++;
        re += i >= cps.length ? '.*' : '(?:.*/)?';
        continue;
      }
      re += '[^/]*';
      i++;
    } else if (ch === '?') {
      re += '[^/]';
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= cps.length) bad();
      re += escapeRegExp(cps[i + 1]);
      i += 2;
    } else if (ch === '[') {
      i++;
      let negated = false;
      if (cps[i] === '^') {
        negated = true;
        i++;
      }
      // One class term (Go's getEsc): not '-' or ']' unescaped, and the class must go on after it.
      const term = (): number => {
        if (i >= cps.length || cps[i] === '-' || cps[i] === ']') bad();
        if (cps[i] === '\\') {
          i++;
          if (i >= cps.length) bad();
        }
        const cp = cps[i].codePointAt(0) as number;
        i++;
        if (i >= cps.length) bad();
        return cp;
      };
      const ranges: string[] = [];
      let count = 0;
      for (;;) {
        if (cps[i] === ']' && count > 0) {
          i++;
          break;
        }
        const lo = term();
        let hi = lo;
        if (cps[i] === '-') {
          i++;
          hi = term();
        }
        if (lo <= hi) ranges.push(lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`);
        count++;
      }
      if (ranges.length === 0) re += negated ? '[\\s\\S]' : '(?!)';
      else re += `[${negated ? '^' : ''}${ranges.join('')}]`;
    } else {
      re += escapeRegExp(ch);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 'su');
}

/** Go's `filepath.Match(pattern, name)` on `/`-separated names. Throws GlobPatternError for bad patterns. */
export function matchGlob(pattern: string, name: string): boolean {
  return compileGlob(pattern).test(name);
}

/** Go's path.Clean for `/`-separated paths: '' → '.', `a//b/./c/..` → `a/b`, `/..` → `/`. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** A build-context path, `/`-separated and relative to the context root (`.` is the root). */
export interface ContextEntry {
  path: string;
  isDir: boolean;
}

export interface CopySourceMatch {
  /** The source as written (after variable substitution). */
  source: string;
  /** What it names, sorted as Docker walks the context; `.` for the whole context. */
  matches: ContextEntry[];
}

export interface ExpandCopySourcesOptions {
  /** For messages (default COPY). */
  instruction?: 'COPY' | 'ADD';
  /** When given, more than one match requires it to end with `/` (Docker's rule). */
  dest?: string;
  /** Entries to treat as absent, e.g. the compiled `.dockerignore`. */
  exclude?: (path: string, isDir: boolean) => boolean;
}

function comparePaths(a: string, b: string): number {
  const x = a.replaceAll('/', '\u0000');
  const y = b.replaceAll('/', '\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Strips what Docker strips from a source: leading `/` and `./`, repeated `/`, a trailing `/`. */
function sourcePattern(source: string): string {
  let s = source.replace(/\/{2,}/g, '/');
  for (;;) {
    if (s.startsWith('/')) s = s.slice(1);
    else if (s.startsWith('./')) s = s.slice(2);
    else break;
  }
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s === '' ? '.' : s;
}

/**
 * Resolves COPY/ADD sources against the context: a source with wildcards matches every context path
 * (file or directory) it fits, in walk order; one without must exist. `entries` may be plain strings
 * (files; their parent directories are implied) or `{ path, isDir }`.
 * Throws BuildContextError for a missing or excluded source, a path outside the context, no match at
 * all, or several matches with a destination not ending in `/`.
 */
export function expandCopySources(
  sources: readonly string[],
  entries: Iterable<string | ContextEntry>,
  options: ExpandCopySourcesOptions = {},
): CopySourceMatch[] {
  const cmd = options.instruction ?? 'COPY';
  const known = new Map<string, boolean>();
  for (const entry of entries) {
    const raw = typeof entry === 'string' ? { path: entry, isDir: false } : entry;
    const path = cleanPath(raw.path.replace(/^\/+/, ''));
    if (path === '.' || path.startsWith('../')) continue;
    known.set(path, raw.isDir || known.get(path) === true);
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n++) known.set(parts.slice(0, n).join('/'), true);
  }
  const visible = [...known]
    .filter(([path, isDir]) => !options.exclude?.(path, isDir))
    .sort(([a], [b]) => comparePaths(a, b));
  const visibleSet = new Map(visible);

  const results: CopySourceMatch[] = [];
  let total = 0;
  for (const source of sources) {
    const pattern = sourcePattern(source);
    let matches: ContextEntry[];
    if (hasGlobMeta(pattern)) {
      const re = compileGlob(pattern);
      matches = visible.filter(([path]) => re.test(path)).map(([path, isDir]) => ({ path, isDir }));
    } else {
      const path = cleanPath(pattern);
      if (path === '..' || path.startsWith('../')) {
        throw new BuildContextError(`${cmd} failed: forbidden path outside the build context: ${source}`);
      }
      if (path === '.') {
        matches = [{ path: '.', isDir: true }];
      } else if (visibleSet.has(path)) {
        matches = [{ path, isDir: visibleSet.get(path) as boolean }];
      } else {
        throw new BuildContextError(
          `${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${path}: file does not exist`,
        );
      }
    }
    total += matches.length;
    results.push({ source, matches });
  }
  if (total === 0) throw new BuildContextError(`${cmd} failed: no source files were specified`);
  if (options.dest !== undefined && total > 1 && !options.dest.endsWith('/')) {
    throw new BuildContextError(
      `When using ${cmd} with more than one source file, the destination must be a directory and end with a /`,
    );
  }
  return results;
}
