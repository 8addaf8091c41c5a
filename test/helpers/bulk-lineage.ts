// A large generated lineage written straight into a real database, for the family-tree
// view and its frame-rate measurement: a few roots, then agents whose parents are drawn
// at random from the agents before them (a bushy forest), each with traits.
import { createHash, randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { sfc32 } from '../fixtures/entropy-datasets';
import { insertGenesis } from './genesis';

export function writeBulkLineage(db: BetterSqlite3.Database, agents: number, roots = 4, seed = 7): void {
  const random = sfc32(seed);
  const insert = db.prepare(
    `INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, born_at, last_active_at, fitness, state, archived_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const division = db.prepare('INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, 25, ?, ?)');
  const generation: number[] = [];
  const rootOf: number[] = [];
  const arousal: number[] = [];
  db.transaction(() => {
    for (let id = 1; id <= agents; id++) {
      const isRoot = id <= roots;
      // Prefer recent agents as parents, so lineages grow deep as well as wide.
      const parent = isRoot ? null : Math.max(1, Math.floor((id - 1) * (1 - random() ** 3)));
      const gen = parent === null ? 0 : generation[parent - 1]! + 1;
      const root = parent === null ? id : rootOf[parent - 1]!;
      const a = parent === null ? random() : Math.min(1, Math.max(0, arousal[parent - 1]! + (random() - 0.5) * 0.1));
      generation.push(gen);
      rootOf.push(root);
      arousal.push(a);
      const mutation = randomBytes(32);
      const archived = random() < 0.3;
      insert.run(
        id,
        createHash('sha256').update(String(id)).update(mutation).digest('hex'),
        parent,
        root,
        gen,
        isRoot ? 'born' : 'divided',
        isRoot ? insertGenesis(db) : null,
        isRoot ? `Root ${id}` : `Agent ${id}`,
        mutation,
        JSON.stringify({ 'temperament.arousal': a, 'voice.rank': 4 }),
        id,
        id,
        (random() - 0.4) * 10,
        archived ? 'archived' : 'alive',
        archived ? id : null,
      );
      if (parent !== null) division.run(parent, id, mutation, 'generated', id);
    }
  })();
}
