/**
 * A cross-process lock as a file created exclusively (`wx`) holding its owner's pid and a random token,
 * the scheme of DiskImageStore: a lock whose owner process is gone (kill -9) or that is older than
 * LOCK_STALE_MS is taken over. Within one process, holders of the same lock path queue in memory first,
 * so several engines (stores) in one process never spin on each other's lock file.
 */
import { readFile, stat, unlink, writeFile } from './asyncFs';
import { LockTimeoutError } from '../errors/LockTimeoutError';
import { isErrnoCode } from './fsHelpers';
import { randomHex } from './lazyBuiltins';

/** A lock held this long is assumed abandoned (a change holds it for milliseconds). */
export const LOCK_STALE_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

const queues = new Map<string, Promise<unknown>>();

/** Runs fn holding the lock file `path` (and the in-process queue for it). */
export function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  timeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.then(async () => {
    const release = await acquire(path, timeoutMs);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  const tail = run.catch(() => undefined);
  queues.set(path, tail);
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path);
  });
  return run;
}

async function acquire(path: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  const token = `${process.pid} ${randomHex(8)}\n`;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      await writeFile(path, token, { flag: 'wx' });
      return async () => {
        const now = await readFile(path, 'utf8').catch(() => undefined);
        if (now === token) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if (!isErrnoCode(err, 'EEXIST')) throw err;
    }
    if (await breakStale(path)) continue;
    if (Date.now() > deadline) throw new LockTimeoutError(path, timeoutMs);
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function breakStale(path: string): Promise<boolean> {
  let text: string;
  let age: number;
  try {
    [text, age] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => Date.now() - s.mtimeMs)]);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return true;
    throw err;
  }
  // An empty file is a lock whose owner died between creating and writing it (or is writing it now).
  const pid = Number.parseInt(text, 10);
  if (text === '' && age < 1000) return false;
  if (age < LOCK_STALE_MS && text !== '' && (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)))
    return false;
  try {
    if ((await readFile(path, 'utf8')) === text) await unlink(path);
  } catch (err) {
    if (!isErrnoCode(err, 'ENOENT')) throw err;
  }
  return true;
}

export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrnoCode(err, 'ESRCH');
  }
}
