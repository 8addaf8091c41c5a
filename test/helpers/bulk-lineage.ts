// A large generated lineage written straight into a real database, for the family-tree
// view and its frame-rate measurement: a few roots, then agents whose parents are drawn
// at random from the agents before them (a bushy forest), each with traits. Written in
// one batch through the store's insertAgents, which keeps the sums and descendant counts.
import { createHash, randomBytes } from 'node:crypto';
import { insertAgents, type NewAgent } from '../../electron/store/bulk-lineage.node';
import { writable } from '../../electron/store/sql.node';
import type BetterSqlite3 from 'better-sqlite3';
import { sfc32 } from '../fixtures/entropy-datasets';
import { insertGenesis } from './genesis';

/** Writes `agents` agents into a database that has none yet; agent ids run from 1. */
export function writeBulkLineage(db: BetterSqlite3.Database, agents: number, roots = 4, seed = 7): void {
  const random = sfc32(seed);
  const arousal: number[] = [];
  const batch: NewAgent[] = [];
  db.transaction(() => {
    for (let id = 1; id <= agents; id++) {
      const isRoot = id <= roots;
      // Prefer recent agents as parents, so lineages grow deep as well as wide.
      const parent = isRoot ? null : Math.max(1, Math.floor((id - 1) * (1 - random() ** 3)));
      const a = parent === null ? random() : Math.min(1, Math.max(0, arousal[parent - 1]! + (random() - 0.5) * 0.1));
      arousal.push(a);
      const mutation = randomBytes(32);
      const archived = random() < 0.3;
      batch.push({
        parent: parent === null ? null : { index: parent - 1 },
        uid: createHash('sha256').update(String(id)).update(mutation).digest('hex'),
        origin: isRoot ? 'born' : 'divided',
        genesisId: isRoot ? insertGenesis(db) : null,
        name: isRoot ? `Root ${id}` : `Agent ${id}`,
        seed: mutation,
        traits: { 'temperament.arousal': a, 'voice.rank': 4 },
        fitness: (random() - 0.4) * 10,
        state: archived ? 'archived' : 'alive',
        bornAt: id,
        archivedAt: archived ? id : null,
        division: isRoot ? undefined : { parentInteractions: 25, reason: 'generated' },
      });
    }
    const ids = insertAgents(writable(db), batch);
    if (ids[0] !== 1) throw new Error('writeBulkLineage needs a database without agents.');
  })();
}
