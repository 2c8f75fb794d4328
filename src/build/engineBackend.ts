/**
 * The builder's BuildBackend over src/engine's Engine: containers are the engine's own (create, copy a
 * tar in, start + wait, commit, rm), images are looked up with inspectImage and tagged with tagImage.
 *
 * An image's filesystem (COPY's "destination is an existing directory" rule, the modes of existing
 * parent directories, symlinks in the destination, WORKDIR's "already there" test, COPY --from) is the
 * engine's imageFilesystem.
 *
 * Images are found by name with one ImageStore lookup (a built image by its dangling record,
 * `berth-dangling@<manifest digest>`) and read with resolveImage: the engine's own lookups
 * (inspectImage, imageFilesystem and tagImage by ID) resolve every image of the store, which a cached
 * rebuild cannot afford at every step.
 *
 * Two things the Engine API has no method for, done here with the engine's exported pieces (and to be
 * replaced when it gets them):
 * - the empty image FROM scratch stands for: written with writeImage, no layers, no `created`, so it has
 *   the same ID every time;
 * - the history line: commit takes created_by from the container's command line, so metadata steps run
 *   as a container whose command is Docker's `/bin/sh -c #(nop) …` line (never started); a RUN's history
 *   therefore lacks the `|N A=b` build-arg prefix Docker writes (the cache key has it).
 */
import type { Namespace } from '../../runtime/fs/Namespace';
import type { FileSystem, FsNode } from '../../runtime/fs/types';
import {
  ERRNO_NOENT,
  FILETYPE_DIRECTORY,
  FILETYPE_REGULAR_FILE,
  FILETYPE_SYMBOLIC_LINK,
} from '../../runtime/wasi/defs';
import type { Engine } from '../engine/Engine';
import { EngineError } from '../engine/errors';
import { danglingReference, writeImage } from '../engine/images';
import { createImageConfig } from '../image/createImageConfig';
import { createImageManifest } from '../image/createImageManifest';
import { resolveImage } from '../image/resolveImage';
import type { LayerEntry } from '../layer/types';
import { packLayer } from '../layer/pack';
import { familiarName, parseReference } from '../oci/reference';
import type { Digest } from '../oci/digest';
import { OCI_CONFIG } from '../oci/mediaTypes';
import type { ContainerConfig, Descriptor } from '../oci/types';
import { encodeJson } from '../util/encodeJson';
import type { BuildBackend, BuildImage, CommitSpec, ContainerSpec, RunConfig, RunExit } from './backend';
import type { SourceEntry, SourceTree } from './copy';

const NS_PER_MS = 1_000_000n;

interface EngineImage extends BuildImage {
  manifest: Descriptor;
  /**
   * A reference that names the image with a single record lookup: the name it was found by, or its
   * dangling record `berth-dangling@<manifest digest>`. The engine finds an image by ID only by resolving
   * every image of the store, which a cached rebuild must not pay for at every step.
   */
  ref: string;
}

