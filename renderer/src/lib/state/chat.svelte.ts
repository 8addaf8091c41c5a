import type { ChatMessage, EventPayload } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import { saveFile } from '../save-file.dom';

type Done = EventPayload<'chat.done'>;
type Recalled = Extract<Done, { ok: true }>['recalled'];
type WorldInfo = Extract<Done, { ok: true }>['worldInfo'];

export interface Streaming {
  turnId: number;
  agentId: number;
  text: string;
}

/** One conversation with an agent (or a council): the thread, answers streaming in, swipes, feedback, division notices. */
export class ChatState {
  #agentId = $state<number | undefined>(undefined);
  #conversationId = $state<number | undefined>(undefined);
  #messages = $state.raw<ChatMessage[]>([]);
  #siblings = $state.raw<Record<string, number[]>>({});
  #streaming = $state.raw<Streaming[]>([]);
  #pendingUser = $state<string | undefined>(undefined);
  /** The agent's card greetings, one shown before a new conversation's first message (the service keeps it with that message). */
  #greetings = $state.raw<string[]>([]);
  #greetingIndex = $state(0);
  #council = $state.raw<ChatMessage[]>([]);
  #councilSize = $state(0);
  #recalled = $state.raw<Record<number, Recalled>>({});
  #worldInfo = $state.raw<Record<number, WorldInfo>>({});
  #rated = $state.raw<Record<number, 'up' | 'down'>>({});
  #stopped = $state.raw<Record<number, true>>({});
  #notices = $state.raw<string[]>([]);
  #error = $state<string | undefined>(undefined);
  /** Turns this view started, so events of other windows' turns are not mistaken for ours. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only, never rendered
  readonly #mine = new Set<number>();
  /** Called with each answer of this view's turns once it is kept (reading aloud listens). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- listeners, never rendered
  readonly #answered = new Set<(message: ChatMessage) => void>();

  constructor(private readonly api: ApiClient) {}

  get agentId(): number | undefined {
    return this.#agentId;
  }
  get messages(): ChatMessage[] {
    return this.#messages;
  }
  /** The greeting to show while the conversation is new ('' when the agent's card has none). */
  get greeting(): string {
    return this.#conversationId === undefined && this.#council.length === 0 ? (this.#greetings[this.#greetingIndex] ?? '') : '';
  }
  /** Which of the card's greetings is shown, and how many there are (the first message and the alternate greetings). */
  get greetingChoice(): { index: number; count: number } {
    return { index: this.#greetingIndex, count: this.#greetings.length };
  }
  /** Shows the previous or next greeting (before the first message only). */
  swipeGreeting(delta: number): void {
    const next = this.#greetingIndex + delta;
    if (next >= 0 && next < this.#greetings.length) this.#greetingIndex = next;
  }
  get streaming(): Streaming[] {
    return this.#streaming;
  }
  get pendingUser(): string | undefined {
    return this.#pendingUser;
  }
  /** Every council member has answered: the user may pick. */
  get councilComplete(): boolean {
    return this.#councilSize > 0 && this.#council.length === this.#councilSize;
  }
  /** The conversation shown, once it has a first message. */
  get conversationId(): number | undefined {
    return this.#conversationId;
  }
  get busy(): boolean {
    if (this.#councilSize > 0) return !this.councilComplete;
    return this.#streaming.length > 0 || this.#pendingUser !== undefined;
  }
  /** Council answers side by side, waiting for a pick. */
  get council(): ChatMessage[] {
    return this.#council;
  }
  get notices(): string[] {
    return this.#notices;
  }
  get error(): string | undefined {
    return this.#error;
  }
  recalled(messageId: number): Recalled | undefined {
    return this.#recalled[messageId];
  }
  /** The card's world info entries this answer's conversation put into the prompt. */
  worldInfo(messageId: number): WorldInfo {
    return this.#worldInfo[messageId] ?? [];
  }
  /** The answer was stopped before its end. */
  stopped(messageId: number): boolean {
    return this.#stopped[messageId] === true;
  }
  rated(messageId: number): 'up' | 'down' | undefined {
    return this.#rated[messageId];
  }
  /** The sibling answers of a message (its swipes) and its place among them. */
  swipes(messageId: number): { index: number; count: number } {
    const list = this.#siblings[String(messageId)] ?? [messageId];
    return { index: list.indexOf(messageId), count: list.length };
  }

  start(): () => void {
    const stops = [
      this.api.on('chat.token', (event) => {
        if (!this.#mine.has(event.turnId) && !(this.#councilSize > 0 && this.#council.length < this.#councilSize)) return;
        const existing = this.#streaming.find((s) => s.turnId === event.turnId);
        this.#streaming = existing
          ? this.#streaming.map((s) => (s.turnId === event.turnId ? { ...s, text: s.text + event.text } : s))
          : [...this.#streaming, { turnId: event.turnId, agentId: event.agentId, text: event.text }];
      }),
      this.api.on('chat.done', (event) => void this.#done(event)),
      this.api.on('agent.divided', (event) => (this.#notices = [...this.#notices, `${event.parentName} divided: meet ${event.childName}`])),
    ];
    return () => stops.forEach((stop) => stop());
  }

  async #done(event: Done): Promise<void> {
    const councilOpen = this.#councilSize > 0 && this.#council.length < this.#councilSize;
    if (!this.#mine.has(event.turnId) && !councilOpen) return;
    this.#mine.delete(event.turnId);
    this.#streaming = this.#streaming.filter((s) => s.turnId !== event.turnId);
    if (!event.ok) {
      this.#error = event.message;
      if (councilOpen) this.#councilSize--;
      return;
    }
    this.#recalled = { ...this.#recalled, [event.message.id]: event.recalled };
    if (event.worldInfo.length) this.#worldInfo = { ...this.#worldInfo, [event.message.id]: event.worldInfo };
    if (event.stats.stopReason === 'aborted') this.#stopped = { ...this.#stopped, [event.message.id]: true };
    if (event.message.kind === 'council') {
      this.#council = [...this.#council, event.message];
      return;
    }
    await this.#load(event.message.id);
    for (const listener of this.#answered) listener(event.message);
  }

  /** Calls `listener` with every answer this view asked for (not council answers); returns the unsubscribe. */
  onAnswer(listener: (message: ChatMessage) => void): () => void {
    this.#answered.add(listener);
    return () => this.#answered.delete(listener);
  }

  async #load(leafId: number): Promise<void> {
    const { messages, siblings } = await this.api.call('chat.thread', { leafId });
    this.#messages = messages;
    this.#siblings = siblings;
    this.#conversationId = messages[0]?.conversationId;
    this.#pendingUser = undefined;
  }

  /** Saves the conversation shown: the branch on screen, or the whole tree, as Markdown or JSON. */
  async exportConversation(scope: 'branch' | 'tree', format: 'markdown' | 'json'): Promise<void> {
    const conversationId = this.#conversationId;
    if (conversationId === undefined) return;
    const leafId = this.#messages.at(-1)?.id;
    try {
      const { text, fileName } = await this.api.call('chat.export', { conversationId, scope, format, ...(scope === 'branch' && leafId !== undefined ? { leafId } : {}) });
      saveFile(text, fileName, format === 'json' ? 'application/json' : 'text/markdown');
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  /** Talk with another agent: a new conversation. */
  choose(agentId: number | undefined): void {
    if (agentId === this.#agentId) return;
    this.#agentId = agentId;
    this.#greetings = [];
    this.newConversation();
    if (agentId !== undefined) {
      void this.api.call('cards.get', { agentId }).then(
        ({ card }) => {
          if (this.#agentId === agentId) this.#greetings = card?.greetings ?? [];
        },
        () => {},
      );
    }
  }

  newConversation(): void {
    this.#conversationId = undefined;
    this.#greetingIndex = 0;
    this.#messages = [];
    this.#siblings = {};
    this.#council = [];
    this.#councilSize = 0;
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    this.#error = undefined;
    try {
      await work();
    } catch (error) {
      this.#error = (error as Error).message;
      this.#pendingUser = undefined;
    }
  }

  send(text: string): Promise<void> {
    return this.#guard(async () => {
      if (this.#agentId === undefined) throw new Error('Choose an agent to talk with.');
      this.#pendingUser = text;
      const leaf = this.#messages.at(-1)?.id;
      const { turnId } = await this.api.call('chat.say', {
        agentId: this.#agentId,
        text,
        ...(this.#conversationId !== undefined ? { conversationId: this.#conversationId } : {}),
        ...(leaf !== undefined ? { parentId: leaf } : {}),
        ...(this.#conversationId === undefined && this.#greetingIndex > 0 ? { greeting: this.#greetingIndex } : {}),
      });
      this.#mine.add(turnId);
      if (!this.#streaming.some((s) => s.turnId === turnId)) this.#streaming = [...this.#streaming, { turnId, agentId: this.#agentId, text: '' }];
    });
  }

  stop(): Promise<void> {
    return this.#guard(async () => {
      for (const s of this.#streaming) await this.api.call('chat.stop', { turnId: s.turnId });
    });
  }

  regenerate(messageId: number): Promise<void> {
    return this.#guard(async () => {
      const message = this.#messages.find((m) => m.id === messageId);
      this.#messages = this.#messages.slice(0, this.#messages.findIndex((m) => m.id === messageId));
      const { turnId } = await this.api.call('chat.regenerate', { messageId });
      this.#mine.add(turnId);
      this.#streaming = [...this.#streaming, { turnId, agentId: message?.agentId ?? 0, text: '' }];
    });
  }

  swipe(messageId: number, step: -1 | 1): Promise<void> {
    return this.#guard(async () => {
      const list = this.#siblings[String(messageId)] ?? [];
      const next = list[list.indexOf(messageId) + step];
      if (next !== undefined) await this.#load(next);
    });
  }

  feedback(messageId: number, kind: 'up' | 'down'): Promise<void> {
    return this.#guard(async () => {
      await this.api.call('chat.feedback', { messageId, kind });
      this.#rated = { ...this.#rated, [messageId]: kind };
    });
  }

  askCouncil(text: string, k: number): Promise<void> {
    return this.#guard(async () => {
      this.#pendingUser = text;
      this.#council = [];
      this.#councilSize = k;
      const leaf = this.#messages.at(-1)?.id;
      const started = await this.api.call('chat.council', {
        text,
        k,
        ...(this.#conversationId !== undefined ? { conversationId: this.#conversationId } : {}),
        ...(leaf !== undefined ? { parentId: leaf } : {}),
        ...(this.#conversationId === undefined && this.#greetingIndex > 0 ? { greeting: this.#greetingIndex } : {}),
      });
      this.#councilSize = started.agentIds.length;
    });
  }

  pick(messageId: number): Promise<void> {
    return this.#guard(async () => {
      await this.api.call('chat.pick', { messageId });
      this.#council = [];
      this.#councilSize = 0;
      await this.#load(messageId);
    });
  }

  dismissNotice(index: number): void {
    this.#notices = this.#notices.filter((_, i) => i !== index);
  }
}
