/**
 * Berth's base images (images/ in the package: hello, box) arrive the first time a command needs one, the
 * way Docker pulls a missing image, so a fresh install runs `berth run hello` with no registry: loaded
 * from the OCI layout shipped in images/oci/NAME (what `npm run images` writes), or, where there is
 * none, built from images/NAME's Dockerfile.
 */
import { parseReference } from '../oci/reference';
import { importOciLayout } from '../transfer/import';
import { errorText, type Ctx } from './context';

/** The base image name `image` refers to (`hello`, `hello:latest`, `docker.io/library/hello`), if any. */
function baseImageName(image: string): string | undefined {
  try {
    const ref = parseReference(image);
    if (ref.registry !== 'docker.io' || !ref.repository.startsWith('library/') || ref.digest !== undefined) {
      return undefined;
    }
    if (ref.tag !== undefined && ref.tag !== 'latest') return undefined;
    return ref.repository.slice('library/'.length);
  } catch {
    return undefined;
  }
}

/** Loads the shipped layout of `name` as `name:latest`; false (with the reason on stderr) if it fails. */
async function loadLayout(ctx: Ctx, name: string, dir: string): Promise<boolean> {
  const fs = ctx.host.transferFs;
  if (fs === undefined) return false;
  const engine = await ctx.engine();
  const { host } = engine;
  try {
    await importOciLayout(
      { content: host.content, images: host.images },
      { fs, dir },
      {
        hasher: host.hasher,
        ...(host.gunzip ? { gunzip: host.gunzip } : {}),
        name: `${name}:latest`,
      },
    );
    return true;
  } catch (e) {
    await ctx.err(`berth: cannot load the base image layout ${dir}: ${errorText(e)}\n`);
    return false;
  }
}

/** Provides the base image `image` names when there is one; false when it is not a base image. */
export async function provideBaseImage(ctx: Ctx, image: string): Promise<boolean> {
  const name = baseImageName(image);
  if (name === undefined) return false;
  const layout = ctx.host.baseImageLayout?.(name);
  const context = ctx.host.baseImageContext?.(name);
  if (layout === undefined && context === undefined) return false;
  await ctx.err(`Unable to find image '${name}:latest' locally\n`);
  if (layout !== undefined) {
    if (await loadLayout(ctx, name, layout)) {
      await ctx.err(`Loaded ${name}:latest from Berth's base images\n`);
      return true;
    }
    if (context === undefined) return false;
  }
  await ctx.err(`Building ${name}:latest from Berth's base images\n`);
  const { buildCommand } = await import('./build');
  const { host } = ctx;
  const cache = await host.buildCache?.();
  const code = await buildCommand(await ctx.engine(), ['-q', '-t', `${name}:latest`, context!], {
    // The image id `-q` prints is not the command's output: keep stdout for the container.
    stdout: () => undefined,
    stderr: (s) => host.stderr(s),
    readFile: (p) => host.readFile(p),
    ...(host.openBuildContext ? { openContext: (p: string) => host.openBuildContext!(p) } : {}),
    ...(cache ? { cache } : {}),
    ...(host.heavyRun ? { heavyRun: () => host.heavyRun!() } : {}),
    cwd: host.cwd ?? '/',
  });
  return code === 0;
}
