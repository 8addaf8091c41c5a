// The names of an agent's traits and how a stored value is read. The derivation from
// seeds is in traits.node.ts.
/** Trait values by name, as the agent's traits column stores them. */
export type TraitValues = Record<string, number>;

export const TRAIT_GROUPS = ['memory', 'perception', 'temperament', 'intent', 'voice'] as const;
export type TraitGroup = (typeof TRAIT_GROUPS)[number];

/** The continuous traits, in a fixed order (the trait vector). */
export const TRAIT_NAMES = [
  'memory.retention', // how slowly the memory vector moves with each interaction
  'memory.depth', // how many memories a turn recalls
  'perception.similarity', // retrieval weight on closeness to the question
  'perception.fitness', // retrieval weight on memories whose answers were liked
  'perception.recency', // retrieval weight on recent memories
  'temperament.arousal', // sampling temperature and top-p
  'temperament.volatility', // adapter scale and forward-pass noise
  'intent.curiosity',
  'intent.warmth',
  'intent.playfulness',
  'intent.focus',
  'voice.verbosity', // answer length
  'voice.quirk', // strength of the adapter and the token bias
] as const;
export type TraitName = (typeof TRAIT_NAMES)[number];
export const TRAIT_COUNT = TRAIT_NAMES.length;

/** σ_t: how far one division moves each trait latent (a value near 0.5 moves by about 0.025). */
export const TRAIT_DRIFT = 0.1;

/** The adapter's rank (2–8), fixed for a lineage: drawn once from the Genesis seed's voice. */
export const RANK_TRAIT = 'voice.rank';

export const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

/** A trait value with a neutral fallback for agents stored before a trait existed. */
export function trait(values: TraitValues, name: TraitName): number {
  const v = values[name];
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
}
