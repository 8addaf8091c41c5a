// What the swarm keeps (migration 0012): the circle this installation is in, the peers it met
// there, and every division placed across it. Only rows: the protocol is swarm-service.node.ts's.
import type { ReadableDB, WritableDB } from './sql.node';

export interface CircleRow {
  topic: Uint8Array;
  inviter: string;
  joinedAt: number;
  capacity: number;
  placeChildren: boolean;
}

export interface PeerRow {
  publicKey: string;
  name: string;
  capacity: number;
  firstSeen: number;
  lastSeen: number;
  removedAt: number | null;
}

export type TransferState = 'offered' | 'ready' | 'committed' | 'born' | 'aborted';

export interface TransferRow {
  key: string;
  direction: 'out' | 'in';
  peer: string;
  agentId: number | null;
  bundle: string | null;
  state: TransferState;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

export function readCircle(db: ReadableDB): CircleRow | undefined {
  const row = db
    .prepare<[], { topic: Buffer; inviter: string; joined_at: number; capacity: number; place_children: number }>('SELECT topic, inviter, joined_at, capacity, place_children FROM swarm_circle WHERE id = 1')
    .get();
  return row && { topic: new Uint8Array(row.topic), inviter: row.inviter, joinedAt: row.joined_at, capacity: row.capacity, placeChildren: row.place_children === 1 };
}

export function writeCircle(db: WritableDB, circle: Omit<CircleRow, 'capacity' | 'placeChildren'> & Partial<Pick<CircleRow, 'capacity' | 'placeChildren'>>): void {
  db.prepare(
    `INSERT INTO swarm_circle (id, topic, inviter, joined_at, capacity, place_children) VALUES (1, @topic, @inviter, @joinedAt, @capacity, @placeChildren)
     ON CONFLICT (id) DO UPDATE SET topic = excluded.topic, inviter = excluded.inviter, joined_at = excluded.joined_at`,
  ).run({ topic: Buffer.from(circle.topic), inviter: circle.inviter, joinedAt: circle.joinedAt, capacity: circle.capacity ?? 10, placeChildren: circle.placeChildren === false ? 0 : 1 });
}

export function updateCircle(db: WritableDB, change: { capacity?: number; placeChildren?: boolean }): void {
  if (change.capacity !== undefined) db.prepare('UPDATE swarm_circle SET capacity = ? WHERE id = 1').run(change.capacity);
  if (change.placeChildren !== undefined) db.prepare('UPDATE swarm_circle SET place_children = ? WHERE id = 1').run(change.placeChildren ? 1 : 0);
}

export function deleteCircle(db: WritableDB): void {
  db.prepare('DELETE FROM swarm_circle').run();
}

interface PeerDbRow {
  public_key: string;
  name: string;
  capacity: number;
  first_seen: number;
  last_seen: number;
  removed_at: number | null;
}

const peerRow = (r: PeerDbRow): PeerRow => ({ publicKey: r.public_key, name: r.name, capacity: r.capacity, firstSeen: r.first_seen, lastSeen: r.last_seen, removedAt: r.removed_at });

export function listPeers(db: ReadableDB): PeerRow[] {
  return db.prepare<[], PeerDbRow>('SELECT * FROM swarm_peer ORDER BY last_seen DESC').all().map(peerRow);
}

export function getPeer(db: ReadableDB, publicKey: string): PeerRow | undefined {
  const row = db.prepare<[string], PeerDbRow>('SELECT * FROM swarm_peer WHERE public_key = ?').get(publicKey);
  return row && peerRow(row);
}

/** Records a peer's hello (or any later sign of life): its name and the room it offers. */
export function notePeer(db: WritableDB, peer: { publicKey: string; name: string; capacity: number }, at: number): void {
  db.prepare(
    `INSERT INTO swarm_peer (public_key, name, capacity, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (public_key) DO UPDATE SET name = excluded.name, capacity = excluded.capacity, last_seen = excluded.last_seen`,
  ).run(peer.publicKey, peer.name, peer.capacity, at, at);
}

export function removePeer(db: WritableDB, publicKey: string, at: number): void {
  db.prepare(
    `INSERT INTO swarm_peer (public_key, name, first_seen, last_seen, removed_at) VALUES (?, '(removed before it was met)', ?, ?, ?)
     ON CONFLICT (public_key) DO UPDATE SET removed_at = excluded.removed_at`,
  ).run(publicKey, at, at, at);
}

export function removedPeers(db: ReadableDB): string[] {
  return db.prepare<[], string>('SELECT public_key FROM swarm_peer WHERE removed_at IS NOT NULL').pluck().all();
}

interface TransferDbRow {
  key: string;
  direction: 'out' | 'in';
  peer: string;
  agent_id: number | null;
  bundle: string | null;
  state: TransferState;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

const transferRow = (r: TransferDbRow): TransferRow => ({
  key: r.key,
  direction: r.direction,
  peer: r.peer,
  agentId: r.agent_id,
  bundle: r.bundle,
  state: r.state,
  reason: r.reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function getTransfer(db: ReadableDB, key: string): TransferRow | undefined {
  const row = db.prepare<[string], TransferDbRow>('SELECT * FROM swarm_transfer WHERE key = ?').get(key);
  return row && transferRow(row);
}

export function listTransfers(db: ReadableDB, filter: { peer?: string; direction?: 'out' | 'in'; states?: readonly TransferState[] } = {}): TransferRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.peer) {
    where.push('peer = ?');
    params.push(filter.peer);
  }
  if (filter.direction) {
    where.push('direction = ?');
    params.push(filter.direction);
  }
  if (filter.states) {
    where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
    params.push(...filter.states);
  }
  return db
    .prepare<unknown[], TransferDbRow>(`SELECT * FROM swarm_transfer ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, key`)
    .all(...params)
    .map(transferRow);
}

export function insertTransfer(db: WritableDB, row: Omit<TransferRow, 'updatedAt' | 'reason'> & { reason?: string | null }): void {
  db.prepare(
    `INSERT INTO swarm_transfer (key, direction, peer, agent_id, bundle, state, reason, created_at, updated_at)
     VALUES (@key, @direction, @peer, @agentId, @bundle, @state, @reason, @createdAt, @createdAt)`,
  ).run({ ...row, reason: row.reason ?? null });
}

/**
 * Moves a transfer from one of `from` to `to`; false (and nothing written) when it was in
 * another state: each step happens once, whatever arrives twice.
 */
export function moveTransfer(db: WritableDB, key: string, from: readonly TransferState[], to: TransferState, at: number, change: { agentId?: number; bundle?: null; reason?: string } = {}): boolean {
  const sets = ['state = @to', 'updated_at = @at'];
  if (change.agentId !== undefined) sets.push('agent_id = @agentId');
  if (change.bundle === null) sets.push('bundle = NULL');
  if (change.reason !== undefined) sets.push('reason = @reason');
  const result = db
    .prepare(`UPDATE swarm_transfer SET ${sets.join(', ')} WHERE key = @key AND state IN (${from.map((_, i) => `@from${i}`).join(', ')})`)
    .run({ key, to, at, agentId: change.agentId ?? null, reason: change.reason ?? null, ...Object.fromEntries(from.map((s, i) => [`from${i}`, s])) });
  return result.changes === 1;
}

/** How many agents this installation hosts for `peer` (arrived and born here, still alive). */
export function hostedFor(db: ReadableDB, peer?: string): number {
  return db
    .prepare<unknown[], number>(
      `SELECT count(*) FROM swarm_transfer t JOIN agent a ON a.id = t.agent_id
       WHERE t.direction = 'in' AND t.state = 'born' AND a.state = 'alive' ${peer ? 'AND t.peer = ?' : ''}`,
    )
    .pluck()
    .get(...(peer ? [peer] : []))!;
}

/** Records that an agent lives on `peer` (a child placed there, or an ancestor that came from there). */
export function setHome(db: WritableDB, agentId: number, peer: string): void {
  db.prepare('INSERT INTO agent_home (agent_id, peer) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET peer = excluded.peer').run(agentId, peer);
}

/** Where agents that live on peers live: agent id → the peer's key. */
export function homesAbroad(db: ReadableDB): Map<number, string> {
  const rows = db.prepare<[], { agent_id: number; peer: string }>('SELECT agent_id, peer FROM agent_home').all();
  return new Map(rows.map((r) => [r.agent_id, r.peer]));
}

/** Agents that live on a peer, with the peer's key and the name it gave itself: agent id → home. */
export function agentHomes(db: ReadableDB, agentIds?: readonly number[]): Map<number, { peer: string; name: string }> {
  const rows = db
    .prepare<[], { agent_id: number; peer: string; name: string | null }>('SELECT h.agent_id, h.peer, p.name FROM agent_home h LEFT JOIN swarm_peer p ON p.public_key = h.peer')
    .all();
  const wanted = agentIds && new Set(agentIds);
  return new Map(rows.filter((r) => !wanted || wanted.has(r.agent_id)).map((r) => [r.agent_id, { peer: r.peer, name: r.name ?? `${r.peer.slice(0, 4)}·${r.peer.slice(4, 8)}` }]));
}

/** The peers an agent's line came from: those that placed one of its ancestors (or it) here. */
export function originsOf(db: ReadableDB, ancestorIds: readonly number[]): string[] {
  if (ancestorIds.length === 0) return [];
  return db
    .prepare<unknown[], string>(
      `SELECT DISTINCT peer FROM swarm_transfer WHERE direction = 'in' AND state = 'born' AND agent_id IN (${ancestorIds.map(() => '?').join(', ')})`,
    )
    .pluck()
    .all(...ancestorIds);
}

export function queueLineage(db: WritableDB, agentId: number, peer: string, home: string): void {
  db.prepare('INSERT INTO swarm_lineage_out (agent_id, peer, home) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(agentId, peer, home);
}

export function unsentLineage(db: ReadableDB, peer: string): { agentId: number; home: string }[] {
  return db.prepare<[string], { agent_id: number; home: string }>('SELECT agent_id, home FROM swarm_lineage_out WHERE peer = ? AND sent_at IS NULL ORDER BY agent_id').all(peer).map((r) => ({ agentId: r.agent_id, home: r.home }));
}

export function markLineageSent(db: WritableDB, agentId: number, peer: string, at: number): void {
  db.prepare('UPDATE swarm_lineage_out SET sent_at = ? WHERE agent_id = ? AND peer = ?').run(at, agentId, peer);
}
