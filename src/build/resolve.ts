/**
 * From a parsed Dockerfile to what the builder executes: pick the target stage and the stages it needs,
 * then substitute variables where Docker does (ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME
 * WORKDIR, and ARG defaults), with Docker's scoping:
 * - ARGs before the first FROM (global) are visible in FROM lines (and `COPY --from`) only; `ARG NAME`
 *   inside a stage re-declares one and takes its value.
 * - A stage's ARG is visible from its declaration to the end of the stage; build-args override defaults.
 * - ENV is visible to later instructions of the stage and to stages built FROM it, and wins over an ARG
 *   of the same name. All words of one instruction see the variables as they were before it.
 */
import { DockerfileError } from './errors';
import { expand, expandWords, SubstitutionError } from './expand';
import type {
  CopyInstruction,
  CopySource,
  Instruction,
  ParsedDockerfile,
  ResolvedArgDeclaration,
  ResolvedBuild,
  ResolvedInstruction,
  ResolvedStage,
  StageBase,
} from './types';
import { exposeError, isRemoteSource, remoteSourceError, signalError } from './validate';

export interface ResolveOptions {
  /** `--build-arg NAME=VALUE` values (taken literally, never expanded). */
  buildArgs?: Readonly<Record<string, string>>;
  /** `--target`: a stage name (case-insensitive) or index. Default: the last stage. */
  target?: string;
  /**
   * The env of a base image (its config's `Env`), so that `ENV PATH=/x:$PATH` sees the image's PATH.
   * Without it an image base starts with no variables.
   */
  imageEnv?: (ref: string, platform: string | undefined) => Readonly<Record<string, string>> | undefined;
}

export interface PlannedStage {
  base: StageBase;
  platform: string | undefined;
  dependsOn: number[];
}

/** Which stages a target needs, known from FROM lines and `COPY --from` (global ARGs only). */
export interface StagePlan {
  target: number;
  /** Stage indices to build, ascending: every dependency comes before its dependants. */
  order: number[];
  stages: Map<number, PlannedStage>;
  metaArgs: Record<string, string | undefined>;
}

/** Build-args Docker accepts without an ARG, passes to RUN, and never reports as unused. */
const PROXY_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy',
  'ALL_PROXY', 'all_proxy',
]); // prettier-ignore

interface PlanInternal extends StagePlan {
  meta: Map<string, string | undefined>;
  consumed: Set<string>;
  copySources: Map<CopyInstruction, CopySource>;
}

function definedVars(...scopes: ReadonlyMap<string, string | undefined>[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const scope of scopes) {
    for (const [k, v] of scope) if (v !== undefined) vars.set(k, v);
  }
  return vars;
}

function makeExpander(parsed: ParsedDockerfile) {
  const options = { escape: parsed.escape };
  const wrap = <T>(instruction: Instruction, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SubstitutionError) {
        throw new DockerfileError(parsed.file, instruction.line, err.message, { cause: err });
      }
      throw err;
    }
  };
  return {
    word: (instruction: Instruction, word: string, vars: ReadonlyMap<string, string>) =>
      wrap(instruction, () => expand(word, vars, options)),
    words: (instruction: Instruction, word: string, vars: ReadonlyMap<string, string>) =>
      wrap(instruction, () => expandWords(word, vars, options)),
  };
}

