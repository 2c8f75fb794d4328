/**
 * `inspect` output as the docker CLI writes it: a JSON array indented with four spaces (with Go's escapes
 * for <, > and &), or with -f/--format the template once per object. Objects that are not found are
 * reported after the ones that are, and make the exit status 1.
 */
import { kindOf, EXIT_FAILURE, errorText, type Ctx, type Handler } from './context';
import type { ParsedFlags } from './flags';
import { Template, unescapeFormat } from './template';

/** Go's json.MarshalIndent(v, "", "    ") with HTML escaping, as the daemon's JSON reaches the CLI. */
export function goJsonIndent(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inspects each argument with `get`; prints the array (or the template per object); 1 if any failed. */
export async function inspectOutput(
  ctx: Ctx,
  f: ParsedFlags,
  get: (ref: string) => Promise<unknown>,
): Promise<number> {
  const format = f.string('format');
  const template =
    format !== undefined && format !== '' && format !== 'json'
      ? new Template(unescapeFormat(format))
      : undefined;
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of f.args) {
    try {
      found.push(await get(ref));
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  if (template !== undefined) {
    // Each object as it comes: a template that fails on one leaves the ones before it printed.
    for (const o of found) await ctx.out(template.execute(o) + '\n');
  } else if (format === 'json') {
    await ctx.out(found.map((o) => JSON.stringify(o) + '\n').join(''));
  } else {
    await ctx.out(goJsonIndent(found) + '\n');
  }
  for (const e of errors) await ctx.err(`${e}\n`);
  return errors.length > 0 ? EXIT_FAILURE : 0;
}

const TYPES = ['container', 'image', 'volume'] as const;

/** `berth inspect`: a container, else an image, else a volume, as `docker inspect` searches. */
export const inspect: Handler = async (ctx, f) => {
  const engine = await ctx.engine();
  const type = f.string('type');
  if (type !== undefined && type !== '' && !(TYPES as readonly string[]).includes(type)) {
    await ctx.err(`"${type}" is not a valid value for --type\n`);
    return EXIT_FAILURE;
  }
  const wanted = type === undefined || type === '' ? TYPES : [type as (typeof TYPES)[number]];
  const miss = (e: unknown) => {
    const k = kindOf(e);
    return (
      k === 'no-such-container' || k === 'no-such-image' || k === 'no-such-volume' || k === 'invalid-argument'
    );
  };
  return inspectOutput(ctx, f, async (ref) => {
    for (const t of wanted) {
      try {
        if (t === 'container') return await engine.inspectContainer(ref, { size: f.bool('size') });
        if (t === 'image') return await engine.inspectImage(ref);
        return await engine.inspectVolume(ref);
      } catch (e) {
        if (!miss(e)) throw e;
      }
    }
    throw new NoSuchObject(wanted.length === 1 ? `Error: No such ${wanted[0]}: ${ref}` : `Error: No such object: ${ref}`); // prettier-ignore
  });
};

class NoSuchObject extends Error {
  override name = 'NoSuchObject';
}
