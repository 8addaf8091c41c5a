// Agents' lives as a main-process service: birth from a Genesis record, chat turns
// (recall, prompt, generation with the agent's adapter, the pool's noise and its
// sampler, memory), feedback, division and archival, and the council. The one place
// that connects the agents' pure core, the store, the entropy pool and the engine.
import { createHash } from 'node:crypto';
import type { EventHub } from '../api/event-hub.std';
import { ApiError } from '../api/api-error.std';
import type { AgentDetail, AgentSummary } from '../api/contract.std';
import { adapterShapeOf, type AdapterShape } from '../agents/adapter-shape.node';
import { adapterDrift, materialiseAdapter, NOISE_ADAPTERS, noiseAdapterPath, voiceTokenBias } from '../agents/adapter.node';
import { embed, normalize } from '../agents/embedding.std';
import { initialMemoryVector, mutateMemoryVector, updateMemoryVector } from '../agents/memory-vector.node';
import { AGENT_NAME_MAX, MEMORIES_INHERITED, MEMORIES_KEPT, archiveReason, childName, freeName, interactionsToDivide, nameFromDraws, persona, samplerSettings, samplingProfile, type LifeRules } from '../agents/profile.std';
import { rankRecall, recallDepth } from '../agents/retrieval.std';
import { SeedStream } from '../agents/seed-stream.node';
import { RANK_TRAIT } from '../agents/trait-names.std';
import { traitsFromChain } from '../agents/traits.node';
import type { AdapterRef, ChatTurn, GenerationStats } from '../inference/engine-protocol.std';
import { aliveAgents, getMemoryVector, inheritMemories, rateMemoryOf, setMemoryVector, touchAgent } from '../store/agent-state.node';
import { addMessage, createConversation, getMessage, replies, thread, type Message, type MessageKind } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { addFeedback, countInteraction } from '../store/feedback.node';
import { currentFitness, decayedFitness } from '../agents/fitness.std';
import { ancestors, archiveAgent, birthAgent, children, divideAgent, getAgent, livingAgentNamed, seedChainOf, type Agent } from '../store/lineage.node';
import { addMemory, evictMemories, markMemoriesUsed, memoryCount, nearestMemories, type MemoryHit } from '../store/memories.node';
import { readSettings } from '../store/settings.node';
import type { InferenceService } from './inference-service.node';
import { drawSamplingSeed } from './sampling-entropy.node';

/** How much the memory vector colours recall. */
const MEMORY_VECTOR_PULL = 0.25;

export interface TurnResult {
  userMessage: Message;
  message: Message;
  stats: GenerationStats;
  recalled: MemoryHit[];
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
}

export interface AgentServiceOptions {
  /** Where adapters are cached (one folder per model shape). */
  adapterCacheDir: string;
  /** Fresh bytes from the entropy pool. Default: conditioned CPU-jitter output. */
  drawPoolBytes?: (bytes: number) => Promise<Uint8Array>;
  now?: () => number;
}

