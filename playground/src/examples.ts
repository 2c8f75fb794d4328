/**
 * The examples: the build contexts under images/ (hello, box), described by dist/playground/examples.json
 * (playground/build.mjs writes it) and fetched file by file from /images/NAME/. They are the playground's
 * first projects and also its base images: `berth run hello` on a first visit builds hello from here,
 * as the CLI builds it from the package's images/ directory.
 */
import type { Workspace } from './workspace';

export interface ExampleEntry {
  /** Relative to the example's directory. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  target?: string;
}

export interface Example {
  name: string;
  description: string;
  /** images/oci/NAME/ holds the image as an OCI layout (served at /images/oci/NAME/). */
  layout?: boolean;
  entries: ExampleEntry[];
}

export async function fetchExamples(base: URL): Promise<Example[]> {
  const res = await fetch(new URL('app/examples.json', base));
  if (!res.ok) throw new Error(`examples.json: HTTP ${res.status}`);
  return ((await res.json()) as { examples: Example[] }).examples;
}

/** Copies an example into the workspace at `dir`, replacing what was there. */
export async function loadExample(
  workspace: Workspace,
  base: URL,
  example: Example,
  dir: string,
): Promise<void> {
  const files = await Promise.all(
    example.entries.map(async (e) => {
      if (e.type !== 'file') return undefined;
      const url = new URL(
        `images/${example.name}/${e.path.split('/').map(encodeURIComponent).join('/')}`,
        base,
      );
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    }),
  );
  workspace.remove(dir);
  example.entries.forEach((e, i) => {
    const path = `${dir}/${e.path}`;
    if (e.type === 'dir') workspace.mkdir(path, e.mode, e.mtimeMs);
    else if (e.type === 'symlink') workspace.symlink(path, e.target ?? '', e.mtimeMs);
    else workspace.writeFile(path, files[i]!, e.mode, e.mtimeMs);
  });
}
