import type { EscapeChar } from './expand';

/** Where an instruction sits: 1-based lines; `endLine` > `line` when it was continued. */
export interface InstructionBase {
  line: number;
  endLine: number;
  /** The logical line as the parser saw it: continuations joined, comment lines dropped, trimmed. */
  original: string;
}

/** `FROM [--platform=P] IMAGE [AS NAME]`. `image` and `platform` are not expanded yet. */
export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  image: string;
  /** Lower-cased, as Docker stores stage names. */
  stageName: string | undefined;
  platform: string | undefined;
}

/** Exec form (a JSON array, no shell) or shell form (the text after the keyword, given to SHELL). */
export type CommandLine = { form: 'exec'; args: string[] } | { form: 'shell'; command: string };

export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  command: CommandLine;
}

export interface CmdInstruction extends InstructionBase {
  kind: 'CMD';
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'ENTRYPOINT';
  command: CommandLine;
}

/** `SHELL ["executable", "param"]`: JSON form only. */
export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}

/** COPY and ADD share a shape; ADD never has `from`. */
export interface CopyInstruction extends InstructionBase {
  kind: 'COPY' | 'ADD';
  sources: string[];
  dest: string;
  /** `--from=` (stage name, stage index or image), COPY only. */
  from: string | undefined;
  chown: string | undefined;
  chmod: string | undefined;
  /** Written in JSON form. */
  json: boolean;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** `ENV K=V …` or the legacy `ENV K V`. Keys and values are raw (quotes kept) until resolved. */
export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  pairs: KeyValue[];
  legacy: boolean;
}

export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  pairs: KeyValue[];
  legacy: boolean;
}

export interface ArgDeclaration {
  name: string;
  /** Raw default (quotes kept, not expanded); undefined for `ARG NAME`. */
  default: string | undefined;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: ArgDeclaration[];
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  path: string;
}

export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  user: string;
}

export interface StopSignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  signal: string;
}

/** Deprecated but still accepted by Docker; recorded (it sets the image's `author`). */
export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  ports: string[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  paths: string[];
  json: boolean;
}

/**
 * The image config's Healthcheck, as Docker writes it: `test` is `['NONE']`, `['CMD', arg…]` or
 * `['CMD-SHELL', command]`; durations are nanoseconds; absent fields mean "inherit the default".
 */
export interface HealthConfig {
  test: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

/** Parsed and recorded; Berth has no health monitor yet, but the config carries it like Docker's. */
export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  health: HealthConfig;
}

/**
 * Parsed and recorded: `expression` goes into the image config's OnBuild list verbatim (Docker expands
 * its variables only when a child build runs the trigger); `trigger` is the same text parsed now so
 * that a bad trigger fails this build, not a later one.
 */
export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  expression: string;
  trigger: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | CopyInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | WorkdirInstruction
  | UserInstruction
  | StopSignalInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | VolumeInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'];

export interface ParserDirective {
  name: 'syntax' | 'escape' | 'check';
  value: string;
  line: number;
}

export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name: string | undefined;
  from: FromInstruction;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  file: string;
  escape: EscapeChar;
  /** `# syntax=` and `# check=` are recorded only; `# escape=` is applied. */
  directives: ParserDirective[];
  /** ARG instructions before the first FROM: visible in FROM lines, and to `ARG NAME` inside a stage. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  /** Every instruction in file order (meta ARGs and FROMs included). */
  instructions: Instruction[];
  /** Non-fatal findings, each `Dockerfile:LINE: …` (empty continuation lines, deprecated forms). */
  warnings: string[];
}

/* ---------- resolved (variables substituted, stages selected) ---------- */

export type StageBase =
  | { kind: 'scratch' }
  | { kind: 'image'; ref: string }
  | { kind: 'stage'; index: number; name: string | undefined };

export type CopySource =
  | { kind: 'context' }
  | { kind: 'stage'; index: number; name: string | undefined }
  | { kind: 'image'; ref: string };

/** COPY/ADD with sources, dest, `--from`, `--chown` and `--chmod` expanded. */
export interface ResolvedCopyInstruction extends CopyInstruction {
  source: CopySource;
}

/** RUN (not expanded: the shell does that) with the build args it runs with. */
export interface ResolvedRunInstruction extends RunInstruction {
  /**
   * ARG values in scope that the RUN gets as environment variables, plus predefined proxy build-args
   * (HTTP_PROXY …) when given. Names also set by ENV (or the base image's env, when known) are left
   * out: ENV wins over ARG.
   */
  args: Record<string, string>;
}

export interface ResolvedArgDeclaration extends ArgDeclaration {
  /** The value in effect: build-arg, else the expanded default, else the global ARG's value. */
  value: string | undefined;
}

export interface ResolvedArgInstruction extends ArgInstruction {
  args: ResolvedArgDeclaration[];
}

/**
 * An instruction ready for the builder. Strings of ENV, LABEL, WORKDIR, USER, STOPSIGNAL, EXPOSE and
 * VOLUME are expanded; RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and ONBUILD are as parsed.
 */
export type ResolvedInstruction =
  | ResolvedRunInstruction
  | ResolvedCopyInstruction
  | ResolvedArgInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | EnvInstruction
  | LabelInstruction
  | WorkdirInstruction
  | UserInstruction
  | StopSignalInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | VolumeInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export interface ResolvedStage {
  index: number;
  name: string | undefined;
  /** FROM as written. */
  from: FromInstruction;
  /** FROM's image expanded with the global ARGs and classified. */
  base: StageBase;
  /** `--platform` expanded; undefined when absent or empty. */
  platform: string | undefined;
  instructions: ResolvedInstruction[];
  /** Earlier stages this one needs (its FROM stage and COPY --from stages), ascending. */
  dependsOn: number[];
  /**
   * The environment at the end of the stage as far as the resolver knows it: the parent stage's (or,
   * with `imageEnv`, the base image's) plus this stage's ENV.
   */
  env: Record<string, string>;
}

export interface ResolvedBuild {
  file: string;
  escape: EscapeChar;
  /** Index of the target stage (the last one unless `target` was given). */
  target: number;
  /** The target and the stages it depends on, in build order (ascending index). */
  stages: ResolvedStage[];
  /** Values of the ARGs before the first FROM (undefined for a declared-but-unset one). */
  metaArgs: Record<string, string | undefined>;
  /** Build-args that no ARG in the global scope or a built stage declared, sorted. */
  unusedBuildArgs: string[];
  /** Parser warnings plus, when build-args were not consumed, Docker's line for it. */
  warnings: string[];
}