async function* once(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

function readAll(fs: FileSystem, node: FsNode, path: string): Uint8Array {
  const handle = fs.open(node, { read: true, write: false });
  if (typeof handle === 'number') throw new Error(`cannot open ${path} (errno ${handle})`);
  try {
    const data = new Uint8Array(handle.size());
    for (let at = 0; at < data.length;) {
      const n = handle.pread(data.subarray(at), at);
      if (n <= 0) throw new Error(`cannot read ${path} (${n < 0 ? `errno ${-n}` : 'short read'})`);
      at += n;
    }
    return data;
  } finally {
    handle.close();
  }
}

/** What the engine keeps per container beyond the spec: the env keys that are build args only. */
interface ContainerNote {
  argKeys: string[];
}

export class EngineBuildBackend implements BuildBackend {
  private readonly views = new Map<string, Promise<Namespace>>();
  private readonly notes = new Map<string, ContainerNote>();

  constructor(readonly engine: Engine) {}

  async image(ref: string): Promise<EngineImage | undefined> {
    // A name: one record. An ID (or prefix): the engine's lookup.
    let canonical: string | undefined;
    try {
      canonical = parseReference(ref).canonical;
    } catch {
      canonical = undefined;
    }
    if (canonical !== undefined) {
      const record = await this.engine.host.images.get(canonical);
      if (record !== undefined) return this.fromRoot(record.target, ref);
    }
    let inspect;
    try {
      inspect = await this.engine.inspectImage(ref);
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'no-such-image') return undefined;
      throw err;
    }
    return {
      id: inspect.Id,
      config: inspect.Config as RunConfig,
      ...(inspect.Author ? { author: inspect.Author } : {}),
      manifest: inspect.Descriptor,
      manifestDigest: inspect.Descriptor.digest,
      ref: inspect.Id,
    };
  }

  /**
   * A cached step's image. Every image a build commits has the engine's dangling record
   * (`berth-dangling@<manifest digest>`), so it is found by that name; without it (pruned, or tagged
   * and the dangling name removed) the ID lookup decides.
   */
  async cachedImage(id: string, manifest: string | undefined): Promise<EngineImage | undefined> {
    if (manifest !== undefined) {
      const ref = danglingReference(manifest as Digest);
      const record = await this.engine.host.images.get(ref);
      if (record !== undefined && record.target.digest === manifest) {
        const image = await this.fromRoot(record.target, ref).catch(() => undefined);
        if (image?.id === id) return image;
      }
    }
    return this.image(id);
  }

  async scratch(): Promise<BuildImage> {
    const { content, images, hasher } = this.engine.host;
    const config = createImageConfig({ diffIds: [], history: [] });
    // The config has no `created`, so the image is the same every time: written once per state.
    const digestOf = (bytes: Uint8Array): Digest => {
      const h = hasher();
      h.update(bytes);
      return h.digest() as Digest;
    };
    const configBytes = encodeJson(config);
    const manifest = createImageManifest({
      config: { mediaType: OCI_CONFIG, digest: digestOf(configBytes), size: configBytes.length },
      layers: [],
    });
    const ref = danglingReference(digestOf(encodeJson(manifest)));
    const record = await images.get(ref);
    if (record !== undefined) return this.fromRoot(record.target, ref);
    const written = await writeImage(content, images, config, [], undefined);
    return this.fromRoot(written.manifest, danglingReference(written.manifest.digest));
  }

  /** An image read from its record's target (an index resolves to its wasi/wasm manifest). */
  private async fromRoot(root: Descriptor, ref: string): Promise<EngineImage> {
    const resolved = await resolveImage(this.engine.host.content, root);
    const author = resolved.config.author;
    return {
      id: resolved.manifest.config.digest,
      config: structuredClone(resolved.config.config ?? {}) as RunConfig,
      ...(author ? { author } : {}),
      manifest: resolved.manifestDescriptor,
      manifestDigest: resolved.manifestDescriptor.digest,
      ref,
    };
  }

  async create(image: BuildImage, spec: ContainerSpec): Promise<string> {
    const imageEnv = new Set(
      (image.config.Env ?? []).map((e) => e.slice(0, Math.max(0, e.indexOf('=')) || e.length)),
    );
    const { id } = await this.engine.createContainer({
      image: image.id,
      cmd: spec.cmd,
      entrypoint: [],
      env: spec.env,
      ...(spec.workdir !== '' ? { workdir: spec.workdir } : {}),
    });
    const argKeys = spec.env
      .map((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')))
      .filter((k) => !imageEnv.has(k));
    this.notes.set(id, { argKeys });
    return id;
  }

  async copyIn(
    container: string,
    image: BuildImage,
    entries: readonly LayerEntry[],
    ensureDirs: readonly string[],
  ): Promise<void> {
    const ns = await this.view(image);
    const listed = new Set(entries.map((e) => e.path));
    // Every directory above an entry goes into the tar too: one that exists with its own mode and times
    // (extraction sets a directory's metadata from the tar), a missing one as MkdirAll makes it.
    const dirs = new Map<string, LayerEntry>();
    const sde = this.engine.host.sourceDateEpoch;
    const now =
      sde !== undefined
        ? BigInt(sde) * 1000n * NS_PER_MS
        : BigInt(this.engine.host.clock.now().getTime()) * NS_PER_MS;
    const addDir = (path: string): void => {
      if (path === '/' || listed.has(path) || dirs.has(path)) return;
      const r = ns.resolve(ns.root, path, true);
      if (typeof r !== 'number' && r.node !== null) {
        const st = r.fs.stat(r.node);
        if (st.filetype !== FILETYPE_DIRECTORY) {
          throw new EngineError('invalid-argument', `${path}: not a directory`);
        }
        dirs.set(path, { path, type: 'dir', mode: st.mode & 0o7777, mtim: st.mtim });
      } else {
        dirs.set(path, { path, type: 'dir', mode: 0o755, mtim: now });
      }
    };
    const ancestors = (path: string): void => {
      const parts = path.split('/').filter((p) => p !== '');
      for (let i = 1; i < parts.length; i++) addDir(`/${parts.slice(0, i).join('/')}`);
    };
    for (const e of entries) ancestors(e.path);
    for (const d of ensureDirs) {
      ancestors(d);
      addDir(d);
    }
    const all = [...dirs.values(), ...entries];
    if (all.length === 0) return;
    const packed = await packLayer(all, {
      hasher: this.engine.host.hasher,
      gzip: false,
      ...(sde !== undefined ? { sourceDateEpoch: sde } : {}),
    });
    await this.engine.copyToContainer(container, '/', once(packed.chunks));
  }

  async mkdirp(container: string, image: BuildImage, path: string): Promise<boolean> {
    if (path === '/' || (await this.isDirectory(image, path))) return false;
    await this.copyIn(container, image, [], [path]);
    return true;
  }

  async realPath(image: BuildImage, path: string): Promise<string> {
    const ns = await this.view(image);
    const fs = ns.root.fs;
    let resolved: string[] = [];
    let pending = path.split('/').filter((p) => p !== '' && p !== '.');
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift() as string;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const dir = ns.resolve(ns.root, `/${resolved.join('/')}`, true);
      const node = typeof dir === 'number' || dir.node === null ? ERRNO_NOENT : fs.lookup(dir.node, part);
      if (typeof node === 'number') return `/${[...resolved, part, ...pending].join('/')}`;
      if (fs.stat(node).filetype === FILETYPE_SYMBOLIC_LINK) {
        if (++hops > 40)
          throw new EngineError('invalid-argument', `${path}: too many levels of symbolic links`);
        const target = fs.readlink(node);
        if (typeof target === 'number')
          throw new EngineError('internal', `readlink ${path}: errno ${target}`);
        if (target.startsWith('/')) resolved = [];
        pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
        continue;
      }
      resolved.push(part);
    }
    return `/${resolved.join('/')}`;
  }

  async run(
    container: string,
    output: { stdout(chunk: Uint8Array): void; stderr(chunk: Uint8Array): void },
  ): Promise<RunExit> {
    const running = await this.engine.startContainer(container, {
      stdout: (chunk) => output.stdout(chunk),
      stderr: (chunk) => output.stderr(chunk),
    });
    const exit = await running.wait();
    return {
      statusCode: exit.statusCode,
      reason: exit.reason,
      ...(exit.message !== undefined ? { message: exit.message } : {}),
    };
  }

  async commit(container: string, spec: CommitSpec): Promise<BuildImage> {
    const note = this.notes.get(container);
    const c = spec.config;
    // The container's config is the image's plus what create was given; `changes` puts the build's
    // config back whole. Env merges by key, so build-arg keys are removed with bare names.
    const changes: Partial<ContainerConfig> & Record<string, unknown> = {
      ...structuredClone(c),
      Env: [
        ...(c.Env ?? []),
        ...(note?.argKeys ?? []).filter((k) => !(c.Env ?? []).some((e) => e.startsWith(`${k}=`))),
      ],
      Cmd: c.Cmd ?? null,
      Entrypoint: c.Entrypoint ?? null,
      WorkingDir: c.WorkingDir ?? '',
    };
    const result = await this.engine.commitContainer(container, {
      changes,
      ...(spec.author !== undefined ? { author: spec.author } : {}),
    });
    return this.fromRoot(result.manifest, danglingReference(result.manifest.digest));
  }

  async remove(container: string): Promise<void> {
    this.notes.delete(container);
    await this.engine.removeContainer(container, { force: true, volumes: true });
  }

  async isDirectory(image: BuildImage, path: string): Promise<boolean> {
    const ns = await this.view(image);
    const r = ns.resolve(ns.root, path, true);
    return typeof r !== 'number' && r.node !== null && r.fs.stat(r.node).filetype === FILETYPE_DIRECTORY;
  }

  async tree(image: BuildImage, kind: 'stage' | 'image', name: string): Promise<SourceTree> {
    const ns = await this.view(image);
    const fs = ns.root.fs;
    const entries: SourceEntry[] = [];
    const walk = (dir: FsNode, prefix: string): void => {
      const list = fs.readdir(dir);
      if (typeof list === 'number') return;
      for (const { name: child } of [...list].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      )) {
        const node = fs.lookup(dir, child);
        if (typeof node === 'number') continue;
        const st = fs.stat(node);
        const path = prefix === '' ? child : `${prefix}/${child}`;
        const mtimeMs = Number(st.mtim / NS_PER_MS);
        if (st.filetype === FILETYPE_DIRECTORY) {
          entries.push({ path, type: 'dir', mode: st.mode & 0o7777, size: 0, mtimeMs });
          walk(node, path);
        } else if (st.filetype === FILETYPE_REGULAR_FILE) {
          entries.push({ path, type: 'file', mode: st.mode & 0o7777, size: st.size, mtimeMs });
        } else if (st.filetype === FILETYPE_SYMBOLIC_LINK) {
          entries.push({ path, type: 'symlink', mode: st.mode & 0o7777, size: st.size, mtimeMs });
        }
      }
    };
    walk(ns.root.node, '');
    const locate = (path: string) => {
      const r = ns.resolve(ns.root, path, false);
      if (typeof r === 'number' || r.node === null) {
        throw Object.assign(new Error(`stat ${path}: file does not exist`), { code: 'ENOENT' });
      }
      return r;
    };
    return {
      kind,
      name,
      entries,
      byPath: new Map(entries.map((e) => [e.path, e])),
      readFile: async (path) => {
        const r = locate(path);
        return readAll(r.fs, r.node as FsNode, path);
      },
      readlink: async (path) => {
        const r = locate(path);
        const target = r.fs.readlink(r.node as FsNode);
        if (typeof target === 'number') throw new Error(`readlink ${path}: errno ${target}`);
        return target;
      },
    };
  }

  async tag(image: BuildImage, reference: string): Promise<string> {
    const current = await this.engine.host.images.get(reference);
    const manifest = (image as Partial<EngineImage>).manifestDigest;
    // Already there (a cached rebuild): nothing to write.
    if (current === undefined || manifest === undefined || current.target.digest !== manifest) {
      await this.engine.tagImage((image as Partial<EngineImage>).ref ?? image.id, reference);
    }
    const ref = parseReference(reference);
    return `${familiarName(ref)}:${ref.tag ?? 'latest'}`;
  }

  /** The image's merged filesystem, read-only (see the file comment). */
  private view(image: BuildImage): Promise<Namespace> {
    let p = this.views.get(image.id);
    if (p === undefined) {
      p = this.openView(image);
      this.views.set(image.id, p);
      p.catch(() => this.views.delete(image.id));
    }
    return p;
  }

  private async openView(image: BuildImage): Promise<Namespace> {
    return this.engine.imageFilesystem((image as Partial<EngineImage>).ref ?? image.id);
  }
}
