// Population statistics of a lineage: per-generation fitness and trait means, and
// clade sizes over time (the data of a Muller plot).
import { FITNESS_TAU } from '../agents/fitness.std';
import type { CladeSeries } from '../agents/clades.std';
import type { ReadableDB } from './sql.node';

export interface GenerationStats {
  generation: number;
  count: number;
  /** Fitness decayed to each agent's current interaction count. */
  meanFitness: number;
  maxFitness: number;
  /** Per trait: mean and (population) standard deviation. */
  traits: Record<string, { mean: number; sd: number }>;
}

/** Per generation, for one lineage (rootId) or all of them (null). */
export function generationStats(db: ReadableDB, rootId: number | null, tau = FITNESS_TAU): GenerationStats[] {
  // One lineage by its index (root_id, generation); all of them by a scan. Two texts, not
  // `@root IS NULL OR …`, which SQLite can only plan as a scan.
  const root = rootId === null ? {} : { root: rootId };
  const rows = db
    .prepare<unknown[], { generation: number; n: number; mean: number; max: number }>(
      `SELECT generation, count(*) AS n,
              avg(decayed_fitness(fitness, fitness_at, total_interactions, @tau)) AS mean,
              max(decayed_fitness(fitness, fitness_at, total_interactions, @tau)) AS max
       FROM agent ${rootId === null ? '' : 'WHERE root_id = @root'} GROUP BY generation ORDER BY generation`,
    )
    .all({ ...root, tau });
  const traitRows = db
    .prepare<unknown[], { generation: number; key: string; mean: number; variance: number }>(
      `SELECT a.generation, t.key, avg(t.value) AS mean, avg(t.value * t.value) - avg(t.value) * avg(t.value) AS variance
       FROM agent a, json_each(a.traits) t
       WHERE ${rootId === null ? '' : 'a.root_id = @root AND'} t.type IN ('real', 'integer')
       GROUP BY a.generation, t.key`,
    )
    .all(root);
  const byGeneration = new Map<number, GenerationStats>();
  for (const row of rows) byGeneration.set(row.generation, { generation: row.generation, count: row.n, meanFitness: row.mean, maxFitness: row.max, traits: {} });
  for (const row of traitRows) {
    byGeneration.get(row.generation)!.traits[row.key] = { mean: row.mean, sd: Math.sqrt(Math.max(0, row.variance)) };
  }
  return [...byGeneration.values()];
}

/** Clade sizes over time in one lineage; a clade is the subtree of one descendant at `depth` generations below the root. */
export function cladeSizes(db: ReadableDB, rootId: number, depth = 1, samples = 50): CladeSeries {
  const rows = db
    .prepare<unknown[], { id: number; parent_id: number | null; generation: number; name: string; born_at: number; archived_at: number | null }>(
      'SELECT id, parent_id, generation, name, born_at, archived_at FROM agent WHERE root_id = ? ORDER BY generation, id',
    )
    .all(rootId);
  const root = rows.find((r) => r.id === rootId);
  if (!root) return { clades: [], times: [], sizes: [] };
  const founderOf = new Map<number, number>();
  const founders: { id: number; name: string }[] = [];
  for (const row of rows) {
    if (row.generation < root.generation + depth) continue;
    if (row.generation === root.generation + depth) {
      founderOf.set(row.id, founders.length);
      founders.push({ id: row.id, name: row.name });
    } else {
      founderOf.set(row.id, founderOf.get(row.parent_id!)!);
    }
  }
  const first = root.born_at;
  const last = Math.max(...rows.map((r) => Math.max(r.born_at, r.archived_at ?? 0)), first + 1);
  const times = Array.from({ length: samples }, (_, i) => first + ((last - first) * i) / (samples - 1));
  const sizes = times.map((t) => {
    const counts = new Array<number>(founders.length).fill(0);
    for (const row of rows) {
      const clade = founderOf.get(row.id);
      if (clade !== undefined && row.born_at <= t && (row.archived_at === null || row.archived_at > t)) counts[clade]!++;
    }
    return counts;
  });
  return { clades: founders, times, sizes };
}
