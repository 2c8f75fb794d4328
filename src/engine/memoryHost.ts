/**
 * An EngineHost that keeps everything in memory: for tests and for the browser. Images, containers,
 * logs, writable layers and volumes live as long as the host object; guests run in workers of the given
 * WorkerHost. Bind mounts and host paths work only when `hostDirs` is given (a Node test can pass
 * src/node/engineHost.ts's nodeHostDirs()); a page has none.
 *
 * The whole host is one "process": ProcessControl knows only its own pid, and kill requests between two
 * engines on one memory host are handled in-process.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { WorkerHost } from '../../runtime/process/types';
import { MemoryContentStore } from '../content/MemoryContentStore';
import { MemoryImageStore } from '../image/MemoryImageStore';
import type { HasherFactory } from '../platform/hasher';
import {
  MemoryContainerStore,
  MemoryLogStore,
  MemoryVolumeStore,
  MemoryWritableLayerStore,
} from './memoryStores';
import type {
  Clock,
  EngineHost,
  HostDirOpener,
  IdGenerator,
  NotifyHandler,
  ProcessControl,
  SystemFacts,
} from './types';

/** Streaming SHA-256 in JavaScript (@noble/hashes), for hosts without node:crypto. */
export const jsSha256: HasherFactory = () => {
  const hash = sha256.create();
  return {
    update(chunk: Uint8Array): void {
      hash.update(chunk);
    },
    digest(): string {
      return `sha256:${bytesToHex(hash.digest())}`;
    },
  };
};

/** Random IDs and numbers from crypto.getRandomValues. */
export const cryptoIds: IdGenerator = {
  newId(): string {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return bytesToHex(bytes);
  },
  randomInt(n: number): number {
    const word = new Uint32Array(1);
    crypto.getRandomValues(word);
    return word[0]! % n;
  },
};

export const systemClock: Clock = { now: () => new Date() };

/** ProcessControl for a host that is a single process (a page, a test). */
export function singleProcess(pid = 1): ProcessControl {
  const handlers = new Set<NotifyHandler>();
  return {
    pid,
    isAlive: (other) => other === pid,
    notify: (other) => {
      if (other !== pid) return;
      void (async () => {
        const acted = await Promise.all([...handlers].map((h) => h.requested()));
        if (!acted.some(Boolean)) await Promise.all([...handlers].map((h) => h.terminate()));
      })();
    },
    onNotify: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}

export interface MemoryHostOptions {
  workerHost: WorkerHost;
  hasher?: HasherFactory;
  hostDirs?: HostDirOpener;
  clock?: Clock;
  ids?: IdGenerator;
  processes?: ProcessControl;
  system?: SystemFacts;
}

export function createMemoryHost(options: MemoryHostOptions): EngineHost {
  const clock = options.clock ?? systemClock;
  const hasher = options.hasher ?? jsSha256;
  const host: EngineHost = {
    content: new MemoryContentStore({ hasher }),
    images: new MemoryImageStore({ now: () => clock.now() }),
    containers: new MemoryContainerStore(),
    layers: new MemoryWritableLayerStore(),
    logs: new MemoryLogStore(),
    volumes: new MemoryVolumeStore({ now: () => clock.now() }),
    hasher,
    workerHost: options.workerHost,
    clock,
    ids: options.ids ?? cryptoIds,
    processes: options.processes ?? singleProcess(),
    root: 'memory',
    system: options.system ?? { os: 'browser', operatingSystem: 'Berth (in memory)' },
  };
  if (options.hostDirs) host.hostDirs = options.hostDirs;
  return host;
}
