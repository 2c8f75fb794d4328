/**
 * Deterministic tar headers (POSIX ustar, with a pax extended header only when a value does not fit),
 * written here rather than with tar-stream's pack so that every byte is fixed by the entry alone: uid and
 * gid 0, empty uname/gname, device numbers 0, directories named with a trailing '/', mode 0 kept as 0.
 * Layout per POSIX.1-2008 pax(1) "ustar Interchange Format" and "pax Interchange Format".
 */

export const BLOCK_SIZE = 512;
/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK_SIZE);

export type TarEntryKind = 'file' | 'hardlink' | 'symlink' | 'directory';

export interface TarHeaderFields {
  /** Relative path without a leading '/'; directories get their trailing '/' added here. */
  readonly name: string;
  readonly kind: TarEntryKind;
  /** Permission bits (0o7777). */
  readonly mode: number;
  /** Seconds since the epoch; clamped to what an 11-digit octal field holds. */
  readonly mtime: number;
  /** Bytes of data following the header (files only). */
  readonly size: number;
  /** Symlink target or hard link target path. */
  readonly linkname?: string;
}

const TYPEFLAG: Record<TarEntryKind, number> = { file: 0x30, hardlink: 0x31, symlink: 0x32, directory: 0x35 };
const PAX_TYPEFLAG = 0x78; // 'x'
const MAX_OCTAL_11 = 0o77777777777;
const utf8 = new TextEncoder();

function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  // width - 1 zero-padded digits and a NUL, the form GNU tar and Go's archive/tar write.
  const digits = value.toString(8).padStart(width - 1, '0');
  for (let i = 0; i < width - 1; i++) block[offset + i] = digits.charCodeAt(i);
  block[offset + width - 1] = 0;
}

function writeBytes(block: Uint8Array, offset: number, bytes: Uint8Array): void {
  block.set(bytes, offset);
}

/** Where to cut a long name into ustar's prefix (≤155 bytes) and name (≤100 bytes), or -1. */
function ustarSplit(bytes: Uint8Array): number {
  if (bytes.length <= 100) return 0;
  // The cut replaces one '/', which ustar puts back between prefix and name.
  for (let i = bytes.length - 101; i < bytes.length - 1; i++) {
    if (i < 0) continue;
    if (bytes[i] === 0x2f) return i <= 155 && i > 0 ? i : -1;
  }
  return -1;
}

function ustarBlock(
  nameBytes: Uint8Array,
  prefixBytes: Uint8Array | null,
  typeflag: number,
  mode: number,
  mtime: number,
  size: number,
  linkBytes: Uint8Array | null,
): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  writeBytes(block, 0, nameBytes);
  writeOctal(block, 100, 8, mode & 0o7777);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block[156] = typeflag;
  if (linkBytes !== null) writeBytes(block, 157, linkBytes);
  writeBytes(block, 257, utf8.encode('ustar\u000000'));
  // uname (265) and gname (297) stay empty.
  writeOctal(block, 329, 8, 0); // devmajor
  writeOctal(block, 337, 8, 0); // devminor
  if (prefixBytes !== null) writeBytes(block, 345, prefixBytes);
  // Checksum: the sum of all header bytes with the checksum field read as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK_SIZE; i++) if (i < 148 || i >= 156) sum += block[i]!;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

/** One pax record, "<length> <key>=<value>\n", the length counting the whole record in bytes. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = utf8.encode(body).length;
  let length = bodyLength;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

/** Zero bytes that pad `size` bytes of data up to a whole block. */
export function padding(size: number): Uint8Array | null {
  const rest = size % BLOCK_SIZE;
  return rest === 0 ? null : new Uint8Array(BLOCK_SIZE - rest);
}

/**
 * The header block(s) of one entry: a ustar header, preceded by a pax extended header (and its data)
 * when the path, link target or size does not fit ustar's fields.
 */
export function encodeHeader(fields: TarHeaderFields): Uint8Array[] {
  const name = fields.kind === 'directory' && !fields.name.endsWith('/') ? `${fields.name}/` : fields.name;
  const mtime = Math.min(Math.max(0, Math.floor(fields.mtime)), MAX_OCTAL_11);
  const size = fields.kind === 'file' ? fields.size : 0;
  const pax: string[] = [];

  let nameBytes = utf8.encode(name);
  let prefixBytes: Uint8Array | null = null;
  const cut = ustarSplit(nameBytes);
  if (cut > 0) {
    prefixBytes = nameBytes.subarray(0, cut);
    nameBytes = nameBytes.subarray(cut + 1);
  } else if (cut < 0) {
    pax.push(paxRecord('path', name));
    nameBytes = nameBytes.subarray(0, 100);
  }

  let linkBytes: Uint8Array | null = null;
  if (fields.linkname !== undefined && fields.linkname !== '') {
    linkBytes = utf8.encode(fields.linkname);
    if (linkBytes.length > 100) {
      pax.push(paxRecord('linkpath', fields.linkname));
      linkBytes = linkBytes.subarray(0, 100);
    }
  }

  let ustarSize = size;
  if (size > MAX_OCTAL_11) {
    pax.push(paxRecord('size', String(size)));
    ustarSize = 0;
  }

  const header = ustarBlock(
    nameBytes,
    prefixBytes,
    TYPEFLAG[fields.kind],
    fields.mode,
    mtime,
    ustarSize,
    linkBytes,
  );
  if (pax.length === 0) return [header];
  const data = utf8.encode(pax.join(''));
  const paxName = utf8.encode('PaxHeader');
  const out = [ustarBlock(paxName, null, PAX_TYPEFLAG, 0o644, mtime, data.length, null), data];
  const pad = padding(data.length);
  if (pad !== null) out.push(pad);
  out.push(header);
  return out;
}
