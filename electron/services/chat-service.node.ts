// A chat turn: the agent recalls memories, its persona and the thread become the prompt,
// the engine generates with the agent's adapter, a noise adapter and its sampler (noise
// and seeds from the entropy pool), and the answer becomes a message, a memory and an
// interaction, after which the agent may divide. Feedback on an answer rates the agent
// and the memory.
import { ApiError } from '../api/api-error.std';
import { adapterShapeOf, type AdapterShape } from '../agents/adapter-shape.node';
import { materialiseAdapter, NOISE_ADAPTERS, noiseAdapterPath, voiceTokenBias } from '../agents/adapter.node';
import { clip } from '../agents/clip.std';
import { embed, normalize } from '../agents/embedding.std';
import { updateMemoryVector } from '../agents/memory-vector.node';
import { MEMORIES_KEPT, persona, samplerSettings, samplingProfile } from '../agents/profile.std';
import { rankRecall, recallDepth } from '../agents/retrieval.std';
import { RANK_TRAIT } from '../agents/trait-names.std';
import type { AdapterRef, ChatTurn, GenerationStats } from '../inference/engine-protocol.std';
import { rateMemoryOf, setMemoryVector, touchAgent } from '../store/agent-state.node';
import { addMessage, createConversation, getMessage, replies, thread, type Message, type MessageKind } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { addFeedback, countInteraction } from '../store/feedback.node';
import { seedChainOf, type Agent } from '../store/lineage.node';
import { addMemory, evictMemories, markMemoriesUsed, nearestMemories, type MemoryHit } from '../store/memories.node';
import type { AgentLife, PoolDraw } from './agent-life.node';
import type { CardService } from './card-service.node';
import type { ActivatedEntry } from '../cards/world-info.std';
import type { InferenceService } from './inference-service.node';

/** How much the memory vector colours recall. */
const MEMORY_VECTOR_PULL = 0.25;

export interface TurnResult {
  userMessage: Message;
  message: Message;
  stats: GenerationStats;
  recalled: Recalled[];
  /** World info entries of the agent's card that this turn's conversation activated. */
  worldInfo: ActivatedEntry[];
  /** The noise adapter this turn drew from the pool, and its signed scale. */
  noise: { adapter: number; scale: number };
  /** The child, when this turn made the agent divide. */
  divided?: Agent;
}

export interface Turn {
  /** The generation's id: `stop(id)` ends it early (the partial answer is kept). */
  id: number;
  agentId: number;
  userMessage: Message;
  done: Promise<TurnResult>;
}

export interface SayInput {
  agentId: number;
  text: string;
  /** Continue this conversation (default: a new one). */
  conversationId?: number;
  /** Answer below this message (default: the conversation's root). */
  parentId?: number | null;
  /** A new conversation opens with this of the card's greetings (default 0, its first message). */
  greeting?: number;
}

export interface ChatServiceOptions {
  /** Where adapters are cached (one folder per model shape). */
  adapterCacheDir: string;
  draw: PoolDraw;
  now: () => number;
}

/** A memory recalled for a turn: the agent's own, or one a peer of the circle shared (`from` names it). */
export type Recalled = MemoryHit & { from?: string };

/** Where the circle's shared memories come from (services/shared-memory.node.ts), once the app has a circle. */
export interface CircleRecall {
  recall(embedding: Float32Array, k: number): { id: number; query: string; response: string; fitness: number; createdAt: number; lastUsedAt: number; uses: number; distance: number; agentName: string; peerName: string }[];
  markUsed(ids: readonly number[]): void;
}

export class ChatService {
  readonly #shapes = new Map<string, Promise<AdapterShape>>();
  /** Recall also looks here when set. */
  circle: CircleRecall | undefined;

  constructor(
    private readonly database: Database,
    private readonly inference: InferenceService,
    private readonly life: AgentLife,
    private readonly cards: CardService,
    private readonly options: ChatServiceOptions,
  ) {}

