/** `inspect`, `system df`, `system prune`, `version`, `info`. */
import type { VersionInfo } from '../engine/types';
import { type Handler } from './context';
import { pruneFilters } from './containers';
import { deleteLines } from './images';
import { bytesSize, humanSize } from './format';
import { inspect } from './inspect';
import { confirm } from './options';
import type { CommandPath } from './specs';
import { Template, unescapeFormat } from './template';
import { DF_HEADERS, DF_TABLE, dfRows, dfVerbose, renderList } from './views';

/** `Key:` padded so that values start in column 20, as `docker version` lays them out. */
function field(indent: number, key: string, value: string): string {
  return `${' '.repeat(indent)}${`${key}:`.padEnd(19 - indent)} ${value}\n`;
}

const df: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const usage = await engine.systemDf();
  if (f.bool('verbose')) {
    await ctx.out(dfVerbose(usage, ctx.now()));
    return 0;
  }
  await ctx.out(renderList(f.string('format'), DF_TABLE, dfRows(usage), DF_HEADERS));
  return 0;
};

const systemPrune: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const filters = pruneFilters(ctx, f.list('filter'));
  const all = f.bool('all');
  const volumes = f.bool('volumes');
  const warning =
    'WARNING! This will remove:\n  - all stopped containers\n' +
    (volumes ? '  - all anonymous volumes not used by at least one container\n' : '') +
    (all
      ? '  - all images without at least one container associated to them\n'
      : '  - all dangling images\n') +
    '  - unused build cache\n';
  if (!f.bool('force') && !(await confirm(ctx, warning))) return 0;
  let out = '';
  let reclaimed = 0;
  const containers = await engine.pruneContainers(filters);
  if (containers.ContainersDeleted.length > 0) {
    out += `Deleted Containers:\n${containers.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`;
  }
  reclaimed += containers.SpaceReclaimed;
  if (volumes) {
    const v = await engine.pruneVolumes(filters.label ? { label: filters.label } : {});
    if (v.VolumesDeleted.length > 0)
      out += `Deleted Volumes:\n${v.VolumesDeleted.map((n) => `${n}\n`).join('')}\n`;
    reclaimed += v.SpaceReclaimed;
  }
  const images = await engine.pruneImages({ all, ...filters });
  if (images.ImagesDeleted.length > 0) out += `Deleted Images:\n${deleteLines(images.ImagesDeleted, true)}\n`;
  reclaimed += images.SpaceReclaimed;
  await ctx.out(`${out}Total reclaimed space: ${humanSize(reclaimed)}\n`);
  return 0;
};

interface ClientVersion {
  Version: string;
  ApiVersion: string;
  Platform: string;
  Os: string;
  Arch: string;
}

function clientVersion(ctx: Parameters<Handler>[0], server: VersionInfo | undefined): ClientVersion {
  const [os, arch] = (ctx.host.hostPlatform ?? 'unknown/unknown').split('/') as [string, string];
  return {
    Version: ctx.host.version,
    ApiVersion: server?.ApiVersion ?? '',
    Platform: ctx.host.jsRuntime ?? '',
    Os: os,
    Arch: arch ?? '',
  };
}

const version: Handler = async (ctx, f) => {
  let server: VersionInfo | undefined;
  let problem: string | undefined;
  try {
    server = (await ctx.engine()).version();
  } catch (e) {
    problem = (e as Error).message;
  }
  const client = clientVersion(ctx, server);
  const format = f.string('format');
  if (format !== undefined && format !== '') {
    const t = format === 'json' ? new Template('{{json .}}') : new Template(unescapeFormat(format));
    await ctx.out(t.execute({ Client: client, Server: server ?? null }) + '\n');
    return server ? 0 : 1;
  }
  let out =
    'Client:\n' +
    field(1, 'Version', client.Version) +
    field(1, 'API version', client.ApiVersion) +
    (client.Platform ? field(1, 'JS runtime', client.Platform) : '') +
    field(1, 'OS/Arch', `${client.Os}/${client.Arch}`) +
    field(1, 'Context', 'default');
  if (server) {
    out += `\nServer: ${server.Platform.Name} (in-process engine, no daemon)\n`;
    for (const c of server.Components) {
      out += ` ${c.Name}:\n` + field(2, 'Version', c.Version);
      if (c.Name === 'Engine') out += field(2, 'API version', `${server.ApiVersion} (minimum version ${server.MinAPIVersion})`); // prettier-ignore
      for (const [k, v] of Object.entries(c.Details ?? {})) {
        if (c.Name === 'Engine' && k === 'ApiVersion') continue;
        if (c.Name === 'Engine' && (k === 'Os' || k === 'Arch')) continue;
        out += field(2, k, v);
      }
      if (c.Name === 'Engine') out += field(2, 'OS/Arch', `${server.Os}/${server.Arch}`);
    }
  }
  await ctx.out(out);
  if (problem !== undefined) {
    await ctx.err(`${problem}\n`);
    return 1;
  }
  return 0;
};

const info: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const i = await engine.info();
  const format = f.string('format');
  if (format !== undefined && format !== '') {
    const t = format === 'json' ? new Template('{{json .}}') : new Template(unescapeFormat(format));
    await ctx.out(t.execute(i) + '\n');
    return 0;
  }
  const out =
    'Client:\n' +
    ` Version:    ${ctx.host.version}\n` +
    ' Context:    default\n' +
    ' Debug Mode: false\n\n' +
    'Server:\n' +
    ` Containers: ${i.Containers}\n` +
    `  Running: ${i.ContainersRunning}\n` +
    `  Paused: ${i.ContainersPaused}\n` +
    `  Stopped: ${i.ContainersStopped}\n` +
    ` Images: ${i.Images}\n` +
    ` Server Version: ${i.ServerVersion}\n` +
    ` Storage Driver: ${i.Driver}\n` +
    ` Logging Driver: ${i.LoggingDriver}\n` +
    ` Cgroup Driver: ${i.CgroupDriver}\n` +
    ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}\n` +
    ` Default Runtime: ${i.DefaultRuntime}\n` +
    ` Security Options:\n${i.SecurityOptions.map((s) => `  ${s}\n`).join('')}` +
    ` Kernel Version: ${i.KernelVersion}\n` +
    ` Operating System: ${i.OperatingSystem}\n` +
    ` OSType: ${i.OSType}\n` +
    ` Architecture: ${i.Architecture}\n` +
    ` CPUs: ${i.NCPU}\n` +
    ` Total Memory: ${bytesSize(i.MemTotal)}\n` +
    ` Name: ${i.Name}\n` +
    ` ID: ${i.ID}\n` +
    ` Docker Root Dir: ${i.DockerRootDir}\n` +
    ' Debug Mode: false\n' +
    ' Experimental: false\n' +
    ' Live Restore Enabled: false\n\n';
  await ctx.out(out);
  for (const w of i.Warnings) await ctx.err(`${w}\n`);
  return 0;
};

export const SYSTEM_HANDLERS: Partial<Record<CommandPath, Handler>> = {
  inspect,
  'system df': df,
  'system prune': systemPrune,
  version,
  info,
};
