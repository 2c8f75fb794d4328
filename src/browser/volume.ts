/**
 * memfs for pages, bundled on its own as dist/browser/memfs.js so that the engine bundle stays without
 * it: a Volume holds a build context (`buildFromFiles(engine, { fs: volume, dir: '/ctx' })`) or stands in
 * for the host's disk (`openBrowserEngine({ hostFs: volume })`). memfs 4 imports Node built-ins (buffer,
 * events, path, stream, url) and reads `process`; scripts/build.mjs maps those to browser packages and
 * src/browser/shims.
 */
import { Volume } from 'memfs';

export { Volume } from 'memfs';

/** Files as a plain object: '/'-separated paths (relative to the volume's root) → contents. */
export type FileRecord = Readonly<Record<string, string | Uint8Array>>;

export interface VolumeFromFilesOptions {
  /** Every entry's modification time; default now. */
  mtime?: Date;
  /** Permission bits of files (default 0o644) and directories (default 0o755). */
  fileMode?: number;
  dirMode?: number;
}

function checkedParts(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new Error(`bad file path: ${JSON.stringify(name)}`);
  return parts;
}

/**
 * A memfs Volume holding `files` under `/`: every file 0644 and directory 0755 (as a checkout with the
 * usual umask), all with one mtime, so a build from it is reproducible.
 */
export function volumeFromFiles(files: FileRecord, options: VolumeFromFilesOptions = {}): Volume {
  const volume = new Volume();
  const mtime = (options.mtime ?? new Date()).getTime() / 1000;
  const dirs = new Set<string>();
  for (const [name, contents] of Object.entries(files)) {
    const parts = checkedParts(name);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
    const path = `/${parts.join('/')}`;
    volume.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true });
    volume.writeFileSync(path, typeof contents === 'string' ? contents : contents.slice());
    volume.chmodSync(path, options.fileMode ?? 0o644);
    volume.utimesSync(path, mtime, mtime);
  }
  for (const dir of dirs) {
    volume.chmodSync(dir, options.dirMode ?? 0o755);
    volume.utimesSync(dir, mtime, mtime);
  }
  return volume;
}
