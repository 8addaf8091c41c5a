// The agent's voice as a LoRA adapter, materialised from its seed chain on demand and
// cached on disk; only seeds are stored. In normalised units every adapter weight
// starts as N(0, 1) drawn from the Genesis seed ("adapter/root"), and each division
// adds N(0, σ²), σ = 0.01, drawn from that division's mutation seed: a child's adapter
// is its parent's plus noise, 1% of a weight's size per generation. When written,
// A is scaled by 1/√in and B by g so that B·A has an RMS of ε times the base weights'
// (ε from the voice's quirk), whatever the model.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLoraAdapter, type LoraTarget } from '../inference/gguf/lora-writer.node';
import { agentUid } from '../store/lineage.node';
import type { AdapterShape } from './adapter-shape.node';
import { voiceStrength } from './profile.std';
import { SeedStream } from './seed-stream.node';
import type { TraitValues } from './trait-names.std';

/** σ of the design: adapter weights += N(0, σ²) at every division (normalised units). */
export const ADAPTER_MUTATION_SIGMA = 0.01;

/** How many normalised weights an adapter of this rank has on this shape. */
export function adapterParameterCount(shape: AdapterShape, rank: number): number {
  return shape.targets.reduce((n, t) => n + rank * (t.inputs + t.outputs), 0);
}

/** The root's normalised weights: N(0, 1) from the Genesis seed. */
export function rootAdapterParameters(genesisSeed: Uint8Array, shape: AdapterShape, rank: number): Float32Array {
  const params = new Float32Array(adapterParameterCount(shape, rank));
  const stream = new SeedStream(genesisSeed, 'adapter/root');
  for (let i = 0; i < params.length; i++) params[i] = stream.normal();
  return params;
}

/** One division's mutation, in place: += σ·N(0, 1) from the mutation seed. */
export function mutateAdapterParameters(params: Float32Array, mutationSeed: Uint8Array, sigma = ADAPTER_MUTATION_SIGMA): Float32Array {
  return new SeedStream(mutationSeed, 'mutation/adapter').addNormalsTo(params, sigma);
}

/** The LoRA tensors for normalised weights: A/√in and g·B with g = ε·rms(W)·√(in/r), alpha = r. */
export function adapterTargets(params: Float32Array, shape: AdapterShape, rank: number, relativeRms: number): LoraTarget[] {
  let at = 0;
  return shape.targets.map((t) => {
    const a = params.slice(at, at + t.inputs * rank);
    at += t.inputs * rank;
    const b = params.slice(at, at + rank * t.outputs);
    at += rank * t.outputs;
    const inA = 1 / Math.sqrt(t.inputs);
    for (let i = 0; i < a.length; i++) a[i] = a[i]! * inA;
    const g = relativeRms * shape.weightRms[t.kind] * Math.sqrt(t.inputs / rank);
    for (let i = 0; i < b.length; i++) b[i] = b[i]! * g;
    return { tensor: t.tensor, inputs: t.inputs, outputs: t.outputs, a, b };
  });
}

export interface MaterialiseOptions {
  /** The agent's whole seed chain: Genesis seed, then one mutation seed per division. */
  chain: Uint8Array;
  /** The agent's trait values (its voice sets the adapter's size). */
  traits: TraitValues;
  rank: number;
  shape: AdapterShape;
  /** Where adapters are cached, one folder per model shape. */
  cacheDir: string;
}

export interface MaterialisedAdapter {
  path: string;
  /** How many generations had to be computed (0 when the file was cached). */
  computedGenerations: number;
}

async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  // A temporary file of its own per writer: two turns may compute the same file at once (a
  // council's members answering together); both write the same bytes, and the last rename wins.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

const paramsFile = (dir: string, uid: string) => join(dir, `${uid}.weights`);

/**
 * The adapter's GGUF file for this agent, computed from the nearest ancestor whose
 * normalised weights are cached (or from the root), and cached for its descendants.
 */
