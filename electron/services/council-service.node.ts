// A question to several agents at once: k alive agents drawn with pool randomness
// (agents/council.std.ts), their answers siblings under one user message, given in turn;
// the user's pick is +1 for the chosen agent and −1/(k−1) for each of the others.
import { ApiError } from '../api/api-error.std';
import { drawCouncil } from '../agents/council.std';
import { currentFitness } from '../agents/fitness.std';
import { SeedStream } from '../agents/seed-stream.node';
import { aliveAgents, rateMemoryOf } from '../store/agent-state.node';
import { getMessage, replies, type Message } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { addFeedback } from '../store/feedback.node';
import type { Agent } from '../store/lineage.node';
import type { AgentLife, PoolDraw } from './agent-life.node';
import type { InferenceService } from './inference-service.node';
import type { ChatService, Turn, TurnResult } from './chat-service.node';

export class CouncilService {
  constructor(
    private readonly database: Database,
    private readonly inference: InferenceService,
    private readonly life: AgentLife,
    private readonly chat: ChatService,
    private readonly options: { draw: PoolDraw; now: () => number },
  ) {}

  get #db() {
    return this.database.connection;
  }

  /** k alive agents drawn without replacement, weighted by fitness, with pool randomness. */
  async choose(k: number): Promise<Agent[]> {
    const alive = aliveAgents(this.#db);
    if (alive.length === 0) throw new ApiError('failed_precondition', 'No alive agents to ask: give birth to one first.');
    const stream = new SeedStream(await this.options.draw(32), 'council');
    const chosen = drawCouncil(alive.map((a) => ({ id: a.id, fitness: currentFitness(a) })), k, () => stream.uniform());
    return chosen.map((id) => this.life.agent(id));
  }

  /** A question to k agents: their answers are siblings under one user message, given in turn. */
  async ask(
    input: { text: string; k: number; conversationId?: number; parentId?: number | null },
    onToken: (turnId: number, agentId: number, text: string) => void = () => {},
    onTurn: (turn: Turn) => void = () => {},
  ): Promise<{ userMessage: Message; members: Agent[]; done: Promise<TurnResult[]> }> {
    const text = input.text.trim();
    if (!text) throw new ApiError('invalid_params', 'Ask something: the question is empty.');
    const members = await this.choose(input.k);
    await this.inference.use();
    const userMessage = this.chat.addUserMessage(text, input.conversationId, input.parentId);
    const done = (async () => {
      const answers: TurnResult[] = [];
      for (const member of members) {
        let turnId = 0;
        const turn = await this.chat.answer(member, userMessage, 'council', (t) => onToken(turnId, member.id, t));
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
    const now = this.options.now();
    this.#db.transaction(() => {
      addFeedback(this.#db, { agentId: message.agentId!, messageId, kind: 'council-pick', createdAt: now });
      rateMemoryOf(this.#db, messageId, 1);
      for (const other of others) {
        addFeedback(this.#db, { agentId: other.agentId!, messageId: other.id, kind: 'council-pick', value: -1 / others.length, createdAt: now });
        rateMemoryOf(this.#db, other.id, -1 / others.length);
      }
    })();
    for (const m of council) this.life.archiveIfDue(m.agentId!);
    return { picked: this.life.agent(message.agentId), others: others.map((m) => this.life.agent(m.agentId!)) };
  }
}
