/**
 * The engine's contract: the host capabilities it is given (EngineHost, injected: Node builds them in
 * src/node/engineHost.ts, tests and the browser in ./memoryHost.ts), what it persists (ContainerRecord,
 * VolumeRecord, log entries, writable layers), and the Docker-shaped values it hands out.
 *
 * Daemonless, like Podman: there is no server. Every engine that opens the same state (the same stores)
 * sees the same containers, images and volumes; a running container lives in the process that started it
 * (its record names that process: `state.owner`), and other processes reach it through ProcessControl.
 *
 * Types only (and a few constants): no code with behaviour lives here.
 */
import type { MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import type { FileSystem } from '../../runtime/fs/types';
import type { MountSpec } from '../../runtime/process/protocol';
import type { OutputListener } from '../../runtime/process/spawn';
import type { StdinWriter } from '../../runtime/process/stdinChannel';
import type { WorkerHost } from '../../runtime/process/types';
import type { ContentStore } from '../content/types';
import type { ImageStore } from '../image/types';
import type { ChunkTransform } from '../layer/gzip';
import type { Digest } from '../oci/digest';
import type { ContainerConfig, Descriptor, History } from '../oci/types';
import type { HasherFactory } from '../platform/hasher';

// --- host capabilities ------------------------------------------------------------------------------

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new random ID: 64 lowercase hex digits (containers, anonymous volumes). */
  newId(): string;
  /** A random integer in [0, n) (Docker-style random names). */
  randomInt(n: number): number;
}

/**
 * Reaching the processes that own running containers. Node: process.pid, `kill(pid, 0)`, SIGTERM.
 * A browser tab is one process: `isAlive` is true for its own pid only.
 */
export interface ProcessControl {
  /** This process's id, recorded as the owner of the containers it runs. */
  readonly pid: number;
  /**
   * Tells this process apart from a later process that gets the same pid (Linux: its start time);
   * recorded with the pid. A pid whose token no longer matches is a dead owner.
   */
  readonly token?: string;
  /** Whether process `pid` (with `token`, when one was recorded) still exists. */
  isAlive(pid: number, token?: string): boolean;
  /**
   * Asks process `pid` (never our own) to act on the kill requests in its containers' records (Node:
   * SIGTERM). Nothing is sent when `token` shows the pid now belongs to another process.
   */
  notify(pid: number, token?: string): void;
  /**
   * Registers a handler for notifications sent to this process; returns the unregister function. On a
   * notification the host first asks every handler whether a kill request was addressed to it
   * (`requested`); when none was, the notification was a plain termination request (someone ran
   * `kill PID`) and every handler's `terminate` is called: the guests are killed and their exits recorded,
   * as if the process had died, but cleanly.
   */
  onNotify(handler: NotifyHandler): () => void;
}

export interface NotifyHandler {
  /** Acts on a kill request recorded for this handler's container; true when there was one. */
  requested(): Promise<boolean>;
  /** Kills this handler's container and records its exit. */
  terminate(): Promise<void>;
}

/**
 * Host directories: bind mounts (`-v HOST:GUEST`), named volumes on disk, and `cp` to and from host
 * paths. Absent in a browser: bind mounts and host paths are then refused with a clear error.
 */
export interface HostDirOpener {
  /** The absolute form of a host path (relative paths are taken from the caller's working directory). */
  resolve(path: string): string;
  /** What is at an absolute host path, without following a final symlink; null when nothing is. */
  kind(path: string): 'dir' | 'file' | 'symlink' | 'other' | null;
  /** mkdir -p of an absolute host path. */
  mkdirp(path: string): void;
  /** An absolute host directory as a FileSystem, confined to it (runtime/fs/HostFileSystem). */
  open(path: string, readOnly: boolean): FileSystem;
  /**
   * Optional: how a run mounts a host directory when the guest's worker cannot open host paths itself
   * (a page's memfs Volume lives in the page, not in the worker): as a copy, whose tree `keep` writes back
   * when a writable run ends. Without it the worker opens the path itself (MountSpec kind 'host').
   */
  mount?(path: string, guestPath: string, readOnly: boolean): Promise<VolumeMount>;
}

