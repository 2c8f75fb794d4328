/**
 * The engine's host capabilities for Node, all under one state root (`$BERTH_ROOT`, else
 * `~/.local/share/berth`):
 *
 *   blobs/sha256/, ingest/     content (DiskContentStore)
 *   images.json                image names (DiskImageStore)
 *   containers/<id>/           record, writable layer, log (DiskContainerStore, DiskWritableLayerStore, DiskLogStore)
 *   volumes/<name>/_data       named volumes (DiskVolumeStore)
 *
 * Every store writes atomically and takes a lock file for changes, so several berth processes can share
 * the root and a process killed at any point leaves nothing half-written. Guests run in worker_threads;
 * other processes reach the containers this process runs through SIGTERM (see nodeProcesses).
 */
import { readFileSync } from 'node:fs';
import { NodeWorkerHost } from '../../runtime/node/NodeWorkerHost';
import type { WorkerHost } from '../../runtime/process/types';
import type { EngineHost, NotifyHandler, ProcessControl } from '../engine/types';
import { layerGzip } from '../layer/gzip';
import { DiskContainerStore } from './DiskContainerStore';
import { DiskContentStore } from './DiskContentStore';
import { DiskImageStore } from './DiskImageStore';
import { DiskLogStore } from './DiskLogStore';
import { DiskVolumeStore } from './DiskVolumeStore';
import { DiskWritableLayerStore } from './DiskWritableLayerStore';
import { isAlive } from './lockFile';
import { nodeGunzip } from './gzip';
import { nodeHostDirs } from './nodeHostDirs';
import { nodeSha256 } from './sha256';
import { stateRoot } from './stateRoot';
import { nodeCrypto, nodeOs, randomHex } from './lazyBuiltins';

export interface NodeEngineHostOptions {
  /** The state root; default stateRoot(env). */
  root?: string;
  env?: Readonly<Record<string, string | undefined>>;
  workerHost?: WorkerHost;
  /** Where relative host paths (bind mounts, cp) are taken from; default process.cwd(). */
  cwd?: string;
}

let signalHandlers: Set<NotifyHandler> | undefined;

async function onSigterm(): Promise<void> {
  const handlers = [...(signalHandlers ?? [])];
  const acted = await Promise.all(handlers.map((h) => h.requested().catch(() => false)));
  if (!acted.some(Boolean)) await Promise.all(handlers.map((h) => h.terminate().catch(() => undefined)));
}

const sigterm = () => void onSigterm();

/**
 * Processes on this machine: a container's owner is its berth process; stop/kill from another process is
 * a SIGTERM to it. While this process runs containers it handles SIGTERM itself: kill requests recorded
 * for its containers are carried out; a SIGTERM without any (someone ran `kill PID`) kills all of its
 * guests and records their exits, after which the process ends as its work ends.
 */
export function nodeProcesses(): ProcessControl {
  const token = startTimeOf(process.pid);
  const alive = (pid: number, owner?: string): boolean => {
    if (!isAlive(pid)) return false;
    if (owner === undefined) return true;
    const now = startTimeOf(pid);
    return now === undefined || now === owner;
  };
  return {
    pid: process.pid,
    ...(token !== undefined ? { token } : {}),
    isAlive: alive,
    notify(pid, owner) {
      if (pid === process.pid) {
        void onSigterm();
        return;
      }
      // A pid taken over by another process since is not ours to signal.
      if (!alive(pid, owner)) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Gone already: its containers read as exited.
      }
    },
    onNotify(handler) {
      if (signalHandlers === undefined || signalHandlers.size === 0) {
        signalHandlers = new Set();
        process.on('SIGTERM', sigterm);
      }
      signalHandlers.add(handler);
      return () => {
        signalHandlers?.delete(handler);
        if (signalHandlers?.size === 0) process.off('SIGTERM', sigterm);
      };
    },
  };
}

/**
 * A process's start time (Linux: field 22 of /proc/PID/stat, in clock ticks since boot), which tells it
 * apart from a later process with the same pid; undefined where there is no /proc.
 */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function nodeEngineHost(options: NodeEngineHostOptions = {}): EngineHost {
  const root = options.root ?? stateRoot(options.env);
  const now = () => new Date();
  return {
    content: new DiskContentStore({ root }),
    images: new DiskImageStore({ root, now }),
    containers: new DiskContainerStore(root),
    layers: new DiskWritableLayerStore(root),
    logs: new DiskLogStore(root),
    volumes: new DiskVolumeStore(root, now),
    hasher: nodeSha256,
    workerHost: options.workerHost ?? new NodeWorkerHost(),
    hostDirs: nodeHostDirs(options.cwd),
    clock: { now },
    ids: {
      newId: () => randomHex(32),
      randomInt: (n) => nodeCrypto().randomInt(n),
    },
    processes: nodeProcesses(),
    // One deflater on every host, so a layer has the same digest wherever it was built.
    gzip: layerGzip,
    gunzip: nodeGunzip,
    ...sourceDateEpochOf(options.env ?? process.env),
    root,
    // Read when `info` asks: os.cpus() parses /proc/cpuinfo, which every other command would pay for.
    system: {
      get hostname() {
        return nodeOs().hostname();
      },
      os: process.platform,
      get kernelVersion() {
        return nodeOs().release();
      },
      get operatingSystem() {
        return `${nodeOs().type()} ${nodeOs().release()}`;
      },
      get cpus() {
        return nodeOs().cpus().length;
      },
      get memTotal() {
        return nodeOs().totalmem();
      },
      jsRuntime: `node ${process.version}`,
    },
  };
}

/** SOURCE_DATE_EPOCH from the environment, as reproducible-builds.org defines it (whole seconds). */
function sourceDateEpochOf(env: Readonly<Record<string, string | undefined>>): { sourceDateEpoch?: number } {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return {};
  if (!/^\d+$/.test(raw))
    throw new Error(`SOURCE_DATE_EPOCH must be a whole number of seconds, not '${raw}'`);
  return { sourceDateEpoch: Number(raw) };
}
