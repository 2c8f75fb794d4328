/**
 * The container engine: Docker's verbs over injected host capabilities, daemonless like Podman.
 *
 *   const engine = await Engine.open(host);     // host: src/node/engineHost.ts or ./memoryHost.ts
 *   const { id } = await engine.createContainer({ image: 'hello' });
 *   const run = await engine.startContainer(id, { stdout: (b) => out.write(b) });
 *   const { statusCode } = await run.wait();
 *
 * # Where things live
 *
 * - Records, logs, writable layers, volumes, images: in the host's stores, shared by every engine (and
 *   every process) on the same state. The stores serialise their own changes; container records change
 *   only by compare-and-swap (ContainerStore.update), so two processes never lose each other's updates
 *   and names stay unique.
 * - A running container lives in the process that started it: its guest runs in a worker of this
 *   engine's pool, on a union root (the image's layers, sent to each worker once and cached there by
 *   diff_id, under the container's writable layer). Its record names the process (`owner`, State.Pid).
 *   When the guest ends, the worker sends the writable layer back and it is persisted with the exit.
 * - Another process stops or kills it by recording a kill request and notifying the owner
 *   (ProcessControl; SIGTERM in Node); the owner kills the guest and records the exit. A record whose
 *   owner process is gone is read as exited with 137, as Docker shows a container whose process was
 *   SIGKILLed.
 *
 * # Stop and kill
 *
 * A wasm guest has no signals. `stop` waits StopTimeout (default 10 s) for the guest to end by itself,
 * then kills it (exit 137) — what Docker does with a process that ignores SIGTERM, and what runwasi does,
 * since it refuses SIGTERM for wasm instances. `kill` (any signal name) kills at once. Killing asks the
 * guest to stop at its next WASI call, so its writable layer comes back; a guest spinning without any
 * WASI call for KILL_GRACE_MS has its worker terminated and the changes of that run are lost.
 *
 * # What needs a stopped container
 *
 * A running guest's writable layer is inside its worker until it exits, so diff, commit, export and cp
 * refuse a running container (EngineError 'conflict'): stop it first.
 */
