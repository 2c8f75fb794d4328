/**
 * The playground page: the engine (src/browser's host: Web Workers, in-memory stores, web gzip), a
 * terminal running the berth CLI, an editor over the workspace, and the inspection views.
 *
 * `window.playground` exposes the pieces to the browser tests and to anyone poking at the page from the
 * devtools console: the terminal, the workspace, the engine, and the readiness timings.
 */
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { MemoryBuildCache } from '../../src/build/cache';
import {
  browserEngineHost,
  loadFromUrl,
  deleteBerthDatabase,
  IdbBuildCache,
  openBerthDatabase,
} from '../../src/browser/index';
import { Engine } from '../../src/engine/Engine';
import { asText, byId, h, humanSize } from './dom';
import { fetchExamples, loadExample, type Example } from './examples';
import { SavedEdits } from './savedEdits';
import { Shell } from './shell';
import { playgroundTransferFs } from './transferFs';
import { FilesView, ImagesView, LayersView } from './views';
import { Workspace } from './workspace';

declare const __BERTH_VERSION__: string | undefined;
const version = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : 'dev';

/** The project written for the playground itself: an image on top of a base image, three kinds of step. */
const STARTER: Record<string, string> = {
  Dockerfile: `# An image on top of the hello base image: one layer of our own, and metadata.
FROM hello
COPY motd /etc/motd
ENV GREETING="Hello from the playground"
CMD ["built", "in", "a", "browser", "tab"]
`,
  motd: 'This /etc/motd comes from the app image, one layer above hello.\n',
};

const base = new URL('.', location.href);
/** The IndexedDB database of the playground's engine (its own, apart from other Berth pages of the origin). */
const DATABASE = 'berth-playground';
const started = performance.now();

