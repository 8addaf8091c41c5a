// An agent's identity from seeds: traits, adapter weights and memory vector are pure
// functions of the seed chain, and mutations have the configured statistics.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterShapeOf, type AdapterShape } from '../../../electron/agents/adapter-shape.node';
import {
  ADAPTER_MUTATION_SIGMA,
  adapterParameterCount,
  materialiseAdapter,
  mutateAdapterParameters,
  noiseAdapterPath,
  rootAdapterParameters,
  voiceTokenBias,
} from '../../../electron/agents/adapter.node';
import { initialMemoryVector, MEMORY_MUTATION_SIGMA, mutateMemoryVector, updateMemoryVector } from '../../../electron/agents/memory-vector.node';
import { SeedStream } from '../../../electron/agents/seed-stream.node';
import { TRAIT_DRIFT, TRAIT_NAMES } from '../../../electron/agents/trait-names.std';
import { adapterRank, latentsFromChain, rootLatents, traitsFromChain } from '../../../electron/agents/traits.node';
import { readGguf } from '../../../electron/inference/gguf/gguf-reader.node';
import { makeTempDir } from '../../helpers/temp-dir';
import { tinyModel } from '../../helpers/tiny-model';

function sd(values: ArrayLike<number>): number {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    sq += values[i]! * values[i]!;
  }
  const mean = sum / values.length;
  return Math.sqrt(sq / values.length - mean * mean);
}

const seedOf = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());
const chainOf = (...links: Uint8Array[]) => {
  const chain = new Uint8Array(links.length * 32);
  links.forEach((l, i) => chain.set(l, i * 32));
  return chain;
};

let dir: ReturnType<typeof makeTempDir>;
let shape: AdapterShape;

beforeAll(async () => {
  dir = makeTempDir();
  await tinyModel(join(dir.path, 'tiny.gguf'), 3);
  shape = await adapterShapeOf(join(dir.path, 'tiny.gguf'));
});
afterAll(() => dir.remove());

describe('seed streams', () => {
  it('give the same draws for the same seed and label, and different ones otherwise', () => {
    const a = new SeedStream(seedOf('a'), 'x').normals(1000);
    expect(new SeedStream(seedOf('a'), 'x').normals(1000)).toEqual(a);
    expect(new SeedStream(seedOf('a'), 'y').normals(1000)).not.toEqual(a);
    expect(new SeedStream(seedOf('b'), 'x').normals(1000)).not.toEqual(a);
  });

  it('draw standard normal deviates', () => {
    const n = new SeedStream(seedOf('normal'), 'test').normals(200_000);
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd(n)).toBeCloseTo(1, 2);
    expect(n.filter((v) => Math.abs(v) > 1.96).length / n.length).toBeCloseTo(0.05, 2);
  });
});

describe('traits', () => {
  it('derive from the seed chain alone, one drift per division', () => {
    const genesis = seedOf('genesis');
    const m1 = seedOf('m1');
    const m2 = seedOf('m2');
    const traits = traitsFromChain(chainOf(genesis, m1, m2));
    expect(traitsFromChain(chainOf(genesis, m1, m2))).toEqual(traits);
    expect(Object.keys(traits).sort()).toEqual([...TRAIT_NAMES, 'voice.rank'].sort());
    for (const name of TRAIT_NAMES) {
      expect(traits[name]).toBeGreaterThan(0);
      expect(traits[name]).toBeLessThan(1);
    }
    expect(traits['voice.rank']).toBe(adapterRank(genesis));
    expect(traits['voice.rank']).toBeGreaterThanOrEqual(2);
    expect(traits['voice.rank']).toBeLessThanOrEqual(8);
    // Drift is a random walk: each mutation seed moves the traits its own way.
    expect(traitsFromChain(chainOf(genesis, m1))).not.toEqual(traitsFromChain(chainOf(genesis, m2)));
    expect(traitsFromChain(chainOf(genesis, m1))).not.toEqual(traitsFromChain(chainOf(genesis)));
    expect(traitsFromChain(chainOf(seedOf('other'), m1, m2))).not.toEqual(traits);
  });

  it('drift by N(0, σ_t²) per division in the latent space', () => {
    const diffs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const genesis = seedOf(`g${i}`);
      const root = rootLatents(genesis);
      const child = latentsFromChain(chainOf(genesis, seedOf(`m${i}`)));
      root.forEach((z, t) => diffs.push(child[t]! - z));
    }
    expect(Math.abs(sd(diffs) / TRAIT_DRIFT - 1)).toBeLessThan(0.05);
  });
});

