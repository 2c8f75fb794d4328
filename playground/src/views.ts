/**
 * The inspection views under the terminal: the image list, the picture of an image's layers, and the
 * file browser (an image's or a stopped container's files, each with the layer it comes from and the
 * container's own changes). They read the engine directly and refresh after every command.
 */
import type { Engine } from '../../src/engine/Engine';
import { asText, h, humanSize, shortId } from './dom';
import { containerFiles, imageFiles, imageLayers, layerEntries, type FileRow, type ImageLayers, type LayerView } from './layers'; // prettier-ignore

/** One colour per filesystem layer, bottom first; the layer picture and the file browser share them. */
const PALETTE = ['#7aa2f7', '#9ece6a', '#e0af68', '#bb9af7', '#7dcfff', '#f7768e', '#73daca', '#ff9e64'];
export const layerColor = (layer: number): string => PALETTE[layer % PALETTE.length]!;

/** The instruction as a Dockerfile line: the classic builder records `/bin/sh -c #(nop) ` before metadata steps. */
function instruction(createdBy: string): string {
  return (
    createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').replace(/^\/bin\/sh -c /, 'RUN ') || '(no history)'
  );
}

export interface ViewDeps {
  engine(): Promise<Engine>;
  /** Runs a berth command in the terminal, as if typed. */
  type(argv: string[]): Promise<void>;
  showTab(name: 'images' | 'layers' | 'files'): void;
}

export class ImagesView {
  private readonly renders = new Renders();

  constructor(
    private readonly root: HTMLElement,
    private readonly deps: ViewDeps,
    private readonly onPick: (image: string, tab: 'layers' | 'files') => void,
  ) {}