/** What `info` and `version` report about the machine; all optional. */
export interface SystemFacts {
  hostname?: string;
  /** `linux`, `darwin`, `browser`. */
  os?: string;
  kernelVersion?: string;
  operatingSystem?: string;
  cpus?: number;
  memTotal?: number;
  /** The JavaScript host, e.g. `node v20.19.0`. */
  jsRuntime?: string;
}

/**
 * Everything the engine needs from its host. Stores own their persistence and their locking: two
 * engines on one set of stores (two processes on one state root) never corrupt each other.
 */
export interface EngineHost {
  content: ContentStore;
  images: ImageStore;
  containers: ContainerStore;
  /** The containers' writable layers. */
  layers: WritableLayerStore;
  logs: LogStore;
  volumes: VolumeStore;
  hasher: HasherFactory;
  workerHost: WorkerHost;
  hostDirs?: HostDirOpener;
  clock: Clock;
  ids: IdGenerator;
  processes: ProcessControl;
  /** gzip codecs for layers; default layerGzip (fflate: the same bytes on every host) and DecompressionStream. */
  gzip?: ChunkTransform;
  gunzip?: ChunkTransform;
  /** Where the state lives, for `info` (DockerRootDir); e.g. the state root directory or 'memory'. */
  root: string;
  system?: SystemFacts;
  /**
   * SOURCE_DATE_EPOCH (seconds), for reproducible images: when set, committed images are stamped with
   * this time and no file in a new layer is newer than it, so the same inputs give the same digests.
   */
  sourceDateEpoch?: number;
}

// --- persisted records ------------------------------------------------------------------------------

/** Docker's container states. Berth never pauses; `removing` and `dead` are kept for the shape. */
export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export type RuntimeName = 'berth' | 'wasmer';

/** Docker's zero time, used for StartedAt/FinishedAt that never happened. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  /** The owner process's pid while running (a wasm guest has no pid of its own); 0 otherwise. */
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** A layer of the image a container runs on (from its manifest and config). */
export interface ContainerLayer {
  /** The blob's digest (the manifest's layer digest). */
  digest: Digest;
  /** The uncompressed tar's digest (the config's diff_id). */
  diffId: Digest;
  mediaType: string;
  size: number;
}

/** A mount as `inspect` shows it (Docker's MountPoint), plus whether Berth made the volume for it. */
export interface MountRecord {
  Type: 'volume' | 'bind';
  /** Volumes only. */
  Name?: string;
  /** The host directory (bind), the volume's mountpoint (volume). */
  Source: string;
  Destination: string;
  Driver?: string;
  /** 'ro', 'rw' or '' as given. */
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** An anonymous volume made for this container (removed by `rm -v`). */
  Anonymous?: boolean;
}

/** The Config of a container as Docker's inspect shows it (the image's, merged with the options). */
export interface ContainerRecordConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  /** Seconds; `--stop-timeout`. */
  StopTimeout?: number;
  ExposedPorts?: Record<string, object>;
}

export interface ContainerHostConfig {
  /** `-v` specs as given (bind and named volumes, not anonymous ones). */
  Binds: string[] | null;
  /** Linear-memory cap in bytes; 0 = none. */
  Memory: number;
  ReadonlyRootfs: boolean;
  Runtime: RuntimeName;
  AutoRemove: boolean;
  NetworkMode: string;
}

/**
 * A container as it is persisted. Changed only through ContainerStore.update, which bumps `revision`
 * (compare-and-swap: a change computed from an older revision is never written over a newer one).
 */
