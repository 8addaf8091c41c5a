// An agent's memories: query/response pairs with a 512-d embedding (sqlite-vec,
// cosine distance, partitioned by agent) and a fitness; evicted by low fitness and age.
import { scalar, type ReadableDB, type WritableDB } from './sql.node';

export const MEMORY_DIMENSIONS = 512;

export interface Memory {
  id: number;
  agentId: number;
  query: string;
  response: string;
  fitness: number;
  createdAt: number;
  lastUsedAt: number;
  uses: number;
}

export interface MemoryHit extends Memory {
  /** Cosine distance to the query embedding (0 = same direction). */
  distance: number;
}

interface MemoryRow {
  id: number;
  agent_id: number;
  query: string;
  response: string;
  fitness: number;
  created_at: number;
  last_used_at: number;
  uses: number;
}

function toMemory(row: MemoryRow): Memory {
  return {
    id: row.id,
    agentId: row.agent_id,
    query: row.query,
    response: row.response,
    fitness: row.fitness,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    uses: row.uses,
  };
}

function checkEmbedding(embedding: Float32Array): void {
  if (embedding.length !== MEMORY_DIMENSIONS) throw new RangeError(`A memory embedding has ${MEMORY_DIMENSIONS} dimensions, not ${embedding.length}.`);
}

export interface NewMemory {
  agentId: number;
  query: string;
  response: string;
  embedding: Float32Array;
  fitness?: number;
  createdAt: number;
  /** The answer this memory was made from. */
  messageId?: number;
}

export function addMemory(db: WritableDB, memory: NewMemory): number {
  checkEmbedding(memory.embedding);
  return db.transaction(() => {
    const id = Number(
      db
        .prepare('INSERT INTO memory (agent_id, query, response, fitness, created_at, last_used_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(memory.agentId, memory.query, memory.response, memory.fitness ?? 0, memory.createdAt, memory.createdAt, memory.messageId ?? null).lastInsertRowid,
    );
    db.prepare('INSERT INTO memory_vec (rowid, agent_id, embedding) VALUES (?, ?, ?)').run(BigInt(id), BigInt(memory.agentId), memory.embedding);
    return id;
  })();
}

/** The agent's k memories nearest to `embedding`, nearest first. */
export function nearestMemories(db: ReadableDB, agentId: number, embedding: Float32Array, k: number): MemoryHit[] {
  checkEmbedding(embedding);
  const rows = db
    .prepare<unknown[], MemoryRow & { distance: number }>(`SELECT memory.*, near.distance FROM (
         SELECT rowid, distance FROM memory_vec WHERE embedding MATCH ? AND k = ? AND agent_id = ?
       ) AS near JOIN memory ON memory.id = near.rowid ORDER BY near.distance`)
    .all(embedding, k, BigInt(agentId));
  return rows.map((row) => ({ ...toMemory(row), distance: row.distance }));
}

export function markMemoriesUsed(db: WritableDB, ids: readonly number[], at: number): void {
  const update = db.prepare('UPDATE memory SET uses = uses + 1, last_used_at = ? WHERE id = ?');
  db.transaction(() => ids.forEach((id) => update.run(at, id)))();
}

export function memoryCount(db: ReadableDB, agentId: number): number {
  return scalar(db, 'SELECT count(*) FROM memory WHERE agent_id = ?', agentId);
}

export function listMemories(db: ReadableDB, agentId: number): Memory[] {
  return (db.prepare<unknown[], MemoryRow>('SELECT * FROM memory WHERE agent_id = ? ORDER BY id').all(agentId)).map(toMemory);
}

/**
 * Keeps the agent's `keep` best memories: lowest fitness goes first, and among equals
 * the one unused the longest. Returns how many were evicted.
 */
export function evictMemories(db: WritableDB, agentId: number, keep: number): number {
  return db.transaction(() => {
    const doomed = db
      .prepare<unknown[], number>('SELECT id FROM memory WHERE agent_id = ? ORDER BY fitness DESC, last_used_at DESC, id DESC LIMIT -1 OFFSET ?')
      .pluck()
      .all(agentId, keep);
    const removeVec = db.prepare('DELETE FROM memory_vec WHERE rowid = ?');
    const remove = db.prepare('DELETE FROM memory WHERE id = ?');
    for (const id of doomed) {
      removeVec.run(BigInt(id));
      remove.run(id);
    }
    return doomed.length;
  })();
}