function plan(parsed: ParsedDockerfile, options: ResolveOptions): PlanInternal {
  const { file, stages } = parsed;
  const buildArgs = options.buildArgs ?? {};
  const ex = makeExpander(parsed);
  const consumed = new Set<string>();

  const meta = new Map<string, string | undefined>();
  for (const instruction of parsed.metaArgs) {
    const vars = definedVars(meta);
    for (const arg of instruction.args) {
      consumed.add(arg.name);
      let value: string | undefined;
      if (Object.hasOwn(buildArgs, arg.name)) value = buildArgs[arg.name];
      else if (arg.default !== undefined) value = ex.word(instruction, arg.default, vars);
      else value = meta.get(arg.name);
      meta.set(arg.name, value);
    }
  }
  const metaVars = definedVars(meta);

  let target = stages.length - 1;
  if (options.target !== undefined && options.target !== '') {
    const wanted = options.target.toLowerCase();
    target = stages.findIndex((s) => s.name === wanted);
    if (target < 0 && /^\d+$/.test(wanted) && Number(wanted) < stages.length) target = Number(wanted);
    if (target < 0)
      throw new DockerfileError(file, undefined, `target stage "${options.target}" could not be found`);
  }

  const planned = new Map<number, PlannedStage>();
  const copySources = new Map<CopyInstruction, CopySource>();
  const stageNamed = (name: string) => stages.findIndex((s) => s.name === name.toLowerCase());

  const visit = (index: number): void => {
    if (planned.has(index)) return;
    const stage = stages[index];
    const from = stage.from;
    const image = ex.word(from, from.image, metaVars);
    if (image === '')
      throw new DockerfileError(file, from.line, `base name (${from.image}) should not be blank`);
    const platform =
      from.platform === undefined ? undefined : ex.word(from, from.platform, metaVars) || undefined;

    let base: StageBase;
    const named = stageNamed(image);
    if (image === 'scratch') {
      base = { kind: 'scratch' };
    } else if (named >= 0 && named < index) {
      base = { kind: 'stage', index: named, name: stages[named].name };
    } else {
      // Like the classic builder, a name that is not an earlier stage (even a later stage's) is an image.
      base = { kind: 'image', ref: image };
    }

    const deps = new Set<number>();
    if (base.kind === 'stage') deps.add(base.index);
    for (const instruction of stage.instructions) {
      if (instruction.kind !== 'COPY' || instruction.from === undefined) continue;
      const value = ex.word(instruction, instruction.from, metaVars);
      let source: CopySource;
      const byName = stageNamed(value);
      const byIndex = /^\d+$/.test(value) ? Number(value) : -1;
      if (value === '') {
        source = { kind: 'context' };
      } else if (byName >= 0 || byIndex >= 0) {
        const ref = byName >= 0 ? byName : byIndex;
        if (ref >= index) {
          throw new DockerfileError(
            file,
            instruction.line,
            `COPY --from=${value} refers to the current or a later build stage; only earlier stages can be copied from`,
          );
        }
        source = { kind: 'stage', index: ref, name: stages[ref].name };
        deps.add(ref);
      } else {
        source = { kind: 'image', ref: value };
      }
      copySources.set(instruction, source);
    }
    planned.set(index, { base, platform, dependsOn: [...deps].sort((a, b) => a - b) });
    for (const dep of deps) visit(dep);
  };
  visit(target);

  return {
    target,
    order: [...planned.keys()].sort((a, b) => a - b),
    stages: planned,
    metaArgs: Object.fromEntries(meta),
    meta,
    consumed,
    copySources,
  };
}

/**
 * The first half of resolution: the target stage, the stages it needs (via FROM and COPY --from) and
 * their bases, so that a builder can fetch base images (and their env, for `imageEnv`) beforehand.
 */
export function planStages(parsed: ParsedDockerfile, options: ResolveOptions = {}): StagePlan {
  const { target, order, stages, metaArgs } = plan(parsed, options);
  return { target, order, stages, metaArgs };
}

/**
 * Selects the target and its dependencies and returns them with variables substituted, in build order.
 * Throws DockerfileError naming the line for bad substitutions and values, and for an unknown target.
 */