export interface ContainerRecord {
  schemaVersion: 1;
  /** 64 hex digits. */
  id: string;
  /** Unique among containers; without Docker's leading '/'. */
  name: string;
  /** RFC 3339. */
  created: string;
  /** The image as given at create ('hello', 'hello:1', an ID). */
  image: string;
  /** The image ID: the config digest. */
  imageId: Digest;
  /** The manifest the container runs (a root for content gc: its layers must stay). */
  manifest: Descriptor;
  layers: ContainerLayer[];
  /** The command as resolved at create: argv[0] and the rest. */
  path: string;
  args: string[];
  config: ContainerRecordConfig;
  hostConfig: ContainerHostConfig;
  mounts: MountRecord[];
  state: ContainerState;
  /** The pid of the process running it, while running. */
  owner?: number;
  /** ProcessControl.token of that process, when the host has one. */
  ownerToken?: string;
  /** Set by stop/kill from any process: the owner kills the guest when it sees this. */
  killRequested?: string;
  restartCount: number;
  /** `wasi/wasm`. */
  platform: string;
  revision: number;
}

export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  /** The host directory (disk) or a `memory://` name. */
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  Scope: 'local';
}

/** One line (or a partial line at the end of a run) of a container's output. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, `2026-01-01T00:00:00.123000000Z`. */
  time: string;
  data: Uint8Array;
}

// --- stores ------------------------------------------------------------------------------------------

/**
 * Container records. Reads take no lock and see whole records only. Changes are serialised across
 * processes, so names stay unique: create and update fail with EngineError('conflict') when the name is
 * taken by another container.
 */
export interface ContainerStore {
  get(id: string): Promise<ContainerRecord | undefined>;
  /** The record with this name (without '/'), or undefined. */
  getByName(name: string): Promise<ContainerRecord | undefined>;
  /** All records, oldest first. */
  list(): Promise<ContainerRecord[]>;
  create(record: ContainerRecord): Promise<ContainerRecord>;
  /**
   * Read-modify-write under the store's lock: `change` gets the current record and returns the new one
   * (its revision is bumped), or undefined to leave it as it is. Throws EngineError('no-such-container')
   * when the record is gone.
   */
  update(
    id: string,
    change: (current: ContainerRecord) => ContainerRecord | undefined,
  ): Promise<ContainerRecord>;
  /** Removes the record (and nothing else); false when there was none. */
  delete(id: string): Promise<boolean>;
}

/**
 * Containers' writable layers (the upper MemoryFileSystem of their union root, whiteouts included), by
 * container id. put() replaces a layer whole and atomically.
 */
export interface WritableLayerStore {
  get(id: string): Promise<MemoryTreeSnapshot | undefined>;
  put(id: string, upper: MemoryTreeSnapshot): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Bytes the layer takes (0 when there is none). */
  size(id: string): Promise<number>;
}

/** Where to continue reading a log from (opaque). */
export type LogCursor = number;

/** Containers' output, one entry per line. Appends from the owning process only. */
export interface LogStore {
  append(id: string, entries: readonly LogEntry[]): Promise<void>;
  /** The entries after `cursor` (default: from the start) and the cursor after them. */
  read(id: string, cursor?: LogCursor): Promise<{ entries: LogEntry[]; cursor: LogCursor }>;
  delete(id: string): Promise<void>;
  /** Where the log lives, for inspect's LogPath ('' when it is not a file). */
  pathOf?(id: string): string;
}

/** How a volume appears to a run: the mount spec, and for an in-memory volume how to keep its changes. */
export interface VolumeMount {
  spec: MountSpec;
  /** Memory volumes: store the tree the run left behind (MountSpec.returnSnapshot). */
  keep?(tree: MemoryTreeSnapshot): Promise<void>;
}

export interface VolumeStore {
  /** Creates the volume, or returns the existing one of that name (`created` false). */
  create(
    name: string,
    options: { labels?: Record<string, string>; options?: Record<string, string> },
  ): Promise<{ volume: VolumeRecord; created: boolean }>;
  get(name: string): Promise<VolumeRecord | undefined>;
  list(): Promise<VolumeRecord[]>;
  /** Removes the volume and its data; false when there was none. */
  remove(name: string): Promise<boolean>;
  mount(name: string, guestPath: string, readOnly: boolean): Promise<VolumeMount>;
  /**
   * The volume's tree for the engine's own use (cp, populating a new volume, --runtime wasmer). Changes
   * to it are kept once `close` has resolved.
   */
  open(name: string): Promise<{ fs: FileSystem; close(): Promise<void> }>;
  /** Bytes of data in the volume. */
  size(name: string): Promise<number>;
}

