import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Berth keeps its state on this machine (content blobs, the image store): `$BERTH_ROOT` when set
 * (made absolute), else `~/.local/share/berth`.
 */
export function stateRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env.BERTH_ROOT;
  if (override !== undefined && override !== '') return resolve(override);
  return join(homedir(), '.local', 'share', 'berth');
}