export async function materialiseAdapter(options: MaterialiseOptions): Promise<MaterialisedAdapter> {
  const { chain, shape, rank } = options;
  if (chain.length < 32 || chain.length % 32 !== 0) throw new RangeError('A seed chain is 32 bytes per generation.');
  const dir = join(options.cacheDir, shape.key);
  const uid = agentUid(chain);
  const path = join(dir, `${uid}.gguf`);
  if (existsSync(path)) return { path, computedGenerations: 0 };
  await mkdir(dir, { recursive: true });
  const generations = chain.length / 32;
  let params: Float32Array | undefined;
  let from = 0;
  for (let g = generations; g >= 1 && !params; g--) {
    const file = paramsFile(dir, agentUid(chain.subarray(0, g * 32)));
    if (!existsSync(file)) continue;
    const bytes = await readFile(file);
    if (bytes.length === adapterParameterCount(shape, rank) * 4) {
      params = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      from = g;
    }
  }
  const fromRoot = !params;
  if (!params) {
    params = rootAdapterParameters(chain.subarray(0, 32), shape, rank);
    from = 1;
  }
  for (let g = from; g < generations; g++) mutateAdapterParameters(params, chain.subarray(g * 32, g * 32 + 32));
  const weights = params;
  await writeAtomically(paramsFile(dir, uid), (tmp) => writeFile(tmp, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)));
  const targets = adapterTargets(params, shape, rank, voiceStrength(options.traits).adapterRelativeRms);
  await writeAtomically(path, (tmp) => writeLoraAdapter(tmp, { architecture: shape.architecture, rank, alpha: rank, targets, name: `LightSeed agent ${uid.slice(0, 12)}` }));
  return { path, computedGenerations: generations - from + (fromRoot ? 1 : 0) };
}

/**
 * How far the agent's adapter has drifted from its lineage root's: the RMS of the summed
 * mutation noise, in units of the root's weight RMS (1). Computed exactly on the first
 * `probe` weights (each mutation's stream gives the same leading draws whatever the model).
 */
export function adapterDrift(chain: Uint8Array, probe = 4096, sigma = ADAPTER_MUTATION_SIGMA): number {
  const sum = new Float64Array(probe);
  for (let at = 32; at < chain.length; at += 32) {
    const stream = new SeedStream(chain.subarray(at, at + 32), 'mutation/adapter');
    for (let i = 0; i < probe; i++) sum[i] = sum[i]! + sigma * stream.normal();
  }
  let squares = 0;
  for (const v of sum) squares += v * v;
  return Math.sqrt(squares / probe);
}

/** The fixed set of noise adapters: physical noise enters the forward pass through one of these each turn. */
export const NOISE_ADAPTERS = 4;
const NOISE_RANK = 2;
const NOISE_RELATIVE_RMS = 0.08;

export async function noiseAdapterPath(index: number, shape: AdapterShape, cacheDir: string): Promise<string> {
  if (!Number.isInteger(index) || index < 0 || index >= NOISE_ADAPTERS) throw new RangeError(`There are ${NOISE_ADAPTERS} noise adapters.`);
  const dir = join(cacheDir, shape.key);
  const path = join(dir, `noise-${index}.gguf`);
  if (existsSync(path)) return path;
  await mkdir(dir, { recursive: true });
  const seed = new TextEncoder().encode(`LightSeed noise adapter ${index}`.padEnd(32, '.'));
  const params = rootAdapterParameters(seed, shape, NOISE_RANK);
  const targets = adapterTargets(params, shape, NOISE_RANK, NOISE_RELATIVE_RMS);
  await writeAtomically(path, (tmp) => writeLoraAdapter(tmp, { architecture: shape.architecture, rank: NOISE_RANK, alpha: NOISE_RANK, targets, name: `LightSeed noise ${index}` }));
  return path;
}

/** The voice's token bias: a few tokens raised and a few lowered, chosen by the Genesis seed, sized by the quirk. */
export function voiceTokenBias(genesisSeed: Uint8Array, shape: AdapterShape, traits: TraitValues, count = 6): [number, number][] {
  const ids = shape.biasableTokens;
  if (ids.length === 0) return [];
  const stream = new SeedStream(genesisSeed, 'trait/voice/tokens');
  const { tokenBias } = voiceStrength(traits);
  const bias = new Map<number, number>();
  for (let i = 0; i < 2 * count; i++) bias.set(ids[stream.below(ids.length)]!, i < count ? tokenBias : -tokenBias);
  return [...bias];
}
