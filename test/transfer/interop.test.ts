/**
 * Interoperability with the reference tools (Debian: `apt-get install skopeo umoci docker-registry`):
 *   - a layout Berth writes passes `umoci stat` and unpacks with `umoci raw unpack` to the tree Berth
 *     shows for the image (paths, types, modes, contents, symlink targets; whiteouts applied);
 *   - `skopeo copy --preserve-digests` pushes it to a throw-away local registry (docker-registry on a
 *     random loopback port, in a temporary directory, stopped afterwards) and pulls it back into a new
 *     layout with every digest kept; Berth imports what skopeo wrote (oci:, oci-archive:, docker-archive:);
 *   - skopeo reads the docker-save archives Berth writes.
 * Without the tools the file is skipped, with the reason, unless CI is set: under CI they must be there.
 */
import {
  createReadStream,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImage } from '../../src/image';
import { nodeGunzip } from '../../src/node/gzip';
import { nodeSha256 } from '../../src/node/sha256';
import { nodeTransferFs } from '../../src/node/transferFs';
import { ANNOTATION_REF_NAME, type Descriptor, type ImageIndex } from '../../src/oci';
import { exportDockerArchive, exportOciLayout, importArchive, importOciLayout } from '../../src/transfer';
import {
  buildImage,
  describeTree,
  dir,
  file,
  helloImage,
  imageRoot,
  memoryStores,
  symlink,
  type BuiltImage,
  type Stores,
} from '../fixtures/images';
import {
  describeHostTree,
  LocalRegistry,
  missingTools,
  runTool,
  skipReason,
  tools,
} from '../images/interopTools';

const options = { hasher: nodeSha256, gunzip: nodeGunzip };
const fs = nodeTransferFs();

const registry = new LocalRegistry();
let work = '';
let port = 0;

const skopeo = (...args: string[]): string => runTool(tools.skopeo!, ['--insecure-policy', ...args], work);
const umoci = (...args: string[]): string => runTool(tools.umoci!, args, work);

function indexOf(layout: string): ImageIndex {
  return JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as ImageIndex;
}

function entryFor(layout: string, ref: string): Descriptor {
  const entry = indexOf(layout).manifests.find((m) => m.annotations?.[ANNOTATION_REF_NAME] === ref);
  if (entry === undefined) throw new Error(`${layout}: no ${ref}`);
  return entry;
}

function blobNames(layout: string): string[] {
  return readdirSync(join(layout, 'blobs/sha256')).sort();
}

