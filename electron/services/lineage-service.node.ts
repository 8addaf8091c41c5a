// The family trees as the API shows them: the tree's columns, per-generation statistics
// with the largest clades over time, and exports (Newick, phylogeny CSV).
import { ApiError } from '../api/api-error.std';
import { topClades } from '../agents/clades.std';
import type { Database } from '../store/database.node';
import { getAgent } from '../store/lineage.node';
import { newick, phylogenyCsv } from '../store/lineage-export.node';
import { cladeSizes, generationStats } from '../store/lineage-stats.node';
import { lineageColumns } from '../store/lineage-tree.node';
import { agentHomes } from '../store/swarm.node';

/** Clades a Muller plot shows before it sums the rest. */
const CLADES_SHOWN = 12;

export class LineageService {
  constructor(private readonly database: Database) {}

  get #db() {
    return this.database.connection;
  }

  tree(options: { rootId?: number; trait?: string }) {
    const columns = lineageColumns(this.#db, options);
    const homes = agentHomes(this.#db);
    const abroad: Record<string, string> = {};
    for (const id of columns.ids) {
      const home = homes.get(id);
      if (home) abroad[id] = home.name;
    }
    return { ...columns, homes: abroad };
  }

  stats(rootId: number | undefined) {
    const root = rootId === undefined ? undefined : getAgent(this.#db, rootId)?.rootId;
    if (rootId !== undefined && root === undefined) throw new ApiError('not_found', `There is no agent ${rootId}.`);
    return { generations: generationStats(this.#db, root ?? null), clades: root === undefined ? null : topClades(cladeSizes(this.#db, root), CLADES_SHOWN) };
  }

  export(rootId: number, format: 'newick' | 'csv'): { text: string; fileName: string } {
    const root = getAgent(this.#db, rootId);
    if (!root) throw new ApiError('not_found', `There is no agent ${rootId}.`);
    const base = root.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') || `agent-${rootId}`;
    return format === 'newick' ? { text: newick(this.#db, root.rootId), fileName: `${base}.nwk` } : { text: phylogenyCsv(this.#db, root.rootId), fileName: `${base}-phylogeny.csv` };
  }
}
