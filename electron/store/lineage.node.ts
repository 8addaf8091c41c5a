// Agents and their lineage: birth from a Genesis record, division, archiving, and
// the family-tree queries (recursive CTEs on the indexed parent id).
import { createHash } from 'node:crypto';
import { currentFitness } from '../agents/fitness.std';
import { scalar, type ReadableDB, type WritableDB } from './sql.node';

export type AgentState = 'alive' | 'archived';
export type AgentOrigin = 'born' | 'divided' | 'imported';

/** Trait values by name (e.g. "temperament.temperature"); each a number. */
export type TraitValues = Record<string, number>;

export interface Agent {
  id: number;
  uid: string;
  parentId: number | null;
  rootId: number;
  generation: number;
  origin: AgentOrigin;
  genesisId: number | null;
  name: string;
  /** This agent's link of the seed chain (see seedChainOf for the whole chain). */
  seed: Uint8Array;
  traits: TraitValues;
  interactions: number;
  totalInteractions: number;
  fitness: number;
  fitnessAt: number;
  state: AgentState;
  bornAt: number;
  archivedAt: number | null;
  /** How many agents descend from it (children, their children, …). */
  descendants: number;
  /** When it last answered or divided (ms). */
  lastActiveAt: number;
  /** The parent's fitness when this agent was divided from it (0 for a root). */
  inheritedFitness: number;
  /** For an agent that came in a signed bundle: the signing installation's public key (hex). */
  signer: string | null;
}

export interface AgentRow {
  id: number;
  uid: string;
  parent_id: number | null;
  root_id: number;
  generation: number;
  origin: AgentOrigin;
  genesis_id: number | null;
  name: string;
  seed: Buffer;
  traits: string;
  interactions: number;
  total_interactions: number;
  fitness: number;
  fitness_at: number;
  state: AgentState;
  born_at: number;
  archived_at: number | null;
  descendants: number;
  last_active_at: number | null;
  inherited_fitness: number;
  signer: string | null;
}

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    uid: row.uid,
    parentId: row.parent_id,
    rootId: row.root_id,
    generation: row.generation,
    origin: row.origin,
    genesisId: row.genesis_id,
    name: row.name,
    seed: new Uint8Array(row.seed),
    traits: JSON.parse(row.traits) as TraitValues,
    interactions: row.interactions,
    totalInteractions: row.total_interactions,
    fitness: row.fitness,
    fitnessAt: row.fitness_at,
    state: row.state,
    bornAt: row.born_at,
    archivedAt: row.archived_at,
    descendants: row.descendants,
    lastActiveAt: row.last_active_at ?? row.born_at,
    inheritedFitness: row.inherited_fitness,
    signer: row.signer,
  };
}

/** The agent's content address: SHA-256 of its seed chain, hex. */
export function agentUid(seedChain: Uint8Array): string {
  return createHash('sha256').update(seedChain).digest('hex');
}

export class LineageError extends Error {
  override readonly name = 'LineageError';
}

/** An AgentRow from `agent` (never aliased); the descendant count from its own table, where a leaf has no row. */
const COLUMNS = [
  ...'id, uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, interactions, total_interactions, fitness, fitness_at, state, born_at, archived_at, last_active_at, inherited_fitness, signer'
    .split(', ')
    .map((column) => `agent.${column}`),
  'coalesce((SELECT count FROM agent_descendants WHERE agent_descendants.id = agent.id), 0) AS descendants',
].join(', ');

export function getAgent(db: ReadableDB, id: number): Agent | undefined {
  const row = db.prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE id = ?`).get(id);
  return row ? toAgent(row) : undefined;
}

/** The agent with exactly this uid. */
export function agentWithUid(db: ReadableDB, uid: string): Agent | undefined {
  const row = db.prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE uid = ?`).get(uid);
  return row ? toAgent(row) : undefined;
}

