/**
 * The image commands: images (image ls), rmi, tag, history, image inspect, save, load, image prune.
 * `save` writes a `docker save` archive (OCI layout + manifest.json), or with podman's `--format` an OCI
 * layout as a tar or a directory; `load` reads either archive, through src/transfer.
 */
import type { Engine } from '../engine/Engine';
import { danglingReference } from '../engine/images';
import type { ImageDeleteItem, ImageHistoryItem, ImageListFilters, ImageSummary } from '../engine/types';
import { resolveImage } from '../image/resolveImage';
import { familiarName, parseReference } from '../oci/reference';
import { exportDockerArchive, exportOciArchive, exportOciLayout } from '../transfer/export';
import { importArchive } from '../transfer/import';
import type { ExportSubject } from '../transfer/subjects';
import { CliError, kindOf, type Ctx, type Handler } from './context';
import { forEach, pruneFilters, writeStream } from './containers';
import { humanSize } from './format';
import { inspectOutput } from './inspect';
import { confirm, parseBoolFilter, parseFilters } from './options';
import type { CommandPath } from './specs';
import { HISTORY_HEADERS, HISTORY_TABLE, historyRow, IMAGES_HEADERS, IMAGES_TABLE, IMAGES_TABLE_DIGESTS, imageRows, renderList } from './views'; // prettier-ignore

const images: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const groups = parseFilters(f.list('filter'), ['reference', 'dangling', 'label', 'before', 'since']);
  const filters: ImageListFilters = {};
  const reference = [...(groups.get('reference') ?? []), ...f.args];
  if (reference.length > 0) filters.reference = reference;
  const dangling = parseBoolFilter('dangling', groups.get('dangling'));
  if (dangling !== undefined) filters.dangling = dangling;
  if (groups.has('label')) filters.label = groups.get('label')!;
  const before = groups.get('before')?.[0];
  if (before !== undefined) filters.before = before;
  const since = groups.get('since')?.[0];
  if (since !== undefined) filters.since = since;
  let list = await engine.listImages({ all: f.bool('all'), filters });
  if (!f.bool('all')) list = await withoutIntermediates(engine, list);
  const noTrunc = f.bool('no-trunc');
  let rows = imageRows(list, ctx.now(), noTrunc);
  let format = f.string('format');
  if (f.bool('quiet') && (format === undefined || format === '' || format === 'table')) {
    // One line per image, not per tag.
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const id = (r as { ID: string }).ID;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    format = '{{.ID}}';
  }
  await ctx.out(
    renderList(format, f.bool('digests') ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE, rows, IMAGES_HEADERS),
  );
  return 0;
};

/**
 * Docker hides intermediate images (the untagged steps of a build, which have children) unless -a: an
 * untagged image is one when another image's history extends its own (or, for an image with no history,
 * such as a build's empty `FROM scratch` base, when another image's layers extend its own).
 */
async function withoutIntermediates(engine: Engine, list: ImageSummary[]): Promise<ImageSummary[]> {
  if (!list.some((i) => i.RepoTags.length === 0)) return list;
  const all = await engine.listImages({ all: true });
  const key = (h: ImageHistoryItem) => JSON.stringify([h.Created, h.CreatedBy, h.Size, h.Comment]);
  const facts = new Map<string, { history: string[]; layers: string[] }>();
  for (const img of all) {
    try {
      const history = (await engine.imageHistory(img.Id)).filter(
        (h) => h.CreatedBy !== '' || h.Created !== 0,
      );
      facts.set(img.Id, {
        history: history.map(key).reverse(),
        layers: (await engine.inspectImage(img.Id)).RootFS.Layers,
      });
    } catch {
      facts.set(img.Id, { history: [], layers: [] });
    }
  }
  const extends_ = (mine: string[], theirs: string[]) => mine.every((k, i) => theirs[i] === k);
  const hasChild = (id: string) => {
    const mine = facts.get(id)!;
    return all.some((o) => {
      const theirs = facts.get(o.Id)!;
      if (o.Id === id) return false;
      if (mine.history.length > 0) {
        return theirs.history.length > mine.history.length && extends_(mine.history, theirs.history);
      }
      return (
        extends_(mine.layers, theirs.layers) &&
        (theirs.layers.length > mine.layers.length || theirs.history.length > 0)
      );
    });
  };
  return list.filter((i) => i.RepoTags.length > 0 || !hasChild(i.Id));
}

function deleteLines(items: readonly ImageDeleteItem[], lower = false): string {
  return items
    .map((i) =>
      'Untagged' in i
        ? `${lower ? 'untagged' : 'Untagged'}: ${i.Untagged}\n`
        : `${lower ? 'deleted' : 'Deleted'}: ${i.Deleted}\n`,
    ) // prettier-ignore
    .join('');
}

const rmi: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const force = f.bool('force');
  return forEach(
    ctx,
    f.args,
    async (ref) => {
      await ctx.out(deleteLines(await engine.removeImage(ref, { force })));
    },
    (e) => force && kindOf(e) === 'no-such-image',
  );
};

const tag: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  await engine.tagImage(f.args[0]!, f.args[1]!);
  return 0;
};

