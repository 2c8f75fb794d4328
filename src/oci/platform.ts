/**
 * Platforms of Wasm images. The ecosystems disagree on `os` (docs/oci-wasm-images.md §1, pitfall 16):
 * Docker and crun write `wasi`, runwasi, the CNCF artifact spec and Spin write `wasip1` (and `wasip2` for
 * components); podman's example uses architecture `wasm32`. Berth writes Docker's `wasi`/`wasm` and reads
 * all of them.
 */
import { InvalidPlatformError } from '../errors/InvalidPlatformError';
import type { Platform } from './types';

/** What Berth writes into the configs and index entries it creates (Docker's values). */
export const WASI_PLATFORM: Readonly<Platform> = Object.freeze({ os: 'wasi', architecture: 'wasm' });

/** The `os` values accepted as WASI on read. */
export const WASI_OS_VALUES: readonly string[] = ['wasi', 'wasip1', 'wasip2'];

const ARCH_ALIASES: Record<string, string> = { wasm32: 'wasm' };

/** Lowercases os/architecture and maps `wasm32` to `wasm`; other fields are kept. */
export function normalizePlatform<P extends Platform>(p: P): P {
  const architecture = p.architecture.toLowerCase();
  return { ...p, os: p.os.toLowerCase(), architecture: ARCH_ALIASES[architecture] ?? architecture };
}

/** True for architecture `wasm` (or `wasm32`) with os `wasi`, `wasip1` or `wasip2`. */
export function isWasmPlatform(p: Pick<Platform, 'os' | 'architecture'>): boolean {
  const n = normalizePlatform({ os: p.os, architecture: p.architecture });
  return n.architecture === 'wasm' && WASI_OS_VALUES.includes(n.os);
}

// For a wanted os, the candidate os values it accepts, best first. `wasi` is Docker's name for what the
// others call `wasip1`; a preview 2 component is only taken when nothing preview 1 is offered.
const OS_PREFERENCE: Record<string, readonly string[]> = {
  wasi: ['wasi', 'wasip1', 'wasip2'],
  wasip1: ['wasip1', 'wasi'],
  wasip2: ['wasip2'],
};

/**
 * How well `candidate` serves `wanted`: 0 is an exact match, larger is worse, undefined is no match.
 * Architectures must be equal after normalisation; the os follows the table above (any other os must be
 * equal); a wanted variant must be equal, a candidate variant is ignored when none is wanted.
 */
export function platformRank(wanted: Platform, candidate: Platform): number | undefined {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (w.architecture !== c.architecture) return undefined;
  if (w.variant !== undefined && w.variant !== c.variant) return undefined;
  const order = OS_PREFERENCE[w.os] ?? [w.os];
  const rank = order.indexOf(c.os);
  return rank < 0 ? undefined : rank;
}

/** `os/architecture[/variant]`, as in `--platform wasi/wasm`. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Parses `os/architecture[/variant]` (the `--platform` form); throws InvalidPlatformError when malformed. */
export function parsePlatformString(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[A-Za-z0-9._-]+$/.test(x))) {
    throw new InvalidPlatformError(s);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform(variant === undefined ? { os, architecture } : { os, architecture, variant });
}
