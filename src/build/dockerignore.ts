/**
 * `.dockerignore` with Docker's rules (docker CLI + moby/patternmatcher):
 * - one pattern a line; a line starting with `#` in column 1 is a comment; blank lines are skipped;
 * - surrounding whitespace is trimmed, a leading `!` makes an exception (re-includes);
 * - each pattern is cleaned like Go's filepath.Clean (`./a/` → `a`, `a//b/../c` → `a/c`) and a
 *   leading `/` dropped: patterns are relative to the context root;
 * - Go `filepath.Match` syntax plus `**` (any number of directories, including none);
 * - a pattern that matches a directory also matches everything under it;
 * - the last pattern that matches a path decides: excluded, or re-included by a `!` line.
 *
 * The Dockerfile and `.dockerignore` are special (Docker's documentation): they are still sent to the
 * builder even when ignored, because it needs them, but ADD and COPY do not see them. `compileIgnore`
 * answers the ADD/COPY question; `contextFilter` also answers "is this file sent".
 */
import { DockerignoreError, GlobPatternError } from './errors';
import { cleanPath, compileGlob } from './glob';

export interface IgnorePattern {
  /** Cleaned pattern without the `!`. */
  pattern: string;
  /** A `!` line: matching paths are re-included. */
  exception: boolean;
  /** 1-based line in `.dockerignore`. */
  line: number;
}

export interface IgnoreMatcher {
  /**
   * Whether `path` (relative to the context root, `/`-separated; a leading `/` or `./` is ignored) is
   * excluded. `isDir` does not change the answer (Docker has no directory-only patterns: a trailing
   * `/` is cleaned away); it is accepted so a context walker can pass what it knows.
   */
  (path: string, isDir?: boolean): boolean;
  readonly patterns: readonly IgnorePattern[];
  /**
   * True when `dir` and everything under it are excluded, so a walker need not descend: the directory
   * is excluded and no exception pattern could re-include something inside it.
   */
  canSkipDir(dir: string): boolean;
}

/** The patterns of a `.dockerignore`, in order. Throws DockerignoreError for `!` alone or a bad glob. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  const lines = text.split(/\r?\n/);
  if (lines[0].startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('#')) return;
    let pattern = raw.trim();
    if (pattern === '') return;
    const exception = pattern.startsWith('!');
    if (exception) {
      pattern = pattern.slice(1).trim();
      if (pattern === '') throw new DockerignoreError(line, raw, 'illegal exclusion pattern: "!"');
    }
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    patterns.push({ pattern, exception, line });
  });
  return patterns;
}

interface Compiled extends IgnorePattern {
  re: RegExp;
  /** The pattern's literal beginning, up to its first wildcard or escape. */
  prefix: string;
}

function normalize(path: string): string {
  const clean = cleanPath(path);
  return clean.startsWith('/') ? clean.slice(1) || '.' : clean;
}

/** `path` itself or any of its parent directories matches. */
function matchesOrParent(p: Compiled, path: string): boolean {
  if (p.re.test(path)) return true;
  const parts = path.split('/');
  for (let n = 1; n < parts.length; n++) {
    if (p.re.test(parts.slice(0, n).join('/'))) return true;
  }
  return false;
}

/** Compiles a `.dockerignore` into an exclusion predicate. */
export function compileIgnore(text: string): IgnoreMatcher {
  const patterns = parseDockerignore(text);
  const compiled: Compiled[] = patterns.map((p) => {
    let re: RegExp;
    try {
      re = compileGlob(p.pattern, { doubleStar: true });
    } catch (err) {
      if (err instanceof GlobPatternError) {
        throw new DockerignoreError(
          p.line,
          p.pattern,
          `syntax error in pattern ${JSON.stringify(p.pattern)}`,
        );
      }
      throw err;
    }
    const meta = p.pattern.search(/[*?[\\]/);
    return { ...p, re, prefix: meta < 0 ? p.pattern : p.pattern.slice(0, meta) };
  });

  const excluded = (path: string): boolean => {
    const target = normalize(path);
    let result = false;
    for (const p of compiled) {
      // Like patternmatcher: an exception only matters once excluded, an exclusion only before.
      if (p.exception !== result) continue;
      if (matchesOrParent(p, target)) result = !p.exception;
    }
    return result;
  };

  const matcher = ((path: string, _isDir?: boolean) => excluded(path)) as IgnoreMatcher;
  Object.defineProperty(matcher, 'patterns', { value: patterns, enumerable: true });
  matcher.canSkipDir = (dir: string): boolean => {
    const target = normalize(dir);
    if (!excluded(target)) return false;
    const inside = `${target}/`;
    return !compiled.some(
      (p) =>
        p.exception &&
        (inside.startsWith(p.prefix) || p.prefix.startsWith(inside) || matchesOrParent(p, target)),
    );
  };
  return matcher;
}

export interface ContextFilter {
  /** Whether the file goes into the context sent to the builder (the Dockerfile and .dockerignore always do). */
  isSent(path: string, isDir?: boolean): boolean;
  /** Whether ADD/COPY may use it: not excluded by `.dockerignore` (the Dockerfile included). */
  isCopyable(path: string, isDir?: boolean): boolean;
  /** Whether a walker may skip the directory (nothing under it is sent). */
  canSkipDir(dir: string): boolean;
}

/**
 * Applies `.dockerignore` to a build context as Docker does: ignored files are neither sent nor
 * copyable, except that the Dockerfile (at `dockerfile`, relative to the context) and `.dockerignore`
 * are always sent for the builder's own use, while ADD/COPY still treat them as excluded.
 */
export function contextFilter(ignoreText: string, options: { dockerfile?: string } = {}): ContextFilter {
  const ignore = compileIgnore(ignoreText);
  const special = new Set(['.dockerignore', normalize(options.dockerfile ?? 'Dockerfile')]);
  return {
    isSent: (path) => special.has(normalize(path)) || !ignore(path),
    isCopyable: (path) => !ignore(path),
    canSkipDir: (dir) => {
      const inside = `${normalize(dir)}/`;
      return ignore.canSkipDir(dir) && ![...special].some((s) => s.startsWith(inside));
    },
  };
}