/** An agent by id, uid (or a unique uid prefix of 6+ characters) or exact name. */
export function findAgent(db: ReadableDB, key: string): Agent | undefined {
  // "#4", as every list prints it, or 4.
  if (/^#?\d+$/.test(key)) return getAgent(db, Number(key.replace('#', '')));
  // A living agent's name names one agent (agent_living_name); an archived name may repeat.
  const living = livingAgentNamed(db, key);
  if (living) return living;
  const rows = db
    .prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE name = ? OR (length(?) >= 6 AND uid LIKE ? || '%') LIMIT 2`)
    .all(key, key, key.toLowerCase());
  if (rows.length > 1) throw new LineageError(`"${key}" names more than one archived agent: use its number (#N) or a longer uid.`);
  return rows[0] ? toAgent(rows[0]) : undefined;
}

/** The living agent with this name, if any (names are unique among living agents). */
export function livingAgentNamed(db: ReadableDB, name: string): Agent | undefined {
  const row = db.prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE name = ? AND state = 'alive'`).get(name);
  return row ? toAgent(row) : undefined;
}

export function listAgents(db: ReadableDB, options: { state?: AgentState; limit?: number; offset?: number } = {}): Agent[] {
  const rows = db
    .prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE (@state IS NULL OR state = @state) ORDER BY id LIMIT @limit OFFSET @offset`)
    .all({ state: options.state ?? null, limit: options.limit ?? -1, offset: options.offset ?? 0 });
  return rows.map(toAgent);
}

export function countAgents(db: ReadableDB, state?: AgentState): number {
  return scalar(db, 'SELECT count(*) FROM agent WHERE (@state IS NULL OR state = @state)', { state: state ?? null });
}

export interface BirthInput {
  genesisId: number;
  name: string;
  traits: TraitValues;
  bornAt: number;
  /** The initial 512-d memory vector (float32). */
  memoryVector?: Float32Array;
}

const blob = (v: Float32Array | undefined): Buffer | null => (v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : null);

/** A root agent from an unused Genesis record: a seed gives birth once. */
export function birthAgent(db: WritableDB, input: BirthInput): Agent {
  return db.transaction(() => {
    const genesis = db.prepare<unknown[], { seed: Buffer }>('SELECT seed FROM genesis WHERE id = ?').get(input.genesisId);
    if (!genesis) throw new LineageError(`There is no Genesis record ${input.genesisId}.`);
    const used = db.prepare<unknown[], { id: number; name: string }>('SELECT id, name FROM agent WHERE genesis_id = ?').get(input.genesisId);
    if (used) throw new LineageError(`Genesis record ${input.genesisId} already gave birth to ${used.name} (#${used.id}); a seed gives birth once.`);
    const chain = new Uint8Array(genesis.seed);
    const info = db
      .prepare(
        `INSERT INTO agent (uid, parent_id, root_id, generation, origin, genesis_id, name, seed, traits, born_at, last_active_at, memory_vector)
         VALUES (?, NULL, 0, 0, 'born', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(agentUid(chain), input.genesisId, input.name, Buffer.from(chain), JSON.stringify(input.traits), input.bornAt, input.bornAt, blob(input.memoryVector));
    const id = Number(info.lastInsertRowid);
    db.prepare('UPDATE agent SET root_id = id WHERE id = ?').run(id);
    return getAgent(db, id)!;
  })();
}

export interface DivisionInput {
  parentId: number;
  name: string;
  /** 32 bytes: SHA-256(parent seed ‖ fresh pool bits), made by the agents service. */
  mutationSeed: Uint8Array;
  traits: TraitValues;
  reason: string;
  bornAt: number;
  /** The child's memory vector (the parent's plus mutation noise). */
  memoryVector?: Float32Array;
}

/**
 * A division, all in one transaction: the child (generation + 1, seed chain
 * extended by the mutation seed, the parent's fitness as its starting fitness), the
 * division event, the parent's counter reset to 0, and every ancestor's descendant
 * count grown by one. The parent's line is walked once, for both the chain and the counts.
 */
export function divideAgent(db: WritableDB, input: DivisionInput): Agent {
  if (input.mutationSeed.length !== 32) throw new LineageError('A mutation seed is 32 bytes.');
  return db.transaction(() => {
    const parent = getAgent(db, input.parentId);
    if (!parent) throw new LineageError(`There is no agent ${input.parentId}.`);
    if (parent.state === 'archived') throw new LineageError(`${parent.name} is archived and no longer divides.`);
    const line = lineOf(db, parent.id);
    // The child is a copy: it starts with the parent's standing, decayed to now.
    const inherited = currentFitness(parent);
    const chain = new Uint8Array(line.chain.length + 32);
    chain.set(line.chain);
    chain.set(input.mutationSeed, line.chain.length);
    const info = db
      .prepare(
        `INSERT INTO agent (uid, parent_id, root_id, generation, origin, name, seed, traits, born_at, last_active_at, memory_vector, inherited_fitness, fitness)
         VALUES (?, ?, ?, ?, 'divided', ?, ?, ?, ?, ?, ?, @f, @f)`,
      )
      .run(
        agentUid(chain),
        parent.id,
        parent.rootId,
        parent.generation + 1,
        input.name,
        Buffer.from(input.mutationSeed),
        JSON.stringify(input.traits),
        input.bornAt,
        input.bornAt,
        blob(input.memoryVector),
        { f: inherited },
      );
    const childId = Number(info.lastInsertRowid);
    db.prepare(
      `INSERT INTO division (parent_id, child_id, mutation_seed, parent_interactions, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(parent.id, childId, Buffer.from(input.mutationSeed), parent.interactions, input.reason, input.bornAt);
    db.prepare('UPDATE agent SET interactions = 0, last_active_at = ? WHERE id = ?').run(input.bornAt, parent.id);
    db.prepare(
      `INSERT INTO agent_descendants (id, count) SELECT value, 1 FROM json_each(?) WHERE true
       ON CONFLICT (id) DO UPDATE SET count = count + 1`,
    ).run(line.ids);
    return getAgent(db, childId)!;
  })();
}

/**
 * An agent's line up to its root in one walk: the seed chain (root's seed first) and the ids
 * (the agent's own first) as a JSON array. The seeds are joined in SQL as hex: handing 2,000
 * 32-byte blobs to JavaScript one by one cost more than the walk itself.
 */
function lineOf(db: ReadableDB, id: number): { chain: Uint8Array; ids: string } {
  const line = db
    .prepare<unknown[], { chain: string | null; ids: string }>(
      `WITH RECURSIVE up(id, parent_id, seed, depth) AS (
         SELECT id, parent_id, seed, 0 FROM agent WHERE id = ?
         UNION ALL SELECT agent.id, agent.parent_id, agent.seed, up.depth + 1 FROM agent JOIN up ON agent.id = up.parent_id)
       SELECT group_concat(hex(seed), '' ORDER BY depth DESC) AS chain, json_group_array(id) AS ids FROM up`,
    )
    .get(id)!;
  if (line.chain === null) throw new LineageError(`There is no agent ${id}.`);
  return { chain: new Uint8Array(Buffer.from(line.chain, 'hex')), ids: line.ids };
}

/** The whole seed chain, root's Genesis seed first: the agent's identity, 32 bytes per generation. */
export function seedChainOf(db: ReadableDB, id: number): Uint8Array {
  return lineOf(db, id).chain;
}

/** Adds `by` to the descendant count of `id` and all its ancestors. */
export function growDescendants(db: WritableDB, id: number, by: number): void {
  db.prepare(
    `INSERT INTO agent_descendants (id, count) SELECT value, @by FROM json_each(@ids) WHERE true
     ON CONFLICT (id) DO UPDATE SET count = count + excluded.count`,
  ).run({ ids: lineOf(db, id).ids, by });
}

/** Archived agents stop dividing but stay in the tree. */
export function archiveAgent(db: WritableDB, id: number, at: number): void {
  const changed = db.prepare("UPDATE agent SET state = 'archived', archived_at = ? WHERE id = ? AND state = 'alive'").run(at, id).changes;
  if (changed === 0 && !getAgent(db, id)) throw new LineageError(`There is no agent ${id}.`);
}

/** The agent's ancestors from its parent up to the root (nearest first). */
export function ancestors(db: ReadableDB, id: number): Agent[] {
  const rows = db
    .prepare<unknown[], AgentRow>(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT parent_id, 1 FROM agent WHERE id = ? AND parent_id IS NOT NULL
         UNION ALL SELECT agent.parent_id, up.depth + 1 FROM agent JOIN up ON agent.id = up.id WHERE agent.parent_id IS NOT NULL)
       SELECT ${COLUMNS} FROM up JOIN agent ON agent.id = up.id ORDER BY up.depth`,
    )
    .all(id);
  return rows.map(toAgent);
}

/** Ids of the agent's ancestors, nearest first (cheaper than whole agents). */
export function ancestorIds(db: ReadableDB, id: number): number[] {
  return db
    .prepare<unknown[], number>(`WITH RECURSIVE up(id) AS (
         SELECT parent_id FROM agent WHERE id = ? AND parent_id IS NOT NULL
         UNION ALL SELECT agent.parent_id FROM agent JOIN up ON agent.id = up.id WHERE agent.parent_id IS NOT NULL)
       SELECT id FROM up`)
    .pluck()
    .all(id);
}

/** Ids of all descendants (not the agent itself), breadth first. */
export function descendantIds(db: ReadableDB, id: number): number[] {
  return db
    .prepare<unknown[], number>(`WITH RECURSIVE down(id) AS (
         SELECT id FROM agent WHERE parent_id = ?
         UNION ALL SELECT agent.id FROM agent JOIN down ON agent.parent_id = down.id)
       SELECT id FROM down`)
    .pluck()
    .all(id);
}

export function children(db: ReadableDB, id: number): Agent[] {
  return (db.prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE parent_id = ? ORDER BY born_at, id`).all(id)).map(toAgent);
}

/** All agents of one lineage (a root and its descendants), ordered so parents come before children. */
export function lineageAgents(db: ReadableDB, rootId: number): Agent[] {
  return (db.prepare<unknown[], AgentRow>(`SELECT ${COLUMNS} FROM agent WHERE root_id = ? ORDER BY generation, born_at, id`).all(rootId)).map(toAgent);
}

/** Recomputes every descendant count from the parent links (repair and verification); returns how many were wrong. */
export function recomputeDescendantCounts(db: WritableDB): number {
  return db.transaction(() => {
    const rows = db.prepare<unknown[], { id: number; parent_id: number | null }>('SELECT id, parent_id FROM agent ORDER BY generation DESC').all();
    const count = new Map<number, number>();
    for (const row of rows) {
      if (row.parent_id !== null) count.set(row.parent_id, (count.get(row.parent_id) ?? 0) + (count.get(row.id) ?? 0) + 1);
    }
    const stored = new Map(db.prepare<unknown[], { id: number; count: number }>('SELECT id, count FROM agent_descendants').all().map((r) => [r.id, r.count]));
    const set = db.prepare('INSERT INTO agent_descendants (id, count) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET count = excluded.count');
    const remove = db.prepare('DELETE FROM agent_descendants WHERE id = ?');
    let changed = 0;
    for (const [id, n] of count) {
      if (stored.get(id) !== n) {
        set.run(id, n);
        changed++;
      }
    }
    for (const id of stored.keys()) {
      if (!count.has(id)) {
        remove.run(id);
        changed++;
      }
    }
    return changed;
  })();
}
