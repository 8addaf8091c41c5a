// Per-generation statistics computed afresh from every agent row, the way the store computed
// them before migration 0009 kept running sums: the reference the kept sums must equal.
import { expect } from 'vitest';
import { generationStats, type GenerationStats } from '../../electron/store/lineage-stats.node';
import type { ReadableDB } from '../../electron/store/sql.node';

export function recomputedGenerationStats(db: ReadableDB, rootId: number | null): GenerationStats[] {
  const where = rootId === null ? '' : 'WHERE root_id = @root';
  const root = rootId === null ? {} : { root: rootId };
  const rows = db
    .prepare(
      `SELECT generation, count(*) AS n, avg(decayed_fitness(fitness, fitness_at, total_interactions)) AS mean,
              max(decayed_fitness(fitness, fitness_at, total_interactions)) AS max
       FROM agent ${where} GROUP BY generation ORDER BY generation`,
    )
    .all(root) as { generation: number; n: number; mean: number; max: number }[];
  const traitRows = db
    .prepare(
      `SELECT a.generation, t.key, avg(t.value) AS mean, avg(t.value * t.value) - avg(t.value) * avg(t.value) AS variance
       FROM agent a, json_each(a.traits) t WHERE ${rootId === null ? '' : 'a.root_id = @root AND'} t.type IN ('real', 'integer')
       GROUP BY a.generation, t.key`,
    )
    .all(root) as { generation: number; key: string; mean: number; variance: number }[];
  const stats = new Map<number, GenerationStats>(rows.map((r) => [r.generation, { generation: r.generation, count: r.n, meanFitness: r.mean, maxFitness: r.max, traits: {} }]));
  for (const r of traitRows) stats.get(r.generation)!.traits[r.key] = { mean: r.mean, sd: Math.sqrt(Math.max(0, r.variance)) };
  return [...stats.values()];
}

/**
 * The kept sums against the recomputation: counts and maxima exactly (the same fitness_now
 * values), means and spreads within 1e-9 (a running sum adds in another order than avg()).
 */
export function expectStatsAsRecomputed(db: ReadableDB, rootId: number | null): void {
  const kept = generationStats(db, rootId);
  const fresh = recomputedGenerationStats(db, rootId);
  expect(kept.map((g) => [g.generation, g.count, g.maxFitness])).toEqual(fresh.map((g) => [g.generation, g.count, g.maxFitness]));
  const off: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  kept.forEach((g, i) => {
    const f = fresh[i]!;
    if (!near(g.meanFitness, f.meanFitness)) off.push(`generation ${g.generation}: mean fitness ${g.meanFitness}, recomputed ${f.meanFitness}`);
    expect(Object.keys(g.traits).sort(), `generation ${g.generation}'s traits`).toEqual(Object.keys(f.traits).sort());
    for (const [trait, value] of Object.entries(g.traits)) {
      const other = f.traits[trait]!;
      // A spread is a square root of a small difference: compare its square's terms, not the root.
      if (!near(value.mean, other.mean) || Math.abs(value.sd ** 2 - other.sd ** 2) > 1e-9 * Math.max(1, other.mean ** 2)) {
        off.push(`generation ${g.generation}, ${trait}: ${value.mean} ± ${value.sd}, recomputed ${other.mean} ± ${other.sd}`);
      }
    }
  });
  expect(off).toEqual([]);
}
