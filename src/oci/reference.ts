/**
 * Image references, parsed by the distribution reference grammar and normalised the way Docker does:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [ domain "/" ] path-component { "/" path-component }    (at most 255 characters)
 *   domain           := host [ ":" port ]      host := domain-name | "[" IPv6 "]"
 *   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *   path-component   := [a-z0-9]+ { separator [a-z0-9]+ }      separator := "." | "_" | "__" | "-"+
 *   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * The first path segment is a registry host only if it contains "." or ":", is "localhost", or has an
 * uppercase letter; otherwise the registry is docker.io, where a one-segment repository gets "library/"
 * (`hello` → `docker.io/library/hello`). `index.docker.io` is folded into `docker.io`. A reference with
 * neither tag nor digest gets the tag `latest`. A name that is 64 hex digits alone is refused (it would
 * read as an image ID).
 *
 * docker.io is the registry's *name*; its API endpoint (registry-1.docker.io) is the registry client's
 * business.
 */
import { InvalidDigestError } from '../errors/InvalidDigestError';
import { InvalidReferenceError } from '../errors/InvalidReferenceError';
import type { Digest } from './digest';
import { parseDigest } from './digest';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
export const NAME_MAX_LENGTH = 255;

export interface ImageReference {
  /** `docker.io`, `localhost:5000`, `ghcr.io`, `[::1]:5000` */
  registry: string;
  /** The path within the registry: `library/hello`, `x`, `org/team/app` */
  repository: string;
  /** `latest` when the reference had neither tag nor digest; absent for a digest-only reference. */
  tag?: string;
  digest?: Digest;
  /** `registry/repository`: `docker.io/library/hello` */
  name: string;
  /** The full normalised form, `name[:tag][@digest]`: `docker.io/library/hello:latest`. Use it as a key. */
  canonical: string;
  /** The reference exactly as the user typed it (`hello`), for display. */
  familiar: string;
}

const ALNUM = '[a-z0-9]+';
const PATH_COMPONENT = new RegExp(`^${ALNUM}(?:(?:[._]|__|-+)${ALNUM})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^\w[\w.-]{0,127}$/;
const HEX64 = /^[a-f0-9]{64}$/;

/** Parses and normalises an image reference; throws InvalidReferenceError saying what is wrong. */
export function parseReference(input: string): ImageReference {
  const bad = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (typeof input !== 'string' || input === '') bad('empty reference');
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(input)) bad('contains whitespace or a control character');
  if (HEX64.test(input)) bad('a 64-digit hexadecimal string is an image ID, not a repository name');

  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (d === '') bad('empty digest after "@"');
    try {
      digest = parseDigest(d);
    } catch (err) {
      if (err instanceof InvalidDigestError) bad(err.message);
      throw err;
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && !rest.slice(colon).includes(']')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') bad('empty tag after ":"');
    if (tag.length > 128) bad(`tag is ${tag.length} characters long (at most 128)`);
    if (!TAG.test(tag)) {
      bad(
        `invalid tag ${JSON.stringify(tag)}: only letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
    }
  }

  const name = rest;
  if (name === '') bad('empty repository name');
  if (name.length > NAME_MAX_LENGTH) bad(`repository name is ${name.length} characters long (at most 255)`);

  let domain: string | undefined;
  let path = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      domain = first;
      path = name.slice(slash + 1);
    }
  }
  if (domain !== undefined && !DOMAIN.test(domain)) bad(`invalid registry host ${JSON.stringify(domain)}`);

  for (const component of path.split('/')) {
    if (component === '') bad('empty path component (a leading, trailing or double "/")');
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) bad('repository name must be lowercase');
    bad(
      `invalid repository name component ${JSON.stringify(component)}: lowercase letters and digits, ` +
        'separated by ".", "_", "__" or "-"',
    );
  }

  let registry = domain ?? DEFAULT_REGISTRY;
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  const repository = registry === DEFAULT_REGISTRY && !path.includes('/') ? `library/${path}` : path;
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;

  const full = `${registry}/${repository}`;
  const ref: ImageReference = {
    registry,
    repository,
    name: full,
    canonical: full + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : ''),
    familiar: input,
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Docker's short form of a repository, for listings: `docker.io/library/hello` → `hello`,
 * `docker.io/user/app` → `user/app`; other registries keep their host (`localhost:5000/x`).
 */
export function familiarName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  if (ref.registry !== DEFAULT_REGISTRY) return `${ref.registry}/${ref.repository}`;
  const rest = ref.repository.slice('library/'.length);
  return ref.repository.startsWith('library/') && !rest.includes('/') ? rest : ref.repository;
}