export function resolveStages(parsed: ParsedDockerfile, options: ResolveOptions = {}): ResolvedBuild {
  const { file } = parsed;
  const buildArgs = options.buildArgs ?? {};
  const planned = plan(parsed, options);
  const ex = makeExpander(parsed);
  const resolved = new Map<number, ResolvedStage>();
  const proxyArgs = new Map(Object.entries(buildArgs).filter(([k]) => PROXY_ARGS.has(k)));

  for (const index of planned.order) {
    const stage = parsed.stages[index];
    const { base, platform, dependsOn } = planned.stages.get(index) as PlannedStage;
    const env = new Map<string, string>(
      base.kind === 'stage'
        ? Object.entries((resolved.get(base.index) as ResolvedStage).env)
        : base.kind === 'image'
          ? Object.entries(options.imageEnv?.(base.ref, platform) ?? {})
          : [],
    );
    const args = new Map<string, string | undefined>();
    const out: ResolvedInstruction[] = [];
    const err = (instruction: Instruction, reason: string): never => {
      throw new DockerfileError(file, instruction.line, reason);
    };

    for (const instruction of stage.instructions) {
      // ENV wins over ARG; every word of one instruction sees the same snapshot.
      const vars = definedVars(args, env);
      const word = (w: string) => ex.word(instruction, w, vars);
      switch (instruction.kind) {
        case 'ARG': {
          const declared: ResolvedArgDeclaration[] = instruction.args.map((arg) => {
            planned.consumed.add(arg.name);
            let value: string | undefined;
            if (Object.hasOwn(buildArgs, arg.name)) value = buildArgs[arg.name];
            else if (arg.default !== undefined) value = word(arg.default);
            else if (args.has(arg.name)) value = args.get(arg.name);
            else value = planned.meta.get(arg.name);
            return { ...arg, value };
          });
          for (const d of declared) args.set(d.name, d.value);
          out.push({ ...instruction, args: declared });
          break;
        }
        case 'ENV':
        case 'LABEL': {
          const pairs = instruction.pairs.map((p) => ({ key: word(p.key), value: word(p.value) }));
          if (pairs.some((p) => p.key === '')) err(instruction, `${instruction.kind} names can not be blank`);
          if (instruction.kind === 'ENV') for (const p of pairs) env.set(p.key, p.value);
          out.push({ ...instruction, pairs });
          break;
        }
        case 'RUN': {
          const runArgs = new Map<string, string>();
          for (const [k, v] of definedVars(proxyArgs, args)) if (!env.has(k)) runArgs.set(k, v);
          out.push({ ...instruction, args: Object.fromEntries(runArgs) });
          break;
        }
        case 'COPY':
        case 'ADD': {
          const sources = instruction.sources.map(word);
          const remote = sources.find(isRemoteSource);
          if (remote !== undefined) err(instruction, remoteSourceError(instruction.kind, remote));
          const chmod = instruction.chmod === undefined ? undefined : word(instruction.chmod);
          if (
            chmod !== undefined &&
            chmod !== '' &&
            !(/^[0-7]+$/.test(chmod) && parseInt(chmod, 8) <= 0o7777)
          ) {
            err(
              instruction,
              `invalid chmod parameter: ${chmod}. it should be octal string and between 0 and 07777`,
            );
          }
          out.push({
            ...instruction,
            sources,
            dest: word(instruction.dest),
            from:
              instruction.from === undefined
                ? undefined
                : ex.word(instruction, instruction.from, definedVars(planned.meta)),
            chown: instruction.chown === undefined ? undefined : word(instruction.chown),
            chmod,
            source: planned.copySources.get(instruction) ?? { kind: 'context' },
          });
          break;
        }
        case 'WORKDIR': {
          const path = word(instruction.path);
          if (path === '') err(instruction, `WORKDIR ${instruction.path} expands to an empty path`);
          out.push({ ...instruction, path });
          break;
        }
        case 'USER': {
          const user = word(instruction.user);
          if (user === '') err(instruction, `USER ${instruction.user} expands to an empty user`);
          out.push({ ...instruction, user });
          break;
        }
        case 'STOPSIGNAL': {
          const signal = word(instruction.signal);
          const problem = signalError(signal);
          if (problem !== undefined) err(instruction, problem);
          out.push({ ...instruction, signal });
          break;
        }
        case 'EXPOSE': {
          const ports = instruction.ports.flatMap((p) => ex.words(instruction, p, vars));
          for (const port of ports) {
            const problem = exposeError(port);
            if (problem !== undefined) err(instruction, problem);
          }
          out.push({ ...instruction, ports });
          break;
        }
        case 'VOLUME': {
          const paths = instruction.paths.map(word);
          if (paths.some((p) => p.trim() === ''))
            err(instruction, 'VOLUME specified can not be an empty string');
          out.push({ ...instruction, paths });
          break;
        }
        case 'FROM':
          // Never inside a stage's list: the parser starts a new stage at each FROM.
          break;
        default:
          // CMD ENTRYPOINT SHELL HEALTHCHECK MAINTAINER ONBUILD: no substitution by the builder.
          out.push(instruction);
      }
    }

    resolved.set(index, {
      index,
      name: stage.name,
      from: stage.from,
      base,
      platform,
      instructions: out,
      dependsOn,
      env: Object.fromEntries(env),
    });
  }

  const unusedBuildArgs = Object.keys(buildArgs)
    .filter((k) => !planned.consumed.has(k) && !PROXY_ARGS.has(k))
    .sort();
  const warnings = [...parsed.warnings];
  if (unusedBuildArgs.length > 0) {
    warnings.push(`[Warning] One or more build-args [${unusedBuildArgs.join(' ')}] were not consumed`);
  }
  return {
    file,
    escape: parsed.escape,
    target: planned.target,
    stages: planned.order.map((i) => resolved.get(i) as ResolvedStage),
    metaArgs: planned.metaArgs,
    unusedBuildArgs,
    warnings,
  };
}
