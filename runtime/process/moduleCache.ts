/**
 * Compiles modules once: keyed by the SHA-256 of the bytes plus the memory cap, so running the same
 * module again (the common case for a container image) only instantiates. Compilation is the slow part of
 * a start — tens to hundreds of milliseconds for a real program —, instantiation is well under one.
 *
 * crypto.subtle exists in Node 20 and in browsers (in a secure context: https or localhost).
 */
import { capMemory, ModuleFormatError } from './memoryCap';

export { ModuleFormatError };

export interface CompileOptions {
  /** Caps the module's linear memory (capMemory): memory.grow past it fails, malloc returns NULL. */
  memoryLimitBytes?: number;
}

/** How many compiled modules stay cached; the least recently used goes first. */
export const MODULE_CACHE_SIZE = 64;

const cache = new Map<string, Promise<WebAssembly.Module>>();
const limits = new WeakMap<WebAssembly.Module, number | undefined>();

/** Counters for tests and benchmarks. */
export const moduleCacheStats = { compiles: 0, hits: 0 };

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Compiles (or returns the cached compilation of) a module. Rejects with ModuleFormatError when the bytes
 * are not a wasm module or do not fit under the memory cap, and with WebAssembly.CompileError when they
 * are not a valid one.
 */
export async function compile(bytes: Uint8Array, options: CompileOptions = {}): Promise<WebAssembly.Module> {
  if (!isWasm(bytes)) throw new ModuleFormatError('not a WebAssembly module (bad magic number)');
  const cap = options.memoryLimitBytes;
  if (cap !== undefined && !(Number.isFinite(cap) && cap >= 65536)) {
    throw new RangeError(`memoryLimitBytes must be at least 64 KiB (one wasm page), got ${cap}`);
  }
  const key = (await sha256Hex(bytes)) + (cap === undefined ? '' : `/${cap}`);
  const hit = cache.get(key);
  if (hit) {
    moduleCacheStats.hits++;
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  moduleCacheStats.compiles++;
  const compiled = (async () => {
    const input = cap === undefined ? bytes : capMemory(bytes, cap);
    const module = await WebAssembly.compile(input as Uint8Array<ArrayBuffer>);
    limits.set(module, cap);
    return module;
  })();
  cache.set(key, compiled);
  compiled.catch(() => {
    if (cache.get(key) === compiled) cache.delete(key);
  });
  while (cache.size > MODULE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

/** The memory cap a module was compiled with by compile(); undefined when none or not compiled here. */
export function memoryLimitOf(module: WebAssembly.Module): number | undefined {
  return limits.get(module);
}

export function clearModuleCache(): void {
  cache.clear();
}
