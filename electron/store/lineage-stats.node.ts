// Population statistics of a lineage: per-generation fitness and trait means, and
// clade sizes over time (the data of a Muller plot). The per-generation sums are kept by
// migration 0009's triggers as agents are born, divide and get feedback, so reading them
// costs one row per lineage and generation, not one per agent.
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
export function generationStats(db: ReadableDB, rootId: number | null): GenerationStats[] {
  // One lineage by its key; all of them by the summary's few rows. Two texts, not
  // `@root IS NULL OR …`, which SQLite can only plan as a scan. The best fitness of a
  // lineage's generation is one seek in agent_lineage (root_id, generation, fitness_now).
  const root = rootId === null ? {} : { root: rootId };
  const where = rootId === null ? '' : 'WHERE s.root_id = @root';
  const rows = db
    .prepare<unknown[], { generation: number; n: number; total: number; max: number }>(
      `SELECT s.generation, sum(s.agents) AS n, total(s.fitness_sum) AS total,
              max((SELECT max(a.fitness_now) FROM agent a WHERE a.root_id = s.root_id AND a.generation = s.generation)) AS max
       FROM generation_summary s ${where} GROUP BY s.generation ORDER BY s.generation`,
    )
    .all(root);
  const traitRows = db
    .prepare<unknown[], { generation: number; trait: string; n: number; sum: number; squares: number }>(
      `SELECT s.generation, s.trait, sum(s.agents) AS n, total(s.value_sum) AS sum, total(s.square_sum) AS squares
       FROM generation_traits s ${where} GROUP BY s.generation, s.trait`,
    )
    .all(root);
  const byGeneration = new Map<number, GenerationStats>();
  for (const row of rows) byGeneration.set(row.generation, { generation: row.generation, count: row.n, meanFitness: row.total / row.n, maxFitness: row.max, traits: {} });
  for (const row of traitRows) {
    const mean = row.sum / row.n;
    byGeneration.get(row.generation)!.traits[row.trait] = { mean, sd: Math.sqrt(Math.max(0, row.squares / row.n - mean * mean)) };
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