// --- engine options and results -------------------------------------------------------------------------

export interface EngineOptions {
  /** Warm guest workers kept by the engine's pool; default 2. */
  poolSize?: number;
  /** The version `version` and `info` report; default 'dev'. */
  version?: string;
}

export interface CreateContainerOptions {
  /** Image reference or ID (prefix). */
  image: string;
  /** Unique; Docker's random adjective_name when omitted. */
  name?: string;
  /** Replaces the image's Cmd. */
  cmd?: string[];
  /** Replaces the image's Entrypoint (and clears its Cmd, as Docker does); [] or [''] clears it. */
  entrypoint?: string[];
  /** KEY=VALUE, over the image's Env (the CLI parses --env-file and resolves bare KEY). */
  env?: string[];
  workdir?: string;
  /** `-v` specs: `name:/path[:ro]` (named volume, made on demand) or `HOST:/path[:ro]` (bind mount). */
  volumes?: string[];
  labels?: Record<string, string>;
  /** `--read-only`: the root filesystem is read-only (volumes and binds are not). */
  readOnly?: boolean;
  /** Linear-memory cap in bytes (`-m`). */
  memory?: number;
  /** Seconds `stop` waits before killing (default: 10). */
  stopTimeout?: number;
  stopSignal?: string;
  /** `--platform`: only wasi/wasm (wasip1, wasip2, wasm32 spellings) is accepted. */
  platform?: string;
  runtime?: RuntimeName;
  /** `--rm`: remove the container (and its anonymous volumes) when it exits. */
  autoRemove?: boolean;
  hostname?: string;
  /** `-i`, `-t`: recorded in Config. */
  interactive?: boolean;
  tty?: boolean;
}

export interface CreateContainerResult {
  id: string;
  name: string;
  warnings: string[];
}

/** Where a guest's output goes when attached: a listener (may return a promise: backpressure) or a stream. */
export type OutputTarget = OutputListener | 'stream';

export interface StartOptions {
  /** Attach stdout: a listener, or 'stream' for RunningContainer.stdout. Logs are recorded regardless. */
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  /**
   * stdin: bytes, a stream the engine pumps in (backpressure respected), or 'stream' for
   * RunningContainer.stdin. Default: empty (EOF at once). --runtime wasmer reads it whole before starting.
   */
  stdin?: Uint8Array | AsyncIterable<Uint8Array> | 'stream';
  /** Wall-clock limit in ms (not a Docker option): the guest is killed past it (exit 137). */
  timeoutMs?: number;
}

export interface RunOptions extends CreateContainerOptions, StartOptions {}

/** How a container's run ended. */
export interface ContainerExit {
  /**
   * Docker's exit status: the module's own code; 137 when killed (stop, kill, timeout, output cap) or out
   * of memory (OOMKilled), 134 when it trapped (as SIGABRT), 125 for a Berth failure.
   */
  statusCode: number;
  /** How it ended, as the runtime reports it. */
  reason: 'exit' | 'trap' | 'oom' | 'timeout' | 'killed' | 'output-limit' | 'error';
  /** The runtime's explanation for anything but an exit. */
  message?: string;
  oomKilled: boolean;
}

/** A container running in this process. */
export interface RunningContainer {
  readonly id: string;
  readonly name: string;
  /** The stdin writer when started with stdin 'stream'. */
  readonly stdin: StdinWriter | null;
  /** Output streams when started with stdout/stderr 'stream'; the guest waits while they are not read. */
  readonly stdout: AsyncIterable<Uint8Array> | null;
  readonly stderr: AsyncIterable<Uint8Array> | null;
  /** Settles once the exit is recorded (and the container removed, with autoRemove). */
  wait(): Promise<ContainerExit>;
  /** Kills the guest at once (exit 137). */
  kill(): Promise<void>;
  /**
   * The terminal's Ctrl-C (GuestProcess.interrupt): ends the container's foreground child processes
   * with SIGINT (130) and interrupts pid 1's blocking wait or stdin read (EINTR). False, doing nothing,
   * when there is nothing to interrupt (a program that starts no processes, or pid 1 computing with no
   * foreground child): the caller then usually stops or kills it.
   */
  interrupt(): boolean;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string };
}

