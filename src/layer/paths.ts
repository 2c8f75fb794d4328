/**
 * Names inside a layer. The tar names a path relative to the layer root ('etc/hosts', './etc/hosts',
 * '/etc/hosts' all mean the same); Berth keeps them as '/'-separated components without a leading slash
 * inside the tree, and with one in LayerEntry values (as runtime/fs/UnionFileSystem writes them).
 */

/** The OCI (aufs) whiteout convention, image-spec layer.md: `.wh.NAME` hides NAME in the layers below. */
export const WHITEOUT_PREFIX = '.wh.';
/** In a directory, hides everything the layers below have in that directory. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * The components of a tar entry name, relative to the layer root: leading '/', empty components and '.'
 * are dropped and '..' cancels the component before it. Returns null when '..' would climb above the
 * root (`../x`, `a/../../x`): such an entry must be rejected, never written. [] is the root itself.
 */
export function normalizeEntryPath(name: string): string[] | null {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts;
}

/**
 * Component-wise path order: a directory sorts right before its entries and '/' before every other
 * character ('a', 'a/b', 'a-b'), names compared as JavaScript strings. The same order as
 * runtime/fs/UnionFileSystem's upperLayerEntries, so a layer has one canonical entry order.
 */
export function compareLayerPaths(a: string, b: string): number {
  const x = a.replaceAll('/', '\u0000');
  const y = b.replaceAll('/', '\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isWhiteoutName(name: string): boolean {
  return name.startsWith(WHITEOUT_PREFIX);
}

/** The last component of a '/'-separated path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
