import {
  digestField,
  fail,
  nonEmptyString,
  object,
  optionalString,
  optionalStringArray,
  optionalStringMap,
} from './checks';
import { decodeDocument } from './manifest';
import type { ImageConfig } from './types';

/**
 * Parses and checks an image config (OCI, Docker, or CNCF Wasm artifact config): `architecture` and `os`
 * are required strings; `config`, `rootfs`, `history` and `layerDigests` must have their spec shapes when
 * present. Unknown fields are kept. It does not judge the platform: see isWasmPlatform().
 * Throws InvalidManifestError naming `subject`.
 */
export function parseImageConfig(bytes: Uint8Array, subject: string): ImageConfig {
  const json = decodeDocument(bytes, subject);
  nonEmptyString(subject, 'architecture', json.architecture);
  nonEmptyString(subject, 'os', json.os);
  optionalString(subject, 'created', json.created);
  optionalString(subject, 'variant', json.variant);
  optionalString(subject, "['os.version']", json['os.version']);
  if (json.config !== undefined && json.config !== null) {
    const c = object(subject, 'config', json.config);
    optionalString(subject, 'config.User', c.User);
    optionalStringArray(subject, 'config.Env', c.Env);
    optionalStringArray(subject, 'config.Entrypoint', c.Entrypoint, true);
    optionalStringArray(subject, 'config.Cmd', c.Cmd, true);
    optionalString(subject, 'config.WorkingDir', c.WorkingDir);
    optionalStringMap(subject, 'config.Labels', c.Labels ?? undefined);
    optionalString(subject, 'config.StopSignal', c.StopSignal);
  }
  if (json.rootfs !== undefined) {
    const r = object(subject, 'rootfs', json.rootfs);
    if (r.type !== 'layers') fail(subject, `rootfs.type must be "layers", got ${JSON.stringify(r.type)}`);
    if (!Array.isArray(r.diff_ids)) fail(subject, 'rootfs.diff_ids must be an array');
    r.diff_ids.forEach((d, i) => digestField(subject, `rootfs.diff_ids[${i}]`, d));
  }
  if (json.history !== undefined) {
    if (!Array.isArray(json.history)) fail(subject, 'history must be an array');
    json.history.forEach((h, i) => {
      const e = object(subject, `history[${i}]`, h);
      optionalString(subject, `history[${i}].created`, e.created);
      optionalString(subject, `history[${i}].created_by`, e.created_by);
      if (e.empty_layer !== undefined && typeof e.empty_layer !== 'boolean') {
        fail(subject, `history[${i}].empty_layer must be a boolean`);
      }
    });
  }
  if (json.layerDigests !== undefined) {
    if (!Array.isArray(json.layerDigests)) fail(subject, 'layerDigests must be an array');
    json.layerDigests.forEach((d, i) => digestField(subject, `layerDigests[${i}]`, d));
  }
  return json as unknown as ImageConfig;
}