async function boot(): Promise<void> {
  const isolated = globalThis.crossOriginIsolated === true;
  const badge = byId('isolation');
  badge.textContent = isolated
    ? 'cross-origin isolated: interactive stdin'
    : 'not cross-origin isolated: no interactive stdin (-i)';
  badge.className = `badge ${isolated ? 'ok' : 'warn'}`;

  const term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontSize: 13,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    scrollback: 5000,
    theme: { background: '#0f1419' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(byId('terminal'));
  fit.fit();
  new ResizeObserver(() => fit.fit()).observe(byId('terminal'));

  // The engine's state lives in IndexedDB: images, containers, logs and the build cache survive a reload.
  // ?memory keeps everything in memory instead (gone on reload).
  const examplesLoaded = fetchExamples(base);
  const db = new URLSearchParams(location.search).has('memory')
    ? undefined
    : await openBerthDatabase(DATABASE);
  const engineHost = browserEngineHost({ workerUrl: new URL('dist/browser/worker.js', base) }, db);
  const enginePromise = Engine.open(engineHost, { version });
  const engine = () => enginePromise;
  const workspace = new Workspace();
  const examples: Example[] = await examplesLoaded;
  const exampleNamed = (name: string) => examples.find((e) => e.name === name);

  for (const [name, text] of Object.entries(STARTER)) workspace.writeFile(`/work/app/${name}`, text);
  const edits = new SavedEdits(typeof localStorage !== 'undefined' ? localStorage : undefined);
  addEventListener('pagehide', () => edits.flush());
  const projects = ['app', ...examples.map((e) => e.name)];
  const loaded = new Map<string, Promise<void>>();
  /** Loads images/NAME into the workspace at `dir` once. */
  const ensureExample = (name: string, dir: string): Promise<void> => {
    let p = loaded.get(dir);
    if (p === undefined) {
      const example = exampleNamed(name);
      p = example ? loadExample(workspace, base, example, dir) : Promise.resolve();
      p.catch(() => loaded.delete(dir));
      loaded.set(dir, p);
    }
    return p;
  };

  let afterCommand: () => void = () => undefined;
  const shell = new Shell({
    term,
    workspace,
    workerHost: engineHost.workerHost,
    engine,
    buildCache: db ? new IdbBuildCache(db) : new MemoryBuildCache(),
    version,
    baseImage: (name) => (exampleNamed(name) ? `/images/${name}` : undefined),
    // Loaded from the layout `npm run images` ships where there is one (no build in the tab).
    baseImageLayout: (name) => (exampleNamed(name)?.layout ? `/images/oci/${name}` : undefined),
    transferFs: playgroundTransferFs(base, workspace),
    loadBaseImage: async (path) => {
      const m = /^\/(images|work)\/([^/]+)$/.exec(path);
      if (m && exampleNamed(m[2]!)) await ensureExample(m[2]!, path);
    },
    afterCommand: () => afterCommand(),
  });

  // --- views
  const tabs = ['images', 'layers', 'files'] as const;
  const showTab = (name: (typeof tabs)[number]) => {
    for (const t of tabs) {
      byId(`${t}-view`).hidden = t !== name;
      document.querySelector(`.tabs [data-tab="${t}"]`)?.classList.toggle('active', t === name);
    }
    void refreshViews();
  };
  const viewDeps = { engine, type: (argv: string[]) => shell.type(argv), showTab };
  const layersView = new LayersView(byId('layers-view'), viewDeps);
  const filesView = new FilesView(byId('files-view'), viewDeps);
  const imagesView = new ImagesView(byId('images-view'), viewDeps, (ref, tab) => {
    if (tab === 'layers') void layersView.show(ref);
    else void filesView.show(ref);
    showTab(tab);
  });
  document.querySelectorAll<HTMLButtonElement>('.tabs button').forEach((button) => {
    button.addEventListener('click', () => showTab(button.dataset.tab as (typeof tabs)[number]));
  });
  let refreshing = Promise.resolve();
  const refreshViews = (): Promise<void> => {
    refreshing = refreshing.then(async () => {
      try {
        await imagesView.refresh();
        if (!byId('layers-view').hidden) await layersView.refresh();
        if (!byId('files-view').hidden) await filesView.refresh();
      } catch (e) {
        console.error('playground: refreshing the views failed', e);
      }
    });
    return refreshing;
  };
  afterCommand = () => void refreshViews();

  // --- editor
  const select = byId<HTMLSelectElement>('project-select');
  const tag = byId<HTMLInputElement>('tag');
  const editor = byId<HTMLTextAreaElement>('editor');
  const binary = byId('binary');
  let project = 'hello';
  let openFile: string | undefined;
  const projectDir = () => `/work/${project}`;
  select.replaceChildren(...projects.map((p) => h('option', { value: p, selected: p === project }, p)));

  const showFile = (rel: string | undefined) => {
    openFile = rel;
    byId('file-name').textContent = rel ?? '';
    const entry = rel === undefined ? undefined : workspace.get(`${projectDir()}/${rel}`);
    const text = entry?.type === 'file' ? asText(entry.data) : undefined;
    editor.hidden = text === undefined;
    binary.hidden = text !== undefined;
    if (text !== undefined) editor.value = text;
    else if (entry?.type === 'file') {
      const url = URL.createObjectURL(new Blob([entry.data.slice()]));
      binary.replaceChildren(`Binary file, ${humanSize(entry.data.length)}${entry.data[0] === 0 && entry.data[1] === 0x61 ? ' (a WebAssembly module)' : ''}. `,
        h('a', { href: url, download: rel!.split('/').pop()! }, 'Download')); // prettier-ignore
    } else if (entry?.type === 'symlink') binary.textContent = `Symbolic link to ${entry.target}`;
    else binary.textContent = '';
    renderFileList();
  };
  const renderFileList = () => {
    const list = workspace.list(projectDir());
    byId('file-list').replaceChildren(
      ...list.map(
        ({ path, entry }) =>
        h('li', {
            class: `${entry.type}${path === openFile ? ' selected' : ''}`, 'data-path': path,
            style: `padding-left:${0.6 + 0.8 * (path.split('/').length - 1)}em`,
            onclick: entry.type === 'dir' ? undefined : () => showFile(path),
          },
          path.split('/').pop()! + (entry.type === 'dir' ? '/' : entry.type === 'symlink' ? ' →' : '')), // prettier-ignore
      ),
    );
  };
  const openProject = async (name: string) => {
    project = name;
    tag.value = name;
    if (name !== 'app') await ensureExample(name, projectDir());
    edits.applyTo(workspace, projectDir());
    shell.workdir = projectDir();
    showFile('Dockerfile');
  };
  editor.addEventListener('input', () => {
    if (openFile === undefined) return;
    workspace.writeFile(`${projectDir()}/${openFile}`, editor.value);
    edits.record(`${projectDir()}/${openFile}`, editor.value);
  });
  select.addEventListener('change', () => void openProject(select.value));
  byId('new-file').addEventListener('click', () => {
    const name = prompt('New file (path in the project):');
    if (!name) return;
    workspace.writeFile(`${projectDir()}/${name}`, '');
    edits.record(`${projectDir()}/${name.replace(/^\/+/, '')}`, '');
    showFile(name.replace(/^\/+/, ''));
  });
  workspace.onChange(() => renderFileList());
  byId('reset').addEventListener('click', () => {
    if (!confirm('Remove every image, container and volume of the playground, and reload?')) return;
    edits.clear();
    db?.close();
    void deleteBerthDatabase(DATABASE).then(() => location.reload());
  });

  // --- buttons
  const buildButton = byId<HTMLButtonElement>('build');
  const runButton = byId<HTMLButtonElement>('run');
  shell.onBusyChange((busy) => {
    buildButton.disabled = busy;
    runButton.disabled = busy;
  });
  buildButton.addEventListener('click', () => void buildProject());
  runButton.addEventListener('click', () => {
    const args = byId<HTMLInputElement>('run-args').value.trim();
    void shell.type(['berth', 'run', tag.value || project, ...(args ? args.split(/\s+/) : [])]);
  });
  /** Builds the project; a base image it starts FROM that is not there yet is built first, visibly. */
  const buildProject = async () => {
    const dockerfile = await workspace.readFile(`${projectDir()}/Dockerfile`).catch(() => new Uint8Array());
    const froms = [...new TextDecoder().decode(dockerfile).matchAll(/^\s*FROM\s+(?:--\S+\s+)*([a-z0-9._-]+)(?::latest)?\s*(?:AS\s+\S+)?\s*$/gim)]; // prettier-ignore
    const e = await engine();
    for (const [, name] of froms) {
      if (!exampleNamed(name!)) continue;
      const have = await e.inspectImage(name!).then(
        () => true,
        () => false,
      );
      if (have) continue;
      // The builder does not fetch a missing FROM image (Docker would pull it): provide the base image
      // first, from its shipped layout, else by building it, and say so.
      if (exampleNamed(name!)?.layout) {
        shell.note(`Loading ${name}:latest from Berth's base images (/images/oci/${name}/)`);
        await loadFromUrl(e, new URL(`images/oci/${name}/`, base), { name: `${name}:latest` });
      } else await shell.type(['berth', 'build', '-q', '-t', name!, `/images/${name}`]);
    }
    await shell.type(['berth', 'build', '-t', tag.value || project, '.']);
  };

  const projectLoaded = openProject(project);
  // A guest worker boots while the visitor reads the banner: the first run does not wait for it.
  enginePromise.then((e) => e.prewarm()).catch(() => undefined);
  shell.start(
    `Berth ${version} in your browser. Try \x1b[1mberth run hello\x1b[0m or \x1b[1mberth run -it box sh\x1b[0m, or press Build and Run. Type \x1b[1mhelp\x1b[0m for more.\n`,
  );
  buildButton.disabled = false;
  runButton.disabled = false;
  term.focus();
  const terminalReadyMs = performance.now();
  await projectLoaded;
  void refreshViews();

  const readyMs = performance.now() - started;
  const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
  (window as unknown as { playground: unknown }).playground = {
    term,
    shell,
    workspace,
    engine,
    refreshViews,
    openProject,
    buildProject,
    showTab,
    // Milliseconds since navigation start: the script ran, the prompt was up, the editor filled.
    timings: {
      scriptStartMs: started,
      terminalReadyMs,
      readyMs: started + readyMs,
      firstContentfulPaintMs: paint,
    },
  };
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  document.body.prepend(
    h(
      'pre',
      { class: 'fatal' },
      `The playground failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    ),
  );
  throw e;
});