describe.skipIf(missingTools.length > 0)(
  `interop with umoci, skopeo and docker-registry${skipReason}`,
  () => {
    let stores: Stores;
    let hello: BuiltImage;
    let plain: BuiltImage;
    let layout: string;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'berth-interop-'));
      await registry.start(work);
      port = registry.port;
      stores = memoryStores();
      hello = await helloImage(stores, ['hello:1']);
      // Uncompressed layers, deep paths, a hard link, odd modes: what skopeo would recompress without
      // --preserve-digests.
      plain = await buildImage(stores, {
        gzip: false,
        names: ['plain:2'],
        layers: [
          [
            dir('/srv', 0o750),
            file('/srv/run.wasm', new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), 0o755),
            { path: '/srv/run-link.wasm', type: 'hardlink', mode: 0o755, mtim: 0n, target: '/srv/run.wasm' },
            file(`/srv/${'long-name-'.repeat(12)}.txt`, 'long\n'),
            file('/srv/ünïcode.txt', 'utf8\n', 0o640),
            symlink('/srv/abs', '/srv/run.wasm'),
          ],
        ],
      });
      layout = join(work, 'layout');
      await exportOciLayout(stores, ['hello:1', 'plain:2'], { fs, dir: layout });
    }, 60_000);

    afterAll(async () => {
      await registry.stop();
      if (work !== '') rmSync(work, { recursive: true, force: true });
    });

    it('umoci validates the layout and unpacks it to the tree Berth shows', async () => {
      for (const [tag, image] of [
        ['1', hello],
        ['2', plain],
      ] as const) {
        expect(umoci('stat', '--image', `${layout}:${tag}`)).toContain('LAYER');
        const rootfs = join(work, `rootfs-${tag}`);
        umoci('raw', 'unpack', '--rootless', '--image', `${layout}:${tag}`, rootfs);
        const berth = describeTree(await imageRoot(stores.content, image.target));
        expect(describeHostTree(rootfs)).toEqual(berth);
      }
      // The hard link is one inode on disk too.
      const rootfs2 = join(work, 'rootfs-2');
      expect(lstatSync(join(rootfs2, 'srv/run-link.wasm')).ino).toBe(
        lstatSync(join(rootfs2, 'srv/run.wasm')).ino,
      );
      // The whiteout in hello's second layer removed etc/motd in both.
      expect(describeHostTree(join(work, 'rootfs-1')).some((l) => l.includes('etc/motd'))).toBe(false);
    }, 60_000);

    it('skopeo pushes it to a registry and pulls it back with every digest kept', async () => {
      for (const [tag, image, repo] of [
        ['1', hello, 'berth/hello'],
        ['2', plain, 'berth/plain'],
      ] as const) {
        const digestFile = join(work, `pushed-${tag}`);
        const dest = `docker://127.0.0.1:${port}/${repo}:${tag}`;
        skopeo(
          'copy',
          '--preserve-digests',
          '--dest-tls-verify=false',
          '--digestfile',
          digestFile,
          `oci:${layout}:${tag}`,
          dest,
        );
        expect(readFileSync(digestFile, 'utf8').trim()).toBe(image.target.digest);
        const raw = skopeo('inspect', '--raw', '--tls-verify=false', dest);
        const h = nodeSha256();
        h.update(new TextEncoder().encode(raw));
        expect(h.digest()).toBe(image.target.digest);

        const pulled = join(work, `pulled-${tag}`);
        skopeo('copy', '--preserve-digests', '--src-tls-verify=false', dest, `oci:${pulled}:${tag}`);
        expect(entryFor(pulled, tag).digest).toBe(image.target.digest);
        const wanted = [image.target, image.config, ...image.layers].map((d) => d.digest.slice(7)).sort();
        expect(blobNames(pulled)).toEqual(wanted);
        for (const name of wanted) {
          expect(
            readFileSync(join(pulled, 'blobs/sha256', name)).equals(
              readFileSync(join(layout, 'blobs/sha256', name)),
            ),
          ).toBe(true);
        }

        // …and Berth reads skopeo's layout (no platform, no index mediaType) back.
        const dest2 = memoryStores();
        const result = await importOciLayout(
          dest2,
          { fs, dir: pulled },
          { ...options, repository: 'pulled' },
        );
        expect(result.images.map((i) => [i.names, i.target.digest])).toEqual([
          [[`docker.io/library/pulled:${tag}`], image.target.digest],
        ]);
        expect(describeTree(await imageRoot(dest2.content, image.target))).toEqual(
          describeTree(await imageRoot(stores.content, image.target)),
        );
      }
    }, 120_000);

    it('loads layouts and archives skopeo writes from Berth’s layout', async () => {
      const copied = join(work, 'copied');
      skopeo('copy', '--preserve-digests', `oci:${layout}:1`, `oci:${copied}:copied`);
      const a = memoryStores();
      await importOciLayout(a, { fs, dir: copied }, { ...options, repository: 'x' });
      const record = (await a.images.get('x:copied'))!;
      expect(record.target.digest).toBe(hello.target.digest);
      expect((await resolveImage(a.content, record)).variant).toBe('compat-smart');

      const ociArchive = join(work, 'hello.oci.tar');
      skopeo('copy', '--preserve-digests', `oci:${layout}:2`, `oci-archive:${ociArchive}:two`);
      const b = memoryStores();
      await importArchive(b, createReadStream(ociArchive), {
        ...options,
        repository: 'y',
        archiveName: ociArchive,
      });
      expect((await b.images.get('y:two'))?.target.digest).toBe(plain.target.digest);

      // skopeo's docker-archive is the legacy form: <diffid>.tar, <id>/layer.tar symlinks, <config>.json.
      const dockerArchive = join(work, 'hello.docker.tar');
      skopeo('copy', `oci:${layout}:1`, `docker-archive:${dockerArchive}:example.com/hello:1`);
      const c = memoryStores();
      const result = await importArchive(c, createReadStream(dockerArchive), {
        ...options,
        archiveName: dockerArchive,
      });
      expect(result.format).toBe('docker');
      const imported = (await c.images.get('example.com/hello:1'))!;
      const resolved = await resolveImage(c.content, imported);
      expect(resolved.manifest.config.digest).toBe(hello.config.digest);
      expect(describeTree(await imageRoot(c.content, imported.target))).toEqual(
        describeTree(await imageRoot(stores.content, hello.target)),
      );
    }, 120_000);

    it('skopeo reads the docker-save archives Berth writes', async () => {
      for (const layers of ['uncompressed', 'as-stored'] as const) {
        const archive = join(work, `berth-${layers}.docker.tar`);
        const chunks: Uint8Array[] = [];
        for await (const chunk of exportDockerArchive(stores, ['hello:1'], { ...options, layers }))
          chunks.push(chunk);
        writeFileSync(archive, Buffer.concat(chunks));
        const inspected = JSON.parse(skopeo('inspect', `docker-archive:${archive}`)) as {
          Architecture: string;
          Os: string;
          Layers: string[];
        };
        expect([inspected.Os, inspected.Architecture]).toEqual(['wasi', 'wasm']);
        const out = join(work, `from-docker-${layers}`);
        skopeo('copy', '--preserve-digests', `docker-archive:${archive}`, `oci:${out}:x`);
        const manifest = JSON.parse(
          readFileSync(join(out, 'blobs/sha256', entryFor(out, 'x').digest.slice(7)), 'utf8'),
        ) as { config: Descriptor };
        expect(manifest.config.digest).toBe(hello.config.digest);
        const d = memoryStores();
        await importOciLayout(d, { fs, dir: out }, { ...options, repository: 'z' });
        const record = (await d.images.get('z:x'))!;
        expect(describeTree(await imageRoot(d.content, record.target))).toEqual(
          describeTree(await imageRoot(stores.content, hello.target)),
        );
      }
    }, 120_000);
  },
);
