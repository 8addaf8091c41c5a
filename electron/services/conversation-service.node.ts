// Conversations out: one branch (the thread to a message) or the whole tree (every regeneration
// and council answer), as Markdown to read or as JSON to keep, with who said what and when.
import { ApiError } from '../api/api-error.std';
import { conversationMessages, getConversation, getMessage, listConversations, thread, type Conversation, type Message } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { getAgent } from '../store/lineage.node';

export type ConversationScope = 'branch' | 'tree';
export type ConversationFormat = 'markdown' | 'json';

export const CONVERSATION_FORMAT = 'lightseed.conversation';

export interface ConversationExport {
  text: string;
  fileName: string;
}

/** A UTC time as "2026-12-07 14:58 UTC" (an export is read on other machines). */
function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Text as a Markdown block quote line by line, so a message's own Markdown stays inside its turn. */
function indented(text: string, prefix: string): string {
  return (text.trim() ? text : '(no text)')
    .split('\n')
    .map((line) => `${prefix}${line}`.trimEnd())
    .join('\n');
}

export class ConversationService {
  constructor(private readonly database: Database) {}

  get #db() {
    return this.database.connection;
  }

  list(limit?: number): Conversation[] {
    return listConversations(this.#db, limit);
  }

  /**
   * The conversation as Markdown or JSON: the branch ending at `leafId` (default: the newest
   * message's), or the whole tree.
   */
  export(options: { conversationId: number; leafId?: number; scope: ConversationScope; format: ConversationFormat; exportedAt?: number }): ConversationExport {
    const conversation = getConversation(this.#db, options.conversationId);
    if (!conversation) throw new ApiError('not_found', `There is no conversation ${options.conversationId}: \`lightseed conversations\` lists them.`);
    const all = conversationMessages(this.#db, conversation.id);
    let messages = all;
    if (options.scope === 'branch') {
      const leaf = options.leafId ?? all.at(-1)?.id;
      if (leaf !== undefined) {
        const message = getMessage(this.#db, leaf);
        if (!message || message.conversationId !== conversation.id) throw new ApiError('not_found', `Message ${leaf} is not in conversation ${conversation.id}.`);
        messages = thread(this.#db, leaf);
      }
    }
    const names = new Map<number, string>();
    const speaker = (m: Message) => {
      if (m.role === 'user') return 'You';
      if (m.agentId === null) return m.role;
      if (!names.has(m.agentId)) names.set(m.agentId, getAgent(this.#db, m.agentId)?.name ?? `agent #${m.agentId}`);
      return names.get(m.agentId)!;
    };
    const exportedAt = options.exportedAt ?? Date.now();
    const base = `conversation-${conversation.id}${options.scope === 'tree' ? '-tree' : ''}`;
    if (options.format === 'json') {
      const body = {
        format: CONVERSATION_FORMAT,
        version: 1,
        exportedAt,
        scope: options.scope,
        conversation: { id: conversation.id, title: conversation.title, createdAt: conversation.createdAt, updatedAt: conversation.updatedAt },
        messages: messages.map((m) => ({ ...m, speaker: speaker(m) })),
      };
      return { text: `${JSON.stringify(body, null, 2)}\n`, fileName: `${base}.json` };
    }
    const lines = [`# ${conversation.title.replace(/\n/g, ' ')}`, '', `_Exported from LightSeed on ${when(exportedAt)}: ${options.scope === 'tree' ? `the whole tree, ${messages.length} messages` : `one branch, ${messages.length} of ${all.length} messages`}._`, ''];
    if (options.scope === 'branch') {
      for (const m of messages) lines.push(`**${speaker(m)}** · ${when(m.createdAt)}${m.kind === 'regeneration' ? ' · regenerated' : ''}`, '', indented(m.content, '> '), '');
    } else {
      // The tree depth first, each reply one level deeper; siblings are the swipes of a turn.
      const children = new Map<number | null, Message[]>();
      for (const m of messages) children.set(m.parentId, [...(children.get(m.parentId) ?? []), m]);
      const walk = (parentId: number | null, depth: number) => {
        const replies = children.get(parentId) ?? [];
        replies.forEach((m, i) => {
          const pad = '  '.repeat(depth);
          const of = replies.length > 1 ? ` (${i + 1} of ${replies.length}${m.kind === 'council' ? ', council' : m.kind === 'regeneration' ? ', regenerated' : ''})` : '';
          lines.push(`${pad}- **${speaker(m)}**${of} · ${when(m.createdAt)}`, '', indented(m.content, `${pad}  > `), '');
          walk(m.id, depth + 1);
        });
      };
      walk(null, 0);
    }
    return { text: `${lines.join('\n').trimEnd()}\n`, fileName: `${base}.md` };
  }
}
