/**
 * The files of an OCI layout or docker-save archive as plain values, and the two ways they leave Berth: a
 * directory (through TransferFs) or a tar stream. Both write exactly the same files.
 */
import { compareLayerPaths } from '../layer/paths';
import { END_OF_ARCHIVE, encodeHeader, padding } from '../layer/tarWriter';
import { InvalidArchiveError } from './errors';
import { joinPath, type TransferFs } from './fs';

export interface ArchiveFile {
  /** Relative, '/'-separated: `oci-layout`, `blobs/sha256/<hex>`, `index.json`. */
  readonly path: string;
  readonly size: number;
  /** Small files inline; blobs as a function opening a fresh stream each time it is called. */
  readonly data: Uint8Array | (() => AsyncIterable<Uint8Array>);
  /** Content-addressed (a blob): a directory export skips it when a file of that size is there already. */
  readonly blob?: boolean;
}

export interface TarArchiveOptions {
  /** mtime of every entry, seconds; default 0 (the archive depends only on its content). */
  readonly mtime?: number;
}

async function* chunksOf(file: ArchiveFile): AsyncGenerator<Uint8Array> {
  if (file.data instanceof Uint8Array) {
    yield file.data;
    return;
  }
  let written = 0;
  for await (const chunk of file.data()) {
    written += chunk.length;
    if (written > file.size) break;
    yield chunk;
  }
  if (written !== file.size) {
    throw new InvalidArchiveError(file.path, undefined, `has ${written} bytes, ${file.size} were announced`);
  }
}

/**
 * The files as a tar stream, as `docker save` lays one out: sorted by path, each directory entry before
 * its contents (`blobs/`, `blobs/sha256/`), uid/gid 0, files 0644 and directories 0755, one mtime.
 */
export async function* tarArchive(
  files: readonly ArchiveFile[],
  options: TarArchiveOptions = {},
): AsyncGenerator<Uint8Array> {
  const mtime = options.mtime ?? 0;
  const sorted = [...files].sort((a, b) => compareLayerPaths(a.path, b.path));
  const dirs = new Set<string>();
  for (const file of sorted) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      yield* encodeHeader({ name: dir, kind: 'directory', mode: 0o755, mtime, size: 0 });
    }
    yield* encodeHeader({ name: file.path, kind: 'file', mode: 0o644, mtime, size: file.size });
    yield* chunksOf(file);
    const pad = padding(file.size);
    if (pad !== null) yield pad;
  }
  yield END_OF_ARCHIVE;
}

/**
 * Writes the files under `dir`, in the order given (put index.json last: a reader never sees an index
 * whose blobs are not all there). Blobs whose file already has the right size are left alone.
 */
export async function writeDirectory(
  files: readonly ArchiveFile[],
  fs: TransferFs,
  dir: string,
): Promise<void> {
  const made = new Set<string>();
  for (const file of files) {
    const path = joinPath(dir, file.path);
    const slash = file.path.lastIndexOf('/');
    const parent = slash < 0 ? dir : joinPath(dir, file.path.slice(0, slash));
    if (!made.has(parent)) {
      await fs.mkdir(parent);
      made.add(parent);
    }
    if (file.blob && (await fs.size(path)) === file.size) continue;
    await fs.writeFile(path, file.data instanceof Uint8Array ? file.data : chunksOf(file));
  }
}