  async refresh(): Promise<void> {
    const current = this.renders.begin();
    const engine = await this.deps.engine();
    const images = await engine.listImages();
    const containers = await engine.listContainers({ all: true });
    const rows = images.flatMap((img) => {
      const tags = img.RepoTags.length > 0 ? img.RepoTags : ['<none>:<none>'];
      return tags.map((tag) => {
        const ref = tag === '<none>:<none>' ? shortId(img.Id) : tag;
        const [repo, version] = [tag.slice(0, tag.lastIndexOf(':')), tag.slice(tag.lastIndexOf(':') + 1)];
        return h('tr', { 'data-image': ref },
          h('td', { class: 'mono' }, repo), h('td', { class: 'mono' }, version), h('td', { class: 'mono' }, shortId(img.Id)),
          h('td', {}, humanSize(img.Size)),
          h('td', {},
            h('button', { type: 'button', onclick: () => void this.deps.type(['berth', 'run', '--rm', ref]) }, 'Run'), ' ',
            h('button', { type: 'button', onclick: () => this.onPick(ref, 'layers') }, 'Layers'), ' ',
            h('button', { type: 'button', onclick: () => this.onPick(ref, 'files') }, 'Files'), ' ',
            h('button', { type: 'button', onclick: () => void this.deps.type(['berth', 'rmi', ref]) }, 'Remove')));
      }); // prettier-ignore
    });
    const containerRows = containers.map(
      (c) =>
      h('tr', { 'data-container': c.Names[0]?.replace(/^\//, '') ?? c.Id },
        h('td', { class: 'mono' }, c.Names[0]?.replace(/^\//, '') ?? ''), h('td', { class: 'mono' }, c.Image),
        h('td', {}, c.Status), h('td', { class: 'mono' }, c.Command),
        h('td', {},
          h('button', { type: 'button', onclick: () => this.onPick(`container:${c.Id}`, 'files') }, 'Files'), ' ',
          h('button', { type: 'button', onclick: () => void this.deps.type(['berth', 'rm', '-f', c.Id.slice(0, 12)]) }, 'Remove'))), // prettier-ignore
    );
    if (!current()) return;
    this.root.replaceChildren(
      h('h3', {}, 'Images'),
      rows.length === 0
        ? h('p', { class: 'empty' }, 'No images yet: press Build, or type berth run hello.')
        : h('table', { id: 'images-table' },
            h('thead', {}, h('tr', {}, ...['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE', ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, rows)), // prettier-ignore
      h('h3', {}, 'Containers'),
      containerRows.length === 0
        ? h('p', { class: 'empty' }, 'No containers (berth run without --rm keeps one, to look at its files).')
        : h('table', { id: 'containers-table' },
            h('thead', {}, h('tr', {}, ...['NAME', 'IMAGE', 'STATUS', 'COMMAND', ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, containerRows)), // prettier-ignore
    );
  }
}

/** A step's box: filesystem layers are coloured and as tall as their size says (log scale). */
function layerBox(step: LayerView, selected: boolean, onClick: () => void): HTMLElement {
  if (step.empty) {
    return h('div', { class: 'layer meta', title: step.createdBy },
      h('span', {}, ''), h('span', { class: 'instr' }, instruction(step.createdBy)), h('span', {}, 'metadata')); // prettier-ignore
  }
  const height = Math.round(26 + 9 * Math.log10(Math.max(10, step.size)));
  return h('div', {
      class: `layer${selected ? ' selected' : ''}`, 'data-layer': step.layer ?? 0,
      style: `background:${layerColor(step.layer ?? 0)};min-height:${height}px`, title: step.createdBy, onclick: onClick,
    },
    h('span', { class: 'size' }, `L${step.layer}`),
    h('span', { class: 'instr' }, instruction(step.createdBy)),
    h('span', { class: 'size' }, humanSize(step.size)),
    h('span', { class: 'digest' }, step.digest ?? ''),
  ); // prettier-ignore
}

/**
 * Refreshes overlap (a command ends while the user picks another image): each render takes a ticket and
 * only the latest one may touch the DOM, so a slow earlier render never paints over a newer one.
 */
class Renders {
  private latest = 0;
  begin(): () => boolean {
    const ticket = ++this.latest;
    return () => ticket === this.latest;
  }
}

export class LayersView {
  private image: string | undefined;
  private selected: number | undefined;
  private readonly renders = new Renders();

  constructor(
    private readonly root: HTMLElement,
    private readonly deps: ViewDeps,
  ) {}

  show(image: string): Promise<void> {
    this.image = image;
    this.selected = undefined;
    return this.refresh();
  }

  async refresh(): Promise<void> {
    const current = this.renders.begin();
    const engine = await this.deps.engine();
    const names = (await engine.listImages()).flatMap((i) => (i.RepoTags.length > 0 ? i.RepoTags : []));
    if (this.image === undefined || !names.includes(this.image)) this.image = names[0];
    const select = h('select', { id: 'layers-image', onchange: (e) => void this.show((e.target as HTMLSelectElement).value) },
      names.map((n) => h('option', { value: n, selected: n === this.image }, n))); // prettier-ignore
    if (this.image === undefined) {
      if (!current()) return;
      this.root.replaceChildren(h('p', { class: 'empty' }, 'No images yet.'));
      return;
    }
    let layers: ImageLayers;
    try {
      layers = await imageLayers(engine, this.image);
    } catch (e) {
      if (!current()) return;
      this.root.replaceChildren(
        h('div', { class: 'controls' }, select),
        h('p', { class: 'empty' }, String(e)),
      );
      return;
    }
    const total = layers.steps.reduce((n, s) => n + s.size, 0);
    const top = [...layers.steps].reverse();
    const detail = h('div', { id: 'layer-files' });
    const stack = h('div', { class: 'stack', id: 'layer-stack' },
      top.map((s) => layerBox(s, s.layer !== undefined && s.layer === this.selected, () => {
        this.selected = s.layer;
        void this.refresh();
      })),
      h('div', { class: 'empty' }, 'base (scratch)')); // prettier-ignore
    if (!current()) return;
    this.root.replaceChildren(
      h('div', { class: 'controls' }, h('label', {}, 'Image ', select),
        h('span', { class: 'mono' }, shortId(layers.id)), h('span', {}, `${layers.steps.filter((s) => !s.empty).length} layers, ${humanSize(total)} compressed`),
        h('button', { type: 'button', onclick: () => this.deps.showTab('files') }, 'Browse files')), // prettier-ignore
      h('div', { class: 'split' }, stack, detail),
    );
    const step = layers.steps.find((s) => s.layer === this.selected && s.digest !== undefined);
    if (step) {
      const entries = await layerEntries(engine, step.digest!);
      if (!current()) return;
      detail.replaceChildren(
        h('h4', {}, `Layer ${step.layer}: ${instruction(step.createdBy)}`),
        h('p', { class: 'mono' }, `diff_id ${step.diffId ?? '?'}`),
        h('table', {}, h('tbody', {}, entries.map((e) =>
          h('tr', {}, h('td', { class: 'mono' }, e.path), h('td', {}, e.type),
            h('td', {}, e.type === 'symlink' || e.type === 'hardlink' ? `→ ${e.target}` : e.data ? humanSize(e.data.length) : ''))))), // prettier-ignore
      );
    } else detail.replaceChildren(h('p', { class: 'empty' }, 'Click a layer to see the files it carries.'));
  }
}

export class FilesView {
  /** An image reference, or `container:ID`. */
  private source: string | undefined;
  private picked: string | undefined;
  private readonly renders = new Renders();

  constructor(
    private readonly root: HTMLElement,
    private readonly deps: ViewDeps,
  ) {}

  show(source: string): Promise<void> {
    this.source = source;
    this.picked = undefined;
    return this.refresh();
  }

  async refresh(): Promise<void> {
    const current = this.renders.begin();
    const engine = await this.deps.engine();
    const images = (await engine.listImages()).flatMap((i) => i.RepoTags);
    const containers = await engine.listContainers({ all: true });
    const sources = [
      ...images.map((n) => ({ value: n, label: `image ${n}` })),
      ...containers.map((c) => ({ value: `container:${c.Id}`, label: `container ${c.Names[0]?.replace(/^\//, '')} (${c.State})` })), // prettier-ignore
    ];
    if (this.source === undefined || !sources.some((s) => s.value === this.source))
      this.source = sources[0]?.value;
    const select = h('select', { id: 'files-source', onchange: (e) => void this.show((e.target as HTMLSelectElement).value) },
      sources.map((s) => h('option', { value: s.value, selected: s.value === this.source }, s.label))); // prettier-ignore
    if (this.source === undefined) {
      if (!current()) return;
      this.root.replaceChildren(h('p', { class: 'empty' }, 'No images or containers yet.'));
      return;
    }
    let rows: Map<string, FileRow>;
    let layers: ImageLayers;
    try {
      if (this.source.startsWith('container:')) {
        const id = this.source.slice('container:'.length);
        const state = containers.find((c) => c.Id === id)?.State;
        if (state === 'running') {
          if (!current()) return;
          this.root.replaceChildren(h('div', { class: 'controls' }, select), h('p', { class: 'empty' }, 'The container is running: its files show once it stops.')); // prettier-ignore
          return;
        }
        ({ image: layers, rows } = await containerFiles(engine, id));
      } else {
        layers = await imageLayers(engine, this.source);
        rows = await imageFiles(engine, layers);
      }
    } catch (e) {
      if (!current()) return;
      this.root.replaceChildren(
        h('div', { class: 'controls' }, select),
        h('p', { class: 'empty' }, String(e)),
      );
      return;
    }
    const stepOf = new Map(layers.steps.filter((s) => s.layer !== undefined).map((s) => [s.layer!, s]));
    const chip = (origin: number | 'container') =>
      origin === 'container'
        ? h('span', { class: 'chip container' }, 'container')
        : h('span', { class: 'chip', style: `background:${layerColor(origin)}`, title: stepOf.get(origin)?.createdBy ?? '' },
            `L${origin} ${instruction(stepOf.get(origin)?.createdBy ?? '').slice(0, 28)}`); // prettier-ignore
    const sorted = [...rows.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
    const preview = h('div', { id: 'file-preview' });
    const showPreview = (row: FileRow) => {
      this.picked = row.path;
      const text = row.data ? asText(row.data) : undefined;
      preview.replaceChildren(
        h('h4', { class: 'mono' }, row.path),
        row.type === 'symlink' ? h('p', {}, `symlink to ${row.target}`)
          : row.type === 'dir' ? h('p', {}, 'directory')
          : row.change === 'D' ? h('p', {}, 'deleted by the container')
          : text !== undefined ? h('pre', { class: 'preview' }, text.slice(0, 20000))
          : h('p', {}, `binary, ${humanSize(row.size)}${row.data && row.data[0] === 0 && row.data[1] === 0x61 ? ' (a WebAssembly module)' : ''}`), // prettier-ignore
      );
    };
    const counts = { A: 0, C: 0, D: 0 };
    for (const r of sorted) if (r.change) counts[r.change]++;
    if (!current()) return;
    this.root.replaceChildren(
      h('div', { class: 'controls' }, h('label', {}, 'Show ', select),
        h('span', {}, `${sorted.length} paths`),
        this.source.startsWith('container:') ? h('span', { id: 'change-counts' }, `changes: ${counts.A} added, ${counts.C} changed, ${counts.D} deleted`) : null), // prettier-ignore
      h('div', { class: 'legend' },
        [...stepOf.values()].map((s) => h('span', {}, chip(s.layer!), ` ${humanSize(s.size)}`)),
        this.source.startsWith('container:') ? h('span', {}, chip('container'), ' the container\'s writable layer') : null), // prettier-ignore
      h(
        'div',
        { class: 'split' },
        h('table', { id: 'files-table' },
          h('thead', {}, h('tr', {}, ...['', 'PATH', 'TYPE', 'SIZE', 'FROM LAYER'].map((t) => h('th', {}, t)))),
          h('tbody', {}, sorted.map((r) => h('tr', { class: `file-row ${r.change ?? ''}`, 'data-path': r.path, onclick: () => showPreview(r) },
            h('td', { class: 'change' }, r.change ?? ''),
            h('td', { class: 'mono', style: `padding-left:${0.6 + 1.1 * (r.path.split('/').length - 2)}em` }, r.path.slice(r.path.lastIndexOf('/') + 1) + (r.type === 'dir' ? '/' : '')),
            h('td', {}, r.type === 'symlink' ? `→ ${r.target}` : r.type),
            h('td', {}, r.type === 'file' ? humanSize(r.size) : ''),
            h('td', {}, chip(r.origin), r.below !== undefined ? h('span', { class: 'empty' }, ' over ', chip(r.below)) : null))))), // prettier-ignore
        preview,
      ),
    );
    const again = sorted.find((r) => r.path === this.picked);
    if (again) showPreview(again);
    else preview.replaceChildren(h('p', { class: 'empty' }, 'Click a file to see it.'));
  }
}