describe('adapters', () => {
  it('read their shape from the model: q, v and down projections of every block, with weight RMS', () => {
    expect(shape.targets.map((t) => t.tensor)).toEqual([
      'blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.0.ffn_down.weight',
      'blk.1.attn_q.weight', 'blk.1.attn_v.weight', 'blk.1.ffn_down.weight',
    ]);
    expect(shape.targets[1]).toMatchObject({ inputs: 256, outputs: 128 });
    expect(shape.targets[2]).toMatchObject({ inputs: 512, outputs: 256 });
    // Ternary weights of ±1/√256 with about two thirds non-zero.
    expect(shape.weightRms.attn_q).toBeGreaterThan(0.04);
    expect(shape.weightRms.attn_q).toBeLessThan(0.06);
    expect(shape.biasableTokens.length).toBe(256);
  });

  it('are written whole when two turns compute the same files at once (a council answering together)', async () => {
    const cacheDir = join(dir.path, 'together');
    const paths = await Promise.all([0, 0, 1, 1, 0].map((index) => noiseAdapterPath(index, shape, cacheDir)));
    expect(new Set(paths).size).toBe(2);
    const chain = chainOf(seedOf('together'), seedOf('t1'));
    const both = await Promise.all([0, 1].map(() => materialiseAdapter({ chain, traits: traitsFromChain(chain), rank: 4, shape, cacheDir })));
    expect(both[0]!.path).toBe(both[1]!.path);
    expect((await readGguf(both[0]!.path)).tensors.length).toBeGreaterThan(0);
    expect(readdirSync(join(cacheDir, shape.key)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('are the same bytes for the same chain, whether computed from the root or from a cached ancestor', async () => {
    const genesis = seedOf('adapter-genesis');
    const chain = chainOf(genesis, seedOf('a1'), seedOf('a2'), seedOf('a3'));
    const traits = traitsFromChain(chain);
    const rank = adapterRank(genesis);
    const cold = await materialiseAdapter({ chain, traits, rank, shape, cacheDir: join(dir.path, 'cold') });
    expect(cold.computedGenerations).toBe(4);
    const warmDir = join(dir.path, 'warm');
    const parent = chain.subarray(0, 96);
    await materialiseAdapter({ chain: parent, traits: traitsFromChain(parent), rank, shape, cacheDir: warmDir });
    const warm = await materialiseAdapter({ chain, traits, rank, shape, cacheDir: warmDir });
    expect(warm.computedGenerations).toBe(1);
    expect(readFileSync(warm.path)).toEqual(readFileSync(cold.path));
    expect((await materialiseAdapter({ chain, traits, rank, shape, cacheDir: warmDir })).computedGenerations).toBe(0);
    const file = await readGguf(cold.path);
    expect(file.metadata.get('general.type')?.value).toBe('adapter');
    expect(file.tensors).toHaveLength(shape.targets.length * 2);
    expect(file.tensors[0]).toMatchObject({ name: 'blk.0.attn_q.weight.lora_a', dims: [256, rank] });
  });

  it('mutate by N(0, σ²) with σ = 0.01 (measured within 5%)', () => {
    const rank = 4;
    const parent = rootAdapterParameters(seedOf('p'), shape, rank);
    expect(parent.length).toBe(adapterParameterCount(shape, rank));
    const diffs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const child = mutateAdapterParameters(Float32Array.from(parent), seedOf(`child ${i}`));
      child.forEach((v, j) => diffs.push(v - parent[j]!));
    }
    expect(diffs.length).toBeGreaterThan(100_000);
    expect(Math.abs(sd(diffs) / ADAPTER_MUTATION_SIGMA - 1)).toBeLessThan(0.05);
  });

  it('give each lineage its own token bias, sized by the voice', () => {
    const a = voiceTokenBias(seedOf('va'), shape, { 'voice.quirk': 0.5 });
    expect(a.length).toBeGreaterThan(6);
    expect(voiceTokenBias(seedOf('va'), shape, { 'voice.quirk': 0.5 })).toEqual(a);
    expect(voiceTokenBias(seedOf('vb'), shape, { 'voice.quirk': 0.5 })).not.toEqual(a);
    for (const [token, bias] of a) {
      expect(shape.biasableTokens).toContain(token);
      expect(Math.abs(bias)).toBeCloseTo(0.9, 6);
    }
  });
});

describe('memory vectors', () => {
  it('start as a unit vector from the seed, move toward each interaction and mutate by N(0, σ_m²)', () => {
    const m = initialMemoryVector(seedOf('mem'));
    expect(m).toEqual(initialMemoryVector(seedOf('mem')));
    expect(Math.hypot(...m)).toBeCloseTo(1, 5);
    const e = initialMemoryVector(seedOf('event'));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const moved = updateMemoryVector(m, e, { 'memory.retention': 0.5 });
    expect(dot(moved, e)).toBeGreaterThan(dot(m, e));
    const diffs: number[] = [];
    for (let i = 0; i < 200; i++) mutateMemoryVector(m, randomBytes(32)).forEach((v, j) => diffs.push(v - m[j]!));
    expect(Math.abs(sd(diffs) / MEMORY_MUTATION_SIGMA - 1)).toBeLessThan(0.05);
  });
});

describe('HKDF', () => {
  it('matches node’s own HKDF-SHA-256 (RFC 5869)', async () => {
    const { hkdfSha256 } = await import('../../../electron/agents/seed-stream.node');
    const { hkdfSync } = await import('node:crypto');
    for (const label of ['trait/memory', 'adapter/root', '']) {
      const seed = randomBytes(32);
      expect(hkdfSha256(seed, label)).toEqual(Buffer.from(hkdfSync('sha256', seed, Buffer.from('LightSeed'), Buffer.from(label), 32)));
    }
  });
});
