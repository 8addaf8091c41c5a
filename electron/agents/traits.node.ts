// An agent's five traits, derived from its seed chain. Each trait group has its own
// HKDF label; a value is logistic(z) of a latent z ~ N(0, 1) drawn at birth from the
// Genesis seed, and every division drifts the latents by N(0, σ_t²) drawn from that
// division's mutation seed. The same chain always gives the same traits.
import { SeedStream } from './seed-stream.node';
import { logistic, RANK_TRAIT, TRAIT_COUNT, TRAIT_DRIFT, TRAIT_GROUPS, TRAIT_NAMES, type TraitGroup } from './trait-names.std';
import type { TraitValues } from './trait-names.std';

const groupOf = (name: string): TraitGroup => name.slice(0, name.indexOf('.')) as TraitGroup;

/** Latents of a root agent: one HKDF label per trait group ("trait/memory", …). */
export function rootLatents(genesisSeed: Uint8Array): Float64Array {
  const latents = new Float64Array(TRAIT_COUNT);
  for (const group of TRAIT_GROUPS) {
    const stream = new SeedStream(genesisSeed, `trait/${group}`);
    TRAIT_NAMES.forEach((name, i) => {
      if (groupOf(name) === group) latents[i] = stream.normal();
    });
  }
  return latents;
}

/** A division's drift, in place: every latent += σ_t·N(0, 1) from the mutation seed. */
export function driftLatents(latents: Float64Array, mutationSeed: Uint8Array, sigma = TRAIT_DRIFT): Float64Array {
  const stream = new SeedStream(mutationSeed, 'drift/traits');
  for (let i = 0; i < latents.length; i++) latents[i] = latents[i]! + sigma * stream.normal();
  return latents;
}

export function adapterRank(genesisSeed: Uint8Array): number {
  return 2 + new SeedStream(genesisSeed, 'trait/voice/rank').below(7);
}

/** Latents for a whole seed chain: the root's, then one drift per mutation seed. */
export function latentsFromChain(chain: Uint8Array, sigma = TRAIT_DRIFT): Float64Array {
  if (chain.length < 32 || chain.length % 32 !== 0) throw new RangeError('A seed chain is 32 bytes per generation.');
  const latents = rootLatents(chain.subarray(0, 32));
  for (let at = 32; at < chain.length; at += 32) driftLatents(latents, chain.subarray(at, at + 32), sigma);
  return latents;
}

/** Trait values in (0, 1) by name, plus the lineage's adapter rank. */
export function traitValues(latents: Float64Array, rank: number): TraitValues {
  const values: TraitValues = {};
  TRAIT_NAMES.forEach((name, i) => (values[name] = logistic(latents[i]!)));
  values[RANK_TRAIT] = rank;
  return values;
}

/** Everything the traits column holds, from the seed chain alone. */
export function traitsFromChain(chain: Uint8Array): TraitValues {
  return traitValues(latentsFromChain(chain), adapterRank(chain.subarray(0, 32)));
}
