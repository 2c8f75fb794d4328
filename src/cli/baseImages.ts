/**
 * Berth's base images (images/ in the package: hello, box) are built from their Dockerfiles the first
 * time a command needs one, the way Docker pulls a missing image: a fresh install runs `berth run hello`
 * with no registry.
 */
import { parseReference } from '../oci/reference';
import type { Ctx } from './context';

/** Builds the base image `image` names when there is one; false when it is not a base image. */
export async function provideBaseImage(ctx: Ctx, image: string): Promise<boolean> {
  let name: string;
  try {
    const ref = parseReference(image);
    if (ref.registry !== 'docker.io' || !ref.repository.startsWith('library/') || ref.digest !== undefined) {
      return false;
    }
    if (ref.tag !== undefined && ref.tag !== 'latest') return false;
    name = ref.repository.slice('library/'.length);
  } catch {
    return false;
  }
  const context = ctx.host.baseImageContext?.(name);
  if (context === undefined) return false;
  await ctx.err(
    `Unable to find image '${name}:latest' locally\nBuilding ${name}:latest from Berth's base images\n`,
  );
  const { buildCommand } = await import('./build');
  const { host } = ctx;
  const cache = await host.buildCache?.();
  const code = await buildCommand(await ctx.engine(), ['-q', '-t', `${name}:latest`, context], {
    // The image id `-q` prints is not the command's output: keep stdout for the container.
    stdout: () => undefined,
    stderr: (s) => host.stderr(s),
    readFile: (p) => host.readFile(p),
    ...(host.openBuildContext ? { openContext: (p: string) => host.openBuildContext!(p) } : {}),
    ...(cache ? { cache } : {}),
    cwd: host.cwd ?? '/',
  });
  return code === 0;
}