export interface StopOptions {
  /** Seconds to wait for the guest to end by itself before killing it; default the container's StopTimeout or 10. */
  timeout?: number;
}

export interface KillOptions {
  /** Only KILL semantics exist for a wasm guest; any signal name is accepted and kills at once. */
  signal?: string;
}

export interface RemoveContainerOptions {
  /** Kill a running container first. */
  force?: boolean;
  /** Remove its anonymous volumes too (`rm -v`). */
  volumes?: boolean;
}

/** `ps --filter` values: each key may repeat (OR within a key, AND across keys). */
export interface ContainerFilters {
  name?: string[];
  id?: string[];
  status?: ContainerStatus[] | string[];
  /** `key` or `key=value`. */
  label?: string[];
  /** Image reference (name[:tag]) or image ID (prefix). */
  ancestor?: string[];
  exited?: (number | string)[];
  volume?: string[];
}

export interface ListContainersOptions {
  /** Stopped and created containers too (`-a`). */
  all?: boolean;
  filters?: ContainerFilters;
  /** The n most recently created (`-n`), all states. */
  limit?: number;
  /** Compute SizeRw (`-s`). */
  size?: boolean;
}

/** One row of `ps`, as Docker's /containers/json gives it. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  State: ContainerStatus;
  /** `Up 3 seconds`, `Exited (0) 2 minutes ago`, `Created`. */
  Status: string;
  Labels: Record<string, string>;
  Mounts: MountRecord[];
  SizeRw?: number;
}

/** `inspect` of a container, Docker-shaped. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  HostConfig: ContainerHostConfig;
  GraphDriver: { Name: 'berth-union'; Data: Record<string, string> | null };
  Mounts: MountRecord[];
  Config: ContainerRecordConfig;
  NetworkSettings: { Networks: Record<string, never> };
  SizeRw?: number;
}

export interface LogsOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** The last n lines only (`--tail`); 'all' or undefined for everything. */
  tail?: number | 'all';
  /** Keep reading while the container runs (`-f`). */
  follow?: boolean;
  /** Only entries at or after / before these times. */
  since?: Date;
  until?: Date;
  /** Stop following when this aborts. */
  signal?: AbortSignal;
}

/** `diff`: A added, C changed, D deleted. */
export interface ChangeItem {
  Kind: 0 | 1 | 2;
  Path: string;
}

export interface CommitOptions {
  /** Tag for the new image; untagged (dangling) when omitted, as `docker commit` without a name. */
  reference?: string;
  /** The history entry's comment (`-m`). */
  comment?: string;
  author?: string;
  /** Config changes, already parsed by the caller (`-c 'CMD ["x"]'`): applied over the container's config. */
  changes?: Partial<ContainerConfig>;
  /** The history entry's created_by; default the container's command line (as Docker writes it). */
  createdBy?: string;
}

export interface CommitResult {
  /** The new image's ID (config digest). */
  id: Digest;
  /** The manifest's descriptor. */
  manifest: Descriptor;
  /** The canonical reference tagged, when one was given. */
  reference?: string;
}

