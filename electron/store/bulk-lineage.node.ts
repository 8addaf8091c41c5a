// Many agents at once: a lineage brought in whole (an imported bundle's ancestors, a generated
// forest). Row by row, each agent pays for the per-row summary trigger (a json_each of its traits
// and seven upserts), a walk up its line to grow every ancestor's descendant count, and SQLite's
// index and foreign-key upkeep. Here the batch is one transaction that suspends the trigger and
// adds the same sums once per lineage, generation and trait, and grows each ancestor's count once.
// What is left is SQLite's: the rows, their six indexes and the division rows.
import { decayedFitness } from '../agents/fitness.std';
import { LineageError, type AgentOrigin, type AgentState, type TraitValues } from './lineage.node';
import type { WritableDB } from './sql.node';

/** One agent of a batch. Its generation and lineage root follow from its parent. */
export interface NewAgent {
  /** An agent already in the store (`id`), an earlier agent of the same batch (`index`), or null for a root. */
  parent: { id: number } | { index: number } | null;
  /** SHA-256 of its seed chain (agentUid), which the caller holds. */
  uid: string;
  origin: AgentOrigin;
  /** The Genesis record a born root came from. */
  genesisId?: number | null;
  name: string;
  /** Its link of the seed chain: 32 bytes. */
  seed: Uint8Array;
  traits: TraitValues;
  interactions?: number;
  totalInteractions?: number;
  fitness?: number;
  fitnessAt?: number;
  inheritedFitness?: number;
  state?: AgentState;
  bornAt: number;
  archivedAt?: number | null;
  lastActiveAt?: number | null;
  signer?: string | null;
  memoryVector?: Float32Array | null;
  /** For a divided agent: the division that made it (its mutation seed is `seed`, its time `bornAt`). */
  division?: { parentInteractions: number; reason: string };
}

/** The summary trigger this load stands in for (migration 0009). */
const TRIGGER = 'agent_counted';

interface Line {
  parentId: number | null;
  rootId: number;
  generation: number;
}

/**
 * Inserts the agents in one transaction (a savepoint within the caller's) and returns their ids,
 * in order: consecutive, after the highest id in use. The per-generation sums, descendant counts
 * and division rows come out as birthAgent and divideAgent leave them; an agent the schema
 * refuses is said in words, and then nothing of the batch is kept.
 */
export function insertAgents(db: WritableDB, agents: readonly NewAgent[]): number[] {
  if (agents.length === 0) return [];
  agents.forEach(validate);
  return db.transaction(() => load(db, agents))();
}

function describe(agents: readonly NewAgent[], i: number): string {
  return `Agent ${i + 1} of ${agents.length} (${agents[i]!.name})`;
}

function validate(agent: NewAgent, i: number, agents: readonly NewAgent[]): void {
  const parent = agent.parent;
  if (parent !== null && 'index' in parent && !(Number.isInteger(parent.index) && parent.index >= 0 && parent.index < i)) {
    throw new LineageError(`${describe(agents, i)} names agent ${parent.index + 1} of the batch as its parent; a parent comes before its children.`);
  }
  if (agent.seed.length !== 32) throw new LineageError(`${describe(agents, i)} has a seed of ${agent.seed.length} bytes; a seed is 32.`);
  if ((agent.origin === 'born') !== (parent === null && agent.genesisId != null)) {
    throw new LineageError(`${describe(agents, i)}: only a root is born, and a born root comes from a Genesis record.`);
  }
  if (agent.origin === 'divided' && (parent === null || !agent.division)) throw new LineageError(`${describe(agents, i)} is divided but has no parent or division.`);
}

