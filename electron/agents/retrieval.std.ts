// Which memories a turn recalls: sqlite-vec's nearest neighbours, reweighted by the
// agent's perception bias (closeness, liked answers, recency) and cut to its memory depth.
import { trait, type TraitValues } from './trait-names.std';

export interface RecallCandidate {
  id: number;
  /** Cosine distance from the query (0 = same direction, 2 = opposite). */
  distance: number;
  fitness: number;
  lastUsedAt: number;
}

/** A recency half-life of one week. */
const RECENCY_HALF_LIFE_MS = 7 * 24 * 3600 * 1000;

/** How many memories a turn recalls (2–6) and how many neighbours to fetch for reranking. */
export function recallDepth(values: TraitValues): { keep: number; fetch: number } {
  const keep = 2 + Math.round(4 * trait(values, 'memory.depth'));
  return { keep, fetch: keep * 4 };
}

export function recallScore(candidate: RecallCandidate, values: TraitValues, now: number): number {
  const similarity = 1 - candidate.distance;
  const liked = Math.tanh(candidate.fitness);
  const recency = Math.pow(0.5, Math.max(0, now - candidate.lastUsedAt) / RECENCY_HALF_LIFE_MS);
  return (
    (0.5 + trait(values, 'perception.similarity')) * similarity +
    0.5 * trait(values, 'perception.fitness') * liked +
    0.3 * trait(values, 'perception.recency') * recency
  );
}

/** The candidates to recall, best first; memories too far from the question are never recalled. */
export function rankRecall<T extends RecallCandidate>(candidates: readonly T[], values: TraitValues, now: number, keep: number, maxDistance = 0.9): T[] {
  return candidates
    .filter((c) => c.distance <= maxDistance)
    .map((c) => ({ c, score: recallScore(c, values, now) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, keep)
    .map(({ c }) => c);
}
