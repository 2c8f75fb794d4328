/**
 * Image layers on the host side, unpacked once per process: unpackLayer's tree by diff_id (shared by
 * every engine in the process: a diff_id names the same bytes whatever store they came from), the
 * snapshot sent to workers (made once per layer, on first need, and reused: a worker is sent a given
 * layer once, see runtime/process/pool.ts), and one LowerStack per chain of layers (the image's merged
 * view, shared by every container on it, for resolving commands, diff, commit, export and cp).
 *
 * Bounded by bytes of file contents (least recently used layers go first); an evicted layer is simply
 * unpacked again when next needed.
 */
import type { MemoryFileSystem, MemoryTreeSnapshot } from '../../runtime/fs/MemoryFileSystem';
import { LowerStack } from '../../runtime/fs/UnionFileSystem';
import type { LayerSpec } from '../../runtime/process/protocol';
import { bytesOfSnapshot } from '../../runtime/process/pool';
import type { Provider } from '../content/types';
import type { ChunkTransform } from '../layer/gzip';
import { unpackLayer } from '../layer/unpack';
import type { HasherFactory } from '../platform/hasher';
import { EngineError } from './errors';
import type { ContainerLayer } from './types';

export interface UnpackContext {
  content: Provider;
  hasher: HasherFactory;
  gunzip?: ChunkTransform;
}

export class CachedLayer {
  private snap: MemoryTreeSnapshot | undefined;

  constructor(
    readonly diffId: string,
    readonly fs: MemoryFileSystem,
    /** Bytes of the uncompressed tar. */
    readonly size: number,
  ) {}

  /** The layer's tree as plain data for workers; made on first use and kept. */
  snapshot(): MemoryTreeSnapshot {
    return (this.snap ??= this.fs.snapshot());
  }

  /** What a union root names this layer as: the snapshot goes only to workers that lack it. */
  spec(): LayerSpec {
    return { diffId: this.diffId, snapshot: this.snapshot() };
  }

  get bytes(): number {
    return this.size + (this.snap ? bytesOfSnapshot(this.snap) : 0);
  }
}

/** An image's layers as a chain: the LowerStack and the layers in it, bottom first. */
export interface LayerChain {
  /** The chain's key (its diff_ids); stable for the life of the cache entries. */
  key: string;
  stack: LowerStack;
  layers: CachedLayer[];
}

export const DEFAULT_LAYER_CACHE_BYTES = 1024 * 1024 * 1024;
const MAX_CHAINS = 64;

export class HostLayerCache {
  private readonly layers = new Map<string, Promise<CachedLayer>>();
  private readonly chains = new Map<string, LayerChain>();

  constructor(private readonly maxBytes = DEFAULT_LAYER_CACHE_BYTES) {}

  /** The unpacked layer, unpacking it (once, even when asked concurrently) on first use. */
  layer(ref: ContainerLayer, context: UnpackContext): Promise<CachedLayer> {
    const hit = this.layers.get(ref.diffId);
    if (hit !== undefined) {
      this.layers.delete(ref.diffId);
      this.layers.set(ref.diffId, hit);
      return hit;
    }
    const unpacking = this.unpack(ref, context);
    this.layers.set(ref.diffId, unpacking);
    unpacking.then(
      () => void this.evict(),
      () => {
        if (this.layers.get(ref.diffId) === unpacking) this.layers.delete(ref.diffId);
      },
    );
    return unpacking;
  }

  /** The chain of an image's layers (bottom first), with its shared LowerStack. */
  async chain(refs: readonly ContainerLayer[], context: UnpackContext): Promise<LayerChain> {
    const key = refs.map((r) => r.diffId).join('\n');
    const hit = this.chains.get(key);
    if (hit !== undefined) {
      // Keep the layers fresh in the LRU too.
      for (const r of refs) void this.layer(r, context);
      this.chains.delete(key);
      this.chains.set(key, hit);
      return hit;
    }
    const layers = await Promise.all(refs.map((r) => this.layer(r, context)));
    const again = this.chains.get(key);
    if (again !== undefined) return again;
    const chain: LayerChain = { key, stack: new LowerStack(layers.map((l) => l.fs)), layers };
    this.chains.set(key, chain);
    while (this.chains.size > MAX_CHAINS) this.chains.delete(this.chains.keys().next().value!);
    return chain;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.layers.clear();
    this.chains.clear();
  }

  private async unpack(ref: ContainerLayer, context: UnpackContext): Promise<CachedLayer> {
    let unpacked;
    try {
      unpacked = await unpackLayer(context.content.read(ref.digest), {
        hasher: context.hasher,
        ...(context.gunzip ? { gunzip: context.gunzip } : {}),
      });
    } catch (e) {
      throw new EngineError('internal', `cannot unpack layer ${ref.digest}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (unpacked.diffId !== ref.diffId) {
      throw new EngineError(
        'internal',
        `layer ${ref.digest} unpacks to diff_id ${unpacked.diffId}, but the image config says ${ref.diffId}`,
      );
    }
    return new CachedLayer(ref.diffId, unpacked.fs, unpacked.size);
  }

  private async evict(): Promise<void> {
    let total = 0;
    const settled: [string, CachedLayer][] = [];
    for (const [diffId, p] of this.layers) {
      const layer = await p.catch(() => undefined);
      if (layer === undefined) continue;
      settled.push([diffId, layer]);
      total += layer.bytes;
    }
    for (const [diffId, layer] of settled) {
      if (total <= this.maxBytes || settled.length <= 1) break;
      this.layers.delete(diffId);
      total -= layer.bytes;
      for (const [key, chain] of this.chains) if (chain.layers.includes(layer)) this.chains.delete(key);
    }
  }
}

/** The process-wide cache every engine uses. */
export const hostLayers = new HostLayerCache();
