// An agent's living state beside its lineage row: the memory vector, when it was last
// active, its memories' fitness, and the alive agents the archival sweep looks at.
import type BetterSqlite3 from 'better-sqlite3';
import { LineageError } from './lineage.node';

export function getMemoryVector(db: BetterSqlite3.Database, agentId: number): Float32Array | undefined {
  const row = db.prepare('SELECT memory_vector FROM agent WHERE id = ?').get(agentId) as { memory_vector: Buffer | null } | undefined;
  if (!row) throw new LineageError(`There is no agent ${agentId}.`);
  const blob = row.memory_vector;
  return blob ? new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)) : undefined;
}

export function setMemoryVector(db: BetterSqlite3.Database, agentId: number, vector: Float32Array): void {
  db.prepare('UPDATE agent SET memory_vector = ? WHERE id = ?').run(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), agentId);
}

export function touchAgent(db: BetterSqlite3.Database, agentId: number, at: number): void {
  db.prepare('UPDATE agent SET last_active_at = ? WHERE id = ?').run(at, agentId);
}

/** Feedback on an answer reaches the memory made from it. */
export function rateMemoryOf(db: BetterSqlite3.Database, messageId: number, delta: number): number {
  return db.prepare('UPDATE memory SET fitness = fitness + ? WHERE message_id = ?').run(delta, messageId).changes;
}

/** Copies the parent's best memories (and their embeddings) to a child: a mutated copy remembers what its parent did. */
export function inheritMemories(db: BetterSqlite3.Database, parentId: number, childId: number, limit: number): number {
  const ids = db
    .prepare('SELECT id FROM memory WHERE agent_id = ? ORDER BY fitness DESC, last_used_at DESC, id DESC LIMIT ?')
    .pluck()
    .all(parentId, limit) as number[];
  const copy = db.prepare(
    `INSERT INTO memory (agent_id, query, response, fitness, created_at, last_used_at, uses, message_id)
     SELECT ?, query, response, fitness, created_at, last_used_at, 0, message_id FROM memory WHERE id = ?`,
  );
  const embedding = db.prepare('SELECT embedding FROM memory_vec WHERE rowid = ?').pluck();
  const copyVec = db.prepare('INSERT INTO memory_vec (rowid, agent_id, embedding) VALUES (?, ?, ?)');
  for (const id of ids.reverse()) {
    const newId = copy.run(childId, id).lastInsertRowid;
    copyVec.run(BigInt(newId), BigInt(childId), embedding.get(BigInt(id)) as Buffer);
  }
  return ids.length;
}

export interface AliveAgent {
  id: number;
  fitness: number;
  fitnessAt: number;
  totalInteractions: number;
  lastActiveAt: number;
}

export function aliveAgents(db: BetterSqlite3.Database): AliveAgent[] {
  return (
    db
      .prepare("SELECT id, fitness, fitness_at, total_interactions, coalesce(last_active_at, born_at) AS last_active_at FROM agent WHERE state = 'alive' ORDER BY id")
      .all() as { id: number; fitness: number; fitness_at: number; total_interactions: number; last_active_at: number }[]
  ).map((r) => ({ id: r.id, fitness: r.fitness, fitnessAt: r.fitness_at, totalInteractions: r.total_interactions, lastActiveAt: r.last_active_at }));
}
