// The agent's memory trait: a 512-d vector seeded from the Genesis seed, moved toward
// each interaction's embedding (how far depends on memory.retention), and copied with
// N(0, σ_m²) noise from the mutation seed at a division.
import { EMBEDDING_DIMENSIONS, normalize } from './embedding.std';
import { SeedStream } from './seed-stream.node';
import { trait, type TraitValues } from './trait-names.std';

/** σ_m of the design. */
export const MEMORY_MUTATION_SIGMA = 0.001;

export function initialMemoryVector(genesisSeed: Uint8Array): Float32Array {
  const stream = new SeedStream(genesisSeed, 'trait/memory/vector');
  const vector = new Float32Array(EMBEDDING_DIMENSIONS);
  for (let i = 0; i < vector.length; i++) vector[i] = stream.normal();
  return normalize(vector);
}

/** m ← normalise(r·m + (1 − r)·e), r = 0.8 + 0.19·retention: a retentive agent's memory moves slowly. */
export function updateMemoryVector(memory: Float32Array, interaction: Float32Array, values: TraitValues): Float32Array {
  const r = 0.8 + 0.19 * trait(values, 'memory.retention');
  const next = new Float32Array(memory.length);
  for (let i = 0; i < next.length; i++) next[i] = r * memory[i]! + (1 - r) * interaction[i]!;
  return normalize(next);
}

/** The child's memory vector: the parent's plus N(0, σ_m²) per component, drawn from the mutation seed. */
export function mutateMemoryVector(memory: Float32Array, mutationSeed: Uint8Array, sigma = MEMORY_MUTATION_SIGMA): Float32Array {
  return new SeedStream(mutationSeed, 'mutation/memory').addNormalsTo(Float32Array.from(memory), sigma);
}

export function memoryVectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

export function memoryVectorFromBlob(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}