/** What `cp` reports about a container path (Docker's X-Docker-Container-Path-Stat). */
export interface PathStat {
  name: string;
  size: number;
  /** Permission bits, plus 0o40000 for a directory and 0o120000 for a symlink. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface PruneContainersResult {
  ContainersDeleted: string[];
  SpaceReclaimed: number;
}

// --- images -----------------------------------------------------------------------------------------------

/** One image of `images` (Docker's /images/json), with every tag that names it. */
export interface ImageSummary {
  /** The image ID: `sha256:` + config digest hex. */
  Id: string;
  ParentId: string;
  /** `hello:latest`; empty for a dangling image. */
  RepoTags: string[];
  /** `hello@sha256:<manifest digest>`. */
  RepoDigests: string[];
  /** Unix seconds (the config's `created`, else when it was stored). */
  Created: number;
  /** Bytes of the image's blobs (config and layers, as stored). */
  Size: number;
  SharedSize: number;
  Labels: Record<string, string>;
  /** Containers using it. */
  Containers: number;
}

export interface ImageListFilters {
  /** `name[:tag]`, `*` globs allowed. */
  reference?: string[];
  dangling?: boolean;
  label?: string[];
  before?: string;
  since?: string;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Os: string;
  Variant?: string;
  Size: number;
  GraphDriver: { Name: 'berth-union'; Data: null };
  RootFS: { Type: 'layers'; Layers: string[] };
  Metadata: { LastTagTime: string };
  /** Berth: the manifest's descriptor. */
  Descriptor: Descriptor;
}

export interface ImageHistoryItem {
  /** The image ID on the newest entry, `<missing>` on the others (as Docker prints). */
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[];
  /** Bytes of the layer the step made (0 for empty_layer steps). */
  Size: number;
  Comment: string;
}

/** One line of `rmi`/`image prune` output. */
export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

export interface RemoveImageOptions {
  force?: boolean;
}

export interface PruneImagesResult {
  ImagesDeleted: ImageDeleteItem[];
  SpaceReclaimed: number;
}

export interface SaveImagesOptions {
  /** 'docker' (default): a docker-save archive; 'oci': an OCI image layout as a tar. */
  format?: 'docker' | 'oci';
}

/** What importModuleAsImage writes; see there. */
export interface ModuleImageOptions {
  /** The module's path in the image; default `/<name>.wasm` from the reference's last path part. */
  path?: string;
  /** The image's config; Entrypoint defaults to [path]. */
  config?: ContainerConfig;
  /** More files for the layer: absolute path → contents. */
  files?: Record<string, Uint8Array | string>;
  /** The image's `created` time; default the engine clock. */
  created?: Date;
  /** The history entry's created_by. */
  createdBy?: string;
}

export interface ImportedImage {
  id: Digest;
  manifest: Descriptor;
  reference: string;
}

// --- volumes -----------------------------------------------------------------------------------------------

export interface CreateVolumeOptions {
  /** Random 64-hex when omitted (an anonymous volume). */
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

/** `volume inspect` (Docker's Volume), with UsageData when sizes were asked for. */
export interface VolumeInspect extends VolumeRecord {
  UsageData?: { Size: number; RefCount: number };
}

export interface VolumeFilters {
  name?: string[];
  label?: string[];
  dangling?: boolean;
}

export interface PruneVolumesResult {
  VolumesDeleted: string[];
  SpaceReclaimed: number;
}

// --- system ------------------------------------------------------------------------------------------------

export interface SystemDf {
  LayersSize: number;
  Images: ImageSummary[];
  Containers: ContainerSummary[];
  Volumes: VolumeInspect[];
  BuildCache: never[];
  /** The `docker system df` table's four rows. */
  Summary: {
    Type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
    TotalCount: number;
    Active: number;
    Size: number;
    Reclaimable: number;
  }[];
}

export interface SystemInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: 'berth-union';
  DockerRootDir: string;
  LoggingDriver: 'json-file';
  CgroupDriver: 'none';
  Runtimes: Record<RuntimeName, { path: string }>;
  DefaultRuntime: RuntimeName;
  OSType: 'wasi';
  Architecture: 'wasm';
  OperatingSystem: string;
  KernelVersion: string;
  NCPU: number;
  MemTotal: number;
  Name: string;
  ServerVersion: string;
  SecurityOptions: string[];
  Warnings: string[];
}

export interface VersionInfo {
  Platform: { Name: string };
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  Os: 'wasi';
  Arch: 'wasm';
  KernelVersion: string;
  Components: { Name: string; Version: string; Details?: Record<string, string> }[];
}

export type { History };
