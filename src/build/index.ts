export { BuildContextError, DockerfileError, DockerignoreError, GlobPatternError } from './errors';
export {
  expand,
  expandWords,
  SubstitutionError,
  type EscapeChar,
  type ExpandOptions,
  type Vars,
} from './expand';
export { parseDockerfile, splitWords, type ParseOptions } from './dockerfile';
export { planStages, resolveStages, type PlannedStage, type ResolveOptions, type StagePlan } from './resolve';
export {
  compileIgnore,
  contextFilter,
  parseDockerignore,
  type ContextFilter,
  type IgnoreMatcher,
  type IgnorePattern,
} from './dockerignore';
export {
  cleanPath,
  compileGlob,
  expandCopySources,
  hasGlobMeta,
  matchGlob,
  type ContextEntry,
  type CopySourceMatch,
  type ExpandCopySourcesOptions,
} from './glob';
export type * from './types';