  get #db() {
    return this.database.connection;
  }

  #shape(modelPath: string): Promise<AdapterShape> {
    let shape = this.#shapes.get(modelPath);
    if (!shape) {
      shape = adapterShapeOf(modelPath);
      shape.catch(() => this.#shapes.delete(modelPath));
      this.#shapes.set(modelPath, shape);
    }
    return shape;
  }

  /** The agent's adapter file for the default model (materialised from its seed chain if not cached). */
  async adapterFor(agent: Agent, modelPath: string): Promise<string> {
    const shape = await this.#shape(modelPath);
    const chain = seedChainOf(this.#db, agent.id);
    const { path } = await materialiseAdapter({ chain, traits: agent.traits, rank: agent.traits[RANK_TRAIT] ?? 4, shape, cacheDir: this.options.adapterCacheDir });
    return path;
  }

  /** The agent's memories for a question: nearest neighbours of its embedding (pulled toward the memory vector), reweighted by perception. */
  recall(agent: Agent, text: string): Recalled[] {
    const memory = this.life.memoryVector(agent);
    const query = embed(text);
    for (let i = 0; i < query.length; i++) query[i] = query[i]! + MEMORY_VECTOR_PULL * memory[i]!;
    const { keep, fetch } = recallDepth(agent.traits);
    const pulled = normalize(query);
    // The circle's memories compete with the agent's own on the same score; their ids are negated to keep the two apart.
    const shared: Recalled[] = (this.circle?.recall(pulled, fetch) ?? []).map((m) => ({ ...m, id: -m.id, agentId: 0, from: `${m.agentName} on ${m.peerName}` }));
    return rankRecall<Recalled>([...nearestMemories(this.#db, agent.id, pulled, fetch), ...shared], agent.traits, this.options.now(), keep);
  }

  /** The system prompt for a turn, and the world info entries the conversation (`messages`, oldest first) put in it. */
  systemPrompt(agent: Agent, recalled: readonly Recalled[], messages: readonly string[] = []): { prompt: string; worldInfo: ActivatedEntry[] } {
    const memories = recalled.map((m) => `- Asked "${clip(m.query, 160)}", ${m.from ?? 'you'} said "${clip(m.response, 200)}"`);
    // A card's persona, greeting, examples and world info speak for the intent trait; the other traits act as always.
    const card = this.cards.systemPrompt(agent, messages);
    const who = card?.prompt ?? persona(agent.traits, agent.name, agent.generation);
    return { prompt: who + (memories.length ? `\nYou remember:\n${memories.join('\n')}` : ''), worldInfo: card?.worldInfo ?? [] };
  }

  /**
   * A user message in a conversation. A new conversation with an agent whose card has a greeting
   * opens with that greeting, as card apps do, and the message answers it.
   */
  addUserMessage(text: string, conversationId: number | undefined, parentId: number | null | undefined, agent?: Agent, greetingIndex = 0): Message {
    const now = this.options.now();
    if (conversationId !== undefined) return addMessage(this.#db, { conversationId, parentId: parentId ?? null, role: 'user', content: text, createdAt: now });
    return this.#db.transaction(() => {
      const conversation = createConversation(this.#db, clip(text, 60), now);
      const greeting = agent ? this.cards.greeting(agent, greetingIndex) : '';
      const opening = greeting ? addMessage(this.#db, { conversationId: conversation, parentId: null, role: 'assistant', agentId: agent!.id, content: greeting, createdAt: now }) : undefined;
      return addMessage(this.#db, { conversationId: conversation, parentId: opening?.id ?? null, role: 'user', content: text, createdAt: now });
    })();
  }

  /** A user message and the agent's answer to it, streamed. */
  async say(input: SayInput, onToken: (text: string) => void = () => {}): Promise<Turn> {
    const agent = this.life.agent(input.agentId);
    mustAnswer(agent);
    const text = input.text.trim();
    if (!text) throw new ApiError('invalid_params', 'Say something: the message is empty.');
    return this.answer(agent, this.addUserMessage(text, input.conversationId, input.parentId, agent, input.greeting), 'chat', onToken);
  }

  /** Another answer to the same user message: a sibling branch (a swipe). */
  async regenerate(messageId: number, onToken: (text: string) => void = () => {}, agentId?: number): Promise<Turn> {
    const message = getMessage(this.#db, messageId);
    if (!message || message.role !== 'assistant' || message.parentId === null) throw new ApiError('not_found', `Message ${messageId} is not an answer that can be regenerated.`);
    const agent = this.life.agent(agentId ?? message.agentId!);
    mustAnswer(agent);
    return this.answer(agent, getMessage(this.#db, message.parentId)!, 'regeneration', onToken);
  }

  /** The agent's answer to a user message, streamed; `done` settles once it is kept. */
  async answer(agent: Agent, userMessage: Message, kind: MessageKind, onToken: (text: string) => void): Promise<Turn> {
    const { model } = await this.inference.use();
    const shape = await this.#shape(model.path);
    const recalled = this.recall(agent, userMessage.content);
    markMemoriesUsed(this.#db, recalled.filter((m) => m.id > 0).map((m) => m.id), this.options.now());
    this.circle?.markUsed(recalled.filter((m) => m.id < 0).map((m) => -m.id));
    const history: ChatTurn[] = thread(this.#db, userMessage.id)
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role, content: m.content }));
    const profile = samplingProfile(agent.traits);
    // Physical noise in the forward pass: one of the fixed noise adapters at a signed scale, both drawn from the pool.
    const noiseBytes = await this.options.draw(32);
    const noise = { adapter: noiseBytes[0]! % NOISE_ADAPTERS, scale: profile.noiseScale * (2 * (((noiseBytes[1]! << 8) | noiseBytes[2]!) / 65535) - 1) };
    const adapters: AdapterRef[] = [
      { path: await this.adapterFor(agent, model.path), scale: profile.adapterScale },
      { path: await noiseAdapterPath(noise.adapter, shape, this.options.adapterCacheDir), scale: noise.scale },
    ];
    const genesisSeed = seedChainOf(this.#db, agent.rootId).subarray(0, 32);
    const system = this.systemPrompt(agent, recalled, history.map((m) => m.content));
    const { id, generation } = await this.inference.run(
      {
        messages: [{ role: 'system', content: system.prompt }, ...history],
        maxTokens: profile.maxTokens,
        sampler: { ...samplerSettings(profile), tokenBias: voiceTokenBias(genesisSeed, shape, agent.traits) },
        adapters,
      },
      onToken,
    );
    const done = generation.done.then(({ text, stats }) => this.#afterAnswer(agent.id, userMessage, kind, text, stats, model.name, recalled, system.worldInfo, noise));
    return { id, agentId: agent.id, userMessage, done };
  }

  async #afterAnswer(
    agentId: number,
    userMessage: Message,
    kind: MessageKind,
    text: string,
    stats: GenerationStats,
    modelName: string,
    recalled: Recalled[],
    worldInfo: ActivatedEntry[],
    noise: TurnResult['noise'],
  ): Promise<TurnResult> {
    const now = this.options.now();
    const agent = this.life.agent(agentId);
    const message = this.#db.transaction(() => {
      const message = addMessage(this.#db, {
        conversationId: userMessage.conversationId,
        parentId: userMessage.id,
        role: 'assistant',
        agentId,
        content: text,
        model: modelName,
        tokenCount: stats.tokens,
        tokensPerSecond: stats.tokensPerSecond,
        kind,
        createdAt: now,
      });
      countInteraction(this.#db, agentId);
      touchAgent(this.#db, agentId, now);
      const embedding = embed(`${userMessage.content}\n${text}`);
      setMemoryVector(this.#db, agentId, updateMemoryVector(this.life.memoryVector(agent), embedding, agent.traits));
      if (text.trim()) {
        addMemory(this.#db, { agentId, query: userMessage.content, response: text, embedding, createdAt: now, messageId: message.id });
        evictMemories(this.#db, agentId, MEMORIES_KEPT);
      }
      return message;
    })();
    const divided = await this.life.divideIfDue(agentId);
    return { userMessage, message, stats, recalled, worldInfo, noise, ...(divided ? { divided } : {}) };
  }

  stop(turnId: number): boolean {
    return this.inference.stop(turnId);
  }

  /** Thumbs up or down on an answer: the agent's fitness and the answer's memory. */
  async feedback(messageId: number, kind: 'up' | 'down'): Promise<{ agent: Agent; fitness: number; divided?: Agent; archived: boolean }> {
    const message = getMessage(this.#db, messageId);
    if (!message || message.role !== 'assistant' || message.agentId === null) throw new ApiError('not_found', `Message ${messageId} is not an agent's answer.`);
    // A conversation's first message from an agent is its card's greeting: the card's words, not an answer to rate.
    if (message.parentId === null) throw new ApiError('failed_precondition', `Message ${messageId} is a character card's greeting, not an answer: rate the answers.`);
    const fitness = this.#db.transaction(() => {
      const value = kind === 'up' ? 1 : -1;
      rateMemoryOf(this.#db, messageId, value);
      return addFeedback(this.#db, { agentId: message.agentId!, messageId, kind, createdAt: this.options.now() });
    })();
    const archived = this.life.archiveIfDue(message.agentId);
    const divided = archived ? undefined : await this.life.divideIfDue(message.agentId);
    return { agent: this.life.agent(message.agentId), fitness, archived, ...(divided ? { divided } : {}) };
  }

  /** The messages from the conversation's root to `leafId`, and each one's siblings (the branches to swipe through). */
  thread(leafId: number): { messages: Message[]; siblings: Record<string, number[]> } {
    if (!getMessage(this.#db, leafId)) throw new ApiError('not_found', `There is no message ${leafId}.`);
    const messages = thread(this.#db, leafId);
    const siblings = Object.fromEntries(messages.map((m) => [String(m.id), replies(this.#db, m.conversationId, m.parentId).map((r) => r.id)]));
    return { messages, siblings };
  }
}

/** An archived agent stays in the tree but does not answer. */
function mustAnswer(agent: Agent): void {
  if (agent.state === 'archived') throw new ApiError('failed_precondition', `${agent.name} is archived: it stays in the family tree but no longer answers.`);
}