export class AgentService {
  readonly #shapes = new Map<string, Promise<AdapterShape>>();
  readonly #draw: (bytes: number) => Promise<Uint8Array>;
  readonly #now: () => number;

  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
    private readonly inference: InferenceService,
    private readonly options: AgentServiceOptions,
  ) {
    this.#draw = options.drawPoolBytes ?? ((bytes) => drawSamplingSeed(this.database.connection, bytes));
    this.#now = options.now ?? Date.now;
  }

  get #db() {
    return this.database.connection;
  }

  rules(): LifeRules {
    const s = readSettings(this.#db);
    return {
      divisionThreshold: s.divisionThreshold,
      selectionPressure: s.selectionPressure,
      archiveIdleMs: s.archiveIdleDays * 24 * 3600 * 1000,
      fitnessFloor: s.fitnessFloor,
    };
  }

  #agent(id: number): Agent {
    const agent = getAgent(this.#db, id);
    if (!agent) throw new ApiError('not_found', `There is no agent ${id}.`);
    return agent;
  }

  fitnessOf(agent: Agent): number {
    return currentFitness(agent);
  }

  /** Interactions left before the agent divides (at its current fitness). */
  untilDivision(agent: Agent): number {
    return Math.max(0, interactionsToDivide(this.fitnessOf(agent), this.rules()) - agent.interactions);
  }

  summary(agent: Agent): AgentSummary {
    return {
      id: agent.id,
      uid: agent.uid,
      name: agent.name,
      generation: agent.generation,
      parentId: agent.parentId,
      rootId: agent.rootId,
      genesisId: agent.genesisId,
      state: agent.state,
      fitness: this.fitnessOf(agent),
      interactions: agent.interactions,
      untilDivision: agent.state === 'alive' ? this.untilDivision(agent) : 0,
      totalInteractions: agent.totalInteractions,
      descendants: agent.subtreeSize - 1,
      bornAt: agent.bornAt,
      lastActiveAt: agent.lastActiveAt,
      archivedAt: agent.archivedAt,
      traits: agent.traits,
    };
  }

  detail(id: number): AgentDetail {
    const agent = this.#agent(id);
    const ref = (a: Agent) => ({ id: a.id, name: a.name, generation: a.generation, state: a.state });
    return {
      agent: this.summary(agent),
      persona: persona(agent.traits, agent.name, agent.generation),
      profile: samplingProfile(agent.traits),
      ancestors: ancestors(this.#db, id).map(ref),
      children: children(this.#db, id).map(ref),
      memories: memoryCount(this.#db, id),
      fitnessHistory: this.#fitnessHistory(agent),
      adapterDrift: adapterDrift(seedChainOf(this.#db, id)),
    };
  }

  /** The decayed fitness right after each feedback event (the inherited start included), the latest 200. */
  #fitnessHistory(agent: Agent): { interaction: number; fitness: number }[] {
    const events = this.#db.prepare('SELECT value, at_interaction FROM feedback WHERE agent_id = ? ORDER BY id').all(agent.id) as { value: number; at_interaction: number }[];
    const points = [{ interaction: 0, fitness: agent.inheritedFitness }];
    let fitness = agent.inheritedFitness;
    let at = 0;
    for (const e of events) {
      fitness = decayedFitness(fitness, at, e.at_interaction) + e.value;
      at = e.at_interaction;
      points.push({ interaction: at, fitness });
    }
    points.push({ interaction: agent.totalInteractions, fitness: decayedFitness(fitness, at, agent.totalInteractions) });
    return points.slice(-200);
  }

  /** A new agent from an unused Genesis record: traits from the seed, a name from it unless given. */
  birth(genesisId: number, name?: string): Agent {
    const genesis = this.#db.prepare('SELECT seed FROM genesis WHERE id = ?').get(genesisId) as { seed: Buffer } | undefined;
    if (!genesis) throw new ApiError('not_found', `There is no Genesis record ${genesisId}: harvest one first.`);
    const seed = new Uint8Array(genesis.seed);
    const names = new SeedStream(seed, 'name');
    const chosen = name?.trim();
    if (chosen) checkChosenName(this.#db, chosen);
    const taken = (candidate: string) => livingAgentNamed(this.#db, candidate) !== undefined;
    try {
      return birthAgent(this.#db, {
        genesisId,
        name: chosen || freeName(nameFromDraws(() => names.uniform()), 1, taken),
        traits: traitsFromChain(seed),
        bornAt: this.#now(),
        memoryVector: initialMemoryVector(seed),
      });
    } catch (error) {
      throw new ApiError('failed_precondition', (error as Error).message, undefined, { cause: error });
    }
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

  #memoryVector(agent: Agent): Float32Array {
    return getMemoryVector(this.#db, agent.id) ?? initialMemoryVector(seedChainOf(this.#db, agent.rootId).subarray(0, 32));
  }

  /** The agent's memories for a question: nearest neighbours of its embedding (pulled toward the memory vector), reweighted by perception. */
  recall(agent: Agent, text: string): MemoryHit[] {
    const memory = this.#memoryVector(agent);
    const query = embed(text);
    for (let i = 0; i < query.length; i++) query[i] = query[i]! + MEMORY_VECTOR_PULL * memory[i]!;
    const { keep, fetch } = recallDepth(agent.traits);
    return rankRecall(nearestMemories(this.#db, agent.id, normalize(query), fetch), agent.traits, this.#now(), keep);
  }

  systemPrompt(agent: Agent, recalled: readonly MemoryHit[]): string {
    const memories = recalled.map((m) => `- Asked "${clip(m.query, 160)}", you said "${clip(m.response, 200)}"`);
    return persona(agent.traits, agent.name, agent.generation) + (memories.length ? `\nYou remember:\n${memories.join('\n')}` : '');
  }

  /** A user message and the agent's answer to it, streamed. */
  async say(input: SayInput, onToken: (text: string) => void = () => {}): Promise<Turn> {
    const agent = this.#agent(input.agentId);
    this.#mustAnswer(agent);
    const text = input.text.trim();
    if (!text) throw new ApiError('invalid_params', 'Say something: the message is empty.');
    const now = this.#now();
    const conversationId = input.conversationId ?? createConversation(this.#db, clip(text, 60), now);
    const userMessage = addMessage(this.#db, { conversationId, parentId: input.parentId ?? null, role: 'user', content: text, createdAt: now });
    return this.#answer(agent, userMessage, 'chat', onToken);
  }

  /** Another answer to the same user message: a sibling branch (a swipe). */
  async regenerate(messageId: number, onToken: (text: string) => void = () => {}, agentId?: number): Promise<Turn> {
    const message = getMessage(this.#db, messageId);
    if (!message || message.role !== 'assistant' || message.parentId === null) throw new ApiError('not_found', `Message ${messageId} is not an answer that can be regenerated.`);
    const agent = this.#agent(agentId ?? message.agentId!);
    this.#mustAnswer(agent);
    return this.#answer(agent, getMessage(this.#db, message.parentId)!, 'regeneration', onToken);
  }

  #mustAnswer(agent: Agent): void {
    if (agent.state === 'archived') throw new ApiError('failed_precondition', `${agent.name} is archived: it stays in the family tree but no longer answers.`);
  }

  async #answer(agent: Agent, userMessage: Message, kind: MessageKind, onToken: (text: string) => void): Promise<Turn> {
    const { model } = await this.inference.use();
    const shape = await this.#shape(model.path);
    const recalled = this.recall(agent, userMessage.content);
    markMemoriesUsed(this.#db, recalled.map((m) => m.id), this.#now());
    const history: ChatTurn[] = thread(this.#db, userMessage.id)
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role, content: m.content }));
    const profile = samplingProfile(agent.traits);
    // Physical noise in the forward pass: one of the fixed noise adapters at a signed scale, both drawn from the pool.
    const noiseBytes = await this.#draw(32);
    const noise = { adapter: noiseBytes[0]! % NOISE_ADAPTERS, scale: profile.noiseScale * (2 * (((noiseBytes[1]! << 8) | noiseBytes[2]!) / 65535) - 1) };
    const adapters: AdapterRef[] = [
      { path: await this.adapterFor(agent, model.path), scale: profile.adapterScale },
      { path: await noiseAdapterPath(noise.adapter, shape, this.options.adapterCacheDir), scale: noise.scale },
    ];
    const genesisSeed = seedChainOf(this.#db, agent.rootId).subarray(0, 32);
    const { id, generation } = await this.inference.run(
      {
        messages: [{ role: 'system', content: this.systemPrompt(agent, recalled) }, ...history],
        maxTokens: profile.maxTokens,
        sampler: { ...samplerSettings(profile), tokenBias: voiceTokenBias(genesisSeed, shape, agent.traits) },
        adapters,
      },
      onToken,
    );
    const done = generation.done.then(({ text, stats }) => this.#afterAnswer(agent.id, userMessage, kind, text, stats, model.name, recalled, noise));
    return { id, agentId: agent.id, userMessage, done };
  }

  async #afterAnswer(
    agentId: number,
    userMessage: Message,
    kind: MessageKind,
    text: string,
    stats: GenerationStats,
    modelName: string,
    recalled: MemoryHit[],
    noise: TurnResult['noise'],
  ): Promise<TurnResult> {
    const now = this.#now();
    const agent = this.#agent(agentId);
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
      setMemoryVector(this.#db, agentId, updateMemoryVector(this.#memoryVector(agent), embedding, agent.traits));
      if (text.trim()) {
        addMemory(this.#db, { agentId, query: userMessage.content, response: text, embedding, createdAt: now, messageId: message.id });
        evictMemories(this.#db, agentId, MEMORIES_KEPT);
      }
      return message;
    })();
    const divided = await this.divideIfDue(agentId);
    return { userMessage, message, stats, recalled, noise, ...(divided ? { divided } : {}) };
  }

  stop(turnId: number): boolean {
    return this.inference.stop(turnId);
  }

  /** Thumbs up or down on an answer: the agent's fitness and the answer's memory. */
  async feedback(messageId: number, kind: 'up' | 'down'): Promise<{ agent: Agent; fitness: number; divided?: Agent; archived: boolean }> {
    const message = getMessage(this.#db, messageId);
    if (!message || message.role !== 'assistant' || message.agentId === null) throw new ApiError('not_found', `Message ${messageId} is not an agent's answer.`);
    const fitness = this.#db.transaction(() => {
      const value = kind === 'up' ? 1 : -1;
      rateMemoryOf(this.#db, messageId, value);
      return addFeedback(this.#db, { agentId: message.agentId!, messageId, kind, createdAt: this.#now() });
    })();
    const archived = this.#archiveIfDue(message.agentId);
    const divided = archived ? undefined : await this.divideIfDue(message.agentId);
    return { agent: this.#agent(message.agentId), fitness, archived, ...(divided ? { divided } : {}) };
  }

  /** Divides the agent if its counter reached the threshold for its fitness. */
  async divideIfDue(agentId: number): Promise<Agent | undefined> {
    const agent = this.#agent(agentId);
    if (agent.state !== 'alive') return undefined;
    if (agent.interactions < interactionsToDivide(this.fitnessOf(agent), this.rules())) return undefined;
    return this.divide(agentId, `${agent.interactions} interactions at fitness ${this.fitnessOf(agent).toFixed(2)}`);
  }

  /**
   * The division, in one transaction: child seed = SHA-256(parent seed ‖ 256 fresh bits
   * from the pool), traits from the extended chain, memory vector copied with noise,
   * the parent's best memories copied, both counters at 0.
   */
  async divide(agentId: number, reason: string): Promise<Agent> {
    const fresh = await this.#draw(32);
    const parent = this.#agent(agentId);
    if (parent.state !== 'alive') throw new ApiError('failed_precondition', `${parent.name} is archived and no longer divides.`);
    const mutationSeed = new Uint8Array(createHash('sha256').update(parent.seed).update(fresh).digest());
    const parentChain = seedChainOf(this.#db, parent.id);
    const chain = new Uint8Array(parentChain.length + 32);
    chain.set(parentChain);
    chain.set(mutationSeed, parentChain.length);
    const rootName = parent.parentId === null ? parent.name : (getAgent(this.#db, parent.rootId)?.name ?? parent.name);
    const child = this.#db.transaction(() => {
      const child = divideAgent(this.#db, {
        parentId: parent.id,
        name: childName(rootName, parent.generation + 1, (candidate) => livingAgentNamed(this.#db, candidate) !== undefined),
        mutationSeed,
        traits: traitsFromChain(chain),
        reason,
        bornAt: this.#now(),
        memoryVector: mutateMemoryVector(this.#memoryVector(parent), mutationSeed),
      });
      inheritMemories(this.#db, parent.id, child.id, MEMORIES_INHERITED);
      return child;
    })();
    this.hub.emit('agent.divided', { parentId: parent.id, parentName: parent.name, childId: child.id, childName: child.name, generation: child.generation });
    return child;
  }

  #archiveIfDue(agentId: number): boolean {
    const agent = this.#agent(agentId);
    if (agent.state !== 'alive') return false;
    const reason = archiveReason({ fitness: this.fitnessOf(agent), lastActiveAt: agent.lastActiveAt }, this.#now(), this.rules());
    if (!reason) return false;
    archiveAgent(this.#db, agentId, this.#now());
    return true;
  }

  /** Archives every alive agent that is unfit or was unused too long. Returns their ids. */
  archiveDue(): number[] {
    const now = this.#now();
    const rules = this.rules();
    const due = aliveAgents(this.#db).filter(
      (a) => archiveReason({ fitness: currentFitness(a), lastActiveAt: a.lastActiveAt }, now, rules) !== undefined,
    );
    this.#db.transaction(() => due.forEach((a) => archiveAgent(this.#db, a.id, now)))();
    return due.map((a) => a.id);
  }

  /** k alive agents drawn without replacement, weighted by exp(0.2·fitness), with pool randomness. */
  async chooseCouncil(k: number): Promise<Agent[]> {
    const alive = aliveAgents(this.#db);
    if (alive.length === 0) throw new ApiError('failed_precondition', 'No alive agents to ask: give birth to one first.');
    const stream = new SeedStream(await this.#draw(32), 'council');
    const pool = alive.map((a) => ({ id: a.id, weight: Math.exp(0.2 * Math.max(-25, Math.min(25, currentFitness(a)))) }));
    const chosen: number[] = [];
    while (chosen.length < k && pool.length > 0) {
      const total = pool.reduce((sum, a) => sum + a.weight, 0);
      let r = stream.uniform() * total;
      let i = 0;
      while (i < pool.length - 1 && (r -= pool[i]!.weight) >= 0) i++;
      chosen.push(pool[i]!.id);
      pool.splice(i, 1);
    }
    return chosen.map((id) => this.#agent(id));
  }

  /** A question to k agents: their answers are siblings under one user message, given in turn. */
  async council(
    input: { text: string; k: number; conversationId?: number; parentId?: number | null },
    onToken: (turnId: number, agentId: number, text: string) => void = () => {},
    onTurn: (turn: Turn) => void = () => {},
  ): Promise<{ userMessage: Message; members: Agent[]; done: Promise<TurnResult[]> }> {
    const text = input.text.trim();
    if (!text) throw new ApiError('invalid_params', 'Ask something: the question is empty.');
    const members = await this.chooseCouncil(input.k);
    await this.inference.use();
    const now = this.#now();
    const conversationId = input.conversationId ?? createConversation(this.#db, clip(text, 60), now);
    const userMessage = addMessage(this.#db, { conversationId, parentId: input.parentId ?? null, role: 'user', content: text, createdAt: now });
    const done = (async () => {
      const answers: TurnResult[] = [];
      for (const member of members) {
        let turnId = 0;
        const turn = await this.#answer(member, userMessage, 'council', (t) => onToken(turnId, member.id, t));
        turnId = turn.id;
        onTurn(turn);
        answers.push(await turn.done);
      }
      return answers;
    })();
    return { userMessage, members, done };
  }

  /** The user's pick among council answers: +1 for the chosen agent, −1/(k−1) for each of the others. */
  pick(messageId: number): { picked: Agent; others: Agent[] } {
    const message = getMessage(this.#db, messageId);
    if (!message || message.kind !== 'council' || message.agentId === null) throw new ApiError('not_found', `Message ${messageId} is not a council answer.`);
    const council = replies(this.#db, message.conversationId, message.parentId).filter((m) => m.kind === 'council' && m.agentId !== null);
    const others = council.filter((m) => m.agentId !== message.agentId);
    const now = this.#now();
    this.#db.transaction(() => {
      addFeedback(this.#db, { agentId: message.agentId!, messageId, kind: 'council-pick', createdAt: now });
      rateMemoryOf(this.#db, messageId, 1);
      for (const other of others) {
        addFeedback(this.#db, { agentId: other.agentId!, messageId: other.id, kind: 'council-pick', value: -1 / others.length, createdAt: now });
        rateMemoryOf(this.#db, other.id, -1 / others.length);
      }
    })();
    for (const m of council) this.#archiveIfDue(m.agentId!);
    return { picked: this.#agent(message.agentId), others: others.map((m) => this.#agent(m.agentId!)) };
  }
}

function clip(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** A name the user chose: not one a living agent has, and not one that reads as an agent's number. */
function checkChosenName(db: Database['connection'], name: string): void {
  if (/^#?\d+$/.test(name)) throw new ApiError('invalid_params', `"${name}" reads as an agent's number: choose a name with a letter in it.`);
  if (name.length > AGENT_NAME_MAX) throw new ApiError('invalid_params', `A name has at most ${AGENT_NAME_MAX} characters.`);
  const holder = livingAgentNamed(db, name);
  if (holder) throw new ApiError('failed_precondition', `${name} is the name of a living agent (#${holder.id}): choose another name, or leave it out for one from the seed.`);
}
