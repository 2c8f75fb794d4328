/**
 * What the layer picture and the file browser show, computed from the engine's content store with the
 * engine's own layer code (src/layer): an image's layers beside its history (instruction, size, digest),
 * the tree each layer carries, and for every path of the image the layer it comes from — the topmost
 * layer that has it, after whiteouts and opaque directories of the layers above took away what they hide.
 * A container adds its own changes (docker diff: A, C, D) over that.
 *
 * The engine has no "which layer does this path come from" query; this is that query, done where it is
 * shown. Layer trees are unpacked once per digest and kept for the page's life.
 */
import { resolveImage, type ResolvedImage } from '../../src/image/resolveImage';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, treeEntries, unpackLayer, type LayerEntry } from '../../src/layer';
import type { Engine } from '../../src/engine/Engine';
import type { Digest } from '../../src/oci/digest';

export interface LayerView {
  /** Position in the history, bottom (0) to top. */
  index: number;
  /** The history entry's instruction (`COPY file:… in /`, `ENV …`). */
  createdBy: string;
  created?: string;
  comment?: string;
  /** A metadata step: no filesystem layer. */
  empty: boolean;
  /** The layer blob (compressed) and the digest of its tar, for steps that have a layer. */
  digest?: string;
  diffId?: string;
  /** Bytes of the blob. */
  size: number;
  /** Which of the image's filesystem layers this is (0 = bottom), for steps with a layer. */
  layer?: number;
}

export interface ImageLayers {
  id: string;
  tags: string[];
  steps: LayerView[];
}

export interface FileRow {
  path: string;
  type: LayerEntry['type'];
  mode: number;
  size: number;
  target?: string;
  /** Filesystem layer index the path comes from, or 'container' for what a container added. */
  origin: number | 'container';
  /** The container's change to this path (docker diff's A, C, D). */
  change?: 'A' | 'C' | 'D';
  /** For a file the container changed: the layer the image's version comes from. */
  below?: number | 'container';
  data?: Uint8Array;
}

async function resolvedOf(
  engine: Engine,
  ref: string,
): Promise<{ id: string; tags: string[]; resolved: ResolvedImage }> {
  const inspect = await engine.inspectImage(ref);
  for (const record of await engine.host.images.list()) {
    try {
      const resolved = await resolveImage(engine.host.content, record);
      if (resolved.manifest.config.digest === inspect.Id)
        return { id: inspect.Id, tags: inspect.RepoTags, resolved };
    } catch {
      // an image of another platform: not this one
    }
  }
  throw new Error(`image ${ref} has no name to read it by (tag it first)`);
}

export async function imageLayers(engine: Engine, ref: string): Promise<ImageLayers> {
  const { id, tags, resolved } = await resolvedOf(engine, ref);
  const layers = resolved.manifest.layers;
  const diffIds = resolved.config.rootfs?.diff_ids ?? [];
  let next = 0;
  const steps: LayerView[] = (resolved.config.history ?? []).map((h, index) => {
    const base = {
      index,
      createdBy: h.created_by ?? '',
      ...(h.created !== undefined ? { created: h.created } : {}),
      ...(h.comment !== undefined ? { comment: h.comment } : {}),
    };
    if (h.empty_layer) return { ...base, empty: true, size: 0 };
    const layer = next++;
    return {
      ...base,
      empty: false,
      layer,
      size: layers[layer]?.size ?? 0,
      ...(layers[layer] ? { digest: layers[layer].digest } : {}),
      ...(diffIds[layer] ? { diffId: diffIds[layer] } : {}),
    };
  });
  // Layers the history does not describe (an image made by other tools): shown without an instruction.
  for (; next < layers.length; next++) {
    steps.push({ index: steps.length, createdBy: '', empty: false, layer: next, size: layers[next]!.size, digest: layers[next]!.digest }); // prettier-ignore
  }
  return { id, tags, steps };
}

const trees = new Map<string, Promise<LayerEntry[]>>();

