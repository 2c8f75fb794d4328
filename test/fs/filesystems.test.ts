import { mkdtempSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { HostFileSystem } from '../../runtime/fs/HostFileSystem';
import { MemoryFileSystem } from '../../runtime/fs/MemoryFileSystem';
import type { FsClock } from '../../runtime/fs/types';
import { runFileSystemSuite } from '../suites/filesystem.suite';

/** A clock that ticks 1 ms per reading, so every update is visibly later than the one before. */
function tickingClock(): FsClock {
  let now = 1_700_000_000_000_000_000n;
  return { now: () => (now += 1_000_000n) };
}

runFileSystemSuite('MemoryFileSystem', () => {
  const fs = new MemoryFileSystem({ clock: tickingClock() });
  return { fs, reopenReadOnly: () => MemoryFileSystem.fromSnapshot(fs.snapshot(), { readOnly: true }) };
});

runFileSystemSuite('MemoryFileSystem (system clock)', () => ({ fs: new MemoryFileSystem() }));

runFileSystemSuite('HostFileSystem over node:fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-hostfs-'));
  return {
    fs: new HostFileSystem({ fs: nodeFs, root }),
    reopenReadOnly: () => new HostFileSystem({ fs: nodeFs, root, readOnly: true }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

runFileSystemSuite('HostFileSystem over a memfs Volume', () => {
  const volume = new Volume();
  volume.mkdirSync('/outside/root', { recursive: true });
  return {
    fs: new HostFileSystem({ fs: volume, root: '/outside/root' }),
    reopenReadOnly: () => new HostFileSystem({ fs: volume, root: '/outside/root', readOnly: true }),
  };
});
