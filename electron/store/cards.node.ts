// An agent's character card as stored: the card's data as JSON text in V3's shape (the card
// formats themselves are cards/, which the store does not read).
import type { ReadableDB, WritableDB } from './sql.node';

export type StoredCardSpec = 'chara_card_v1' | 'chara_card_v2' | 'chara_card_v3';

export interface StoredCard {
  /** The agent that got the card (the asked agent itself, or the nearest ancestor with one). */
  agentId: number;
  spec: StoredCardSpec;
  /** The card's data, JSON text. */
  data: string;
  source: string;
  portrait: Uint8Array | null;
  addedAt: number;
}

interface CardRow {
  agent_id: number;
  spec: StoredCardSpec;
  data: string;
  source: string;
  portrait: Buffer | null;
  added_at: number;
}

const toCard = (row: CardRow): StoredCard => ({
  agentId: row.agent_id,
  spec: row.spec,
  data: row.data,
  source: row.source,
  portrait: row.portrait ? new Uint8Array(row.portrait) : null,
  addedAt: row.added_at,
});

/** Gives the agent this card (replacing the one it had). */
export function setAgentCard(db: WritableDB, card: StoredCard): void {
  db.prepare(
    `INSERT INTO agent_card (agent_id, spec, data, source, portrait, added_at) VALUES (@agentId, @spec, @data, @source, @portrait, @addedAt)
     ON CONFLICT (agent_id) DO UPDATE SET spec = excluded.spec, data = excluded.data, source = excluded.source, portrait = excluded.portrait, added_at = excluded.added_at`,
  ).run({ ...card, portrait: card.portrait ? Buffer.from(card.portrait) : null });
}

/** The card the agent speaks with: its own, else its nearest ancestor's (children keep their line's card). */
export function agentCard(db: ReadableDB, agentId: number): StoredCard | undefined {
  const row = db
    .prepare<unknown[], CardRow>(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT ?, 0 UNION ALL SELECT agent.parent_id, up.depth + 1 FROM agent JOIN up ON agent.id = up.id WHERE agent.parent_id IS NOT NULL)
       SELECT c.agent_id, c.spec, c.data, c.source, c.portrait, c.added_at FROM up JOIN agent_card c ON c.agent_id = up.id ORDER BY up.depth LIMIT 1`,
    )
    .get(agentId);
  return row ? toCard(row) : undefined;
}