import { MemoryFileSystem, type MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { Namespace } from '../../runtime/fs/Namespace';
import { readOnly } from '../../runtime/fs/ReadOnlyFileSystem';
import type { FileSystem, FsNode } from '../../runtime/fs/types';
import { UnionFileSystem, upperLayerEntries } from '../../runtime/fs/UnionFileSystem';
import { compile, ModuleFormatError } from '../../runtime/process/moduleCache';
import { WorkerPool } from '../../runtime/process/pool';
import { spawn, type GuestProcess, type SpawnResult } from '../../runtime/process/spawn';
import { DEV_MOUNT, type MountSpec } from '../../runtime/process/protocol';
import { pumpStdin, type StdinWriter } from '../../runtime/process/stdinChannel';
import { ERRNO_NOENT, FILETYPE_DIRECTORY, FILETYPE_SYMBOLIC_LINK } from '../../runtime/wasi/defs';
import { NoMatchingPlatformError } from '../errors/NoMatchingPlatformError';
import { NotFoundError } from '../errors/NotFoundError';
import { resolveImage, type ResolvedImage } from '../image/resolveImage';
import type { ImageRecord } from '../image/types';
import { packLayer } from '../layer/pack';
import { unpackLayer } from '../layer/unpack';
import { treeEntries } from '../layer/tree';
import type { Digest } from '../oci/digest';
import { isWasmPlatform, parsePlatformString, WASI_PLATFORM } from '../oci/platform';
import { familiarName, parseReference } from '../oci/reference';
import { tarArchive } from '../transfer/archive';
import { dockerArchiveFiles, ociLayoutFiles } from '../transfer/export';
import { importArchive } from '../transfer/import';
import type { ExportSubject } from '../transfer/subjects';
import type { ContainerConfig, Descriptor, History, ImageConfig, Platform } from '../oci/types';
import { guestEnv, mergeEnv, resolveCommand, type ResolvedCommand } from './command';
import { EngineError } from './errors';
import { check, copyChildren, copyNode, joinPath, readFile, splitPath, subtreeEntries } from './fsCopy';
import {
  deleteUnreferenced,
  displayName,
  parentsOf,
  isDangling,
  danglingReference,
  repoDigest,
  writeBlob,
  writeImage,
} from './images';
import { hostLayers, type LayerChain, type UnpackContext } from './layerCache';
import { bothSettled, LogCapture, tailEntries } from './logs';
import { noSuchContainer } from './memoryStores';
import { checkName, randomName } from './names';
import { OutputQueue } from './OutputQueue';
import { isEmptyTree } from './treeCodec';
import {
  ZERO_TIME,
  type ChangeItem,
  type CommitOptions,
  type CommitResult,
  type ContainerExit,
  type ContainerInspect,
  type ContainerLayer,
  type ContainerRecord,
  type ContainerRecordConfig,
  type ContainerState,
  type ContainerSummary,
  type CreateContainerOptions,
  type CreateContainerResult,
  type CreateVolumeOptions,
  type EngineHost,
  type EngineOptions,
  type ImageDeleteItem,
  type ImageHistoryItem,
  type ImageInspect,
  type ImageListFilters,
  type ImageSummary,
  type KillOptions,
  type ListContainersOptions,
  type LogEntry,
  type LogsOptions,
  type MountRecord,
  type OutputTarget,
  type PathStat,
  type PruneContainersResult,
  type PruneImagesResult,
  type PruneVolumesResult,
  type RemoveContainerOptions,
  type RemoveImageOptions,
  type RunningContainer,
  type RunOptions,
  type SaveImagesOptions,
  type StartOptions,
  type StopOptions,
  type SystemDf,
  type SystemInfo,
  type VersionInfo,
  type VolumeFilters,
  type VolumeInspect,
  type VolumeMount,
  type WaitResult,
} from './types';
import { commandText, matchesFilters, toInspect, toSummary } from './views';
import { runWithWasmer } from './wasmer';

/** How long a killed guest has to reach a WASI call (and give its writable layer back) before its worker is terminated. */
export const KILL_GRACE_MS = 2000;
/** Docker's default StopTimeout. */
export const DEFAULT_STOP_TIMEOUT_S = 10;
/** The Docker Engine API version the shapes follow. */
export const API_VERSION = '1.43';
/** The label Docker puts on anonymous volumes. */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';

const POLL_MS = 100;
const EXIT_KILLED = 137;
const EXIT_TRAP = 134;
const EXIT_ERROR = 125;

/** A container running in this process (any engine of it): the process-wide registry. */
interface ActiveRun {
  readonly id: string;
  /** Settles once the exit is recorded. */
  readonly exited: Promise<ContainerExit>;
  kill(reason: 'killed' | 'timeout'): void;
}

const inProcess = new Map<string, ActiveRun>();

interface ImageEntry {
  record: ImageRecord;
  resolved: ResolvedImage;
  /** The image ID: the config digest. */
  id: Digest;
}

interface ContainerView {
  union: UnionFileSystem;
  ns: Namespace;
  /** Persists the writable layer and the volumes after changes. */
  save(): Promise<void>;
  /** Releases volumes without saving. */
  close(): Promise<void>;
}

/** How a run ended, as the exit status Docker reports. */
export function exitOf(result: {
  exitCode: number | null;
  reason: ContainerExit['reason'];
  message?: string;
}): ContainerExit {
  let statusCode: number;
  switch (result.reason) {
    case 'exit':
      statusCode = result.exitCode ?? 0;
      break;
    case 'trap':
      statusCode = EXIT_TRAP;
      break;
    case 'error':
      statusCode = EXIT_ERROR;
      break;
    default:
      statusCode = EXIT_KILLED;
  }
  const exit: ContainerExit = { statusCode, reason: result.reason, oomKilled: result.reason === 'oom' };
  if (result.message !== undefined) exit.message = result.message;
  return exit;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noSuchImage(ref: string): EngineError {
  return new EngineError('no-such-image', `No such image: ${ref}`);
}

function noSuchVolume(name: string): EngineError {
  return new EngineError('no-such-volume', `get ${name}: no such volume`);
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function isUsableMode(mode: string): boolean {
  return mode.split(',').every((m) => ['', 'ro', 'rw', 'z', 'Z', 'nocopy'].includes(m));
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/** The image config's `config` from a container's (what `commit` writes). */
function imageConfigOf(c: ContainerRecordConfig): ContainerConfig {
  const out: ContainerConfig = {};
  if (c.User) out.User = c.User;
  if (c.ExposedPorts) out.ExposedPorts = structuredClone(c.ExposedPorts);
  out.Env = [...c.Env];
  out.Entrypoint = c.Entrypoint ? [...c.Entrypoint] : null;
  out.Cmd = c.Cmd ? [...c.Cmd] : null;
  if (c.Volumes) out.Volumes = structuredClone(c.Volumes);
  out.WorkingDir = c.WorkingDir;
  out.Labels = { ...c.Labels };
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  return out;
}

/** Applies `commit -c` changes: Env by key, Labels/Volumes/ExposedPorts merged, the rest replaced. */
function applyChanges(base: ContainerConfig, changes: Partial<ContainerConfig> | undefined): ContainerConfig {
  if (!changes) return base;
  const out: ContainerConfig = { ...base };
  for (const [key, value] of Object.entries(changes) as [keyof ContainerConfig, unknown][]) {
    if (value === undefined) continue;
    if (key === 'Env') out.Env = mergeEnv(base.Env ?? [], value as string[]);
    else if (key === 'Labels') out.Labels = { ...base.Labels, ...(value as Record<string, string>) };
    else if (key === 'Volumes') out.Volumes = { ...base.Volumes, ...(value as Record<string, object>) };
    else if (key === 'ExposedPorts')
      out.ExposedPorts = { ...base.ExposedPorts, ...(value as Record<string, object>) };
    else (out as Record<string, unknown>)[key] = structuredClone(value);
  }
  return out;
}

export class Engine {
  private readonly pool: WorkerPool;
  private readonly resolvedImages = new Map<string, Promise<ResolvedImage>>();
  private readonly modules = new Map<string, Promise<WebAssembly.Module>>();
  private readonly logWaiters = new Map<string, Set<() => void>>();
  /** The version `version` and `info` report. */
  readonly serverVersion: string;

  private constructor(
    readonly host: EngineHost,
    options: EngineOptions,
  ) {
    this.pool = new WorkerPool(host.workerHost, { size: options.poolSize ?? 2 });
    this.serverVersion = options.version ?? 'dev';
  }

  /** Opens an engine on the host's stores. Nothing is loaded up front: state is read as it is needed. */
  static async open(host: EngineHost, options: EngineOptions = {}): Promise<Engine> {
    return new Engine(host, options);
  }

  /**
   * Lets the engine's idle workers go. Containers still running keep their workers until they exit (wait
   * for them first when the process is about to end).
   */
  async close(): Promise<void> {
    this.pool.close();
  }

  /** Starts a worker ahead of the first run, so it boots while the image is read. */
  prewarm(): void {
    this.pool.prewarm(1);
  }

  // --- containers: lifecycle ---------------------------------------------------------------------------

  async createContainer(options: CreateContainerOptions): Promise<CreateContainerResult> {
    const host = this.host;
    let wanted: Platform = WASI_PLATFORM;
    if (options.platform !== undefined && options.platform !== '') {
      let p: Platform;
      try {
        p = parsePlatformString(options.platform);
      } catch (e) {
        throw new EngineError('invalid-argument', (e as Error).message);
      }
      if (!isWasmPlatform(p)) {
        throw new EngineError(
          'invalid-argument',
          `platform ${options.platform} is not supported: Berth runs WebAssembly images only (wasi/wasm)`,
        );
      }
      wanted = p;
    }
    const runtime = options.runtime ?? 'berth';
    if (runtime !== 'berth' && runtime !== 'wasmer') {
      throw new EngineError(
        'invalid-argument',
        `unknown runtime ${JSON.stringify(runtime)}: use berth or wasmer`,
      );
    }
    if (options.memory !== undefined && options.memory !== 0 && !(options.memory >= 65536)) {
      throw new EngineError(
        'invalid-argument',
        `memory limit ${options.memory} is below the minimum of 64 KiB`,
      );
    }
    if (options.workdir !== undefined && options.workdir !== '' && !options.workdir.startsWith('/')) {
      throw new EngineError(
        'invalid-argument',
        `the working directory '${options.workdir}' is invalid, it needs to be an absolute path`,
      );
    }
    const image = await this.findImage(options.image);
    let resolved = image.resolved;
    if (wanted !== WASI_PLATFORM) resolved = await this.resolveFor(image.record, wanted, options.image);
    const layers = this.layersOf(resolved, options.image);

    const cc = resolved.config.config ?? {};
    const clears = (e: string[]) => e.length === 0 || (e.length === 1 && e[0] === '');
    const entrypoint =
      options.entrypoint !== undefined
        ? clears(options.entrypoint)
          ? null
          : [...options.entrypoint]
        : (cc.Entrypoint ?? null);
    const cmd =
      options.cmd !== undefined && options.cmd.length > 0
        ? [...options.cmd]
        : options.entrypoint !== undefined
          ? null
          : (cc.Cmd ?? null);
    const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
    if (argv.length === 0) throw new EngineError('invalid-argument', 'No command specified');

    const id = host.ids.newId();
    const workdir = options.workdir ?? cc.WorkingDir ?? '';
    const config: ContainerRecordConfig = {
      Hostname: options.hostname ?? id.slice(0, 12),
      Domainname: '',
      User: cc.User ?? '',
      AttachStdin: options.interactive ?? false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: options.tty ?? false,
      OpenStdin: options.interactive ?? false,
      StdinOnce: options.interactive ?? false,
      Env: mergeEnv(cc.Env ?? [], options.env ?? []),
      Cmd: cmd,
      Image: options.image,
      Volumes: cc.Volumes ? structuredClone(cc.Volumes) : null,
      WorkingDir: workdir,
      Entrypoint: entrypoint,
      Labels: { ...cc.Labels, ...options.labels },
    };
    const stopSignal = options.stopSignal ?? cc.StopSignal;
    if (stopSignal) config.StopSignal = stopSignal;
    if (options.stopTimeout !== undefined) config.StopTimeout = options.stopTimeout;
    if (cc.ExposedPorts) config.ExposedPorts = structuredClone(cc.ExposedPorts);

    const fixed = options.name !== undefined ? checkName(options.name) : undefined;
    const { mounts, binds, newVolumes } = await this.prepareMounts(options.volumes ?? [], cc.Volumes ?? {});

    const now = host.clock.now().toISOString();
    const record: ContainerRecord = {
      schemaVersion: 1,
      id,
      name: '',
      created: now,
      image: options.image,
      imageId: image.id,
      manifest: structuredClone(resolved.manifestDescriptor),
      layers,
      path: argv[0]!,
      args: argv.slice(1),
      config,
      hostConfig: {
        Binds: binds.length > 0 ? binds : null,
        Memory: options.memory ?? 0,
        ReadonlyRootfs: options.readOnly ?? false,
        Runtime: runtime,
        AutoRemove: options.autoRemove ?? false,
        NetworkMode: 'none',
      },
      mounts,
      state: {
        Status: 'created',
        Running: false,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: 0,
        ExitCode: 0,
        Error: '',
        StartedAt: ZERO_TIME,
        FinishedAt: ZERO_TIME,
      },
      restartCount: 0,
      platform: 'wasi/wasm',
      revision: 0,
    };
    try {
      if (newVolumes.length > 0) await this.populateVolumes(layers, newVolumes);
      for (let attempt = 0; ; attempt++) {
        record.name = fixed ?? randomName((n) => host.ids.randomInt(n), attempt);
        try {
          await host.containers.create(record);
          break;
        } catch (e) {
          if (fixed !== undefined || !(e instanceof EngineError) || e.kind !== 'conflict' || attempt >= 10)
            throw e;
        }
      }
    } catch (e) {
      // The anonymous volumes made for a container that was not created go with it.
      for (const m of mounts) if (m.Anonymous && m.Name) await host.volumes.remove(m.Name).catch(() => false);
      throw e;
    }
    return { id, name: record.name, warnings: [] };
  }

  /** create + start; with autoRemove, a container that cannot start is removed again (docker run --rm). */
  async run(options: RunOptions): Promise<RunningContainer> {
    const { id } = await this.createContainer(options);
    try {
      return await this.startContainer(id, options);
    } catch (e) {
      if (options.autoRemove)
        await this.removeContainer(id, { force: true, volumes: true }).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Starts a created or stopped container in this process and attaches to it as asked. Throws
   * EngineError 'not-found' / 'not-executable' when the command cannot be run (recorded in the
   * container's State.Error and ExitCode 127/126, as Docker does), 'conflict' when it is running.
   */
  async startContainer(ref: string, options: StartOptions = {}): Promise<RunningContainer> {
    const host = this.host;
    const rec = await this.find(ref);
    if (rec.state.Running) throw new EngineError('conflict', `container ${rec.name} is already running`);
    const context = this.unpackContext();
    const chain = await hostLayers.chain(rec.layers, context);
    const upperSnap = await host.layers.get(rec.id);
    const union = this.unionOf(chain, upperSnap);
    const workdir = rec.config.WorkingDir || '/';
    const env = guestEnv(rec.config.Env, rec.config.Hostname, workdir, rec.config.Tty);
    const argv = [rec.path, ...rec.args];

    let module: WebAssembly.Module;
    try {
      const command = resolveCommand(new Namespace(union), rec.path, workdir, env);
      module = await this.compileCommand(chain, union, command, rec.path, rec.hostConfig.Memory);
    } catch (e) {
      await this.recordStartFailure(rec.id, e);
      throw e;
    }

    const runtime = rec.hostConfig.Runtime;
    const mounts: VolumeMount[] = [];
    for (const m of rec.mounts) {
      if (m.Type === 'volume') {
        try {
          mounts.push(await host.volumes.mount(m.Name!, m.Destination, !m.RW));
        } catch (e) {
          await this.recordStartFailure(rec.id, e);
          throw e;
        }
      } else {
        const dirs = this.hostDirs('bind mounts');
        if (dirs.kind(m.Source) === null) dirs.mkdirp(m.Source);
        mounts.push(
          dirs.mount
            ? await dirs.mount(m.Source, m.Destination, !m.RW)
            : { spec: { kind: 'host', guestPath: m.Destination, hostPath: m.Source, readOnly: !m.RW } },
        );
      }
    }

    // Attach.
    const queues: { stdout: OutputQueue | null; stderr: OutputQueue | null } = { stdout: null, stderr: null };
    const listener = (target: OutputTarget | undefined, stream: 'stdout' | 'stderr') => {
      if (target === 'stream') {
        const q = (queues[stream] = new OutputQueue());
        return (chunk: Uint8Array) => q.push(chunk);
      }
      return target;
    };
    const attachOut = listener(options.stdout, 'stdout');
    const attachErr = listener(options.stderr, 'stderr');
    const capture = new LogCapture(rec.id, host.logs, host.clock, () => this.wakeLogReaders(rec.id));

    // Register before the record says running: a reader in this process must find the run.
    let settleExit!: (exit: ContainerExit) => void;
    const exited = new Promise<ContainerExit>((resolve) => (settleExit = resolve));
    let killer: ((reason: 'killed' | 'timeout') => void) | null = null;
    // Ctrl-C for a container whose program starts processes (berth_process); false when it has none.
    let interrupter: () => boolean = () => false;
    let pendingKill: 'killed' | 'timeout' | null = null;
    const active: ActiveRun = {
      id: rec.id,
      exited,
      kill: (reason) => {
        if (killer) killer(reason);
        else pendingKill ??= reason;
      },
    };
    if (inProcess.has(rec.id)) throw new EngineError('conflict', `container ${rec.name} is already running`);
    inProcess.set(rec.id, active);
    let running: ContainerRecord;
    try {
      running = await host.containers.update(rec.id, (cur) => {
        if (cur.state.Running) {
          const owner = cur.owner ?? cur.state.Pid;
          const mine = owner === host.processes.pid && cur.ownerToken === host.processes.token;
          const busy = mine
            ? inProcess.get(rec.id) !== active
            : host.processes.isAlive(owner, cur.ownerToken);
          if (busy) throw new EngineError('conflict', `container ${cur.name} is already running`);
        }
        const now = host.clock.now().toISOString();
        const state: ContainerState = {
          ...cur.state,
          Status: 'running',
          Running: true,
          Paused: false,
          Restarting: false,
          OOMKilled: false,
          Dead: false,
          Pid: host.processes.pid,
          ExitCode: 0,
          Error: '',
          StartedAt: now,
        };
        const next: ContainerRecord = { ...cur, state, owner: host.processes.pid };
        if (host.processes.token !== undefined) next.ownerToken = host.processes.token;
        else delete next.ownerToken;
        delete next.killRequested;
        return next;
      });
    } catch (e) {
      inProcess.delete(rec.id);
      settleExit({
        statusCode: EXIT_ERROR,
        reason: 'error',
        message: (e as Error).message,
        oomKilled: false,
      });
      throw e;
    }
    const unregister = host.processes.onNotify({
      requested: async () => {
        const cur = await host.containers.get(rec.id);
        if (cur?.killRequested === undefined || cur.owner !== host.processes.pid) return false;
        active.kill('killed');
        return true;
      },
      terminate: async () => {
        active.kill('killed');
        await exited;
      },
    });

    let stdinWriter: StdinWriter | null = null;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = async (
      result: { exitCode: number | null; reason: ContainerExit['reason']; message?: string },
      upper: MemoryTreeSnapshot | undefined,
      mountTrees: { guestPath: string; snapshot: MemoryTreeSnapshot }[] | undefined,
    ): Promise<void> => {
      if (timer !== undefined) clearTimeout(timer);
      if (timedOut && result.reason === 'killed') {
        result = { ...result, reason: 'timeout', message: `timed out after ${options.timeoutMs} ms` };
      }
      const exit = exitOf(result);
      const problems: string[] = [];
      await capture.close().catch((e: Error) => problems.push(`logs: ${e.message}`));
      try {
        if (upper !== undefined) {
          if (isEmptyTree(upper)) await host.layers.delete(rec.id);
          else await host.layers.put(rec.id, upper);
        }
        for (const tree of mountTrees ?? []) {
          const i = rec.mounts.findIndex((m) => m.Destination === tree.guestPath);
          await mounts[i]?.keep?.(tree.snapshot);
        }
      } catch (e) {
        problems.push(`cannot save the filesystem: ${(e as Error).message}`);
      }
      queues.stdout?.end();
      queues.stderr?.end();
      try {
        await host.containers.update(rec.id, (cur) => {
          const next: ContainerRecord = {
            ...cur,
            state: {
              ...cur.state,
              Status: 'exited',
              Running: false,
              Restarting: false,
              OOMKilled: exit.oomKilled,
              Pid: 0,
              ExitCode: exit.statusCode,
              Error: result.reason === 'error' ? (result.message ?? 'failed') : problems.join('; '),
              FinishedAt: host.clock.now().toISOString(),
            },
          };
          delete next.owner;
          delete next.ownerToken;
          delete next.killRequested;
          return next;
        });
      } catch (e) {
        if (!(e instanceof EngineError && e.kind === 'no-such-container'))
          problems.push((e as Error).message);
      }
      unregister();
      inProcess.delete(rec.id);
      this.wakeLogReaders(rec.id);
      if (running.hostConfig.AutoRemove) {
        await this.removeContainer(rec.id, { volumes: true }).catch(() => undefined);
      }
      settleExit(exit);
    };

    if (runtime === 'wasmer') {
      killer = () => {
        // The module runs on this thread: nothing can interrupt it (see WASMER_RUNTIME_HELP).
      };
      void (async () => {
        let result: SpawnResult;
        let upper: MemoryTreeSnapshot | undefined;
        let view: Awaited<ReturnType<Engine['viewWithMounts']>> | undefined;
        try {
          view = await this.viewWithMounts(rec, union, true);
          const stdinBytes =
            options.stdin instanceof Uint8Array
              ? options.stdin
              : options.stdin !== undefined && options.stdin !== 'stream'
                ? await collect(options.stdin)
                : new Uint8Array(0);
          const out = await runWithWasmer({ module, args: argv, env, namespace: view.ns, stdin: stdinBytes });
          result = out.result;
          for (const [stream, data, target] of [
            ['stdout', out.stdout, attachOut],
            ['stderr', out.stderr, attachErr],
          ] as const) {
            if (data.length === 0) continue;
            void capture.push(stream, data); // all in memory already; close() stores it
            await target?.(data);
          }
          if (out.warnings.length > 0) {
            const lines = out.warnings.map((w) => `berth: ${w}\n`).join('');
            void capture.push('stderr', new TextEncoder().encode(lines));
          }
          union.materializeHardLinks();
          upper = union.upper.snapshot();
          await view.saveVolumes();
        } catch (e) {
          result = { exitCode: null, reason: 'error', message: (e as Error).message };
          await view?.release();
        }
        await finish(result, upper, undefined);
      })();
    } else {
      const stdin = options.stdin;
      let proc: GuestProcess;
      try {
        proc = spawn(this.pool, {
          module,
          args: argv,
          env,
          root: {
            kind: 'union',
            layers: chain.layers.map((l) => l.spec()),
            ...(upperSnap ? { upper: upperSnap } : {}),
            readOnly: rec.hostConfig.ReadonlyRootfs,
          },
          mounts: withDev(mounts.map((m) => m.spec)),
          // A terminal only with -t, as Docker gives one: isatty() is false in the guest otherwise.
          terminal: rec.config.Tty,
          stdin: stdin instanceof Uint8Array ? stdin : stdin === undefined ? new Uint8Array(0) : 'stream',
          maxOutputBytes: Infinity,
          returnRoot: true,
          // The log's promise (the store is behind) holds the guest back as the attached reader's does.
          onStdout: (chunk) => bothSettled(capture.push('stdout', chunk), attachOut?.(chunk)),
          onStderr: (chunk) => bothSettled(capture.push('stderr', chunk), attachErr?.(chunk)),
        });
      } catch (e) {
        void finish({ exitCode: null, reason: 'error', message: (e as Error).message }, undefined, undefined);
        throw e;
      }
      killer = (reason) => {
        if (reason === 'timeout') timedOut = true;
        proc.kill(reason === 'timeout' ? 'timed out' : undefined, { graceMs: KILL_GRACE_MS });
      };
      interrupter = () => proc.interrupt();
      const waited = proc.wait();
      if (stdin === 'stream') stdinWriter = proc.stdin;
      else if (stdin !== undefined && !(stdin instanceof Uint8Array))
        void pumpStdin(stdin, proc.stdin!, waited);
      void waited.then((result) => finish(result, result.upper, result.mounts));
    }
    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      timer = setTimeout(() => active.kill('timeout'), Math.max(0, options.timeoutMs));
    }
    if (pendingKill !== null) active.kill(pendingKill);

    return {
      id: rec.id,
      name: running.name,
      stdin: stdinWriter,
      stdout: queues.stdout,
      stderr: queues.stderr,
      wait: () => exited,
      interrupt: () => interrupter(),
      kill: async () => {
        active.kill('killed');
        await exited;
      },
    };
  }

  /** Blocks until the container stops (Docker's `wait`); returns its exit status. */
  async waitContainer(
    ref: string,
    options: { condition?: 'not-running' | 'next-exit' | 'removed' } = {},
  ): Promise<WaitResult> {
    const condition = options.condition ?? 'not-running';
    let rec = await this.find(ref);
    const startRevision = rec.revision;
    for (;;) {
      const active = inProcess.get(rec.id);
      if (active && condition !== 'removed') {
        const exit = await active.exited;
        return exit.reason === 'error'
          ? { StatusCode: exit.statusCode, Error: { Message: exit.message ?? '' } }
          : { StatusCode: exit.statusCode };
      }
      const done =
        condition === 'not-running'
          ? !rec.state.Running
          : condition === 'next-exit'
            ? !rec.state.Running && rec.revision !== startRevision && rec.state.FinishedAt !== ZERO_TIME
            : false;
      if (done) {
        return rec.state.Error
          ? { StatusCode: rec.state.ExitCode, Error: { Message: rec.state.Error } }
          : { StatusCode: rec.state.ExitCode };
      }
      await sleep(POLL_MS);
      const next = await this.host.containers.get(rec.id);
      if (next === undefined) {
        if (condition === 'removed') return { StatusCode: rec.state.ExitCode };
        throw noSuchContainer(ref);
      }
      rec = await this.reconcile(next);
    }
  }

  /**
   * Docker's `stop`: a wasm guest cannot be signalled, so this waits up to `timeout` seconds (default the
   * container's StopTimeout, else 10) for it to end by itself, then kills it (exit 137). A container that
   * is not running is left alone.
   */
  async stopContainer(ref: string, options: StopOptions = {}): Promise<void> {
    const rec = await this.find(ref);
    if (!rec.state.Running) return;
    const seconds = options.timeout ?? rec.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    if (seconds > 0 && (await this.waitStopped(rec, seconds * 1000))) return;
    await this.killRecord(rec);
  }

  /** Docker's `kill`: ends the guest at once (exit 137), whatever signal is named. */
  async killContainer(ref: string, _options: KillOptions = {}): Promise<void> {
    const rec = await this.find(ref);
    if (!rec.state.Running) throw new EngineError('not-running', `Container ${rec.id} is not running`);
    await this.killRecord(rec);
  }

  async restartContainer(ref: string, options: StopOptions & StartOptions = {}): Promise<RunningContainer> {
    await this.stopContainer(ref, options);
    return this.startContainer(ref, options);
  }

  async removeContainer(ref: string, options: RemoveContainerOptions = {}): Promise<void> {
    const rec = await this.find(ref);
    if (rec.state.Running) {
      if (!options.force) {
        throw new EngineError(
          'conflict',
          `You cannot remove a running container ${rec.id}. Stop the container before attempting removal or force remove`,
        );
      }
      await this.killRecord(rec);
    }
    await this.host.containers.delete(rec.id);
    await this.host.layers.delete(rec.id);
    await this.host.logs.delete(rec.id);
    if (options.volumes) {
      const others = await this.host.containers.list();
      for (const m of rec.mounts) {
        if (m.Type !== 'volume' || !m.Anonymous || !m.Name) continue;
        if (others.some((o) => o.mounts.some((om) => om.Name === m.Name))) continue;
        await this.host.volumes.remove(m.Name).catch(() => false);
      }
    }
  }

  async renameContainer(ref: string, newName: string): Promise<void> {
    const name = checkName(newName);
    const rec = await this.find(ref);
    if (rec.name === name) {
      throw new EngineError(
        'invalid-argument',
        'Renaming a container with the same name as its current name',
      );
    }
    await this.host.containers.update(rec.id, (cur) => ({ ...cur, name }));
  }

  // --- containers: looking at them -----------------------------------------------------------------------

  async listContainers(options: ListContainersOptions = {}): Promise<ContainerSummary[]> {
    const all = await Promise.all((await this.host.containers.list()).map((r) => this.reconcile(r)));
    all.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    let picked = options.limit !== undefined && options.limit > 0 ? all.slice(0, options.limit) : all;
    if (!options.all && options.limit === undefined) picked = picked.filter((r) => r.state.Running);
    picked = picked.filter((r) => matchesFilters(r, options.filters));
    const now = this.host.clock.now();
    return Promise.all(
      picked.map(async (r) =>
        toSummary(r, now, options.size ? await this.host.layers.size(r.id) : undefined),
      ),
    );
  }

  async inspectContainer(ref: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    const rec = await this.find(ref);
    return toInspect(
      rec,
      this.host.logs.pathOf?.(rec.id) ?? '',
      options.size ? await this.host.layers.size(rec.id) : undefined,
    );
  }

  /**
   * The container's output, one entry per line, oldest first; with `follow`, new lines as they come until
   * the container stops (or `signal` aborts). The container is looked up before the promise resolves.
   */
  async containerLogs(ref: string, options: LogsOptions = {}): Promise<AsyncIterable<LogEntry>> {
    const rec = await this.find(ref);
    return this.logStream(rec.id, options);
  }

  /** `docker diff`: Kind 0 changed, 1 added, 2 deleted. */
  async containerDiff(ref: string): Promise<ChangeItem[]> {
    const rec = await this.stopped(ref, 'diff');
    const union = await this.unionFor(rec);
    const kinds = { C: 0, A: 1, D: 2 } as const;
    return union.diff().map((c) => ({ Kind: kinds[c.kind], Path: c.path }));
  }

  /**
   * `docker commit`: the writable layer becomes a new layer on top of the container's image (none when
   * nothing changed), the config is the container's with `changes` applied, plus a history entry.
   */
  async commitContainer(ref: string, options: CommitOptions = {}): Promise<CommitResult> {
    const host = this.host;
    const rec = await this.stopped(ref, 'commit');
    const union = await this.unionFor(rec);
    const entries = [...upperLayerEntries(union)];
    const base = await this.resolvedOf(rec.manifest);
    const layers: Descriptor[] = base.manifest.layers.map((l) => structuredClone(l));
    const diffIds = [...(base.config.rootfs?.diff_ids ?? [])];
    if (entries.length > 0) {
      const packed = await packLayer(entries, {
        hasher: host.hasher,
        ...(host.gzip ? { compress: host.gzip } : {}),
        ...(host.sourceDateEpoch !== undefined ? { sourceDateEpoch: host.sourceDateEpoch } : {}),
      });
      await writeBlob(host.content, packed.chunks, { digest: packed.digest, size: packed.size });
      layers.push({ mediaType: packed.mediaType, digest: packed.digest, size: packed.size });
      diffIds.push(packed.diffId);
    }
    const now = (
      host.sourceDateEpoch !== undefined ? new Date(host.sourceDateEpoch * 1000) : host.clock.now()
    ).toISOString();
    const history: History[] = base.config.history
      ? structuredClone(base.config.history)
      : (base.config.rootfs?.diff_ids ?? []).map(() => ({ created: base.config.created ?? now }));
    const entry: History = { created: now, created_by: options.createdBy ?? commandText(rec) };
    if (options.author) entry.author = options.author;
    if (options.comment) entry.comment = options.comment;
    if (entries.length === 0) entry.empty_layer = true;
    history.push(entry);
    const config: ImageConfig = {
      created: now,
      ...(options.author ? { author: options.author } : {}),
      architecture: base.config.architecture,
      os: base.config.os,
      ...(base.config.variant ? { variant: base.config.variant } : {}),
      config: applyChanges(imageConfigOf(rec.config), options.changes),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history,
    };
    const written = await writeImage(host.content, host.images, config, layers, options.reference);
    const result: CommitResult = { id: written.id, manifest: written.manifest };
    if (options.reference !== undefined) result.reference = written.record.name;
    return result;
  }

  /** `docker export`: the container's whole filesystem (image layers and writable layer, no volumes) as a tar. */
  async exportContainer(ref: string): Promise<AsyncIterable<Uint8Array>> {
    const rec = await this.stopped(ref, 'export');
    const union = await this.unionFor(rec);
    const packed = await packLayer(treeEntries(union), { hasher: this.host.hasher, gzip: false });
    return iterate(packed.chunks);
  }

  /**
   * `docker cp CONTAINER:PATH -`: a tar of the path (named by its last component; a path ending in '/.'
   * gives the directory's contents), and what the path is.
   */
  async copyFromContainer(
    ref: string,
    path: string,
  ): Promise<{ stat: PathStat; tar: AsyncIterable<Uint8Array> }> {
    const rec = await this.stopped(ref, 'copy from');
    const view = await this.openView(rec, false);
    try {
      const { fs, node, name, stat } = this.locate(view.ns, path, rec.name);
      const contentsOnly = /\/\.$/.test(path) || name === '';
      const packed = await packLayer(subtreeEntries(fs, node, contentsOnly ? '' : name), {
        hasher: this.host.hasher,
        gzip: false,
      });
      return { stat, tar: iterate(packed.chunks) };
    } finally {
      await view.close();
    }
  }

  /** `docker cp - CONTAINER:DIR`: extracts a tar (plain or gzip) into a directory of the container. */
  async copyToContainer(ref: string, dir: string, tar: AsyncIterable<Uint8Array>): Promise<void> {
    const rec = await this.stopped(ref, 'copy to');
    const tree = await unpackLayer(tar, {
      hasher: this.host.hasher,
      ...(this.host.gunzip ? { gunzip: this.host.gunzip } : {}),
    });
    const view = await this.openView(rec, true);
    try {
      const r = view.ns.resolve(view.ns.root, dir, true);
      if (typeof r === 'number' || r.node === null) {
        throw new EngineError('no-such-path', `Could not find the file ${dir} in container ${rec.name}`);
      }
      if (r.fs.stat(r.node).filetype !== FILETYPE_DIRECTORY) {
        throw new EngineError('invalid-argument', `extraction point is not a directory: ${dir}`);
      }
      this.checkWritable(rec, view, r.fs);
      copyChildren(tree.fs, tree.fs.root(), r.fs, r.node, dir === '/' ? '' : dir);
      await view.save();
    } catch (e) {
      await view.close();
      throw e;
    }
  }

  /** `docker cp CONTAINER:SRC HOSTDEST`, with Docker's rules for existing and missing destinations. */
  async copyFromContainerToHost(ref: string, path: string, hostPath: string): Promise<void> {
    const rec = await this.stopped(ref, 'copy from');
    const dirs = this.hostDirs('copying to the host');
    const view = await this.openView(rec, false);
    try {
      const hostNs = new Namespace(dirs.open('/', false));
      this.copyPath(view.ns, path, hostNs, dirs.resolve(hostPath), `container ${rec.name}`);
    } finally {
      await view.close();
    }
  }

  /** `docker cp HOSTSRC CONTAINER:DEST`, with Docker's rules; works on stopped containers. */
  async copyFromHostToContainer(ref: string, hostPath: string, path: string): Promise<void> {
    const rec = await this.stopped(ref, 'copy to');
    const dirs = this.hostDirs('copying from the host');
    const hostNs = new Namespace(dirs.open('/', true));
    const view = await this.openView(rec, true);
    try {
      const dest = view.ns.resolve(view.ns.root, splitPath(path)[0], true);
      if (typeof dest !== 'number' && dest.node !== null) this.checkWritable(rec, view, dest.fs);
      const source = dirs.resolve(hostPath) + (/\/\.$/.test(hostPath) ? '/.' : '');
      this.copyPath(hostNs, source, view.ns, path, 'the host');
      await view.save();
    } catch (e) {
      await view.close();
      throw e;
    }
  }

  async pruneContainers(options: { until?: Date; label?: string[] } = {}): Promise<PruneContainersResult> {
    const result: PruneContainersResult = { ContainersDeleted: [], SpaceReclaimed: 0 };
    for (const r of await this.host.containers.list()) {
      const rec = await this.reconcile(r);
      if (rec.state.Running) continue;
      if (options.until && Date.parse(rec.created) >= options.until.getTime()) continue;
      if (!matchesFilters(rec, { label: options.label ?? [] })) continue;
      const size = await this.host.layers.size(rec.id);
      try {
        await this.removeContainer(rec.id);
        result.ContainersDeleted.push(rec.id);
        result.SpaceReclaimed += size;
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
      }
    }
    return result;
  }

  // --- images --------------------------------------------------------------------------------------------

  async listImages(options: { all?: boolean; filters?: ImageListFilters } = {}): Promise<ImageSummary[]> {
    const entries = await this.imageEntries();
    const containers = await this.host.containers.list();
    const byId = new Map<Digest, ImageEntry[]>();
    for (const e of entries) {
      const list = byId.get(e.id) ?? [];
      list.push(e);
      byId.set(e.id, list);
    }
    const parents = parentsOf(entries.map((e) => ({ id: e.id, config: e.resolved.config })));
    const hasChildren = new Set(parents.values());
    const out: ImageSummary[] = [];
    for (const [id, group] of byId) {
      const untagged = group.every((e) => isDangling(e.record));
      // Intermediate images (untagged, with children) are shown with `all` only, as Docker does.
      if (untagged && hasChildren.has(id) && !options.all) continue;
      const summary = await this.summaryOf(id, group, containers);
      summary.ParentId = parents.get(id) ?? '';
      out.push(summary);
    }
    const f = options.filters;
    const created = async (ref: string) => {
      const found = await this.findImage(ref);
      return Date.parse(found.resolved.config.created ?? found.record.createdAt) / 1000;
    };
    const before = f?.before !== undefined ? await created(f.before) : undefined;
    const since = f?.since !== undefined ? await created(f.since) : undefined;
    const glob = (pattern: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '.')}$`,
      );
    return out
      .filter((s) => {
        if (f?.dangling !== undefined && (s.RepoTags.length === 0) !== f.dangling) return false;
        if (before !== undefined && !(s.Created < before)) return false;
        if (since !== undefined && !(s.Created > since)) return false;
        if (
          f?.label?.length &&
          !f.label.every((l) => {
            const eq = l.indexOf('=');
            return eq < 0 ? Object.hasOwn(s.Labels, l) : s.Labels[l.slice(0, eq)] === l.slice(eq + 1);
          })
        )
          return false;
        if (f?.reference?.length) {
          const names = s.RepoTags.flatMap((t) => [t, t.slice(0, t.lastIndexOf(':'))]);
          if (!f.reference.some((p) => names.some((n) => glob(p).test(n)))) return false;
        }
        return true;
      })
      .sort((a, b) => b.Created - a.Created);
  }

  async inspectImage(ref: string): Promise<ImageInspect> {
    const found = await this.findImage(ref);
    const everything = await this.imageEntries();
    const entries = everything.filter((e) => e.id === found.id);
    const parent = parentsOf(everything.map((e) => ({ id: e.id, config: e.resolved.config }))).get(found.id);
    const { resolved } = found;
    const config = resolved.config;
    const inspect: ImageInspect = {
      Id: found.id,
      RepoTags: entries.map((e) => displayName(e.record)).filter((n) => n !== ''),
      RepoDigests: [
        ...new Set(
          entries
            .filter((e) => !isDangling(e.record))
            .map((e) => repoDigest(e.record, e.resolved.manifestDescriptor.digest)),
        ),
      ],
      Parent: parent ?? '',
      Comment: config.history?.at(-1)?.comment ?? '',
      Created: config.created ?? found.record.createdAt,
      Author: config.author ?? '',
      Config: structuredClone(config.config ?? {}),
      Architecture: config.architecture,
      Os: config.os,
      Size: this.sizeOf(resolved),
      GraphDriver: { Name: 'berth-union', Data: null },
      RootFS: { Type: 'layers', Layers: [...(config.rootfs?.diff_ids ?? [])] },
      Metadata: {
        LastTagTime:
          entries
            .map((e) => e.record.updatedAt)
            .sort()
            .at(-1) ?? '',
      },
      Descriptor: structuredClone(resolved.manifestDescriptor),
    };
    if (config.variant !== undefined) inspect.Variant = config.variant;
    return inspect;
  }

  /**
   * An image's merged filesystem (its layers as one read-only union), for builders and tools that need
   * to look into an image without a container. The layers are unpacked once per process and shared.
   */
  async imageFilesystem(ref: string): Promise<Namespace> {
    const found = await this.findImage(ref);
    const chain = await hostLayers.chain(this.layersOf(found.resolved, ref), this.unpackContext());
    return new Namespace(readOnly(new UnionFileSystem({ lower: chain.stack })));
  }

  async tagImage(source: string, target: string): Promise<void> {
    const found = await this.findImage(source);
    try {
      await this.host.images.put(target, found.record.target);
    } catch (e) {
      throw new EngineError('invalid-argument', (e as Error).message, { cause: e });
    }
  }

  async imageHistory(ref: string): Promise<ImageHistoryItem[]> {
    const found = await this.findImage(ref);
    const { config, manifest } = found.resolved;
    const tags = (await this.imageEntries())
      .filter((e) => e.id === found.id)
      .map((e) => displayName(e.record))
      .filter((n) => n !== '');
    let layer = 0;
    const items: ImageHistoryItem[] = (config.history ?? []).map((h) => {
      const size = h.empty_layer ? 0 : (manifest.layers[layer++]?.size ?? 0);
      return {
        Id: '<missing>',
        Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
        CreatedBy: h.created_by ?? '',
        Tags: [],
        Size: size,
        Comment: h.comment ?? '',
      };
    });
    items.reverse();
    if (items.length > 0) {
      items[0]!.Id = found.id;
      items[0]!.Tags = tags;
    } else {
      items.push({
        Id: found.id,
        Created: 0,
        CreatedBy: '',
        Tags: tags,
        Size: this.sizeOf(found.resolved),
        Comment: '',
      });
    }
    return items;
  }

  /**
   * `docker rmi`. A name removes that tag ("Untagged:"); the image itself goes ("Deleted:") when no tag is
   * left. An ID removes every tag of the image (several need force). An image a container uses is kept
   * unless forced; forced, it stays as a dangling image while a container uses it; one used by a running
   * container is never deleted. Only blobs no other image or container needs are deleted.
   */
  async removeImage(ref: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
    const found = await this.findImage(ref);
    const all = await this.imageEntries();
    const sameImage = all.filter((e) => e.id === found.id);
    const users = (
      await Promise.all((await this.host.containers.list()).map((r) => this.reconcile(r)))
    ).filter((c) => c.imageId === found.id);
    const runningUser = users.find((c) => c.state.Running);
    const named = sameImage.filter((e) => !isDangling(e.record));
    const byName = found.byName && !isDangling(found.record) ? found.record : undefined;
    const out: ImageDeleteItem[] = [];

    let remove: ImageRecord[];
    if (byName !== undefined && named.length > 1) {
      remove = [byName];
    } else {
      if (byName === undefined && named.length > 1 && !options.force) {
        throw new EngineError(
          'conflict',
          `conflict: unable to delete ${shortId(found.id)} (must be forced) - image is referenced in multiple repositories`,
        );
      }
      if (users.length > 0 && !options.force) {
        const c = users[0]!;
        throw new EngineError(
          'conflict',
          byName !== undefined
            ? `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(c.id)} is using its referenced image ${shortId(found.id)}`
            : `conflict: unable to delete ${shortId(found.id)} (must be forced) - image is being used by ${c.state.Running ? 'running' : 'stopped'} container ${shortId(c.id)}`,
        );
      }
      if (runningUser !== undefined && byName === undefined) {
        throw new EngineError(
          'conflict',
          `conflict: unable to delete ${shortId(found.id)} (cannot be forced) - image is being used by running container ${shortId(runningUser.id)}`,
        );
      }
      remove = sameImage.map((e) => e.record);
    }
    for (const record of remove) {
      await this.host.images.delete(record.name);
      const name = displayName(record);
      if (name !== '') out.push({ Untagged: name });
    }
    const left = (await this.host.images.list()).filter((r) => sameImageTarget(r, sameImage));
    if (left.length === 0) {
      if (users.length > 0) {
        // Forced while containers use it: keep it, untagged, as Docker does.
        await this.host.images.put(
          danglingReference(found.resolved.manifestDescriptor.digest),
          found.resolved.manifestDescriptor,
        );
      } else {
        out.push({ Deleted: found.id });
        const doomed = remove.map((r) => r.target.digest);
        await this.removeUntaggedParents(found.id, all, out, doomed);
        await this.deleteBlobs(doomed);
      }
    }
    return out;
  }

  /**
   * After an image is deleted, deletes its untagged parents (intermediate images of a build) that no
   * other image builds on and no container uses, as Docker's rmi does.
   */
  private async removeUntaggedParents(
    child: Digest,
    before: ImageEntry[],
    out: ImageDeleteItem[],
    doomed: Digest[],
  ): Promise<void> {
    const parents = parentsOf(before.map((e) => ({ id: e.id, config: e.resolved.config })));
    const used = new Set((await this.host.containers.list()).map((c) => c.imageId));
    const gone = new Set<Digest>([child]);
    for (let p = parents.get(child); p !== undefined; p = parents.get(p)) {
      const group = before.filter((e) => e.id === p);
      if (group.length === 0 || group.some((e) => !isDangling(e.record)) || used.has(p)) return;
      const otherChildren = [...parents].some(([c, parent]) => parent === p && !gone.has(c));
      if (otherChildren) return;
      for (const e of group) {
        await this.host.images.delete(e.record.name);
        doomed.push(e.record.target.digest);
      }
      out.push({ Deleted: p });
      gone.add(p);
    }
  }

  /** `docker image prune`: dangling images (with `all`, every image no container uses). */
  async pruneImages(
    options: { all?: boolean; until?: Date; label?: string[] } = {},
  ): Promise<PruneImagesResult> {
    const entries = await this.imageEntries();
    const containers = await this.host.containers.list();
    const used = new Set(containers.map((c) => c.imageId));
    const result: PruneImagesResult = { ImagesDeleted: [], SpaceReclaimed: 0 };
    const byId = new Map<Digest, ImageEntry[]>();
    for (const e of entries) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
    const parents = parentsOf(entries.map((e) => ({ id: e.id, config: e.resolved.config })));
    const hasChildren = new Set(parents.values());
    const doomed: Digest[] = [];
    for (const [id, group] of byId) {
      if (used.has(id)) continue;
      const dangling = group.every((e) => isDangling(e.record));
      if (!options.all && !dangling) continue;
      // An intermediate image goes with its last child (rmi), or with -a once nothing builds on it.
      if (hasChildren.has(id) && !options.all) continue;
      const created = Date.parse(group[0]!.resolved.config.created ?? group[0]!.record.createdAt);
      if (options.until && created >= options.until.getTime()) continue;
      const labels = group[0]!.resolved.config.config?.Labels ?? {};
      if (
        options.label?.length &&
        !options.label.every((l) => {
          const eq = l.indexOf('=');
          return eq < 0 ? Object.hasOwn(labels, l) : labels[l.slice(0, eq)] === l.slice(eq + 1);
        })
      )
        continue;
      for (const e of group) {
        await this.host.images.delete(e.record.name);
        const name = displayName(e.record);
        if (name !== '') result.ImagesDeleted.push({ Untagged: name });
        doomed.push(e.record.target.digest);
      }
      result.ImagesDeleted.push({ Deleted: id });
      await this.removeUntaggedParents(id, entries, result.ImagesDeleted, doomed);
    }
    if (doomed.length > 0) result.SpaceReclaimed = await this.deleteBlobs(doomed);
    return result;
  }

  /**
   * `docker save`: images (names or IDs; an ID is saved without names) as a docker-save archive (default,
   * what `docker load` reads) or an OCI image layout tar. Everything is checked before the first byte,
   * so an error never leaves half an archive; the blobs then stream from the content store.
   */
  async saveImages(
    refs: readonly string[],
    options: SaveImagesOptions = {},
  ): Promise<AsyncIterable<Uint8Array>> {
    if (refs.length === 0) throw new EngineError('invalid-argument', 'save needs at least one image');
    const subjects: ExportSubject[] = [];
    for (const ref of refs) {
      const found = await this.findImage(ref);
      subjects.push(found.byName ? found.record : { target: found.record.target });
    }
    const stores = { content: this.host.content, images: this.host.images };
    try {
      const files =
        options.format === 'oci'
          ? await ociLayoutFiles(stores, subjects)
          : await dockerArchiveFiles(stores, subjects, {
              hasher: this.host.hasher,
              ...(this.host.gunzip ? { gunzip: this.host.gunzip } : {}),
            });
      return tarArchive(files);
    } catch (e) {
      throw new EngineError('internal', `cannot save: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * `docker load`: a docker-save archive or an OCI layout tar (gzip'd or not). Returns Docker's lines:
   * `Loaded image: hello:latest` for each name, `Loaded image ID: sha256:…` for an unnamed image.
   */
  async loadImages(archive: AsyncIterable<Uint8Array>, options: { name?: string } = {}): Promise<string[]> {
    let result;
    try {
      result = await importArchive({ content: this.host.content, images: this.host.images }, archive, {
        hasher: this.host.hasher,
        ...(this.host.gunzip ? { gunzip: this.host.gunzip } : {}),
        ...(options.name !== undefined ? { name: options.name } : {}),
      });
    } catch (e) {
      throw new EngineError('invalid-argument', `cannot load: ${(e as Error).message}`, { cause: e });
    }
    const lines: string[] = [];
    for (const image of result.images) {
      if (image.names.length > 0) {
        for (const name of image.names) {
          const ref = parseReference(name);
          lines.push(
            `Loaded image: ${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : `@${ref.digest}`}`,
          );
        }
      } else {
        const resolved = await this.resolvedOf(image.target).catch(() => undefined);
        if (resolved === undefined) {
          lines.push(`Loaded image ID: ${image.target.digest}`);
        } else {
          lines.push(`Loaded image ID: ${resolved.manifest.config.digest}`);
          // Keep it: an image with no name is only kept by a record.
          await this.host.images.put(
            danglingReference(resolved.manifestDescriptor.digest),
            resolved.manifestDescriptor,
          );
        }
      }
    }
    return lines;
  }

  // --- volumes -------------------------------------------------------------------------------------------

  async createVolume(options: CreateVolumeOptions = {}): Promise<VolumeInspect> {
    if (options.driver !== undefined && options.driver !== 'local') {
      throw new EngineError(
        'invalid-argument',
        `volume driver ${options.driver} is not supported (only local)`,
      );
    }
    const name = options.name !== undefined ? checkName(options.name, 'volume') : this.host.ids.newId();
    const labels = { ...options.labels };
    if (options.name === undefined) labels[ANONYMOUS_VOLUME_LABEL] ??= '';
    const { volume } = await this.host.volumes.create(name, { labels, options: { ...options.driverOpts } });
    return volume;
  }

  async listVolumes(options: { filters?: VolumeFilters } = {}): Promise<VolumeInspect[]> {
    const volumes = await this.host.volumes.list();
    const f = options.filters;
    const used = f?.dangling !== undefined ? await this.volumesInUse() : new Map<string, string[]>();
    return volumes
      .filter((v) => {
        if (f?.name?.length && !f.name.some((n) => v.Name.includes(n))) return false;
        if (
          f?.label?.length &&
          !f.label.every((l) => {
            const eq = l.indexOf('=');
            return eq < 0 ? Object.hasOwn(v.Labels, l) : v.Labels[l.slice(0, eq)] === l.slice(eq + 1);
          })
        )
          return false;
        if (f?.dangling !== undefined && used.has(v.Name) === f.dangling) return false;
        return true;
      })
      .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  async inspectVolume(name: string): Promise<VolumeInspect> {
    const v = await this.host.volumes.get(name);
    if (v === undefined) throw noSuchVolume(name);
    return v;
  }

  /** `docker volume rm`: refused while any container (running or not) uses it. */
  async removeVolume(name: string, _options: { force?: boolean } = {}): Promise<void> {
    const v = await this.host.volumes.get(name);
    if (v === undefined) throw noSuchVolume(name);
    const users = (await this.volumesInUse()).get(name);
    if (users !== undefined) {
      throw new EngineError('conflict', `remove ${name}: volume is in use - [${users.join(', ')}]`);
    }
    await this.host.volumes.remove(name);
  }

  /** `docker volume prune`: anonymous volumes no container uses (with `all`, named ones too). */
  async pruneVolumes(options: { all?: boolean; label?: string[] } = {}): Promise<PruneVolumesResult> {
    const used = await this.volumesInUse();
    const result: PruneVolumesResult = { VolumesDeleted: [], SpaceReclaimed: 0 };
    for (const v of await this.host.volumes.list()) {
      if (used.has(v.Name)) continue;
      if (!options.all && !Object.hasOwn(v.Labels, ANONYMOUS_VOLUME_LABEL)) continue;
      if (options.label?.length && !matchLabels(v.Labels, options.label)) continue;
      const size = await this.host.volumes.size(v.Name).catch(() => 0);
      if (await this.host.volumes.remove(v.Name)) {
        result.VolumesDeleted.push(v.Name);
        result.SpaceReclaimed += size;
      }
    }
    return result;
  }

  // --- system --------------------------------------------------------------------------------------------

  async systemDf(): Promise<SystemDf> {
    const images = await this.listImages();
    const containers = await this.listContainers({ all: true, size: true });
    const used = await this.volumesInUse();
    const volumes: VolumeInspect[] = await Promise.all(
      (await this.host.volumes.list()).map(async (v) => ({
        ...v,
        UsageData: {
          Size: await this.host.volumes.size(v.Name).catch(() => -1),
          RefCount: used.get(v.Name)?.length ?? 0,
        },
      })),
    );
    const blobSizes = new Map<string, number>();
    for (const e of await this.imageEntries()) {
      blobSizes.set(e.resolved.manifest.config.digest, e.resolved.manifest.config.size);
      for (const l of e.resolved.manifest.layers) blobSizes.set(l.digest, l.size);
    }
    const layersSize = [...blobSizes.values()].reduce((a, b) => a + b, 0);
    const activeImages = images.filter((i) => i.Containers > 0);
    const unusedBlobs = new Map(blobSizes);
    for (const e of await this.imageEntries()) {
      if (!activeImages.some((i) => i.Id === e.id)) continue;
      unusedBlobs.delete(e.resolved.manifest.config.digest);
      for (const l of e.resolved.manifest.layers) unusedBlobs.delete(l.digest);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + Math.max(0, b), 0);
    return {
      LayersSize: layersSize,
      Images: images,
      Containers: containers,
      Volumes: volumes,
      BuildCache: [],
      Summary: [
        {
          Type: 'Images',
          TotalCount: images.length,
          Active: activeImages.length,
          Size: layersSize,
          Reclaimable: sum([...unusedBlobs.values()]),
        },
        {
          Type: 'Containers',
          TotalCount: containers.length,
          Active: containers.filter((c) => c.State === 'running').length,
          Size: sum(containers.map((c) => c.SizeRw ?? 0)),
          Reclaimable: sum(containers.filter((c) => c.State !== 'running').map((c) => c.SizeRw ?? 0)),
        },
        {
          Type: 'Local Volumes',
          TotalCount: volumes.length,
          Active: volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length,
          Size: sum(volumes.map((v) => v.UsageData?.Size ?? 0)),
          Reclaimable: sum(
            volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).map((v) => v.UsageData?.Size ?? 0),
          ),
        },
        { Type: 'Build Cache', TotalCount: 0, Active: 0, Size: 0, Reclaimable: 0 },
      ],
    };
  }

  async info(): Promise<SystemInfo> {
    const containers = await Promise.all((await this.host.containers.list()).map((r) => this.reconcile(r)));
    const images = await this.host.images.list();
    const sys = this.host.system ?? {};
    const running = containers.filter((c) => c.state.Running).length;
    return {
      ID: `berth-${this.host.root}`,
      Containers: containers.length,
      ContainersRunning: running,
      ContainersPaused: 0,
      ContainersStopped: containers.length - running,
      Images: new Set(images.map((r) => r.target.digest)).size,
      Driver: 'berth-union',
      DockerRootDir: this.host.root,
      LoggingDriver: 'json-file',
      CgroupDriver: 'none',
      Runtimes: { berth: { path: 'berth (built in)' }, wasmer: { path: '@wasmer/wasi 1.2.2' } },
      DefaultRuntime: 'berth',
      OSType: 'wasi',
      Architecture: 'wasm',
      OperatingSystem: sys.operatingSystem ?? sys.os ?? 'unknown',
      KernelVersion: sys.kernelVersion ?? '',
      NCPU: sys.cpus ?? 1,
      MemTotal: sys.memTotal ?? 0,
      Name: sys.hostname ?? 'berth',
      ServerVersion: this.serverVersion,
      SecurityOptions: ['name=wasm-sandbox'],
      Warnings: this.host.hostDirs ? [] : ['WARNING: no host directories: bind mounts are not available'],
    };
  }

  version(): VersionInfo {
    const sys = this.host.system ?? {};
    return {
      Platform: { Name: 'Berth' },
      Version: this.serverVersion,
      ApiVersion: API_VERSION,
      MinAPIVersion: API_VERSION,
      Os: 'wasi',
      Arch: 'wasm',
      KernelVersion: sys.kernelVersion ?? '',
      Components: [
        {
          Name: 'Engine',
          Version: this.serverVersion,
          Details: { ApiVersion: API_VERSION, Os: 'wasi', Arch: 'wasm' },
        },
        { Name: 'berth-runtime', Version: this.serverVersion, Details: { WASI: 'preview1' } },
        { Name: 'wasmer', Version: '@wasmer/wasi 1.2.2' },
        ...(sys.jsRuntime ? [{ Name: 'JavaScript', Version: sys.jsRuntime }] : []),
      ],
    };
  }

  // --- internals: containers -----------------------------------------------------------------------------

  /** Finds a container by exact ID, exact name, or unique ID prefix (Docker's order). */
  private async find(ref: string): Promise<ContainerRecord> {
    const bare = ref.startsWith('/') ? ref.slice(1) : ref;
    if (/^[a-f0-9]{64}$/.test(bare)) {
      const r = await this.host.containers.get(bare);
      if (r) return this.reconcile(r);
    }
    const byName = await this.host.containers.getByName(bare);
    if (byName) return this.reconcile(byName);
    if (/^[a-f0-9]+$/.test(bare)) {
      const matches = (await this.host.containers.list()).filter((r) => r.id.startsWith(bare));
      if (matches.length === 1) return this.reconcile(matches[0]!);
      if (matches.length > 1) {
        throw new EngineError('ambiguous', `multiple IDs found with provided prefix: ${bare}`);
      }
    }
    throw noSuchContainer(ref);
  }

  /** A record that says running but whose owner process is gone is recorded as exited (137). */
  private async reconcile(r: ContainerRecord): Promise<ContainerRecord> {
    if (!r.state.Running || this.ownerAlive(r)) return r;
    const owner = r.owner ?? r.state.Pid;
    try {
      return await this.host.containers.update(r.id, (cur) => {
        if (!cur.state.Running || (cur.owner ?? cur.state.Pid) !== owner || this.ownerAlive(cur))
          return undefined;
        const next: ContainerRecord = {
          ...cur,
          state: {
            ...cur.state,
            Status: 'exited',
            Running: false,
            Pid: 0,
            ExitCode: EXIT_KILLED,
            Error: `the process that ran it (pid ${owner}) is gone`,
            FinishedAt: this.host.clock.now().toISOString(),
          },
        };
        delete next.owner;
        delete next.ownerToken;
        delete next.killRequested;
        return next;
      });
    } catch (e) {
      if (e instanceof EngineError && e.kind === 'no-such-container') return r;
      throw e;
    }
  }

  /** Whether the process a running record names still runs it (in this process: the run is registered). */
  private ownerAlive(r: ContainerRecord): boolean {
    const { processes } = this.host;
    const owner = r.owner ?? r.state.Pid;
    if (owner === processes.pid && r.ownerToken === processes.token) return inProcess.has(r.id);
    return processes.isAlive(owner, r.ownerToken);
  }

  private async stopped(ref: string, what: string): Promise<ContainerRecord> {
    const rec = await this.find(ref);
    if (rec.state.Running) {
      throw new EngineError(
        'conflict',
        `cannot ${what} running container ${rec.name}: its writable layer lives in its worker until it exits; stop it first`,
      );
    }
    return rec;
  }

  private async recordStartFailure(id: string, error: unknown): Promise<void> {
    const code = error instanceof EngineError ? error.exitCode : EXIT_ERROR;
    const message = error instanceof Error ? error.message : String(error);
    await this.host.containers
      .update(id, (cur) => ({ ...cur, state: { ...cur.state, ExitCode: code, Error: message } }))
      .catch(() => undefined);
  }

  /** Kills a running container wherever it runs, and waits until its exit is recorded. */
  private async killRecord(rec: ContainerRecord): Promise<void> {
    const active = inProcess.get(rec.id);
    if (active) {
      active.kill('killed');
      await active.exited;
      return;
    }
    const owner = rec.owner ?? rec.state.Pid;
    await this.host.containers.update(rec.id, (cur) =>
      cur.state.Running ? { ...cur, killRequested: this.host.clock.now().toISOString() } : undefined,
    );
    this.host.processes.notify(owner, rec.ownerToken);
    // The owner records the exit; a dead owner is reconciled to exited by find().
    for (let waited = 0; ; waited += POLL_MS) {
      const cur = await this.host.containers.get(rec.id);
      if (cur === undefined) return;
      if (!(await this.reconcile(cur)).state.Running) return;
      if (waited > 0 && waited % 5000 === 0) this.host.processes.notify(owner, rec.ownerToken);
      await sleep(POLL_MS);
    }
  }

  /** Waits up to `ms` for a running container to stop by itself; true if it did. */
  private async waitStopped(rec: ContainerRecord, ms: number): Promise<boolean> {
    const active = inProcess.get(rec.id);
    if (active) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
      const done = await Promise.race([active.exited.then(() => true), timeout]);
      clearTimeout(timer);
      return done;
    }
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const cur = await this.host.containers.get(rec.id);
      if (cur === undefined || !(await this.reconcile(cur)).state.Running) return true;
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
    return false;
  }

  private wakeLogReaders(id: string): void {
    const waiters = this.logWaiters.get(id);
    if (!waiters) return;
    this.logWaiters.delete(id);
    for (const wake of waiters) wake();
  }

  private waitForLogs(id: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.logWaiters.get(id);
      if (!waiters) this.logWaiters.set(id, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiters!.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private async *logStream(id: string, options: LogsOptions): AsyncGenerator<LogEntry> {
    const wantOut = options.stdout ?? true;
    const wantErr = options.stderr ?? true;
    const since = options.since?.getTime();
    const until = options.until?.getTime();
    const pick = (e: LogEntry): boolean => {
      if (!(e.stream === 'stdout' ? wantOut : wantErr)) return false;
      const t = Date.parse(e.time);
      return (since === undefined || t >= since) && (until === undefined || t <= until);
    };
    const first = await this.host.logs.read(id);
    let cursor = first.cursor;
    yield* tailEntries(first.entries.filter(pick), options.tail);
    if (!options.follow) return;
    for (;;) {
      if (options.signal?.aborted) return;
      const rec = await this.host.containers.get(id);
      const running = rec !== undefined && (await this.reconcile(rec)).state.Running;
      if (running) await this.waitForLogs(id, 250, options.signal);
      const more = await this.host.logs.read(id, cursor);
      cursor = more.cursor;
      yield* more.entries.filter(pick);
      if (!running) return;
    }
  }

  /** A fresh union for a container: the image's shared LowerStack under its persisted writable layer. */
  private unionOf(chain: LayerChain, upper: MemoryTreeSnapshot | undefined): UnionFileSystem {
    return new UnionFileSystem({
      lower: chain.stack,
      ...(upper ? { upper: MemoryFileSystem.fromSnapshot(upper) } : {}),
    });
  }

  private async unionFor(rec: ContainerRecord): Promise<UnionFileSystem> {
    const chain = await hostLayers.chain(rec.layers, this.unpackContext());
    return this.unionOf(chain, await this.host.layers.get(rec.id));
  }

  /** The container's filesystem with its volumes and binds mounted, for cp. */
  private async openView(rec: ContainerRecord, writable: boolean): Promise<ContainerView> {
    const union = await this.unionFor(rec);
    const view = await this.viewWithMounts(rec, union, writable);
    return {
      union,
      ns: view.ns,
      save: async () => {
        union.materializeHardLinks();
        const upper = union.upper.snapshot();
        if (isEmptyTree(upper)) await this.host.layers.delete(rec.id);
        else await this.host.layers.put(rec.id, upper);
        await view.saveVolumes();
      },
      close: () => view.release(),
    };
  }

  private async viewWithMounts(rec: ContainerRecord, union: UnionFileSystem, writable: boolean) {
    const opened: { close(): Promise<void> }[] = [];
    const mounted: { path: string; fs: FileSystem }[] = [];
    try {
      for (const m of rec.mounts) {
        let fs: FileSystem;
        if (m.Type === 'volume') {
          const v = await this.host.volumes.open(m.Name!);
          opened.push(v);
          fs = v.fs;
        } else {
          fs = this.hostDirs('bind mounts').open(m.Source, !m.RW || !writable);
        }
        mounted.push({ path: m.Destination, fs: m.RW && writable ? fs : readOnly(fs) });
      }
    } catch (e) {
      for (const o of opened) await o.close().catch(() => undefined);
      throw e;
    }
    // Mount points are made in the writable layer first, so a read-only root can still take mounts.
    for (const m of mounted) mkdirp(union, m.path);
    const ns = new Namespace(rec.hostConfig.ReadonlyRootfs ? readOnly(union) : union);
    for (const m of mounted) {
      const err = ns.mount(m.path, m.fs);
      if (err !== 0) throw new EngineError('internal', `cannot mount ${m.path}: errno ${err}`);
    }
    return {
      ns,
      saveVolumes: async () => {
        for (const o of opened) await o.close();
      },
      release: async () => {
        for (const o of opened) await o.close().catch(() => undefined);
      },
    };
  }

  private checkWritable(rec: ContainerRecord, view: ContainerView, fs: FileSystem): void {
    if (fs.readOnly) {
      throw new EngineError(
        'conflict',
        rec.hostConfig.ReadonlyRootfs && fs !== view.union
          ? `container rootfs of ${rec.name} is marked read-only`
          : `the destination in ${rec.name} is read-only`,
      );
    }
  }

  /** Where a path is, for `cp` from a container: the node, its last name, and Docker's path stat. */
  private locate(ns: Namespace, path: string, container: string) {
    const r = ns.resolve(ns.root, path, /\/\.?$/.test(path));
    if (typeof r === 'number' || r.node === null) {
      throw new EngineError('no-such-path', `Could not find the file ${path} in container ${container}`);
    }
    const st = r.fs.stat(r.node);
    const name = r.name ?? splitPath(path)[1];
    const typeBits =
      st.filetype === FILETYPE_DIRECTORY ? 0o40000 : st.filetype === FILETYPE_SYMBOLIC_LINK ? 0o120000 : 0;
    const link = st.filetype === FILETYPE_SYMBOLIC_LINK ? r.fs.readlink(r.node) : '';
    const stat: PathStat = {
      name: name || '/',
      size: st.size,
      mode: (st.mode & 0o7777) | typeBits,
      mtime: new Date(Number(st.mtim / 1_000_000n)).toISOString(),
      linkTarget: typeof link === 'string' ? link : '',
    };
    return { fs: r.fs, node: r.node as FsNode, name, stat };
  }

  /** Docker cp's rules between two namespaces (container or host). */
  private copyPath(
    srcNs: Namespace,
    srcPath: string,
    dstNs: Namespace,
    dstPath: string,
    srcWhere: string,
  ): void {
    const contentsOnly = /\/\.$/.test(srcPath);
    const src = srcNs.resolve(srcNs.root, srcPath, /\/\.?$/.test(srcPath));
    if (typeof src === 'number' || src.node === null) {
      throw new EngineError(
        'no-such-path',
        `Could not find the file ${srcPath.replace(/\/\.$/, '')} in ${srcWhere}`,
      );
    }
    const srcIsDir = src.fs.stat(src.node).filetype === FILETYPE_DIRECTORY;
    const srcName = src.name ?? splitPath(srcPath)[1];
    const dst = dstNs.resolve(dstNs.root, dstPath, true);
    if (typeof dst === 'number') {
      throw new EngineError('no-such-path', `cannot reach ${dstPath}: errno ${dst}`);
    }
    const dstExists = dst.node !== null;
    const dstIsDir = dstExists && dst.fs.stat(dst.node!).filetype === FILETYPE_DIRECTORY;
    if (srcIsDir) {
      if (dstExists && !dstIsDir)
        throw new EngineError('invalid-argument', `cannot copy a directory to a file: ${dstPath}`);
      if (contentsOnly) {
        let target = dst;
        if (!dstExists) {
          check(dst.dir.fs.mkdir(dst.dir.node, dst.name!, 0o755), 'cannot create directory', dstPath);
          const again = dstNs.resolve(dstNs.root, dstPath, true);
          if (typeof again === 'number' || again.node === null)
            throw new EngineError('internal', `cannot reach ${dstPath}`);
          target = again;
        }
        copyChildren(src.fs, src.node, target.fs, target.node!, dstPath);
      } else if (dstIsDir) {
        copyNode(src.fs, src.node, dst.fs, dst.node!, srcName, joinPath(dstPath, srcName));
      } else {
        copyNode(src.fs, src.node, dst.dir.fs, dst.dir.node, dst.name!, dstPath);
      }
      return;
    }
    if (dstIsDir) {
      copyNode(src.fs, src.node, dst.fs, dst.node!, srcName, joinPath(dstPath, srcName));
      return;
    }
    if (!dstExists && dstPath.endsWith('/')) {
      throw new EngineError('no-such-path', `destination directory ${dstPath} does not exist`);
    }
    copyNode(src.fs, src.node, dst.dir.fs, dst.dir.node, dst.name!, dstPath);
  }

  private hostDirs(what: string) {
    const dirs = this.host.hostDirs;
    if (!dirs)
      throw new EngineError('unsupported', `${what} need host directories, which this host does not have`);
    return dirs;
  }

  private unpackContext(): UnpackContext {
    return {
      content: this.host.content,
      hasher: this.host.hasher,
      ...(this.host.gunzip ? { gunzip: this.host.gunzip } : {}),
    };
  }

  /**
   * Compiles the command's module through the runtime's compile cache (keyed by the module's digest and
   * the memory cap). A module that comes from an image layer is remembered by its place in the layer
   * chain, so a warm start neither reads nor hashes it again.
   */
  private async compileCommand(
    chain: LayerChain,
    union: UnionFileSystem,
    command: ResolvedCommand,
    argv0: string,
    memory: number,
  ): Promise<WebAssembly.Module> {
    const { fs, node } = command.location;
    const cap = memory > 0 ? memory : undefined;
    const ino = fs.stat(node).ino;
    const fromImage = fs === union && ino % chain.stack.inoStride !== 0;
    const key = fromImage ? `${chain.key}#${ino}#${cap ?? ''}` : undefined;
    const hit = key !== undefined ? this.modules.get(key) : undefined;
    if (hit) return hit;
    const compiling = (async () => {
      const bytes = readFile(fs, node, command.path);
      try {
        return await compile(bytes, cap !== undefined ? { memoryLimitBytes: cap } : {});
      } catch (e) {
        if (e instanceof ModuleFormatError) {
          throw new EngineError('invalid-argument', `${command.path}: ${e.message}`, { cause: e });
        }
        throw new EngineError(
          'not-executable',
          `exec: "${argv0}": exec format error: ${command.path} is not a valid WebAssembly module: ${(e as Error).message}`,
          { cause: e },
        );
      }
    })();
    if (key !== undefined) {
      this.modules.set(key, compiling);
      compiling.catch(() => this.modules.delete(key));
      while (this.modules.size > 64) this.modules.delete(this.modules.keys().next().value!);
    }
    return compiling;
  }

  /** Parses `-v` specs and the image's VOLUMEs into mounts, creating named and anonymous volumes. */
  private async prepareMounts(specs: readonly string[], imageVolumes: Record<string, object>) {
    const mounts: MountRecord[] = [];
    const binds: string[] = [];
    const newVolumes: { name: string; path: string }[] = [];
    const destinations = new Set<string>();
    const addDestination = (dst: string, spec: string) => {
      if (!dst.startsWith('/')) {
        throw new EngineError(
          'invalid-argument',
          `invalid volume specification: '${spec}': the container path must be absolute`,
        );
      }
      const norm =
        '/' +
        dst
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .join('/');
      if (norm === '/')
        throw new EngineError(
          'invalid-argument',
          `invalid volume specification: '${spec}': cannot mount over /`,
        );
      if (norm.split('/').includes('..'))
        throw new EngineError('invalid-argument', `invalid volume specification: '${spec}'`);
      if (destinations.has(norm)) throw new EngineError('invalid-argument', `Duplicate mount point: ${norm}`);
      destinations.add(norm);
      return norm;
    };
    const anonymous = async (dst: string) => {
      const name = this.host.ids.newId();
      const { created } = await this.host.volumes.create(name, { labels: { [ANONYMOUS_VOLUME_LABEL]: '' } });
      const v = await this.host.volumes.get(name);
      mounts.push({
        Type: 'volume',
        Name: name,
        Source: v!.Mountpoint,
        Destination: dst,
        Driver: 'local',
        Mode: '',
        RW: true,
        Propagation: '',
        Anonymous: true,
      });
      if (created) newVolumes.push({ name, path: dst });
    };
    for (const spec of specs) {
      const parts = spec.split(':');
      if (parts.length === 1) {
        await anonymous(addDestination(parts[0]!, spec));
        continue;
      }
      if (parts.length > 3 || parts[0] === '')
        throw new EngineError('invalid-argument', `invalid volume specification: '${spec}'`);
      const [source, target, mode = ''] = parts as [string, string, string?];
      if (!isUsableMode(mode)) throw new EngineError('invalid-argument', `invalid mode: ${mode}`);
      const rw = !mode.split(',').includes('ro');
      const dst = addDestination(target, spec);
      if (/^[./~]/.test(source) || source.includes('/')) {
        const dirs = this.hostDirs('bind mounts');
        const abs = dirs.resolve(source);
        const kind = dirs.kind(abs);
        if (kind === null) dirs.mkdirp(abs);
        else if (kind !== 'dir') {
          throw new EngineError(
            'unsupported',
            `bind mount of ${abs}: only directories can be mounted, not single files`,
          );
        }
        binds.push(spec);
        mounts.push({
          Type: 'bind',
          Source: abs,
          Destination: dst,
          Mode: mode,
          RW: rw,
          Propagation: 'rprivate',
        });
      } else {
        const name = checkName(source, 'volume');
        const { volume, created } = await this.host.volumes.create(name, {});
        binds.push(spec);
        mounts.push({
          Type: 'volume',
          Name: name,
          Source: volume.Mountpoint,
          Destination: dst,
          Driver: 'local',
          Mode: mode,
          RW: rw,
          Propagation: '',
        });
        if (created && !mode.split(',').includes('nocopy')) newVolumes.push({ name, path: dst });
      }
    }
    for (const path of Object.keys(imageVolumes)) {
      const norm =
        '/' +
        path
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .join('/');
      if (destinations.has(norm) || norm === '/') continue;
      await anonymous(addDestination(norm, path));
    }
    return { mounts, binds, newVolumes };
  }

  /** Copies what the image has at a new volume's mount point into the volume, as Docker does. */
  private async populateVolumes(
    layers: ContainerLayer[],
    volumes: { name: string; path: string }[],
  ): Promise<void> {
    const chain = await hostLayers.chain(layers, this.unpackContext());
    const union = this.unionOf(chain, undefined);
    const ns = new Namespace(union);
    for (const v of volumes) {
      const r = ns.resolve(ns.root, v.path, true);
      if (typeof r === 'number' || r.node === null) continue;
      if (r.fs.stat(r.node).filetype !== FILETYPE_DIRECTORY) continue;
      const list = r.fs.readdir(r.node);
      if (typeof list === 'number' || list.length === 0) continue;
      const opened = await this.host.volumes.open(v.name);
      try {
        copyChildren(r.fs, r.node, opened.fs, opened.fs.root(), v.path);
      } finally {
        await opened.close();
      }
    }
  }

  private async volumesInUse(): Promise<Map<string, string[]>> {
    const used = new Map<string, string[]>();
    for (const c of await this.host.containers.list()) {
      for (const m of c.mounts) {
        if (m.Type !== 'volume' || !m.Name) continue;
        used.set(m.Name, [...(used.get(m.Name) ?? []), c.id]);
      }
    }
    return used;
  }

  // --- internals: images ---------------------------------------------------------------------------------

  private resolvedOf(target: Descriptor): Promise<ResolvedImage> {
    let p = this.resolvedImages.get(target.digest);
    if (!p) {
      p = resolveImage(this.host.content, target);
      this.resolvedImages.set(target.digest, p);
      p.catch(() => this.resolvedImages.delete(target.digest));
    }
    return p;
  }

  private async resolveFor(record: ImageRecord, platform: Platform, ref: string): Promise<ResolvedImage> {
    try {
      return await resolveImage(this.host.content, record, platform);
    } catch (e) {
      throw this.imageError(e, ref);
    }
  }

  private imageError(e: unknown, ref: string): unknown {
    if (e instanceof NoMatchingPlatformError) {
      return new EngineError(
        'invalid-argument',
        `image ${ref} has no wasi/wasm variant (${e.message}): Berth runs WebAssembly images only`,
        { cause: e },
      );
    }
    if (e instanceof NotFoundError) {
      return new EngineError('no-such-image', `image ${ref} is incomplete: ${e.message}`, { cause: e });
    }
    return e;
  }

  /** Every image record with its resolved manifest; records that cannot be resolved are left out. */
  private async imageEntries(): Promise<ImageEntry[]> {
    const out: ImageEntry[] = [];
    for (const record of await this.host.images.list()) {
      try {
        const resolved = await this.resolvedOf(record.target);
        out.push({ record, resolved, id: resolved.manifest.config.digest });
      } catch {
        // Not a runnable wasm image (or blobs missing): not listed.
      }
    }
    return out;
  }

  /** An image by name or ID prefix. */
  private async findImage(ref: string): Promise<ImageEntry & { byName: boolean }> {
    let parsed: string | undefined;
    try {
      parsed = parseReference(ref).canonical;
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) {
      const record = await this.host.images.get(parsed);
      if (record !== undefined) {
        let resolved: ResolvedImage;
        try {
          resolved = await this.resolvedOf(record.target);
        } catch (e) {
          throw this.imageError(e, ref);
        }
        return { record, resolved, id: resolved.manifest.config.digest, byName: true };
      }
    }
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (/^[a-f0-9]{1,64}$/.test(hex)) {
      const matches = (await this.imageEntries()).filter((e) => e.id.slice(7).startsWith(hex));
      const ids = new Set(matches.map((m) => m.id));
      if (ids.size > 1)
        throw new EngineError('ambiguous', `multiple images found with provided prefix: ${hex}`);
      if (matches.length > 0) {
        const named = matches.find((m) => !isDangling(m.record)) ?? matches[0]!;
        return { ...named, byName: false };
      }
    }
    throw noSuchImage(ref);
  }

  private layersOf(resolved: ResolvedImage, ref: string): ContainerLayer[] {
    const diffIds = resolved.config.rootfs?.diff_ids ?? [];
    const layers = resolved.manifest.layers;
    if (diffIds.length !== layers.length) {
      throw new EngineError(
        'invalid-argument',
        `image ${ref} cannot run: its config lists ${diffIds.length} diff_ids for ${layers.length} layers`,
      );
    }
    return layers.map((l, i) => ({
      digest: l.digest,
      diffId: diffIds[i]!,
      mediaType: l.mediaType,
      size: l.size,
    }));
  }

  private sizeOf(resolved: ResolvedImage): number {
    return resolved.manifest.config.size + resolved.manifest.layers.reduce((n, l) => n + l.size, 0);
  }

  private async summaryOf(
    id: Digest,
    group: ImageEntry[],
    containers: ContainerRecord[],
  ): Promise<ImageSummary> {
    const first = group[0]!;
    const config = first.resolved.config;
    return {
      Id: id,
      ParentId: '',
      RepoTags: group.map((e) => displayName(e.record)).filter((n) => n !== ''),
      RepoDigests: [
        ...new Set(
          group
            .filter((e) => !isDangling(e.record))
            .map((e) => repoDigest(e.record, e.resolved.manifestDescriptor.digest)),
        ),
      ],
      Created: Math.floor(Date.parse(config.created ?? first.record.createdAt) / 1000),
      Size: this.sizeOf(first.resolved),
      SharedSize: -1,
      Labels: { ...config.config?.Labels },
      Containers: containers.filter((c) => c.imageId === id).length,
    };
  }

  /** Deletes the blobs of untagged image roots that nothing else (image or container) still reaches. */
  private async deleteBlobs(roots: readonly Digest[]): Promise<number> {
    const remaining = [
      ...(await this.host.images.list()).map((r) => r.target.digest),
      ...(await this.host.containers.list()).map((c) => c.manifest.digest),
    ];
    return deleteUnreferenced(this.host.content, roots, remaining);
  }
}

function sameImageTarget(record: ImageRecord, group: readonly ImageEntry[]): boolean {
  return group.some((e) => e.record.target.digest === record.target.digest);
}

function matchLabels(labels: Record<string, string>, filters: readonly string[]): boolean {
  return filters.every((l) => {
    const eq = l.indexOf('=');
    return eq < 0 ? Object.hasOwn(labels, l) : labels[l.slice(0, eq)] === l.slice(eq + 1);
  });
}

/** mkdir -p in a filesystem (mount points); errors are left for the mount to report. */
function mkdirp(fs: FileSystem, path: string): void {
  let dir = fs.root();
  for (const part of path.split('/').filter((p) => p !== '')) {
    let next = fs.lookup(dir, part);
    if (next === ERRNO_NOENT) next = fs.mkdir(dir, part, 0o755);
    if (typeof next === 'number') return;
    dir = next;
  }
}

/**
 * A container's mounts with Docker's /dev in front: the devices filesystem, its mount point in an init
 * layer so it never shows in diff, commit or export. A volume or bind mount at /dev or below it takes
 * /dev over (its mount point is then made as for any mount).
 */
function withDev(mounts: MountSpec[]): MountSpec[] {
  const underDev = (path: string): boolean => path === '/dev' || path.startsWith('/dev/');
  if (mounts.some((m) => underDev(m.guestPath.replace(/\/+$/, '') || '/'))) return mounts;
  return [DEV_MOUNT, ...mounts];
}
