// The circle's shared memory as this installation keeps it (migration 0014): peers' liked answers
// indexed for nearest-neighbour recall, how far each peer's log was read, and what was shared from
// here. Rows only; the logs themselves are Hypercores (services/shared-memory.node.ts).
import type { ReadableDB, WritableDB } from './sql.node';

export interface CircleMemory {
  id: number;
  peer: string;
  recordId: string;
  agentUid: string;
  agentName: string;
  query: string;
  response: string;
  fitness: number;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number;
  uses: number;
}

interface Row {
  id: number;
  peer: string;
  record_id: string;
  agent_uid: string;
  agent_name: string;
  query: string;
  response: string;
  fitness: number;
  created_at: number;
  updated_at: number;
  last_used_at: number;
  uses: number;
}

const memory = (r: Row): CircleMemory => ({
  id: r.id,
  peer: r.peer,
  recordId: r.record_id,
  agentUid: r.agent_uid,
  agentName: r.agent_name,
  query: r.query,
  response: r.response,
  fitness: r.fitness,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastUsedAt: r.last_used_at,
  uses: r.uses,
});

/** Adds a peer's memory, or updates its fitness when the peer wrote it before; returns its id. */
export function upsertCircleMemory(db: WritableDB, row: Omit<CircleMemory, 'id' | 'lastUsedAt' | 'uses'>, embedding: Float32Array): number {
  const existing = db.prepare<[string, string], number>('SELECT id FROM circle_memory WHERE peer = ? AND record_id = ?').pluck().get(row.peer, row.recordId);
  if (existing !== undefined) {
    db.prepare('UPDATE circle_memory SET fitness = ?, updated_at = ? WHERE id = ?').run(row.fitness, row.updatedAt, existing);
    return existing;
  }
  const id = Number(
    db
      .prepare(
        `INSERT INTO circle_memory (peer, record_id, agent_uid, agent_name, query, response, fitness, created_at, updated_at, last_used_at)
         VALUES (@peer, @recordId, @agentUid, @agentName, @query, @response, @fitness, @createdAt, @updatedAt, @createdAt)`,
      )
      .run(row).lastInsertRowid,
  );
  db.prepare('INSERT INTO circle_memory_vec (rowid, embedding) VALUES (?, ?)').run(BigInt(id), embedding);
  return id;
}

/** The peers' memories nearest to `embedding` (cosine distance), nearest first. */
export function nearestCircleMemories(db: ReadableDB, embedding: Float32Array, k: number): (CircleMemory & { distance: number })[] {
  return db
    .prepare<unknown[], Row & { distance: number }>(
      `SELECT circle_memory.*, near.distance FROM (SELECT rowid, distance FROM circle_memory_vec WHERE embedding MATCH ? AND k = ?) AS near
       JOIN circle_memory ON circle_memory.id = near.rowid ORDER BY near.distance`,
    )
    .all(embedding, k)
    .map((r) => ({ ...memory(r), distance: r.distance }));
}

export function markCircleMemoriesUsed(db: WritableDB, ids: readonly number[], at: number): void {
  const update = db.prepare('UPDATE circle_memory SET uses = uses + 1, last_used_at = ? WHERE id = ?');
  db.transaction(() => ids.forEach((id) => update.run(at, id)))();
}

export function circleMemoryCount(db: ReadableDB): number {
  return db.prepare<[], number>('SELECT count(*) FROM circle_memory').pluck().get()!;
}

export function listCircleMemories(db: ReadableDB, peer?: string): CircleMemory[] {
  return db
    .prepare<unknown[], Row>(`SELECT * FROM circle_memory ${peer ? 'WHERE peer = ?' : ''} ORDER BY id`)
    .all(...(peer ? [peer] : []))
    .map(memory);
}

/**
 * Keeps the `keep` memories worth most: fitness decayed by age (half-life `halfLifeMs` from its
 * last update or use), the least first out, the oldest first among equals. Returns how many went.
 */
export function evictCircleMemories(db: WritableDB, keep: number, now: number, halfLifeMs: number): number {
  const rows = db.prepare<[], { id: number; fitness: number; updated_at: number; last_used_at: number }>('SELECT id, fitness, updated_at, last_used_at FROM circle_memory').all();
  if (rows.length <= keep) return 0;
  const worth = (r: (typeof rows)[number]) => r.fitness * Math.pow(0.5, Math.max(0, now - Math.max(r.updated_at, r.last_used_at)) / halfLifeMs);
  const out = rows
    .map((r) => ({ id: r.id, worth: worth(r), at: Math.max(r.updated_at, r.last_used_at) }))
    .sort((a, b) => a.worth - b.worth || a.at - b.at)
    .slice(0, rows.length - keep);
  const remove = db.prepare('DELETE FROM circle_memory WHERE id = ?');
  const removeVec = db.prepare('DELETE FROM circle_memory_vec WHERE rowid = ?');
  db.transaction(() => {
    for (const { id } of out) {
      remove.run(id);
      removeVec.run(BigInt(id));
    }
  })();
  return out.length;
}

export function readTo(db: ReadableDB, peer: string): { coreKey: string; readTo: number } | undefined {
  const row = db.prepare<[string], { core_key: string; read_to: number }>('SELECT core_key, read_to FROM circle_log WHERE peer = ?').get(peer);
  return row && { coreKey: row.core_key, readTo: row.read_to };
}

export function setReadTo(db: WritableDB, peer: string, coreKey: string, readTo: number): void {
  db.prepare('INSERT INTO circle_log (peer, core_key, read_to) VALUES (?, ?, ?) ON CONFLICT (peer) DO UPDATE SET core_key = excluded.core_key, read_to = excluded.read_to').run(peer, coreKey, readTo);
}

export function sharedRecordOf(db: ReadableDB, messageId: number): string | undefined {
  return db.prepare<[number], string>('SELECT record_id FROM shared_memory WHERE message_id = ?').pluck().get(messageId);
}

export function noteShared(db: WritableDB, messageId: number, recordId: string, at: number): void {
  db.prepare('INSERT INTO shared_memory (message_id, record_id, shared_at) VALUES (?, ?, ?) ON CONFLICT (message_id) DO NOTHING').run(messageId, recordId, at);
}
