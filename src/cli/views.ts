/**
 * The rows of `ps`, `images`, `volume ls`, `history` and `system df` as the docker CLI's formatter
 * contexts present them to --format (the same field names, the same text), their column headers, the
 * default table layouts, and rendering one list.
 */
import type {
  ContainerSummary,
  ImageHistoryItem,
  ImageSummary,
  SystemDf,
  VolumeInspect,
} from '../engine/types';
import {
  displayName,
  ellipsis,
  humanDuration,
  humanSize,
  imageSize,
  psCommand,
  tabwrite,
  timeAgo,
  truncateId,
} from './format';
import { parseListFormat, strict } from './template';

/** Go's Time.String() in UTC, as `CreatedAt` columns show it: `2024-01-02 15:04:05 +0000 UTC`. */
export function goTime(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' +0000 UTC');
}

function labelsText(labels: Record<string, string> | null | undefined): string {
  return Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`)
    .join(',');
}

/** Renders a list: the table (header row, tabwriter alignment) or the template once per row. */
export function renderList(
  format: string | undefined,
  defaultTable: string,
  rows: readonly object[],
  headers: object,
): string {
  const f = parseListFormat(format, defaultTable);
  if (!f.table) return rows.map((r) => f.template.execute(r) + '\n').join('');
  const lines = [f.template.execute(headers), ...rows.map((r) => f.template.execute(r))];
  return tabwrite(lines.map((l) => l + '\n').join(''));
}

// --- containers ----------------------------------------------------------------------------------------

export const PS_TABLE =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
export const PS_TABLE_SIZE = PS_TABLE + '\t{{.Size}}';

export const PS_HEADERS = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Label: () => 'LABEL',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

/** The IMAGE column: the name as given without a digest, or the truncated ID when it was run by ID. */
function psImage(c: ContainerSummary, noTrunc: boolean): string {
  if (c.Image === '') return '<no image>';
  if (noTrunc) return c.Image;
  if (c.ImageID !== '' && truncateId(c.ImageID) === truncateId(c.Image)) return truncateId(c.Image);
  const at = c.Image.indexOf('@');
  return at > 0 ? c.Image.slice(0, at) : c.Image;
}

export function containerRow(c: ContainerSummary, now: Date, noTrunc: boolean): object {
  return strict({
    ID: noTrunc ? c.Id : truncateId(c.Id),
    Image: psImage(c, noTrunc),
    Command: psCommand(c.Command, noTrunc),
    CreatedAt: goTime(new Date(c.Created * 1000)),
    RunningFor: timeAgo(c.Created * 1000, now),
    Ports: '',
    State: c.State,
    Status: c.Status,
    Size: c.SizeRw === undefined ? '0B' : imageSize(c.SizeRw),
    Names: c.Names.map(displayName)
      .filter((n) => noTrunc || !n.includes('/'))
      .join(','),
    Labels: labelsText(c.Labels),
    Label: (key: string) => c.Labels?.[key] ?? '',
    Mounts: c.Mounts.map((m) => {
      const name = m.Name ?? m.Source;
      return noTrunc ? name : ellipsis(name, 15);
    }).join(','),
    Networks: '',
    LocalVolumes: String(c.Mounts.filter((m) => m.Type === 'volume').length),
  });
}

// --- images ----------------------------------------------------------------------------------------------

export const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_TABLE_DIGESTS =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export const IMAGES_HEADERS = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  ID: 'IMAGE ID',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
  Labels: 'LABELS',
  Label: () => 'LABEL',
};

/** Splits `name:tag` at the tag's colon (not a registry port's). */
export function splitRepoTag(repoTag: string): [string, string] {
  const slash = repoTag.lastIndexOf('/');
  const colon = repoTag.lastIndexOf(':');
  if (colon > slash) return [repoTag.slice(0, colon), repoTag.slice(colon + 1)];
  return [repoTag, '<none>'];
}

/** One row per tag (a dangling image: one `<none> <none>` row), as `docker images` lists them. */
export function imageRows(images: readonly ImageSummary[], now: Date, noTrunc: boolean): object[] {
  const rows: object[] = [];
  for (const img of images) {
    const digest = img.RepoDigests[0]?.split('@')[1] ?? '<none>';
    const row = (repo: string, tag: string) =>
      strict({
        Repository: repo,
        Tag: tag,
        ID: noTrunc ? img.Id : truncateId(img.Id),
        Digest: digest,
        CreatedSince: img.Created > 0 ? timeAgo(img.Created * 1000, now) : 'N/A',
        CreatedAt: goTime(new Date(img.Created * 1000)),
        Size: imageSize(img.Size),
        Containers: img.Containers < 0 ? 'N/A' : String(img.Containers),
        SharedSize: img.SharedSize < 0 ? 'N/A' : imageSize(img.SharedSize),
        UniqueSize: imageSize(img.Size - Math.max(0, img.SharedSize)),
        VirtualSize: imageSize(img.Size),
        Labels: labelsText(img.Labels),
        Label: (key: string) => img.Labels?.[key] ?? '',
      });
    if (img.RepoTags.length === 0) rows.push(row('<none>', '<none>'));
    for (const rt of img.RepoTags) rows.push(row(...splitRepoTag(rt)));
  }
  return rows;
}

// --- history -----------------------------------------------------------------------------------------------

export const HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export const HISTORY_HEADERS = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export function historyRow(h: ImageHistoryItem, now: Date, noTrunc: boolean, human: boolean): object {
  const createdBy = h.CreatedBy.replace(/\t/g, ' ');
  const created = new Date(h.Created * 1000);
  return strict({
    ID: h.Id === '<missing>' || noTrunc ? h.Id : truncateId(h.Id),
    CreatedSince: human ? timeAgo(created, now) : created.toISOString().replace(/\.\d+Z$/, 'Z'),
    CreatedAt: human ? goTime(created) : created.toISOString().replace(/\.\d+Z$/, 'Z'),
    CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
    Size: human ? imageSize(h.Size) : String(h.Size),
    Comment: h.Comment,
  });
}

// --- volumes -----------------------------------------------------------------------------------------------

export const VOLUMES_TABLE = 'table {{.Driver}}\t{{.Name}}';

export const VOLUMES_HEADERS = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Label: () => 'LABEL',
  Links: 'LINKS',
  Size: 'SIZE',
};

export function volumeRow(v: VolumeInspect): object {
  return strict({
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: labelsText(v.Labels),
    Label: (key: string) => v.Labels?.[key] ?? '',
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData ? humanSize(v.UsageData.Size) : 'N/A',
  });
}

// --- system df ---------------------------------------------------------------------------------------------

export const DF_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';

export const DF_HEADERS = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};

export function dfRows(df: SystemDf): object[] {
  return df.Summary.map((s) =>
    strict({
      Type: s.Type,
      TotalCount: String(s.TotalCount),
      Active: String(s.Active),
      Size: humanSize(s.Size),
      Reclaimable:
        s.Type !== 'Build Cache' && s.Size > 0
          ? `${humanSize(s.Reclaimable)} (${Math.trunc((s.Reclaimable * 100) / s.Size)}%)`
          : humanSize(s.Reclaimable),
    }),
  );
}

/** `system df -v`: the three detail tables. */
export function dfVerbose(df: SystemDf, now: Date): string {
  const images = tabwrite(
    'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n' +
      df.Images.flatMap((img) => {
        const tags = img.RepoTags.length > 0 ? img.RepoTags.map(splitRepoTag) : [['<none>', '<none>']];
        return tags.map(
          ([repo, tag]) =>
            `${repo}\t${tag}\t${truncateId(img.Id)}\t${timeAgo(img.Created * 1000, now)}\t${humanSize(img.Size)}\t` +
            `${humanSize(Math.max(0, img.SharedSize))}\t${humanSize(img.Size - Math.max(0, img.SharedSize))}\t${img.Containers}\n`,
        );
      }).join(''),
  );
  const containers = tabwrite(
    'CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n' +
      df.Containers.map(
        (c) =>
          `${truncateId(c.Id)}\t${c.Image}\t${psCommand(c.Command, false)}\t${c.Mounts.filter((m) => m.Type === 'volume').length}\t` +
          `${humanSize(c.SizeRw ?? 0)}\t${timeAgo(c.Created * 1000, now)}\t${c.Status}\t${c.Names.map(displayName).join(',')}\n`,
      ).join(''),
  );
  const volumes = tabwrite(
    'VOLUME NAME\tLINKS\tSIZE\n' +
      df.Volumes.map(
        (v) => `${v.Name}\t${v.UsageData?.RefCount ?? 0}\t${humanSize(v.UsageData?.Size ?? 0)}\n`,
      ).join(''),
  );
  return (
    `Images space usage:\n\n${images}\nContainers space usage:\n\n${containers}\n` +
    `Local Volumes space usage:\n\n${volumes}\nBuild cache usage: 0B\n`
  );
}

export { humanDuration };