/** The entries of one layer blob (whiteouts and opaque markers as entries), unpacked once. */
export function layerEntries(engine: Engine, digest: string): Promise<LayerEntry[]> {
  let found = trees.get(digest);
  if (found === undefined) {
    found = unpackLayer(engine.host.content.read(digest as Digest), {
      hasher: engine.host.hasher,
      ...(engine.host.gunzip ? { gunzip: engine.host.gunzip } : {}),
    }).then((u) => treeEntries(u.fs));
    found.catch(() => trees.delete(digest));
    trees.set(digest, found);
  }
  return found;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function removeUnder(rows: Map<string, FileRow>, dir: string, self: boolean): void {
  const prefix = `${dir}/`;
  for (const key of [...rows.keys()]) if ((self && key === dir) || key.startsWith(prefix)) rows.delete(key);
}

function rowOf(e: LayerEntry, origin: number | 'container'): FileRow {
  return {
    path: e.path,
    type: e.type,
    mode: e.mode,
    size: e.data?.length ?? 0,
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.data !== undefined ? { data: e.data } : {}),
    origin,
  };
}

/**
 * The image's merged tree, each path with the layer it comes from. `layers` are the filesystem layers'
 * entries, bottom first. A layer's whiteouts and opaque markers first hide what the layers below gave,
 * then its entries land on top.
 */
export function mergeLayers(layers: readonly (readonly LayerEntry[])[]): Map<string, FileRow> {
  const rows = new Map<string, FileRow>();
  layers.forEach((entries, index) => {
    for (const e of entries) {
      const name = e.path.slice(e.path.lastIndexOf('/') + 1);
      if (e.type === 'opaque' || name === OPAQUE_MARKER) removeUnder(rows, dirOf(e.path), false);
      else if (e.type === 'whiteout' || name.startsWith(WHITEOUT_PREFIX)) {
        removeUnder(rows, `${dirOf(e.path)}/${name.slice(WHITEOUT_PREFIX.length)}`, true);
      }
    }
    for (const e of entries) {
      if (e.type === 'opaque' || e.type === 'whiteout') continue;
      rows.set(e.path, rowOf(e, index));
    }
  });
  return rows;
}

/** The merged tree of an image, bottom layer first. */
export async function imageFiles(engine: Engine, image: ImageLayers): Promise<Map<string, FileRow>> {
  const digests = image.steps.filter((s) => s.digest !== undefined).map((s) => s.digest!);
  return mergeLayers(await Promise.all(digests.map((d) => layerEntries(engine, d))));
}

/**
 * A stopped container's tree: its image's rows where the container left them alone, its own where it
 * changed them (the file as the container has it, from `export`), and what it deleted marked D.
 */
export async function containerFiles(
  engine: Engine,
  ref: string,
): Promise<{ image: ImageLayers; rows: Map<string, FileRow> }> {
  const inspect = await engine.inspectContainer(ref);
  const image = await imageLayers(engine, inspect.Image);
  const rows = await imageFiles(engine, image);
  const changes = await engine.containerDiff(ref);
  if (changes.length === 0) return { image, rows };
  const exported = await unpackLayer(await engine.exportContainer(ref), {
    hasher: engine.host.hasher,
    gzip: false,
  });
  const now = new Map(treeEntries(exported.fs).map((e) => [e.path, e]));
  for (const c of changes) {
    if (c.Kind === 2) {
      const row = rows.get(c.Path);
      if (row) row.change = 'D';
      continue;
    }
    const e = now.get(c.Path);
    if (c.Kind === 1) {
      if (e) rows.set(c.Path, { ...rowOf(e, 'container'), change: 'A' });
      continue;
    }
    const before = rows.get(c.Path);
    if (before === undefined) continue;
    // A directory "changes" when its contents do: it still comes from its layer. A file the container
    // rewrote is the container's now, over the image's version.
    if (e && e.type !== 'dir')
      rows.set(c.Path, { ...rowOf(e, 'container'), change: 'C', below: before.origin });
    else before.change = 'C';
  }
  return { image, rows };
}
