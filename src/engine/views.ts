/** Container records as Docker shows them: inspect JSON, `ps` rows and their Status text, `ps` filters. */
import { parseReference } from '../oci/reference';
import type {
  ContainerFilters,
  ContainerInspect,
  ContainerRecord,
  ContainerSummary,
  MountRecord,
} from './types';
import { ZERO_TIME } from './types';

/** go-units' HumanDuration, which Docker uses for `Up 3 minutes` and `Exited (0) 2 hours ago`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** The STATUS column of `ps`. */
export function statusText(record: ContainerRecord, now: Date): string {
  const s = record.state;
  switch (s.Status) {
    case 'running':
      return `Up ${humanDuration(now.getTime() - Date.parse(s.StartedAt))}`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'exited':
      if (s.FinishedAt === ZERO_TIME) return '';
      return `Exited (${s.ExitCode}) ${humanDuration(now.getTime() - Date.parse(s.FinishedAt))} ago`;
    default:
      return 'Created';
  }
}

export function commandText(record: ContainerRecord): string {
  return [record.path, ...record.args].join(' ');
}

export function toSummary(record: ContainerRecord, now: Date, sizeRw?: number): ContainerSummary {
  const summary: ContainerSummary = {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.image,
    ImageID: record.imageId,
    Command: commandText(record),
    Created: Math.floor(Date.parse(record.created) / 1000),
    State: record.state.Status,
    Status: statusText(record, now),
    Labels: { ...record.config.Labels },
    Mounts: record.mounts.map(publicMount),
  };
  if (sizeRw !== undefined) summary.SizeRw = sizeRw;
  return summary;
}

function publicMount(m: MountRecord): MountRecord {
  const { Anonymous: _anonymous, ...rest } = m;
  return structuredClone(rest);
}

export function toInspect(record: ContainerRecord, logPath: string, sizeRw?: number): ContainerInspect {
  const inspect: ContainerInspect = {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: [...record.args],
    State: { ...record.state },
    Image: record.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: logPath,
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: 'berth-union',
    Platform: record.platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    HostConfig: structuredClone(record.hostConfig),
    GraphDriver: {
      Name: 'berth-union',
      Data: {
        LowerLayers: record.layers.map((l) => l.diffId).join(':'),
        Manifest: record.manifest.digest,
      },
    },
    Mounts: record.mounts.map(publicMount),
    Config: structuredClone(record.config),
    NetworkSettings: { Networks: {} },
  };
  if (sizeRw !== undefined) inspect.SizeRw = sizeRw;
  return inspect;
}

function nameMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name) || new RegExp(pattern).test(`/${name}`);
  } catch {
    return name.includes(pattern);
  }
}

function labelMatches(filter: string, labels: Record<string, string>): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function canonical(ref: string): string | undefined {
  try {
    return parseReference(ref).canonical;
  } catch {
    return undefined;
  }
}

function ancestorMatches(filter: string, record: ContainerRecord): boolean {
  const hex = filter.startsWith('sha256:') ? filter.slice(7) : filter;
  if (/^[a-f0-9]{4,64}$/.test(hex) && record.imageId.slice(7).startsWith(hex)) return true;
  const wanted = canonical(filter);
  return wanted !== undefined && (canonical(record.image) === wanted || record.image === filter);
}

/** `ps --filter`: OR within one key, AND across keys. */
export function matchesFilters(record: ContainerRecord, filters: ContainerFilters | undefined): boolean {
  if (filters === undefined) return true;
  const any = <T>(values: readonly T[] | undefined, test: (v: T) => boolean): boolean =>
    values === undefined || values.length === 0 || values.some(test);
  return (
    any(filters.name, (p) => nameMatches(p, record.name)) &&
    any(filters.id, (p) => record.id.startsWith(p)) &&
    any(filters.status as string[] | undefined, (s) => record.state.Status === s) &&
    any(filters.label, (l) => labelMatches(l, record.config.Labels)) &&
    any(filters.ancestor, (a) => ancestorMatches(a, record)) &&
    any(filters.exited, (n) => record.state.Status === 'exited' && record.state.ExitCode === Number(n)) &&
    any(filters.volume, (v) =>
      record.mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v),
    )
  );
}
