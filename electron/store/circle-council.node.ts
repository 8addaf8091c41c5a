// Councils across a circle (migration 0013): the answers peers' agents gave to a question asked
// here, and, at an agent's home, which peer asked which agent (for that peer's verdict). Rows only.
import type { ReadableDB, WritableDB } from './sql.node';

export interface CircleAnswer {
  id: number;
  questionId: number;
  askKey: string;
  peer: string;
  agentUid: string;
  agentName: string;
  fitness: number;
  state: 'asked' | 'answered' | 'failed';
  content: string | null;
  reason: string | null;
  verdict: number | null;
  createdAt: number;
  updatedAt: number;
}

interface AnswerRow {
  id: number;
  question_id: number;
  ask_key: string;
  peer: string;
  agent_uid: string;
  agent_name: string;
  fitness: number;
  state: CircleAnswer['state'];
  content: string | null;
  reason: string | null;
  verdict: number | null;
  created_at: number;
  updated_at: number;
}

const answer = (r: AnswerRow): CircleAnswer => ({
  id: r.id,
  questionId: r.question_id,
  askKey: r.ask_key,
  peer: r.peer,
  agentUid: r.agent_uid,
  agentName: r.agent_name,
  fitness: r.fitness,
  state: r.state,
  content: r.content,
  reason: r.reason,
  verdict: r.verdict,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function addCircleAnswer(db: WritableDB, row: Pick<CircleAnswer, 'questionId' | 'askKey' | 'peer' | 'agentUid' | 'agentName' | 'fitness' | 'createdAt'>): number {
  return Number(
    db
      .prepare(
        `INSERT INTO circle_answer (question_id, ask_key, peer, agent_uid, agent_name, fitness, state, created_at, updated_at)
         VALUES (@questionId, @askKey, @peer, @agentUid, @agentName, @fitness, 'asked', @createdAt, @createdAt)`,
      )
      .run(row).lastInsertRowid,
  );
}

export function circleAnswerByKey(db: ReadableDB, askKey: string): CircleAnswer | undefined {
  const row = db.prepare<[string], AnswerRow>('SELECT * FROM circle_answer WHERE ask_key = ?').get(askKey);
  return row && answer(row);
}

export function getCircleAnswer(db: ReadableDB, id: number): CircleAnswer | undefined {
  const row = db.prepare<[number], AnswerRow>('SELECT * FROM circle_answer WHERE id = ?').get(id);
  return row && answer(row);
}

export function circleAnswers(db: ReadableDB, questionId: number): CircleAnswer[] {
  return db.prepare<[number], AnswerRow>('SELECT * FROM circle_answer WHERE question_id = ? ORDER BY id').all(questionId).map(answer);
}

/** Settles an asked answer once: answered with its text, or failed with the reason. False if it was settled already. */
export function settleCircleAnswer(db: WritableDB, askKey: string, outcome: { content: string } | { reason: string }, at: number): boolean {
  const content = 'content' in outcome ? outcome.content : null;
  const reason = 'reason' in outcome ? outcome.reason : null;
  return (
    db
      .prepare("UPDATE circle_answer SET state = ?, content = ?, reason = ?, updated_at = ? WHERE ask_key = ? AND state = 'asked'")
      .run(content !== null ? 'answered' : 'failed', content, reason, at, askKey).changes === 1
  );
}

export function setCircleVerdict(db: WritableDB, id: number, value: number): void {
  db.prepare('UPDATE circle_answer SET verdict = ? WHERE id = ? AND verdict IS NULL').run(value, id);
}

export interface CircleAsked {
  askKey: string;
  peer: string;
  agentId: number;
  messageId: number | null;
  verdict: number | null;
  createdAt: number;
}

export function addCircleAsked(db: WritableDB, row: Pick<CircleAsked, 'askKey' | 'peer' | 'agentId' | 'createdAt'>): void {
  db.prepare('INSERT INTO circle_asked (ask_key, peer, agent_id, created_at) VALUES (@askKey, @peer, @agentId, @createdAt)').run(row);
}

export function getCircleAsked(db: ReadableDB, askKey: string): CircleAsked | undefined {
  const row = db
    .prepare<[string], { ask_key: string; peer: string; agent_id: number; message_id: number | null; verdict: number | null; created_at: number }>('SELECT * FROM circle_asked WHERE ask_key = ?')
    .get(askKey);
  return row && { askKey: row.ask_key, peer: row.peer, agentId: row.agent_id, messageId: row.message_id, verdict: row.verdict, createdAt: row.created_at };
}

export function setCircleAskedAnswer(db: WritableDB, askKey: string, messageId: number): void {
  db.prepare('UPDATE circle_asked SET message_id = ? WHERE ask_key = ?').run(messageId, askKey);
}

/** Records a verdict once; false when one was recorded before. */
export function setCircleAskedVerdict(db: WritableDB, askKey: string, value: number): boolean {
  return db.prepare('UPDATE circle_asked SET verdict = ? WHERE ask_key = ? AND verdict IS NULL').run(value, askKey).changes === 1;
}

/** The conversation holding a peer's questions here, if it asked before. */
export function conversationOfAsker(db: ReadableDB, peer: string): number | undefined {
  return db
    .prepare<[string], number>('SELECT m.conversation_id FROM circle_asked a JOIN message m ON m.id = a.message_id WHERE a.peer = ? ORDER BY a.created_at DESC LIMIT 1')
    .pluck()
    .get(peer);
}
