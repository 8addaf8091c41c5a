// The family tree in columns, for drawing thousands of agents: one array per field,
// parents before children, fitness decayed to now and, on request, one trait.
import { decayedFitness } from '../agents/fitness.std';
import type { ReadableDB } from './sql.node';

export interface LineageColumns {
  ids: number[];
  /** 0 for a root. */
  parentIds: number[];
  generations: number[];
  fitness: number[];
  /** 1 for archived. */
  archived: number[];
  names: string[];
  /** The requested trait's value per agent (0.5 where an agent lacks it), or null. */
  trait: number[] | null;
}

export function lineageColumns(db: ReadableDB, options: { rootId?: number; trait?: string; limit?: number } = {}): LineageColumns {
  const rows = db
    .prepare(
      `SELECT id, coalesce(parent_id, 0) AS parent, generation, fitness, fitness_at, total_interactions, state = 'archived' AS archived, name,
              CASE WHEN @trait IS NULL THEN NULL ELSE json_extract(traits, '$."' || @trait || '"') END AS trait
       FROM agent ${options.rootId === undefined ? '' : 'WHERE root_id = @root'} ORDER BY generation, id LIMIT @limit`,
    )
    .raw()
    // One lineage by its index (root_id, generation); the whole forest by a scan. Two texts, not
    // `@root IS NULL OR …`, which SQLite can only plan as a scan.
    .all({ ...(options.rootId === undefined ? {} : { root: options.rootId }), trait: options.trait ?? null, limit: options.limit ?? 1_000_000 }) as [number, number, number, number, number, number, number, string, number | null][];
  const columns: LineageColumns = { ids: [], parentIds: [], generations: [], fitness: [], archived: [], names: [], trait: options.trait ? [] : null };
  for (const [id, parent, generation, fitness, fitnessAt, total, archived, name, trait] of rows) {
    columns.ids.push(id);
    columns.parentIds.push(parent);
    columns.generations.push(generation);
    columns.fitness.push(decayedFitness(fitness, fitnessAt, total));
    columns.archived.push(archived);
    columns.names.push(name);
    columns.trait?.push(typeof trait === 'number' ? trait : 0.5);
  }
  return columns;
}
