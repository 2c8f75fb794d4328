/**
 * `berth build`: Docker's classic builder (`DOCKER_BUILDKIT=0 docker build`) on top of the engine.
 *
 * The Dockerfile is parsed and resolved by ./dockerfile (variables, stages); this file dispatches the
 * instructions the way the classic builder does:
 * - every stage up to the target is built, in file order (the classic builder does not skip stages the
 *   target does not need); only the target's image is tagged;
 * - each instruction makes a new image from the previous one: RUN runs a container and commits it, COPY
 *   and ADD write into a container and commit it, WORKDIR commits the directory it creates, and the
 *   metadata instructions (ENV, LABEL, CMD, …) commit a container that changed nothing, which gives an
 *   image with no new layer (history entry `empty_layer: true`);
 * - the history line (created_by) is Docker's: `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) COPY
 *   file:<hash> in /dest `, `|1 A=b /bin/sh -c make` for a RUN with build args;
 * - the layer cache maps (parent image, created_by) to the image made last time; COPY/ADD's created_by
 *   carries the content hash of the copied files, RUN's the build args. A step that misses turns the
 *   cache off for the rest of the stage, as in Docker; --no-cache skips lookups (results are still
 *   recorded).
 * - the output is the classic builder's, line for line (see the Step/---> lines below).
 *
 * Concurrency: nothing here is global. Two builds on one state root share only the stores (which lock
 * what they must) and the cache (whose entries are written atomically; either writer's id is valid).
 * A failed build leaves the intermediate images it committed (Docker keeps them too) and moves no tag.
 */
import { BerthError } from '../errors/BerthError';
import { parseReference } from '../oci/reference';
import type { HasherFactory } from '../platform/hasher';
import type { BuildBackend, BuildImage, RunConfig } from './backend';
import type { Engine } from '../engine/Engine';
import { cacheKey, MemoryBuildCache, type BuildCache } from './cache';
import { EngineBuildBackend } from './engineBackend';
import { humanSize, loadContext, type BuildContextSource, type LoadedContext } from './context';
import { gatherCopy, placeCopy, type CopyRequest, type SourceTree } from './copy';
import { parseDockerfile, resolveStages } from './dockerfile';
import { BuildContextError, DockerfileError } from './errors';
import { planStages } from './resolve';
import type {
  CommandLine,
  ParsedDockerfile,
  ResolvedCopyInstruction,
  ResolvedInstruction,
  ResolvedRunInstruction,
  ResolvedStage,
} from './types';

export interface BuildOptions {
  context: BuildContextSource;
  /** The Dockerfile: a path inside the context (default `Dockerfile`), or its text. */
  dockerfile?: { path: string } | { text: string; name?: string };
  /** References to point at the result (`name`, `name:tag`). */
  tags?: readonly string[];
  buildArgs?: Readonly<Record<string, string>>;
  /** Do not look steps up in the cache (their results are still recorded). */
  noCache?: boolean;
  /** Build up to this stage (name or index) and make it the result. */
  target?: string;
  /** Print nothing. */
  quiet?: boolean;
  /** Where the build's progress goes (Docker's stdout stream), in pieces as they happen. */
  output?: (text: string) => void;
  /** The layer cache; default one per backend, in memory. */
  cache?: BuildCache;
  /** For the content hashes of COPY/ADD; default the engine's (build) or a JavaScript SHA-256 (buildWith). */
  hasher?: HasherFactory;
  /**
   * Called when a FROM or COPY --from image is not in the store, where Docker would pull it: make it
   * available (the CLI builds or loads Berth's base images) and return true, or return false.
   */
  provideImage?(ref: string): Promise<boolean>;
}

export interface BuildResult {
  /** `sha256:…` */
  imageId: string;
  /** Parser warnings, unused build-args, things Berth ignored. */
  warnings: string[];
  /** The references tagged, as Docker prints them (`name:tag`). */
  tags: string[];
  /** How many steps were looked up in the cache and not found, so were built. */
  built: number;
}

