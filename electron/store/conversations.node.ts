// Conversations as trees of messages: a regeneration or a council answer is a
// sibling of the message it replaces; a thread is the path from a leaf to the root.
import type { ReadableDB, WritableDB } from './sql.node';

export type MessageRole = 'system' | 'user' | 'assistant';
export type MessageKind = 'chat' | 'regeneration' | 'council';

export interface Message {
  id: number;
  conversationId: number;
  parentId: number | null;
  role: MessageRole;
  agentId: number | null;
  content: string;
  model: string | null;
  tokenCount: number | null;
  tokensPerSecond: number | null;
  kind: MessageKind;
  createdAt: number;
}

interface MessageRow {
  id: number;
  conversation_id: number;
  parent_id: number | null;
  role: MessageRole;
  agent_id: number | null;
  content: string;
  model: string | null;
  token_count: number | null;
  tokens_per_second: number | null;
  kind: MessageKind;
  created_at: number;
}

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    parentId: row.parent_id,
    role: row.role,
    agentId: row.agent_id,
    content: row.content,
    model: row.model,
    tokenCount: row.token_count,
    tokensPerSecond: row.tokens_per_second,
    kind: row.kind,
    createdAt: row.created_at,
  };
}

export function createConversation(db: WritableDB, title: string, at: number): number {
  return Number(db.prepare('INSERT INTO conversation (title, created_at, updated_at) VALUES (?, ?, ?)').run(title, at, at).lastInsertRowid);
}

export type NewMessage = Omit<Message, 'id' | 'model' | 'tokenCount' | 'tokensPerSecond' | 'kind' | 'agentId'> &
  Partial<Pick<Message, 'model' | 'tokenCount' | 'tokensPerSecond' | 'kind' | 'agentId'>>;

export function addMessage(db: WritableDB, message: NewMessage): Message {
  return db.transaction(() => {
    if (message.parentId !== null) {
      const parent = db.prepare<unknown[], { conversation_id: number }>('SELECT conversation_id FROM message WHERE id = ?').get(message.parentId);
      if (!parent || parent.conversation_id !== message.conversationId) throw new Error(`Message ${message.parentId} is not in conversation ${message.conversationId}.`);
    }
    const id = Number(
      db
        .prepare(
          `INSERT INTO message (conversation_id, parent_id, role, agent_id, content, model, token_count, tokens_per_second, kind, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          message.conversationId,
          message.parentId,
          message.role,
          message.agentId ?? null,
          message.content,
          message.model ?? null,
          message.tokenCount ?? null,
          message.tokensPerSecond ?? null,
          message.kind ?? 'chat',
          message.createdAt,
        ).lastInsertRowid,
    );
    db.prepare('UPDATE conversation SET updated_at = ? WHERE id = ?').run(message.createdAt, message.conversationId);
    return getMessage(db, id)!;
  })();
}

export function getMessage(db: ReadableDB, id: number): Message | undefined {
  const row = db.prepare<unknown[], MessageRow>('SELECT * FROM message WHERE id = ?').get(id);
  return row ? toMessage(row) : undefined;
}

/** The thread that ends at `leafId`, root first. */
export function thread(db: ReadableDB, leafId: number): Message[] {
  const rows = db
    .prepare<unknown[], MessageRow>(`WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL SELECT message.parent_id, up.depth + 1 FROM message JOIN up ON message.id = up.id WHERE message.parent_id IS NOT NULL)
       SELECT message.* FROM up JOIN message ON message.id = up.id ORDER BY up.depth DESC`)
    .all(leafId);
  return rows.map(toMessage);
}

/** Replies to a message (or the conversation's first messages for null), oldest first: the swipes of a branch. */
export function replies(db: ReadableDB, conversationId: number, parentId: number | null): Message[] {
  const rows = db
    .prepare<unknown[], MessageRow>('SELECT * FROM message WHERE conversation_id = ? AND parent_id IS ? ORDER BY id')
    .all(conversationId, parentId);
  return rows.map(toMessage);
}

export interface Conversation {
  id: number;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: number;
}

export function getConversation(db: ReadableDB, id: number): Conversation | undefined {
  return db
    .prepare<unknown[], Conversation>(
      'SELECT id, title, created_at AS createdAt, updated_at AS updatedAt, (SELECT count(*) FROM message WHERE conversation_id = conversation.id) AS messages FROM conversation WHERE id = ?',
    )
    .get(id);
}

/** The newest conversations first. */
export function listConversations(db: ReadableDB, limit = 100): Conversation[] {
  return db
    .prepare<unknown[], Conversation>(
      'SELECT id, title, created_at AS createdAt, updated_at AS updatedAt, (SELECT count(*) FROM message WHERE conversation_id = conversation.id) AS messages FROM conversation ORDER BY updated_at DESC, id DESC LIMIT ?',
    )
    .all(limit);
}

/** Every message of a conversation, oldest first (parents before their replies). */
export function conversationMessages(db: ReadableDB, conversationId: number): Message[] {
  return db.prepare<unknown[], MessageRow>('SELECT * FROM message WHERE conversation_id = ? ORDER BY id').all(conversationId).map(toMessage);
}
