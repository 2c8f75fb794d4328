/**
 * Caps a module's linear memory by rewriting the limits of its memory in the binary: a module that
 * defines its own memory (as clang's output does) can otherwise grow it to 4 GiB, and no JS API can
 * lower that ceiling after compilation. With the cap in place, memory.grow past it returns -1 — malloc
 * returns NULL in the guest — and the host is never asked for the memory.
 *
 * Hand-written because it touches only two sections and needs no full wasm parser/encoder library.
 */

const PAGE = 65536;

export class ModuleFormatError extends Error {
  override name = 'ModuleFormatError';
}

interface Reader {
  bytes: Uint8Array;
  pos: number;
}

function u32(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (r.pos >= r.bytes.length) throw new ModuleFormatError('truncated LEB128 in module');
    const b = r.bytes[r.pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
    if (shift > 35) throw new ModuleFormatError('LEB128 too long in module');
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Reads one limits record at r.pos and returns it re-encoded with the cap applied. */
function cappedLimits(r: Reader, maxPages: number): number[] {
  const flags = r.bytes[r.pos++]!;
  if (flags & 0x04) throw new ModuleFormatError('memory64 modules are not supported');
  const min = u32(r);
  const max = flags & 0x01 ? u32(r) : Infinity;
  if (min > maxPages) {
    throw new ModuleFormatError(
      `module needs ${(min * PAGE) / 2 ** 20} MiB of memory at start, over the limit of ${(maxPages * PAGE) / 2 ** 20} MiB`,
    );
  }
  return [flags | 0x01, ...leb(min), ...leb(Math.min(max, maxPages))];
}

function skipName(r: Reader): void {
  const len = u32(r);
  r.pos += len;
}

export function capMemory(wasm: Uint8Array, maxBytes: number): Uint8Array {
  const maxPages = Math.max(1, Math.floor(maxBytes / PAGE));
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new ModuleFormatError('not a WebAssembly module (bad magic)');
  }
  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  const r: Reader = { bytes: wasm, pos: 8 };
  while (r.pos < wasm.length) {
    const sectionStart = r.pos;
    const id = wasm[r.pos++]!;
    const size = u32(r);
    const start = r.pos;
    const end = start + size;
    if (end > wasm.length) throw new ModuleFormatError('section runs past the end of the module');
    if (id === 2 || id === 5) {
      const body: number[] = [];
      const count = u32(r);
      body.push(...leb(count));
      for (let i = 0; i < count; i++) {
        if (id === 5) {
          body.push(...cappedLimits(r, maxPages));
          continue;
        }
        const entryStart = r.pos;
        skipName(r);
        skipName(r);
        const kind = wasm[r.pos++]!;
        if (kind === 2) {
          body.push(...wasm.subarray(entryStart, r.pos));
          body.push(...cappedLimits(r, maxPages));
          continue;
        }
        if (kind === 0) u32(r);
        else if (kind === 1) {
          r.pos++;
          const flags = wasm[r.pos++]!;
          u32(r);
          if (flags & 1) u32(r);
        } else if (kind === 3) r.pos += 2;
        else if (kind === 4) {
          r.pos++;
          u32(r);
        } else throw new ModuleFormatError(`unknown import kind ${kind}`);
        body.push(...wasm.subarray(entryStart, r.pos));
      }
      if (r.pos !== end) throw new ModuleFormatError(`malformed section ${id}`);
      out.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else {
      out.push(wasm.subarray(sectionStart, end));
    }
    r.pos = end;
  }
  const total = out.reduce((n, part) => n + part.length, 0);
  const result = new Uint8Array(total);
  let off = 0;
  for (const part of out) {
    result.set(part, off);
    off += part.length;
  }
  return result;
}
