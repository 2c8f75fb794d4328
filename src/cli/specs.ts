/**
 * Every berth command's flags, usage line and help text, Docker's where Berth has the same command. The
 * handlers are in containers.ts, images.ts, volumes.ts and system.ts; main.ts dispatches.
 */
import { commandList, type CommandSpec, type FlagSpec } from './flags';

const format: FlagSpec = {
  long: 'format',
  type: 'string',
  help:
    `Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n` +
    `'table TEMPLATE':   Print output in table format using the given Go template\n` +
    `'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\n` +
    `Functions: json index len join split upper lower title printf; if, range, with`,
};

const inspectFormat: FlagSpec = {
  long: 'format',
  short: 'f',
  type: 'string',
  help: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.",
};

const quiet = (what: string): FlagSpec => ({
  long: 'quiet',
  short: 'q',
  type: 'bool',
  help: `Only display ${what}`,
});
const noTrunc: FlagSpec = { long: 'no-trunc', type: 'bool', help: "Don't truncate output" };
const force = (help: string): FlagSpec => ({ long: 'force', short: 'f', type: 'bool', help });
const filter: FlagSpec = {
  long: 'filter',
  type: 'filter',
  help: 'Provide filter values (e.g. "until=<timestamp>")',
};

/** Flags shared by `run` and `create`. */
const containerFlags: FlagSpec[] = [
  { long: 'attach', short: 'a', type: 'list', help: 'Attach to STDIN, STDOUT or STDERR' },
  { long: 'entrypoint', type: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { long: 'env', short: 'e', type: 'list', help: 'Set environment variables (KEY=VALUE, or KEY to pass the host\'s value)' }, // prettier-ignore
  { long: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
  { long: 'hostname', short: 'h', type: 'string', help: 'Container host name' },
  { long: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
  { long: 'label', short: 'l', type: 'list', help: 'Set meta data on a container' },
  { long: 'label-file', type: 'list', help: 'Read in a line delimited file of labels' },
  {
    long: 'memory',
    short: 'm',
    type: 'bytes',
    help: "Memory limit: caps the module's linear memory (e.g. 64m, 1g)",
  },
  { long: 'name', type: 'string', help: 'Assign a name to the container' },
  {
    long: 'platform',
    type: 'string',
    help: 'Set platform if server is multi-platform capable (only wasi/wasm)',
  },
  { long: 'read-only', type: 'bool', help: "Mount the container's root filesystem as read only" },
  { long: 'rm', type: 'bool', help: 'Automatically remove the container and its associated anonymous volumes when it exits' }, // prettier-ignore
  { long: 'runtime', type: 'string', help: 'Runtime to use for this container: berth (default) or wasmer' },
  { long: 'stop-signal', type: 'string', help: 'Signal to stop the container' },
  { long: 'stop-timeout', type: 'int', help: 'Timeout (in seconds) to stop a container' },
  {
    long: 'tty',
    short: 't',
    type: 'bool',
    help: 'Allocate a pseudo-TTY (accepted; berth has no TTY emulation)',
  },
  {
    long: 'volume',
    short: 'v',
    type: 'list',
    help: 'Bind mount a volume (NAME:/path[:ro] or HOST_DIR:/path[:ro])',
  },
  { long: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
];

const RUN_NOTES = `Berth runs WASI (preview 1) modules. There is no daemon: the container runs in
this process, and its output streams through as it is written. -d needs a daemon
and is refused; -t is accepted but there is no terminal emulation.

Exit status: the container's own; 125 when berth itself fails (bad flag, unknown
image); 126 when the command is not a runnable WASI module; 127 when it is not
found in the image. When IMAGE is not a local image but a path to a .wasm file,
the file is run as a bare module, as 'berth wasm run' does.`;

export const SPECS = {
  run: {
    path: 'run',
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    summary: 'Create and run a new container from an image',
    aliases: ['container run'],
    interspersed: false,
    minArgs: 1,
    flags: [
      ...containerFlags,
      { long: 'detach', short: 'd', type: 'bool', help: 'Run container in background and print container ID (needs a daemon: not supported yet)' }, // prettier-ignore
      { long: 'timeout', type: 'int', help: 'Kill the container after this many seconds (berth)' },
    ],
    notes: RUN_NOTES,
  },
  create: {
    path: 'create',
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    summary: 'Create a new container',
    aliases: ['container create'],
    interspersed: false,
    minArgs: 1,
    flags: containerFlags,
  },
  start: {
    path: 'start',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Start one or more stopped containers',
    aliases: ['container start'],
    minArgs: 1,
    flags: [
      { long: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
      { long: 'interactive', short: 'i', type: 'bool', help: "Attach container's STDIN" },
    ],
    notes: `Without -a the container still runs in this process (there is no daemon): berth
waits for it and prints its name, as Docker prints it when it has started.`,
  },
  stop: {
    path: 'stop',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Stop one or more running containers',
    aliases: ['container stop'],
    minArgs: 1,
    flags: [
      { long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
      { long: 'timeout', short: 't', type: 'int', help: 'Seconds to wait before killing the container' },
      { long: 'time', type: 'int', help: 'Seconds to wait before killing the container', hidden: true, key: 'timeout' }, // prettier-ignore
    ],
  },
  kill: {
    path: 'kill',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Kill one or more running containers',
    aliases: ['container kill'],
    minArgs: 1,
    flags: [{ long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container (every signal ends a wasm guest)' }], // prettier-ignore
  },
  restart: {
    path: 'restart',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Restart one or more containers',
    aliases: ['container restart'],
    minArgs: 1,
    flags: [
      { long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
      { long: 'timeout', short: 't', type: 'int', help: 'Seconds to wait before killing the container' },
      { long: 'time', type: 'int', help: 'Seconds to wait before killing the container', hidden: true, key: 'timeout' }, // prettier-ignore
    ],
  },
  rm: {
    path: 'rm',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Remove one or more containers',
    aliases: ['container rm', 'container remove'],
    minArgs: 1,
    flags: [
      force('Force the removal of a running container'),
      {
        long: 'volumes',
        short: 'v',
        type: 'bool',
        help: 'Remove anonymous volumes associated with the container',
      },
    ],
  },
  ps: {
    path: 'ps',
    usage: '[OPTIONS]',
    summary: 'List containers',
    aliases: ['container ls', 'container list', 'container ps'],
    maxArgs: 0,
    flags: [
      { long: 'all', short: 'a', type: 'bool', help: 'Show all containers (default shows just running)' },
      { long: 'filter', short: 'f', type: 'filter', help: 'Filter output based on conditions provided' },
      format,
      { long: 'last', short: 'n', type: 'int', help: 'Show n last created containers (includes all states)', default: -1 }, // prettier-ignore
      {
        long: 'latest',
        short: 'l',
        type: 'bool',
        help: 'Show the latest created container (includes all states)',
      },
      noTrunc,
      quiet('container IDs'),
      { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
    ],
    notes: `Filters: id, name, label (key or key=value), status (created, running, exited),
exited (exit code), ancestor (image), volume.
Format fields: .ID .Image .Command .CreatedAt .RunningFor .Ports .State .Status
.Size .Names .Labels .Label "key" .Mounts .Networks .LocalVolumes`,
  },
  logs: {
    path: 'logs',
    usage: '[OPTIONS] CONTAINER',
    summary: 'Fetch the logs of a container',
    aliases: ['container logs'],
    minArgs: 1,
    maxArgs: 1,
    flags: [
      { long: 'details', type: 'bool', help: 'Show extra details provided to logs' },
      { long: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
      { long: 'since', type: 'string', help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' }, // prettier-ignore
      { long: 'tail', short: 'n', type: 'string', help: 'Number of lines to show from the end of the logs', default: 'all' }, // prettier-ignore
      { long: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
      { long: 'until', type: 'string', help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' }, // prettier-ignore
    ],
  },
  wait: {
    path: 'wait',
    usage: 'CONTAINER [CONTAINER...]',
    summary: 'Block until one or more containers stop, then print their exit codes',
    aliases: ['container wait'],
    minArgs: 1,
    flags: [],
  },
  inspect: {
    path: 'inspect',
    usage: '[OPTIONS] NAME|ID [NAME|ID...]',
    summary: 'Return low-level information on Berth objects',
    minArgs: 1,
    flags: [
      inspectFormat,
      { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes if the type is container' },
      {
        long: 'type',
        type: 'string',
        help: 'Only inspect objects of the given type (container, image, volume)',
      },
    ],
  },
  'container inspect': {
    path: 'container inspect',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    summary: 'Display detailed information on one or more containers',
    minArgs: 1,
    flags: [inspectFormat, { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes' }],
  },
  diff: {
    path: 'diff',
    usage: 'CONTAINER',
    summary: "Inspect changes to files or directories on a container's filesystem",
    aliases: ['container diff'],
    minArgs: 1,
    maxArgs: 1,
    flags: [],
  },
  commit: {
    path: 'commit',
    usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    summary: "Create a new image from a container's changes",
    aliases: ['container commit'],
    minArgs: 1,
    maxArgs: 2,
    flags: [
      {
        long: 'author',
        short: 'a',
        type: 'string',
        help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
      },
      { long: 'change', short: 'c', type: 'list', help: 'Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, WORKDIR, LABEL, USER, EXPOSE, VOLUME, STOPSIGNAL)' }, // prettier-ignore
      { long: 'message', short: 'm', type: 'string', help: 'Commit message' },
      { long: 'pause', short: 'p', type: 'bool', help: 'Pause container during commit (no effect: commits see the last saved state)', default: true }, // prettier-ignore
    ],
  },
  export: {
    path: 'export',
    usage: '[OPTIONS] CONTAINER',
    summary: "Export a container's filesystem as a tar archive",
    aliases: ['container export'],
    minArgs: 1,
    maxArgs: 1,
    flags: [{ long: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' }],
  },
  cp: {
    path: 'cp',
    usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    summary: 'Copy files/folders between a container and the local filesystem',
    aliases: ['container cp'],
    minArgs: 2,
    maxArgs: 2,
    flags: [
      { long: 'archive', short: 'a', type: 'bool', help: 'Archive mode (copy all uid/gid information)' },
      { long: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symbol link in SRC_PATH' },
      { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress progress output during copy' },
    ],
    description: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
  },
  rename: {
    path: 'rename',
    usage: 'CONTAINER NEW_NAME',
    summary: 'Rename a container',
    aliases: ['container rename'],
    minArgs: 2,
    maxArgs: 2,
    flags: [],
  },
  'container prune': {
    path: 'container prune',
    usage: '[OPTIONS]',
    summary: 'Remove all stopped containers',
    maxArgs: 0,
    flags: [filter, force('Do not prompt for confirmation')],
  },
  images: {
    path: 'images',
    usage: '[OPTIONS] [REPOSITORY[:TAG]]',
    summary: 'List images',
    aliases: ['image ls', 'image list'],
    maxArgs: 1,
    flags: [
      { long: 'all', short: 'a', type: 'bool', help: 'Show all images (default hides intermediate images)' },
      { long: 'digests', type: 'bool', help: 'Show digests' },
      { long: 'filter', short: 'f', type: 'filter', help: 'Filter output based on conditions provided' },
      format,
      noTrunc,
      quiet('image IDs'),
    ],
    notes: `Filters: reference (name[:tag], * globs), dangling (true/false), label, before, since.
Format fields: .ID .Repository .Tag .Digest .CreatedSince .CreatedAt .Size .Containers`,
  },
  rmi: {
    path: 'rmi',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    summary: 'Remove one or more images',
    aliases: ['image rm', 'image remove'],
    minArgs: 1,
    flags: [
      force('Force removal of the image'),
      { long: 'no-prune', type: 'bool', help: 'Do not delete untagged parents' },
    ],
  },
  tag: {
    path: 'tag',
    usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    aliases: ['image tag'],
    minArgs: 2,
    maxArgs: 2,
    flags: [],
  },
  history: {
    path: 'history',
    usage: '[OPTIONS] IMAGE',
    summary: 'Show the history of an image',
    aliases: ['image history'],
    minArgs: 1,
    maxArgs: 1,
    flags: [
      format,
      { long: 'human', short: 'H', type: 'bool', help: 'Print sizes and dates in human readable format', default: true }, // prettier-ignore
      noTrunc,
      quiet('image IDs'),
    ],
  },
  'image inspect': {
    path: 'image inspect',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    summary: 'Display detailed information on one or more images',
    minArgs: 1,
    flags: [inspectFormat],
  },
  save: {
    path: 'save',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    aliases: ['image save'],
    minArgs: 1,
    flags: [
      { long: 'output', short: 'o', type: 'string', help: 'Write to a file (a directory for oci-dir), instead of STDOUT' }, // prettier-ignore
      { long: 'format', type: 'string', help: 'docker-archive (default), oci-archive (an OCI layout as a tar, layers as stored) or oci-dir (an OCI layout directory), as podman save' }, // prettier-ignore
    ],
  },
  load: {
    path: 'load',
    usage: '[OPTIONS]',
    summary: 'Load an image from a tar archive or STDIN',
    aliases: ['image load'],
    maxArgs: 0,
    flags: [
      { long: 'input', short: 'i', type: 'string', help: 'Read from tar archive file, instead of STDIN' },
      quiet('the loaded image names, nothing else'),
    ],
  },
  'image prune': {
    path: 'image prune',
    usage: '[OPTIONS]',
    summary: 'Remove unused images',
    maxArgs: 0,
    flags: [
      { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused images, not just dangling ones' },
      filter,
      force('Do not prompt for confirmation'),
    ],
  },
  'volume create': {
    path: 'volume create',
    usage: '[OPTIONS] [VOLUME]',
    summary: 'Create a volume',
    maxArgs: 1,
    flags: [
      { long: 'driver', short: 'd', type: 'string', help: 'Specify volume driver name', default: 'local' },
      { long: 'label', type: 'list', help: 'Set metadata for a volume' },
      { long: 'name', type: 'string', help: 'Specify volume name', hidden: true },
      { long: 'opt', short: 'o', type: 'map', help: 'Set driver specific options' },
    ],
  },
  'volume ls': {
    path: 'volume ls',
    usage: '[OPTIONS]',
    summary: 'List volumes',
    aliases: ['volume list'],
    maxArgs: 0,
    flags: [
      { long: 'filter', short: 'f', type: 'filter', help: "Provide filter values (e.g. 'dangling=true')" },
      format,
      quiet('volume names'),
    ],
    notes: 'Format fields: .Name .Driver .Scope .Mountpoint .Labels .Label "key" .Links .Size',
  },
  'volume inspect': {
    path: 'volume inspect',
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    summary: 'Display detailed information on one or more volumes',
    minArgs: 1,
    flags: [inspectFormat],
  },
  'volume rm': {
    path: 'volume rm',
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    summary: 'Remove one or more volumes',
    aliases: ['volume remove'],
    minArgs: 1,
    flags: [force('Force the removal of one or more volumes')],
  },
  'volume prune': {
    path: 'volume prune',
    usage: '[OPTIONS]',
    summary: 'Remove unused local volumes',
    maxArgs: 0,
    flags: [
      { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
      filter,
      force('Do not prompt for confirmation'),
    ],
  },
  'system df': {
    path: 'system df',
    usage: '[OPTIONS]',
    summary: 'Show berth disk usage',
    maxArgs: 0,
    flags: [format, { long: 'verbose', short: 'v', type: 'bool', help: 'Show detailed information on space usage' }], // prettier-ignore
  },
  'system prune': {
    path: 'system prune',
    usage: '[OPTIONS]',
    summary: 'Remove unused data',
    maxArgs: 0,
    flags: [
      { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused images not just dangling ones' },
      filter,
      force('Do not prompt for confirmation'),
      { long: 'volumes', type: 'bool', help: 'Prune anonymous volumes' },
    ],
  },
  version: {
    path: 'version',
    usage: '[OPTIONS]',
    summary: 'Show the Berth version information',
    maxArgs: 0,
    flags: [inspectFormat],
  },
  info: {
    path: 'info',
    usage: '[OPTIONS]',
    summary: 'Display system-wide information',
    aliases: ['system info'],
    maxArgs: 0,
    flags: [inspectFormat],
  },
} satisfies Record<string, CommandSpec>;

export type CommandPath = keyof typeof SPECS;

/** Docker's management commands and what they hold: `berth container ls` is `berth ps`. */
export const GROUPS: Record<
  string,
  { summary: string; commands: Record<string, CommandPath | 'build' | 'wasm run'> }
> = {
  container: {
    summary: 'Manage containers',
    commands: {
      commit: 'commit',
      cp: 'cp',
      create: 'create',
      diff: 'diff',
      export: 'export',
      inspect: 'container inspect',
      kill: 'kill',
      logs: 'logs',
      ls: 'ps',
      list: 'ps',
      ps: 'ps',
      prune: 'container prune',
      rename: 'rename',
      restart: 'restart',
      rm: 'rm',
      remove: 'rm',
      run: 'run',
      start: 'start',
      stop: 'stop',
      wait: 'wait',
    },
  },
  image: {
    summary: 'Manage images',
    commands: {
      build: 'build',
      history: 'history',
      inspect: 'image inspect',
      load: 'load',
      ls: 'images',
      list: 'images',
      prune: 'image prune',
      rm: 'rmi',
      remove: 'rmi',
      save: 'save',
      tag: 'tag',
    },
  },
  system: {
    summary: 'Manage Berth',
    commands: { df: 'system df', info: 'info', prune: 'system prune' },
  },
  volume: {
    summary: 'Manage volumes',
    commands: {
      create: 'volume create',
      inspect: 'volume inspect',
      ls: 'volume ls',
      list: 'volume ls',
      prune: 'volume prune',
      rm: 'volume rm',
      remove: 'volume rm',
    },
  },
  wasm: {
    summary: 'Run bare WebAssembly modules (berth wasm run FILE.wasm)',
    commands: { run: 'wasm run' },
  },
};

/** The one-line summary of a command path in a group listing. */
function summaryOf(path: CommandPath | 'build' | 'wasm run'): string {
  if (path === 'build') return 'Build an image from a Dockerfile';
  if (path === 'wasm run') return 'Run a WASI command module, without an image';
  return SPECS[path].summary;
}

/** `berth GROUP --help`. */
export function groupHelp(group: string): string {
  const g = GROUPS[group]!;
  const seen = new Set<string>();
  const entries: [string, string][] = [];
  for (const [name, path] of Object.entries(g.commands)) {
    if (seen.has(path)) continue;
    seen.add(path);
    entries.push([name, summaryOf(path)]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    `\nUsage:  berth ${group} COMMAND\n\n${g.summary}\n\nCommands:\n${commandList(entries)}\n` +
    `Run 'berth ${group} COMMAND --help' for more information on a command.\n`
  );
}

const COMMON: [string, string][] = [
  ['run', SPECS.run.summary],
  ['ps', SPECS.ps.summary],
  ['build', summaryOf('build')],
  ['images', SPECS.images.summary],
  ['version', SPECS.version.summary],
  ['info', SPECS.info.summary],
];

const OTHER: CommandPath[] = ['commit', 'cp', 'create', 'diff', 'export', 'history', 'inspect', 'kill', 'load', 'logs', 'rename', 'restart', 'rm', 'rmi', 'save', 'start', 'stop', 'tag', 'wait']; // prettier-ignore

/** `berth --help`, grouped as Docker's. */
export function rootHelp(): string {
  const management = Object.entries(GROUPS).map(([name, g]) => [name, g.summary] as [string, string]);
  return (
    '\nUsage:  berth [OPTIONS] COMMAND\n\n' +
    'Docker for WebAssembly: build, ship and run WASI modules as containers, with no daemon\n\n' +
    `Common Commands:\n${commandList(COMMON)}\n` +
    `Management Commands:\n${commandList(management)}\n` +
    `Commands:\n${commandList(OTHER.map((c) => [c, SPECS[c].summary]))}\n` +
    'Global Options:\n' +
    '  -h, --help      Print usage\n' +
    '  -v, --version   Print version information and quit\n\n' +
    "Run 'berth COMMAND --help' for more information on a command.\n\n" +
    'State lives in $BERTH_ROOT (default ~/.local/share/berth).\n'
  );
}
