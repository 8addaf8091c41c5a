// An agent's living state beside its lineage row: the memory vector, when it was last
// active, its memories' fitness, and the alive agents the archival sweep looks at.
import { LineageError } from './lineage.node';
import type { ReadableDB, WritableDB } from './sql.node';

export function getMemoryVector(db: ReadableDB, agentId: number): Float32Array | undefined {
  const row = db.prepare<unknown[], { memory_vector: Buffer | null }>('SELECT memory_vector FROM agent WHERE id = ?').get(agentId);
  if (!row) throw new LineageError(`There is no agent ${agentId}.`);
  const blob = row.memory_vector;
  return blob ? new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)) : undefined;
}

export function setMemoryVector(db: WritableDB, agentId: number, vector: Float32Array): void {
  db.prepare('UPDATE agent SET memory_vector = ? WHERE id = ?').run(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), agentId);
}

export function touchAgent(db: WritableDB, agentId: number, at: number): void {
  db.prepare('UPDATE agent SET last_active_at = ? WHERE id = ?').run(at, agentId);
}

/** Feedback on an answer reaches the memory made from it. */
export function rateMemoryOf(db: WritableDB, messageId: number, delta: number): number {
  return db.prepare('UPDATE memory SET fitness = fitness + ? WHERE message_id = ?').run(delta, messageId).changes;
}

/** Copies the parent's best memories (and their embeddings) to a child: a mutated copy remembers what its parent did. */
export function inheritMemories(db: WritableDB, parentId: number, childId: number, limit: number): number {
  const ids = db
    .prepare<unknown[], number>('SELECT id FROM memory WHERE agent_id = ? ORDER BY fitness DESC, last_used_at DESC, id DESC LIMIT ?')
    .pluck()
    .all(parentId, limit);
  const copy = db.prepare(
    `INSERT INTO memory (agent_id, query, response, fitness, created_at, last_used_at, uses, message_id)
     SELECT ?, query, response, fitness, created_at, last_used_at, 0, message_id FROM memory WHERE id = ?`,
  );
  const embedding = db.prepare<unknown[], Buffer>('SELECT embedding FROM memory_vec WHERE rowid = ?').pluck();
  const copyVec = db.prepare('INSERT INTO memory_vec (rowid, agent_id, embedding) VALUES (?, ?, ?)');
  for (const id of ids.reverse()) {
    const newId = copy.run(childId, id).lastInsertRowid;
    copyVec.run(BigInt(newId), BigInt(childId), embedding.get(BigInt(id)));
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

export function aliveAgents(db: ReadableDB): AliveAgent[] {
  return (
    db
      .prepare<unknown[], { id: number; fitness: number; fitness_at: number; total_interactions: number; last_active_at: number }>(
        "SELECT id, fitness, fitness_at, total_interactions, coalesce(last_active_at, born_at) AS last_active_at FROM agent WHERE state = 'alive' ORDER BY id",
      )
      .all()
  ).map((r) => ({ id: r.id, fitness: r.fitness, fitnessAt: r.fitness_at, totalInteractions: r.total_interactions, lastActiveAt: r.last_active_at }));
}