/** A build step that failed: `Dockerfile:7: The command '/bin/sh -c x' returned a non-zero code: 3`. */
export class BuildError extends BerthError {
  static readonly code = 'BUILD';
  readonly code = BuildError.code;

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    /** The message without the `file:line: ` prefix (Docker's own wording). */
    readonly reason: string,
    options?: { cause?: unknown; exitCode?: number },
  ) {
    super(line === undefined ? reason : `${file}:${line}: ${reason}`, options);
    this.exitCode = options?.exitCode;
  }

  /** For a failed RUN: the command's exit status. */
  readonly exitCode: number | undefined;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** Docker adds this PATH to every stage whose image has none (system.DefaultPathEnv for non-Windows). */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Build-args Docker passes to RUN without an ARG but keeps out of the cache key unless declared. */
const PROXY_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy',
  'ALL_PROXY', 'all_proxy',
]); // prettier-ignore

const defaultCaches = new WeakMap<object, BuildCache>();

/** The first 12 hex digits of an ID, as Docker prints them. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Go's %q of a string slice: `["a" "b c"]`. */
function goQuoteList(list: readonly string[] | null | undefined): string {
  return `[${(list ?? []).map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Go's %v of a string slice: `[a b c]`. */
function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

function cloneConfig(config: RunConfig): RunConfig {
  return structuredClone(config);
}

function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const at = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
  if (at >= 0) out[at] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Docker's nat.ParsePortSpecs, for what EXPOSE accepts: `80`, `80/udp`, `8000-8002/tcp`. */
function exposedPorts(ports: readonly string[]): string[] {
  const out: string[] = [];
  for (const spec of ports) {
    const [range, proto = 'tcp'] = spec.split('/');
    const [lo, hi = lo] = range.split('-');
    for (let p = Number(lo); p <= Number(hi); p++) out.push(`${p}/${proto.toLowerCase()}`);
  }
  return out;
}

interface StageResult {
  image: BuildImage;
  name: string | undefined;
}

/** Per-stage state (Docker's dispatchState). */
interface StageState {
  image: BuildImage;
  /** True while the stage is still on its FROM scratch image. */
  scratch: boolean;
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** ARG names declared in this stage (and globally): those go into RUN's `|N` cache prefix. */
  declared: Set<string>;
  /** A cache miss happened in this stage: no more lookups. */
  cacheBusted: boolean;
}

class Build {
  private readonly out: (text: string) => void;
  private built = 0;
  private readonly warnings: string[] = [];
  private readonly cache: BuildCache;
  private readonly stageResults = new Map<number, StageResult>();
  private scratchImage: BuildImage | undefined;
  private file = 'Dockerfile';
  private step = 0;
  private totalSteps = 0;

  constructor(
    private readonly backend: BuildBackend,
    private readonly options: BuildOptions,
  ) {
    this.out = options.quiet || options.output === undefined ? () => {} : options.output;
    let cache = options.cache ?? defaultCaches.get(backend);
    if (cache === undefined) {
      cache = new MemoryBuildCache();
      defaultCaches.set(backend, cache);
    }
    this.cache = cache;
  }

  async run(): Promise<BuildResult> {
    const { options } = this;
    const tags = (options.tags ?? []).map((t) => {
      const ref = parseReference(t);
      if (ref.digest !== undefined)
        throw new BuildContextError(`invalid reference format: ${t} (a tag may not contain a digest)`);
      return t;
    });

    const dockerfilePath =
      options.dockerfile === undefined || 'path' in options.dockerfile
        ? (options.dockerfile?.path ?? 'Dockerfile')
        : undefined;
    const context = await loadContext(
      options.context,
      dockerfilePath !== undefined ? { dockerfile: dockerfilePath } : {},
    );
    this.out(`Sending build context to Berth  ${humanSize(context.tarSize)}\n\n`);

    let text: string;
    if (options.dockerfile !== undefined && 'text' in options.dockerfile) {
      text = options.dockerfile.text;
      this.file = options.dockerfile.name ?? 'Dockerfile';
    } else {
      const path = dockerfilePath as string;
      this.file = path.slice(path.lastIndexOf('/') + 1) || 'Dockerfile';
      try {
        text = new TextDecoder().decode(await options.context.readFile(path));
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ENOENT') {
          throw new BuildContextError(`Cannot locate specified Dockerfile: ${path}`);
        }
        throw err;
      }
    }
    const parsed = parseDockerfile(text, { file: this.file });
    const stages = await this.resolve(parsed);
    for (const w of stages.warnings) this.warnings.push(w);
    for (const w of parsed.warnings) this.out(`[WARNING]: ${w}\n`);

    this.totalSteps = parsed.metaArgs.length + stages.list.reduce((n, s) => n + 1 + s.instructions.length, 0);
    for (const meta of parsed.metaArgs) this.printStep(meta.original);

    let last: BuildImage | undefined;
    let lastScratch = false;
    for (const stage of stages.list) {
      const state = await this.buildStage(stage, context);
      last = state.image;
      lastScratch = state.scratch;
    }
    if (last === undefined || lastScratch) {
      throw new BuildContextError('No image was generated. Is your Dockerfile empty?');
    }
    if (stages.unused.length > 0) {
      const line = `[Warning] One or more build-args [${stages.unused.join(' ')}] were not consumed`;
      this.out(`${line}\n`);
    }
    this.out(`Successfully built ${shortId(last.id)}\n`);
    const tagged: string[] = [];
    for (const tag of tags) {
      const familiar = await this.backend.tag(last, tag);
      tagged.push(familiar);
      this.out(`Successfully tagged ${familiar}\n`);
    }
    return { imageId: last.id, warnings: this.warnings, tags: tagged, built: this.built };
  }

  /**
   * The stages to build (every one up to the target, as the classic builder does), resolved with the
   * env of their base images, and the build-args nothing consumed.
   */
  private async resolve(
    parsed: ParsedDockerfile,
  ): Promise<{ list: ResolvedStage[]; unused: string[]; warnings: string[] }> {
    const { options } = this;
    const buildArgs = options.buildArgs ?? {};
    const base = { buildArgs, ...(options.target !== undefined ? { target: options.target } : {}) };
    const targetPlan = planStages(parsed, base);
    const envs = new Map<string, Record<string, string> | undefined>();
    for (let i = 0; i <= targetPlan.target; i++) {
      const plan = planStages(parsed, { buildArgs, target: String(i) });
      for (const s of plan.stages.values()) {
        if (s.base.kind === 'image' && !envs.has(s.base.ref)) {
          const image = await this.backend.image(s.base.ref);
          envs.set(s.base.ref, image === undefined ? undefined : envRecord(image.config.Env ?? []));
        }
      }
    }
    const imageEnv = (ref: string) => envs.get(ref);
    const list: ResolvedStage[] = [];
    let unused: Set<string> | undefined;
    let warnings: string[] = [];
    for (let i = 0; i <= targetPlan.target; i++) {
      const resolved = resolveStages(parsed, { buildArgs, target: String(i), imageEnv });
      list.push(resolved.stages.find((s) => s.index === i) as ResolvedStage);
      const mine = new Set(resolved.unusedBuildArgs);
      unused = unused === undefined ? mine : new Set([...unused].filter((k) => mine.has(k)));
      if (i === targetPlan.target)
        warnings = resolved.warnings.filter((w) => !w.startsWith('[Warning] One or more build-args'));
    }
    const left = [...(unused ?? [])].sort();
    if (left.length > 0)
      warnings.push(`[Warning] One or more build-args [${left.join(' ')}] were not consumed`);
    return { list, unused: left, warnings };
  }

  private printStep(original: string): void {
    this.step++;
    this.out(`Step ${this.step}/${this.totalSteps} : ${original}\n`);
  }

  private fail(line: number | undefined, reason: string, cause?: unknown, exitCode?: number): never {
    throw new BuildError(this.file, line, reason, { cause, ...(exitCode !== undefined ? { exitCode } : {}) });
  }

  private async scratch(): Promise<BuildImage> {
    return (this.scratchImage ??= await this.backend.scratch());
  }

  /** An image by reference, provided on the spot (options.provideImage) when the store lacks it. */
  private async findImage(ref: string): Promise<BuildImage | undefined> {
    const found = await this.backend.image(ref);
    if (found !== undefined || this.options.provideImage === undefined) return found;
    return (await this.options.provideImage(ref)) ? this.backend.image(ref) : undefined;
  }

  private async buildStage(stage: ResolvedStage, context: LoadedContext): Promise<StageState> {
    this.printStep(stage.from.original);
    const line = stage.from.line;
    if (stage.platform !== undefined && !/^wasi(p1)?\/wasm(32)?$/i.test(stage.platform)) {
      this.fail(line, `FROM --platform=${stage.platform}: berth builds only wasi/wasm images`);
    }
    let image: BuildImage;
    let scratch = false;
    if (stage.base.kind === 'scratch') {
      image = await this.scratch();
      scratch = true;
    } else if (stage.base.kind === 'stage') {
      const result = this.stageResults.get(stage.base.index);
      if (result === undefined) this.fail(line, `stage ${stage.base.name ?? stage.base.index} was not built`);
      image = result.image;
    } else {
      const found = await this.findImage(stage.base.ref);
      if (found === undefined) {
        this.fail(line, `image ${stage.base.ref} not found locally (berth has no registry pull yet)`);
      }
      image = found;
    }
    if ((image.config.OnBuild ?? []).length > 0) {
      this.fail(
        line,
        `FROM ${stage.from.image}: the image has ONBUILD triggers, which berth build does not run yet`,
      );
    }
    // Docker's beginStage: a stage without PATH gets the default one (not a step of its own).
    const env = image.config.Env ?? [];
    if (!env.some((e) => e.startsWith('PATH='))) {
      image = { ...image, config: { ...cloneConfig(image.config), Env: [...env, DEFAULT_PATH] } };
    }
    this.out(` ---> ${scratch ? '' : shortId(image.id)}\n`);

    const state: StageState = { image, scratch, cmdSet: false, declared: new Set(), cacheBusted: false };
    for (const instruction of stage.instructions) {
      this.printStep(instruction.original);
      try {
        await this.dispatch(state, instruction, context);
      } catch (err) {
        if (err instanceof BuildError || err instanceof DockerfileError) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        this.fail(instruction.line, reason, err);
      }
      this.out(` ---> ${shortId(state.image.id)}\n`);
    }
    this.stageResults.set(stage.index, { image: state.image, name: stage.name });
    return state;
  }

  /** The shell for shell forms and `#(nop)` lines: the stage's SHELL or /bin/sh -c. */
  private shellOf(state: StageState): string[] {
    const shell = state.image.config.Shell;
    return shell !== undefined && shell.length > 0 ? shell : DEFAULT_SHELL;
  }

  private commandOf(state: StageState, command: CommandLine): string[] {
    return command.form === 'exec' ? [...command.args] : [...this.shellOf(state), command.command];
  }

  private async dispatch(
    state: StageState,
    instruction: ResolvedInstruction,
    context: LoadedContext,
  ): Promise<void> {
    const config = cloneConfig(state.image.config);
    switch (instruction.kind) {
      case 'ENV': {
        let env = config.Env ?? [];
        for (const p of instruction.pairs) env = setEnv(env, p.key, p.value);
        config.Env = env;
        return this.commitMeta(
          state,
          config,
          `ENV ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`,
        );
      }
      case 'LABEL': {
        config.Labels = { ...(config.Labels ?? {}) };
        for (const p of instruction.pairs) config.Labels[p.key] = p.value;
        return this.commitMeta(
          state,
          config,
          `LABEL ${instruction.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`,
        );
      }
      case 'ARG': {
        const parts = instruction.args.map((a) => {
          state.declared.add(a.name);
          if (a.default === undefined) return a.name;
          const overridden = Object.hasOwn(this.options.buildArgs ?? {}, a.name);
          return `${a.name}=${overridden ? a.default : (a.value ?? '')}`;
        });
        return this.commitMeta(state, config, `ARG ${parts.join(' ')}`);
      }
      case 'CMD': {
        config.Cmd = this.commandOf(state, instruction.command);
        state.cmdSet = true;
        return this.commitMeta(state, config, `CMD ${goQuoteList(config.Cmd)}`);
      }
      case 'ENTRYPOINT': {
        config.Entrypoint = this.commandOf(state, instruction.command);
        if (!state.cmdSet) config.Cmd = null;
        return this.commitMeta(state, config, `ENTRYPOINT ${goQuoteList(config.Entrypoint)}`);
      }
      case 'SHELL': {
        config.Shell = [...instruction.shell];
        return this.commitMeta(state, config, `SHELL ${goList(instruction.shell)}`);
      }
      case 'USER': {
        config.User = instruction.user;
        return this.commitMeta(state, config, `USER ${instruction.user}`);
      }
      case 'EXPOSE': {
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
        for (const p of exposedPorts(instruction.ports)) config.ExposedPorts[p] = {};
        return this.commitMeta(state, config, `EXPOSE ${instruction.ports.join(' ')}`);
      }
      case 'VOLUME': {
        config.Volumes = { ...(config.Volumes ?? {}) };
        for (const p of instruction.paths) config.Volumes[p] = {};
        return this.commitMeta(state, config, `VOLUME ${goList(instruction.paths)}`);
      }
      case 'STOPSIGNAL': {
        config.StopSignal = instruction.signal;
        return this.commitMeta(state, config, `STOPSIGNAL ${instruction.signal}`);
      }
      case 'MAINTAINER':
        return this.commitMeta(state, config, `MAINTAINER ${instruction.maintainer}`, instruction.maintainer);
      case 'HEALTHCHECK': {
        const h = instruction.health;
        config.Healthcheck = {
          Test: [...h.test],
          ...(h.interval !== undefined ? { Interval: h.interval } : {}),
          ...(h.timeout !== undefined ? { Timeout: h.timeout } : {}),
          ...(h.startPeriod !== undefined ? { StartPeriod: h.startPeriod } : {}),
          ...(h.startInterval !== undefined ? { StartInterval: h.startInterval } : {}),
          ...(h.retries !== undefined ? { Retries: h.retries } : {}),
        };
        return this.commitMeta(state, config, `HEALTHCHECK ${goQuoteList(h.test)}`);
      }
      case 'ONBUILD': {
        config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
        return this.commitMeta(state, config, `ONBUILD ${instruction.expression}`);
      }
      case 'WORKDIR':
        return this.workdir(state, config, instruction.path, instruction.line);
      case 'RUN':
        return this.runStep(state, instruction);
      case 'COPY':
      case 'ADD':
        return this.copyStep(state, instruction, context);
    }
  }

  /** Looks the step up; on a hit prints ` ---> Using cache` and moves the stage on. */
  private async probe(
    state: StageState,
    createdBy: string,
    config?: RunConfig,
  ): Promise<{ hit: boolean; key: string }> {
    // A metadata step's result also depends on stage state the parent image does not show (whether
    // CMD was set in this stage decides what ENTRYPOINT does to Cmd): its key covers the new config.
    const key = cacheKey(
      state.image.id,
      config === undefined ? createdBy : `${createdBy}\n${JSON.stringify(config)}`,
      this.options.hasher,
    );
    if (this.options.noCache || state.cacheBusted) {
      this.built++;
      return { hit: false, key };
    }
    const step = await this.cache.get(key);
    let image: BuildImage | undefined;
    if (step !== undefined) {
      image =
        this.backend.cachedImage !== undefined
          ? await this.backend.cachedImage(step.image, step.manifest)
          : await this.backend.image(step.image);
    }
    if (image === undefined) {
      state.cacheBusted = true;
      this.built++;
      return { hit: false, key };
    }
    this.out(' ---> Using cache\n');
    state.image = image;
    state.scratch = false;
    return { hit: true, key };
  }

  private async remember(state: StageState, key: string, image: BuildImage): Promise<void> {
    state.image = image;
    state.scratch = false;
    await this.cache.put(key, {
      image: image.id,
      ...(image.manifestDigest !== undefined ? { manifest: image.manifestDigest } : {}),
    });
  }

  /** A metadata step: a container that changes nothing, committed with the new config (no layer). */
  private async commitMeta(
    state: StageState,
    config: RunConfig,
    comment: string,
    author?: string,
  ): Promise<void> {
    const nop = [...this.shellOf(state), '#(nop) ', comment];
    const createdBy = nop.join(' ');
    const { hit, key } = await this.probe(state, createdBy, { ...config, ...authorOf(state, author) });
    if (hit) return;
    const container = await this.backend.create(state.image, { cmd: nop, env: [], workdir: '/' });
    this.out(` ---> Running in ${shortId(container)}\n`);
    let image: BuildImage;
    try {
      image = await this.backend.commit(container, {
        config,
        createdBy,
        ...authorOf(state, author),
      });
    } catch (err) {
      await this.backend.remove(container).catch(() => undefined);
      throw err;
    }
    await this.removeContainer(container);
    await this.remember(state, key, image);
  }

  private async removeContainer(container: string): Promise<void> {
    await this.backend.remove(container);
    this.out(`Removing intermediate container ${shortId(container)}\n`);
  }

  private async workdir(state: StageState, config: RunConfig, path: string, line: number): Promise<void> {
    const dir = path.startsWith('/') ? cleanAbs(path) : cleanAbs(`${config.WorkingDir || '/'}/${path}`);
    config.WorkingDir = dir;
    const comment = `WORKDIR ${dir}`;
    const createdBy = [...this.shellOf(state), `#(nop) ${comment}`].join(' ');
    const { hit, key } = await this.probe(state, createdBy);
    if (hit) return;
    this.refuseVolumePaths(line, state.image, 'WORKDIR', [dir]);
    const container = await this.backend.create(state.image, {
      cmd: [...this.shellOf(state), `#(nop) ${comment}`],
      env: [],
      workdir: '/',
    });
    this.out(` ---> Running in ${shortId(container)}\n`);
    let image: BuildImage;
    try {
      await this.backend.mkdirp(container, state.image, dir);
      image = await this.backend.commit(container, { config, createdBy, ...authorOf(state) });
    } catch (err) {
      await this.backend.remove(container).catch(() => undefined);
      throw err;
    }
    await this.removeContainer(container);
    await this.remember(state, key, image);
  }

  private async runStep(state: StageState, instruction: ResolvedRunInstruction): Promise<void> {
    const config = state.image.config;
    const argv = this.commandOf(state, instruction.command);
    const args = Object.entries(instruction.args).map(([k, v]) => `${k}=${v}`);
    const keyed = Object.entries(instruction.args)
      .filter(([k]) => state.declared.has(k) || !PROXY_ARGS.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    const saved = keyed.length > 0 || args.length > 0 ? [`|${keyed.length}`, ...keyed, ...argv] : argv;
    const createdBy = saved.join(' ');
    const { hit, key } = await this.probe(state, createdBy);
    if (hit) return;

    const env = [...(config.Env ?? [])];
    for (const [k, v] of Object.entries(instruction.args)) {
      if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
    }
    let container: string;
    try {
      container = await this.backend.create(state.image, {
        cmd: argv,
        env,
        workdir: config.WorkingDir || '/',
      });
    } catch (err) {
      this.explainMissingCommand(instruction, argv, err);
      throw err;
    }
    this.out(` ---> Running in ${shortId(container)}\n`);
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    let exit;
    try {
      exit = await this.backend.run(container, {
        stdout: (chunk) => this.out(decoders.stdout.decode(chunk, { stream: true })),
        stderr: (chunk) => this.out(decoders.stderr.decode(chunk, { stream: true })),
      });
    } catch (err) {
      await this.backend.remove(container).catch(() => undefined);
      this.explainMissingCommand(instruction, argv, err);
      throw err;
    }
    const tail = decoders.stdout.decode() + decoders.stderr.decode();
    if (tail !== '') this.out(tail);
    if (exit.statusCode !== 0) {
      // Docker keeps the failed container (its --rm removes only successful steps'); Berth has no
      // `ps -a` for build containers yet, so it removes it rather than leave it behind unseen.
      await this.backend.remove(container).catch(() => undefined);
      const why = exit.reason === 'exit' || exit.message === undefined ? '' : ` (${exit.message})`;
      this.fail(
        instruction.line,
        `The command '${argv.join(' ')}' returned a non-zero code: ${exit.statusCode}${why}`,
        undefined,
        exit.statusCode,
      );
    }
    let image: BuildImage;
    try {
      image = await this.backend.commit(container, {
        config: cloneConfig(config),
        createdBy,
        ...authorOf(state),
      });
    } catch (err) {
      await this.backend.remove(container).catch(() => undefined);
      throw err;
    }
    await this.removeContainer(container);
    await this.remember(state, key, image);
  }

  /** A RUN whose program is not in the image: say so plainly, naming the shell for the shell form. */
  private explainMissingCommand(instruction: ResolvedRunInstruction, argv: string[], err: unknown): void {
    if ((err as { kind?: unknown }).kind !== 'not-found') return;
    if (instruction.command.form === 'shell') {
      this.fail(
        instruction.line,
        `RUN ${instruction.command.command}: the shell form runs ${JSON.stringify(argv.slice(0, -1))}, but ${argv[0]} does not exist in the image: ` +
          'build FROM an image with a shell (box has /bin/sh), set one with SHELL, or use the exec form, RUN ["/path/to/program.wasm", "arg", …]',
        err,
      );
    }
    this.fail(
      instruction.line,
      `RUN: ${argv[0]} does not exist in the image (${(err as Error).message})`,
      err,
    );
  }

  /**
   * The engine mounts an image's VOLUMEs in every container made from it, so files written under one
   * by COPY, ADD or WORKDIR would land in a throw-away volume instead of the layer (Docker writes them
   * into the layer). Until the engine can create a container without them, such a step fails plainly.
   */
  private refuseVolumePaths(
    line: number | undefined,
    image: BuildImage,
    what: string,
    paths: readonly string[],
  ): void {
    const volumes = Object.keys(image.config.Volumes ?? {}).map((v) => cleanAbs(v));
    for (const path of paths) {
      const volume = volumes.find((v) => v === '/' || path === v || path.startsWith(`${v}/`));
      if (volume !== undefined) {
        throw new BuildError(
          this.file,
          line,
          `${what} ${path}: writing under VOLUME ${volume} is not supported by berth build yet ` +
            '(build containers mount the volume); put the VOLUME instruction after the steps that fill it',
        );
      }
    }
  }

  private async copyStep(
    state: StageState,
    instruction: ResolvedCopyInstruction,
    context: LoadedContext,
  ): Promise<void> {
    const kind = instruction.kind;
    if (instruction.chown !== undefined && instruction.chown !== '') {
      const warning = `${kind} --chown=${instruction.chown} ignored: Berth layers have no ownership (files belong to 0:0)`;
      this.warnings.push(`${this.file}:${instruction.line}: ${warning}`);
      this.out(` ---> [Warning] ${warning}\n`);
    }
    const chmod =
      instruction.chmod === undefined || instruction.chmod === ''
        ? undefined
        : parseInt(instruction.chmod, 8);
    let tree: SourceTree;
    const source = instruction.source;
    if (source.kind === 'context') {
      tree = {
        kind: 'context',
        entries: context.entries,
        byPath: context.byPath,
        excluded: (p, d) => !context.isCopyable(p, d),
        readFile: (p) => context.source.readFile(p),
        readlink: (p) => context.source.readlink(p),
        ...(context.source.digest !== undefined ? { digest: (p: string) => context.source.digest!(p) } : {}),
      };
    } else if (source.kind === 'stage') {
      const result = this.stageResults.get(source.index);
      if (result === undefined)
        this.fail(instruction.line, `stage ${source.name ?? source.index} was not built`);
      tree = await this.backend.tree(result.image, 'stage', source.name ?? String(source.index));
    } else {
      const image = await this.findImage(source.ref);
      if (image === undefined) {
        this.fail(
          instruction.line,
          `COPY --from=${source.ref}: image ${source.ref} not found locally (berth has no registry pull yet)`,
        );
      }
      tree = await this.backend.tree(image, 'image', source.ref);
    }
    const parent = state.image;
    const request: CopyRequest = {
      instruction: kind,
      sources: instruction.sources,
      dest: instruction.dest,
      workdir: parent.config.WorkingDir || '/',
      ...(chmod !== undefined ? { chmod } : {}),
      isDirectory: (p) => this.backend.isDirectory(parent, p),
      realPath: (p) => this.backend.realPath(parent, p),
      ...(this.options.hasher !== undefined ? { hasher: this.options.hasher } : {}),
    };
    // The cache key needs the sources only; where they land in the image is worked out on a miss.
    const gathered = await gatherCopy(request, tree);
    const comment = `${kind} ${gathered.hash} in ${instruction.dest} `;
    const createdBy = [...this.shellOf(state), `#(nop) ${comment}`].join(' ');
    const { hit, key } = await this.probe(state, createdBy);
    if (hit) return;
    const plan = await placeCopy(request, gathered);
    this.refuseVolumePaths(instruction.line, parent, kind, [
      ...plan.entries.map((e) => e.path),
      ...plan.ensureDirs,
    ]);
    const container = await this.backend.create(parent, {
      cmd: [...this.shellOf(state), `#(nop) ${comment}`],
      env: [],
      workdir: '/',
    });
    let image: BuildImage;
    try {
      await this.backend.copyIn(container, parent, plan.entries, plan.ensureDirs);
      image = await this.backend.commit(container, {
        config: cloneConfig(parent.config),
        createdBy,
        ...authorOf(state),
      });
    } finally {
      // COPY's container is the builder's own business: Docker prints nothing for it.
      await this.backend.remove(container).catch(() => undefined);
    }
    await this.remember(state, key, image);
  }
}

/** MAINTAINER's author, kept by every later step of the stage (the commit writes it each time). */
function authorOf(state: StageState, author?: string): { author?: string } {
  const value = author ?? state.image.author;
  return value !== undefined && value !== '' ? { author: value } : {};
}

function envRecord(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    const at = e.indexOf('=');
    if (at > 0) out[e.slice(0, at)] = e.slice(at + 1);
  }
  return out;
}

function cleanAbs(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/**
 * Builds an image from a Dockerfile and a context. Throws BuildError (a failed step, naming the
 * Dockerfile line), DockerfileError (a Dockerfile that does not parse), BuildContextError (sources,
 * context, tags).
 */
export async function buildWith(backend: BuildBackend, options: BuildOptions): Promise<BuildResult> {
  return new Build(backend, options).run();
}

/**
 * `berth build` on an engine. Without `options.cache` the steps are cached in memory per engine (the
 * CLI passes the state root's DiskBuildCache).
 */
export async function build(engine: Engine, options: BuildOptions): Promise<BuildResult> {
  let cache = options.cache ?? defaultCaches.get(engine);
  if (cache === undefined) {
    cache = new MemoryBuildCache();
    defaultCaches.set(engine, cache);
  }
  return buildWith(new EngineBuildBackend(engine), { hasher: engine.host.hasher, ...options, cache });
}
