/**
 * The base image layouts Berth ships (images/oci/NAME, written by `npm run images`) against the reference
 * tools, what ../shared/tools/check-image.sh does by hand:
 *   - the layout is a plain OCI layout: oci-layout, index.json with the ref name `latest`, every blob
 *     named by its digest, every referenced blob there; the config says wasi/wasm and its entrypoint is a
 *     WASI module in the image;
 *   - `umoci stat` reads it and `umoci raw unpack` unpacks it to the tree Berth shows for the image;
 *   - `skopeo copy --preserve-digests` pushes it to a throw-away docker-registry on a loopback port and
 *     pulls it back with the same manifest digest and byte-identical blobs, which umoci unpacks again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImage } from '../../src/image';
import { nodeGunzip } from '../../src/node/gzip';
import { nodeSha256 } from '../../src/node/sha256';
import { nodeTransferFs } from '../../src/node/transferFs';
import { ANNOTATION_REF_NAME, type ImageConfig, type ImageIndex, type ImageManifest } from '../../src/oci';
import { importOciLayout } from '../../src/transfer';
import { describeTree, imageRoot, memoryStores } from '../fixtures/images';
import { describeHostTree, LocalRegistry, missingTools, runTool, skipReason, tools } from './interopTools';

const layouts = resolve(__dirname, '../../images/oci');
const NAMES = ['hello', 'box'];

const registry = new LocalRegistry();
let work = '';

const skopeo = (...args: string[]): string => runTool(tools.skopeo!, ['--insecure-policy', ...args], work);
const umoci = (...args: string[]): string => runTool(tools.umoci!, args, work);

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const blob = (layout: string, digest: string): Buffer =>
  readFileSync(join(layout, 'blobs', ...digest.split(':')));

/** The manifest digest index.json names `latest`, and the manifest. */
function latest(layout: string): { digest: string; manifest: ImageManifest } {
  const entries = json<ImageIndex>(join(layout, 'index.json')).manifests.filter(
    (m) => m.annotations?.[ANNOTATION_REF_NAME] === 'latest',
  );
  expect(entries).toHaveLength(1);
  const digest = entries[0]!.digest;
  return { digest, manifest: JSON.parse(blob(layout, digest).toString('utf8')) as ImageManifest };
}

describe('the shipped base image layouts', () => {
  it.each(NAMES)('%s: a plain OCI layout, every blob named by its digest, a WASI entrypoint', (name) => {
    const layout = join(layouts, name);
    expect(readdirSync(layout).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(json<{ imageLayoutVersion: string }>(join(layout, 'oci-layout')).imageLayoutVersion).toBe('1.0.0');
    const files = readdirSync(join(layout, 'blobs', 'sha256'));
    for (const f of files) expect(sha256(blob(layout, `sha256:${f}`))).toBe(`sha256:${f}`);
    const { manifest } = latest(layout);
    const referenced = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
    for (const d of referenced) expect(existsSync(join(layout, 'blobs', ...d.split(':')))).toBe(true);
    const config = JSON.parse(blob(layout, manifest.config.digest).toString('utf8')) as ImageConfig;
    expect([config.os, config.architecture]).toEqual(['wasi', 'wasm']);
    expect(config.rootfs?.diff_ids).toHaveLength(manifest.layers.length);
    expect(config.config?.Labels?.['org.opencontainers.image.title']).toBe(name);
  });
});

describe.skipIf(missingTools.length > 0)(
  `base image layouts with umoci, skopeo and docker-registry${skipReason}`,
  () => {
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'berth-images-interop-'));
      await registry.start(work);
    }, 30_000);

    afterAll(async () => {
      await registry.stop();
      if (work !== '') rmSync(work, { recursive: true, force: true });
    });

    it.each(NAMES)(
      '%s: umoci unpacks the tree Berth shows, with its entrypoint module',
      async (name) => {
        const layout = join(layouts, name);
        expect(umoci('stat', '--image', `${layout}:latest`)).toContain('LAYER');
        const rootfs = join(work, `rootfs-${name}`);
        umoci('raw', 'unpack', '--rootless', '--image', `${layout}:latest`, rootfs);

        const stores = memoryStores();
        const [imported] = (
          await importOciLayout(
            stores,
            { fs: nodeTransferFs(), dir: layout },
            { hasher: nodeSha256, gunzip: nodeGunzip },
          )
        ).images;
        expect(describeHostTree(rootfs)).toEqual(
          describeTree(await imageRoot(stores.content, imported!.target)),
        );

        const { config } = await resolveImage(stores.content, imported!.target);
        const argv = [...(config.config?.Entrypoint ?? []), ...(config.config?.Cmd ?? [])];
        const program = argv[0]!.startsWith('/') ? argv[0]! : `/bin/${argv[0]!}`;
        expect(readFileSync(join(rootfs, program)).subarray(0, 4)).toEqual(
          Buffer.from([0, 0x61, 0x73, 0x6d]),
        );
      },
      60_000,
    );

    it.each(NAMES)(
      '%s: skopeo pushes it to a registry and pulls it back with every digest kept',
      (name) => {
        const layout = join(layouts, name);
        const { digest, manifest } = latest(layout);
        const dest = `docker://127.0.0.1:${registry.port}/berth/${name}:latest`;
        const digestFile = join(work, `pushed-${name}`);
        skopeo('copy', '--preserve-digests', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${layout}:latest`, dest); // prettier-ignore
        expect(readFileSync(digestFile, 'utf8').trim()).toBe(digest);
        expect(sha256(Buffer.from(skopeo('inspect', '--raw', '--tls-verify=false', dest)))).toBe(digest);

        const pulled = join(work, `pulled-${name}`);
        skopeo('copy', '--preserve-digests', '--src-tls-verify=false', dest, `oci:${pulled}:latest`);
        expect(latest(pulled).digest).toBe(digest);
        for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
          expect(blob(pulled, d).equals(blob(layout, d))).toBe(true);
        }
        umoci(
          'raw',
          'unpack',
          '--rootless',
          '--image',
          `${pulled}:latest`,
          join(work, `rootfs-pulled-${name}`),
        );
        expect(describeHostTree(join(work, `rootfs-pulled-${name}`))).toEqual(
          describeHostTree(join(work, `rootfs-${name}`)),
        );
      },
      60_000,
    );
  },
);