const history: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const items = await engine.imageHistory(f.args[0]!);
  const now = ctx.now();
  const noTrunc = f.bool('no-trunc');
  const human = f.bool('human');
  let format = f.string('format');
  if (f.bool('quiet') && (format === undefined || format === '' || format === 'table')) format = '{{.ID}}';
  await ctx.out(renderList(format, HISTORY_TABLE, items.map((h) => historyRow(h, now, noTrunc, human)), HISTORY_HEADERS)); // prettier-ignore
  return 0;
};

const imageInspect: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  return inspectOutput(ctx, f, (ref) => engine.inspectImage(ref));
};

/** What `save` writes for an argument: a named image by its name, an ID as an unnamed image. */
async function saveSubject(engine: Engine, arg: string): Promise<ExportSubject> {
  let canonical: string | undefined;
  try {
    canonical = parseReference(arg).canonical;
  } catch {
    canonical = undefined;
  }
  if (canonical !== undefined && (await engine.host.images.get(canonical)) !== undefined) return canonical;
  const inspected = await engine.inspectImage(arg);
  return { target: inspected.Descriptor };
}

/** `save --format`, podman's names; docker's own `save` writes only the first. */
const SAVE_FORMATS = ['docker-archive', 'oci-archive', 'oci-dir'] as const;

const save: Handler = async (ctx, f) => {
  const format = f.string('format') ?? 'docker-archive';
  if (!(SAVE_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`berth: unknown save format "${format}": use ${SAVE_FORMATS.join(', ')}`);
  }
  const output = f.string('output');
  if (format === 'oci-dir' && (output === undefined || output === '-')) {
    throw new CliError('berth: --format oci-dir writes a directory: name it with -o DIR');
  }
  if ((output === undefined || output === '-') && ctx.host.stdoutIsTTY) {
    throw new CliError('berth: cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  const engine = await ctx.engine();
  const subjects: ExportSubject[] = [];
  for (const arg of f.args) subjects.push(await saveSubject(engine, arg));
  const { host } = engine;
  const stores = { content: host.content, images: host.images };
  if (format === 'oci-dir') {
    if (ctx.host.transferFs === undefined) throw new CliError('berth: this host cannot write directories');
    await exportOciLayout(stores, subjects, { fs: ctx.host.transferFs, dir: output! });
    return 0;
  }
  const archive =
    format === 'oci-archive'
      ? exportOciArchive(stores, subjects)
      : exportDockerArchive(stores, subjects, {
          hasher: host.hasher,
          ...(host.gunzip ? { gunzip: host.gunzip } : {}),
        });
  await writeStream(ctx, output, archive);
  return 0;
};

/** `docker.io/library/hello:latest` → `hello:latest`. */
function familiarRef(canonical: string): string {
  const ref = parseReference(canonical);
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : ref.digest !== undefined ? `@${ref.digest}` : ''); // prettier-ignore
}

const load: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const input = f.string('input');
  let source: AsyncIterable<Uint8Array>;
  if (input !== undefined && input !== '-') {
    if (ctx.host.readStream === undefined) throw new CliError('berth: this host cannot read files');
    source = ctx.host.readStream(input);
  } else {
    if (ctx.host.stdin === undefined)
      throw new CliError('berth: requested load from stdin, but stdin is empty');
    source = ctx.host.stdin;
  }
  const { host } = engine;
  const result = await importArchive({ content: host.content, images: host.images }, source, {
    hasher: host.hasher,
    ...(host.gunzip ? { gunzip: host.gunzip } : {}),
    archiveName: input ?? 'stdin',
  });
  let out = '';
  for (const img of result.images) {
    if (img.names.length > 0) {
      for (const name of img.names) out += `Loaded image: ${familiarRef(name)}\n`;
      continue;
    }
    // An unnamed image: kept as a dangling image, as Docker keeps it.
    await host.images.put(danglingReference(img.target.digest), img.target);
    let id: string = img.target.digest;
    try {
      id = (await resolveImage(host.content, img.target)).manifest.config.digest;
    } catch {
      // Not a wasm image: name it by its manifest.
    }
    out += `Loaded image ID: ${id}\n`;
  }
  await ctx.out(out);
  return 0;
};

const imagePrune: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const filters = pruneFilters(ctx, f.list('filter'));
  const all = f.bool('all');
  const warning = all
    ? 'WARNING! This will remove all images without at least one container associated to them.'
    : 'WARNING! This will remove all dangling images.';
  if (!f.bool('force') && !(await confirm(ctx, warning))) return 0;
  const r = await engine.pruneImages({ all, ...filters });
  let out = '';
  if (r.ImagesDeleted.length > 0) out += `Deleted Images:\n${deleteLines(r.ImagesDeleted, true)}\n`;
  await ctx.out(`${out}Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
  return 0;
};

export const IMAGE_HANDLERS: Partial<Record<CommandPath, Handler>> = {
  images,
  rmi,
  tag,
  history,
  'image inspect': imageInspect,
  save,
  load,
  'image prune': imagePrune,
};

export { deleteLines };
export type { Ctx };
