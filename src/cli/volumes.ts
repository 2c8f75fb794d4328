/** The volume commands: volume create, ls, inspect, rm, prune. */
import type { VolumeFilters } from '../engine/types';
import type { Handler } from './context';
import { forEach } from './containers';
import { humanSize } from './format';
import { inspectOutput } from './inspect';
import { confirm, labelsOf, parseBoolFilter, parseFilters } from './options';
import type { CommandPath } from './specs';
import { renderList, volumeRow, VOLUMES_HEADERS, VOLUMES_TABLE } from './views';

const create: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const name = f.args[0] ?? f.string('name');
  const driverOpts = labelsOf(f.list('opt'));
  const labels = labelsOf(f.list('label'));
  const v = await engine.createVolume({
    ...(name !== undefined ? { name } : {}),
    driver: f.string('driver') ?? 'local',
    ...(Object.keys(driverOpts).length > 0 ? { driverOpts } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
  });
  await ctx.out(`${v.Name}\n`);
  return 0;
};

const ls: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const groups = parseFilters(f.list('filter'), ['name', 'label', 'dangling', 'driver']);
  const filters: VolumeFilters = {};
  if (groups.has('name')) filters.name = groups.get('name')!;
  if (groups.has('label')) filters.label = groups.get('label')!;
  const dangling = parseBoolFilter('dangling', groups.get('dangling'));
  if (dangling !== undefined) filters.dangling = dangling;
  let list = await engine.listVolumes({ filters });
  const drivers = groups.get('driver');
  if (drivers !== undefined) list = list.filter((v) => drivers.includes(v.Driver));
  let format = f.string('format');
  if (f.bool('quiet') && (format === undefined || format === '' || format === 'table')) format = '{{.Name}}';
  await ctx.out(renderList(format, VOLUMES_TABLE, list.map(volumeRow), VOLUMES_HEADERS));
  return 0;
};

const inspect: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  return inspectOutput(ctx, f, (name) => engine.inspectVolume(name));
};

const rm: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  return forEach(
    ctx,
    f.args,
    async (name) => {
      await engine.removeVolume(name, { force: f.bool('force') });
      await ctx.out(`${name}\n`);
    },
    (e) => f.bool('force') && (e as { kind?: string }).kind === 'no-such-volume',
  );
};

const prune: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const groups = parseFilters(f.list('filter'), ['label', 'all']);
  const all = f.bool('all') || parseBoolFilter('all', groups.get('all')) === true;
  const warning = all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
  if (!f.bool('force') && !(await confirm(ctx, warning))) return 0;
  const r = await engine.pruneVolumes({
    all,
    ...(groups.has('label') ? { label: groups.get('label')! } : {}),
  });
  let out = '';
  if (r.VolumesDeleted.length > 0)
    out += `Deleted Volumes:\n${r.VolumesDeleted.map((n) => `${n}\n`).join('')}\n`;
  await ctx.out(`${out}Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
  return 0;
};

export const VOLUME_HANDLERS: Partial<Record<CommandPath, Handler>> = {
  'volume create': create,
  'volume ls': ls,
  'volume inspect': inspect,
  'volume rm': rm,
  'volume prune': prune,
};
