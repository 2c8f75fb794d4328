/**
 * A bare WebAssembly module as a one-layer image (what `berth run file.wasm` runs, and how tests make
 * images): the layer holds the module at `/<name>.wasm` (0755) plus any extra files, the config's
 * Entrypoint runs it, and the image is tagged `reference`.
 */
import { isWasm } from '../../runtime/process/moduleCache';
import { createImageConfig } from '../image/createImageConfig';
import { packLayer } from '../layer/pack';
import type { LayerEntry } from '../layer/types';
import { parseReference } from '../oci/reference';
import type { Engine } from './Engine';
import { EngineError } from './errors';
import { writeBlob, writeImage } from './images';
import type { ImportedImage, ModuleImageOptions } from './types';

const utf8 = new TextEncoder();

export async function importModuleAsImage(
  engine: Engine,
  reference: string,
  wasmBytes: Uint8Array,
  options: ModuleImageOptions = {},
): Promise<ImportedImage> {
  const host = engine.host;
  if (!isWasm(wasmBytes))
    throw new EngineError('invalid-argument', 'not a WebAssembly module (bad magic number)');
  let ref;
  try {
    ref = parseReference(reference);
  } catch (e) {
    throw new EngineError('invalid-argument', (e as Error).message, { cause: e });
  }
  const path = options.path ?? `/${ref.repository.split('/').pop()}.wasm`;
  if (!path.startsWith('/'))
    throw new EngineError('invalid-argument', `module path ${path} must be absolute`);
  const created = options.created ?? host.clock.now();
  const mtim = BigInt(created.getTime()) * 1_000_000n;
  const files: [string, Uint8Array, number][] = [[path, wasmBytes, 0o755]];
  for (const [p, data] of Object.entries(options.files ?? {})) {
    files.push([p, typeof data === 'string' ? utf8.encode(data) : data, 0o644]);
  }
  const entries = new Map<string, LayerEntry>();
  for (const [p, data, mode] of files) {
    const parts = p.split('/').filter((x) => x !== '');
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      if (!entries.has(dir)) entries.set(dir, { path: dir, type: 'dir', mode: 0o755, mtim });
    }
    const full = '/' + parts.join('/');
    entries.set(full, { path: full, type: 'file', mode, mtim, data });
  }
  const packed = await packLayer(entries.values(), {
    hasher: host.hasher,
    ...(host.gzip ? { compress: host.gzip } : {}),
  });
  await writeBlob(host.content, packed.chunks, { digest: packed.digest, size: packed.size });
  const config = createImageConfig({
    diffIds: [packed.diffId],
    config: { Entrypoint: [path], ...options.config },
    history: [{ created: created.toISOString(), created_by: options.createdBy ?? `berth import ${path}` }],
    created,
  });
  const written = await writeImage(
    host.content,
    host.images,
    config,
    [{ mediaType: packed.mediaType, digest: packed.digest, size: packed.size }],
    reference,
  );
  return { id: written.id, manifest: written.manifest, reference: written.record.name };
}
