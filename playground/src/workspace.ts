/**
 * The playground's files: what the editor shows and what `berth build .` sends as its context. A flat
 * map of absolute paths ('/work/hello/Dockerfile') to files and symlinks; directories are the paths
 * above them (plus explicit empty ones), as a build context needs no more.
 *
 * It is the terminal's "host filesystem": `berth build -f`, `--env-file`, `save -o` read and write here.
 * Why not memfs: memfs 4 pulls Node built-ins and a Buffer shim into the page (see src/browser/index.ts);
 * a Map serves a context directly.
 */
import type { BuildContextSource, ContextStat } from '../../src/build/context';

export type WorkspaceEntry =
  | { type: 'file'; data: Uint8Array; mode: number; mtimeMs: number }
  | { type: 'symlink'; target: string; mode: number; mtimeMs: number }
  | { type: 'dir'; mode: number; mtimeMs: number };

function enoent(path: string): Error {
  return Object.assign(new Error(`open ${path}: no such file or directory`), { code: 'ENOENT' });
}

/** '/'-separated, absolute, no '.', '..' or empty parts ('..' never climbs above '/'). */
export function normalizePath(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

export class Workspace {
  private readonly entries = new Map<string, WorkspaceEntry>();
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  get(path: string): WorkspaceEntry | undefined {
    return this.entries.get(normalizePath(path));
  }

  writeFile(path: string, data: Uint8Array | string, mode = 0o644, mtimeMs = Date.now()): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.entries.set(normalizePath(path), { type: 'file', data: bytes, mode, mtimeMs });
    this.changed();
  }

  symlink(path: string, target: string, mtimeMs = Date.now()): void {
    this.entries.set(normalizePath(path), { type: 'symlink', target, mode: 0o777, mtimeMs });
    this.changed();
  }

  mkdir(path: string, mode = 0o755, mtimeMs = Date.now()): void {
    this.entries.set(normalizePath(path), { type: 'dir', mode, mtimeMs });
    this.changed();
  }

  /** Removes a path and everything under it. */
  remove(path: string): void {
    const p = normalizePath(path);
    for (const key of [...this.entries.keys()]) {
      if (key === p || key.startsWith(`${p}/`)) this.entries.delete(key);
    }
    this.changed();
  }

  async readFile(path: string): Promise<Uint8Array> {
    const e = this.entries.get(normalizePath(path));
    if (e?.type !== 'file') throw enoent(path);
    return e.data.slice();
  }

  /** Whether anything is at or under `dir`. */
  has(dir: string): boolean {
    const p = normalizePath(dir);
    if (p === '/') return this.entries.size > 0;
    for (const key of this.entries.keys()) if (key === p || key.startsWith(`${p}/`)) return true;
    return false;
  }

  /** Paths under `dir`, relative to it, sorted; directories implied by deeper paths included. */
  list(dir: string): { path: string; entry: WorkspaceEntry }[] {
    const root = normalizePath(dir);
    const prefix = root === '/' ? '/' : `${root}/`;
    const found = new Map<string, WorkspaceEntry>();
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      const rel = key.slice(prefix.length);
      found.set(rel, entry);
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i++) {
        const d = parts.slice(0, i).join('/');
        if (!found.has(d)) found.set(d, { type: 'dir', mode: 0o755, mtimeMs: entry.mtimeMs });
      }
    }
    return [...found]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([path, entry]) => ({ path, entry }));
  }

  /**
   * `dir` as a build context. Entries are listed as the host walk does it: byte-wise order, each
   * directory before its contents (sorting whole '/'-joined paths gives that order only when no name
   * sorts below '/', so the walk goes directory by directory).
   */
  context(dir: string): BuildContextSource {
    const root = normalizePath(dir);
    if (!this.has(root)) throw enoent(dir);
    // A context path is taken from the context's root: '..' stops there, as in a host directory.
    const rel = (path: string) => (root === '/' ? '' : root) + normalizePath(path, '/');
    return {
      list: async (options = {}) => {
        const all = this.list(root);
        const children = new Map<string, { name: string; path: string; entry: WorkspaceEntry }[]>();
        for (const { path, entry } of all) {
          const slash = path.lastIndexOf('/');
          const parent = slash < 0 ? '' : path.slice(0, slash);
          const list = children.get(parent) ?? [];
          list.push({ name: path.slice(slash + 1), path, entry });
          children.set(parent, list);
        }
        const out: ContextStat[] = [];
        const walk = (parent: string): void => {
          const list = (children.get(parent) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // prettier-ignore
          for (const { path, entry } of list) {
            const base = { path, mode: entry.mode & 0o7777, mtimeMs: entry.mtimeMs };
            if (entry.type === 'dir') {
              if (options.skipDir?.(path)) continue;
              out.push({ ...base, type: 'dir', size: 0 });
              walk(path);
            } else if (entry.type === 'symlink') {
              out.push({ ...base, type: 'symlink', size: new TextEncoder().encode(entry.target).length });
            } else out.push({ ...base, type: 'file', size: entry.data.length });
          }
        };
        walk('');
        return out;
      },
      readFile: async (path) => this.readFile(rel(path)),
      readlink: async (path) => {
        const e = this.entries.get(rel(path));
        if (e?.type !== 'symlink') {
          throw Object.assign(new Error(`readlink ${path}: invalid argument`), { code: 'EINVAL' });
        }
        return e.target;
      },
    };
  }
}