function load(db: WritableDB, agents: readonly NewAgent[]): number[] {
  const firstId = (db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM agent').pluck().get() ?? 0) + 1;
  const known = existingLines(db, agents);
  checkGeneses(db, agents);

  const lines: Line[] = [];
  for (const [i, agent] of agents.entries()) {
    const p = agent.parent;
    if (p === null) lines.push({ parentId: null, rootId: firstId + i, generation: 0 });
    else if ('index' in p) lines.push({ parentId: firstId + p.index, rootId: lines[p.index]!.rootId, generation: lines[p.index]!.generation + 1 });
    else lines.push({ parentId: p.id, rootId: known.get(p.id)!.rootId, generation: known.get(p.id)!.generation + 1 });
  }

  const trigger = db.prepare<[string], string>("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?").pluck().get(TRIGGER);
  if (trigger === undefined) throw new Error(`The database has no ${TRIGGER} trigger; its migrations did not all run.`);
  db.exec(`DROP TRIGGER ${TRIGGER}`);

  const insert = db.prepare(
    `INSERT INTO agent (id, uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, interactions, total_interactions,
       fitness, fitness_at, fitness_now, inherited_fitness, state, born_at, archived_at, last_active_at, signer, memory_vector)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const division = db.prepare('INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const sums = new Sums();
  for (const [i, agent] of agents.entries()) {
    const line = lines[i]!;
    const id = firstId + i;
    const fitness = agent.fitness ?? 0;
    const total = agent.totalInteractions ?? agent.interactions ?? 0;
    const fitnessAt = agent.fitnessAt ?? 0;
    // As the trigger leaves it: the decayed value, and 0 for no feedback at all.
    const fitnessNow = fitness === 0 ? 0 : decayedFitness(fitness, fitnessAt, total);
    const seed = Buffer.from(agent.seed.buffer, agent.seed.byteOffset, 32);
    try {
      insert.run(
        id, agent.uid, line.parentId, line.rootId, line.generation, agent.origin, agent.genesisId ?? null, agent.name, seed, JSON.stringify(agent.traits),
        agent.interactions ?? 0, total, fitness, fitnessAt, fitnessNow, agent.inheritedFitness ?? 0, agent.state ?? 'alive', agent.bornAt,
        agent.archivedAt ?? null, agent.lastActiveAt ?? agent.bornAt, agent.signer ?? null,
        agent.memoryVector ? Buffer.from(agent.memoryVector.buffer, agent.memoryVector.byteOffset, agent.memoryVector.byteLength) : null,
      );
      if (agent.division) division.run(line.parentId, id, seed, agent.division.parentInteractions, agent.division.reason, agent.bornAt);
    } catch (error) {
      throw refused(error, agents, i);
    }
    sums.add(line, fitnessNow, agent.traits);
  }
  db.exec(trigger);
  sums.write(db);
  growCounts(db, agents, firstId, known);
  return agents.map((_, i) => firstId + i);
}

/** The existing agents the batch hangs from, and all their ancestors: id → line. */
function existingLines(db: WritableDB, agents: readonly NewAgent[]): Map<number, Line> {
  const attached = [...new Set(agents.flatMap((a) => (a.parent !== null && 'id' in a.parent ? [a.parent.id] : [])))];
  const rows = db
    .prepare<[string], { id: number; parent_id: number | null; root_id: number; generation: number }>(
      `WITH RECURSIVE up(id) AS (
         SELECT value FROM json_each(?)
         UNION SELECT agent.parent_id FROM agent JOIN up ON agent.id = up.id WHERE agent.parent_id IS NOT NULL)
       SELECT agent.id, agent.parent_id, agent.root_id, agent.generation FROM up JOIN agent ON agent.id = up.id`,
    )
    .all(JSON.stringify(attached));
  const known = new Map(rows.map((r) => [r.id, { parentId: r.parent_id, rootId: r.root_id, generation: r.generation }]));
  const missing = attached.find((id) => !known.has(id));
  if (missing !== undefined) throw new LineageError(`There is no agent ${missing} to be a parent.`);
  return known;
}

function checkGeneses(db: WritableDB, agents: readonly NewAgent[]): void {
  const wanted = [...new Set(agents.flatMap((a) => (a.genesisId == null ? [] : [a.genesisId])))];
  if (wanted.length === 0) return;
  const found = new Set(db.prepare<[string], number>('SELECT id FROM genesis WHERE id IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(wanted)));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw new LineageError(`There is no Genesis record ${missing}.`);
}

/** A constraint the schema enforces, said for the agent that broke it. */
function refused(error: unknown, agents: readonly NewAgent[], i: number): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (!code.startsWith('SQLITE_CONSTRAINT')) return error;
  const message = (error as Error).message;
  const agent = agents[i]!;
  const why = message.includes('agent.uid')
    ? `an agent with uid ${agent.uid.slice(0, 12)}… is already here`
    : message.includes('agent.name')
      ? `a living agent is already named ${agent.name}`
      : message.includes('agent.genesis_id')
        ? `Genesis record ${agent.genesisId} already gave birth`
        : `the database refuses it (${message})`;
  return new LineageError(`${describe(agents, i)} cannot be kept: ${why}. Nothing was inserted.`, { cause: error });
}

/** The per-lineage, per-generation sums of migration 0009, for a batch. */
class Sums {
  private readonly generations = new Map<string, { root: number; generation: number; agents: number; fitness: number }>();
  private readonly traits = new Map<string, { root: number; generation: number; trait: string; agents: number; sum: number; squares: number }>();

  add(line: Line, fitnessNow: number, traits: TraitValues): void {
    const key = `${line.rootId}/${line.generation}`;
    let g = this.generations.get(key);
    if (!g) this.generations.set(key, (g = { root: line.rootId, generation: line.generation, agents: 0, fitness: 0 }));
    g.agents++;
    g.fitness += fitnessNow;
    for (const trait in traits) {
      const value = traits[trait]!;
      // The trigger sums what json_each calls a number; JSON has no NaN or infinity (they become null).
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const traitKey = `${key}/${trait}`;
      let t = this.traits.get(traitKey);
      if (!t) this.traits.set(traitKey, (t = { root: line.rootId, generation: line.generation, trait, agents: 0, sum: 0, squares: 0 }));
      t.agents++;
      t.sum += value;
      t.squares += value * value;
    }
  }

  write(db: WritableDB): void {
    const generation = db.prepare(
      `INSERT INTO generation_summary (root_id, generation, agents, fitness_sum) VALUES (?, ?, ?, ?)
       ON CONFLICT (root_id, generation) DO UPDATE SET agents = agents + excluded.agents, fitness_sum = fitness_sum + excluded.fitness_sum`,
    );
    for (const g of this.generations.values()) generation.run(g.root, g.generation, g.agents, g.fitness);
    const trait = db.prepare(
      `INSERT INTO generation_traits (root_id, generation, trait, agents, value_sum, square_sum) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (root_id, generation, trait) DO UPDATE SET agents = agents + excluded.agents, value_sum = value_sum + excluded.value_sum,
         square_sum = square_sum + excluded.square_sum`,
    );
    for (const t of this.traits.values()) trait.run(t.root, t.generation, t.trait, t.agents, t.sum, t.squares);
  }
}

/** Every ancestor's descendant count grown by what the batch adds below it, once per ancestor. */
function growCounts(db: WritableDB, agents: readonly NewAgent[], firstId: number, known: Map<number, Line>): void {
  const below = new Float64Array(agents.length);
  const grow = new Map<number, number>();
  for (let i = agents.length - 1; i >= 0; i--) {
    const p = agents[i]!.parent;
    if (p === null) continue;
    if ('index' in p) below[p.index]! += below[i]! + 1;
    else grow.set(p.id, (grow.get(p.id) ?? 0) + below[i]! + 1);
  }
  const add = new Map<number, number>();
  for (const [attached, by] of grow) {
    for (let id: number | null = attached; id !== null; id = known.get(id)!.parentId) add.set(id, (add.get(id) ?? 0) + by);
  }
  const upsert = db.prepare('INSERT INTO agent_descendants (id, count) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET count = count + excluded.count');
  for (const [id, by] of add) upsert.run(id, by);
  const insert = db.prepare('INSERT INTO agent_descendants (id, count) VALUES (?, ?)');
  below.forEach((count, i) => {
    if (count > 0) insert.run(firstId + i, count);
  });
}
