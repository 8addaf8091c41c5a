// A council across the circle: k agents drawn among this installation's living agents and its
// online peers' (each peer lists its fittest, with their fitness), weighted by fitness as the local
// council draws. Local members answer here; a peer's member answers at its home, which keeps the
// question and the answer in a conversation of that peer's questions and sends the text back.
// Answers sit side by side under the question, each with its agent's home. The pick is feedback:
// +1 for the chosen agent, −1/(k−1) for each other member that answered, applied here to local
// agents and sent as a verdict to each remote member's home. A peer that times out or goes away
// mid-answer is shown as such; the other answers stand.
import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/api-error.std';
import type { CircleAnswerView } from '../api/contract.std';
import { drawCouncil } from '../agents/council.std';
import { currentFitness } from '../agents/fitness.std';
import { SeedStream } from '../agents/seed-stream.node';
import type { Peer } from '../swarm/circle.node';
import { PeerFault } from '../swarm/circle.node';
import { MAX_ROSTER, type PeerMessage } from '../swarm/frames.std';
import { rosterPeers } from '../swarm/roster.std';
import { aliveAgents, rateMemoryOf } from '../store/agent-state.node';
import {
  addCircleAnswer,
  addCircleAsked,
  circleAnswerByKey,
  circleAnswers,
  conversationOfAsker,
  getCircleAnswer,
  getCircleAsked,
  setCircleAskedAnswer,
  setCircleAskedVerdict,
  setCircleVerdict,
  settleCircleAnswer,
  type CircleAnswer,
} from '../store/circle-council.node';
import { createConversation, getMessage, replies, type Message } from '../store/conversations.node';
import type { Database } from '../store/database.node';
import { addFeedback } from '../store/feedback.node';
import { agentWithUid, getAgent, type Agent } from '../store/lineage.node';
import type { AgentService } from './agent-service.node';
import type { PoolDraw } from './agent-life.node';
import type { Turn, TurnResult } from './chat-service.node';
import type { InferenceService } from './inference-service.node';
import type { CircleExtension, SwarmService } from './swarm-service.node';

/** How long the draw waits for peers' lists of agents. */
export const ROSTER_WAIT_MS = 3000;
/** How long a peer's member may take to answer before its answer is given up. */
export const ANSWER_TIMEOUT_MS = 180_000;

export type CircleMember = { home: 'here'; agent: Agent } | { home: 'peer'; answerId: number; peer: string; peerName: string; uid: string; name: string; fitness: number };

export interface CircleCouncilOptions {
  draw: PoolDraw;
  now: () => number;
  log: (line: string) => void;
  rosterWaitMs?: number;
  answerTimeoutMs?: number;
  /** A peer's answer settled (given, or given up). */
  onAnswer?: (answer: CircleAnswerView) => void;
}

type RosterEntry = { uid: string; name: string; fitness: number };

export class CircleCouncil implements CircleExtension {
  readonly #rosters = new Map<string, (agents: RosterEntry[]) => void>();
  readonly #answers = new Map<string, { peer: string; settle: () => void }>();

  constructor(
    private readonly database: Database,
    private readonly swarm: SwarmService,
    private readonly agents: AgentService,
    private readonly inference: InferenceService,
    private readonly options: CircleCouncilOptions,
  ) {
    swarm.use(this);
  }

  get #db() {
    return this.database.connection;
  }

  /** A question to k agents across the circle; `done` settles when every member answered, failed or timed out. */
  async ask(
    input: { text: string; k: number; conversationId?: number; parentId?: number | null },
    onToken: (turnId: number, agentId: number, text: string) => void = () => {},
    onTurn: (turn: Turn) => void = () => {},
  ): Promise<{ userMessage: Message; members: CircleMember[]; done: Promise<{ local: TurnResult[]; remote: CircleAnswer[] }> }> {
    const text = input.text.trim();
    if (!text) throw new ApiError('invalid_params', 'Ask something: the question is empty.');
    const stream = new SeedStream(await this.options.draw(32), 'council');
    const peers = rosterPeers(this.swarm.onlinePeers(), () => stream.uniform());
    const rosters = await Promise.all(peers.map(async (peer) => ({ peer, agents: await this.#roster(peer) })));
    const homes = this.swarm.homes();
    const candidates: ({ home: 'here'; agent: Agent; fitness: number } | { home: 'peer'; peer: Peer; entry: RosterEntry; fitness: number })[] = [
      ...aliveAgents(this.#db)
        .filter((a) => !homes.has(a.id))
        .map((a) => ({ home: 'here' as const, agent: this.agents.life.agent(a.id), fitness: currentFitness(a) })),
      ...rosters.flatMap(({ peer, agents }) => agents.map((entry) => ({ home: 'peer' as const, peer, entry, fitness: entry.fitness }))),
    ];
    if (candidates.length === 0) throw new ApiError('failed_precondition', 'No living agent here or on an online peer to ask.');
    const chosen = drawCouncil(candidates.map((c, id) => ({ id, fitness: c.fitness })), input.k, () => stream.uniform()).map((i) => candidates[i]!);
    if (chosen.some((c) => c.home === 'here')) await this.inference.use();
    const userMessage = this.agents.chat.addUserMessage(text, input.conversationId, input.parentId);
    const now = this.options.now();
    const members: CircleMember[] = chosen.map((c) => {
      if (c.home === 'here') return { home: 'here', agent: c.agent };
      const askKey = randomBytes(16).toString('hex');
      const answerId = addCircleAnswer(this.#db, { questionId: userMessage.id, askKey, peer: c.peer.publicKey, agentUid: c.entry.uid, agentName: c.entry.name, fitness: c.fitness, createdAt: now });
      return { home: 'peer', answerId, peer: c.peer.publicKey, peerName: c.peer.name, uid: c.entry.uid, name: c.entry.name, fitness: c.fitness };
    });
    const remote = Promise.all(members.flatMap((m) => (m.home === 'peer' ? [this.#askPeer(m, text)] : [])));
    const local = (async () => {
      const answers: TurnResult[] = [];
      for (const member of members) {
        if (member.home !== 'here') continue;
        let turnId = 0;
        const turn = await this.agents.chat.answer(member.agent, userMessage, 'council', (t) => onToken(turnId, member.agent.id, t));
        turnId = turn.id;
        onTurn(turn);
        answers.push(await turn.done);
      }
      return answers;
    })();
    const done = Promise.all([local, remote]).then(([l, r]) => ({ local: l, remote: r }));
    return { userMessage, members, done };
  }

  /** The peers' answers to a question asked here. */
  answers(questionId: number): CircleAnswer[] {
    return circleAnswers(this.#db, questionId);
  }

  /** An answer as the API shows it: with its home's name. */
  view(answer: CircleAnswer): CircleAnswerView {
    const { id, questionId, peer, agentName, fitness, state, content, reason, verdict } = answer;
    return { id, questionId, peer, peerName: this.swarm.peerName(peer), agentName, fitness, state, content, reason, verdict };
  }

  /**
   * The user's pick among a circle council's answers (a local council answer's message, or a
   * peer's answer): +1 for it, −1/(k−1) for each other member that answered.
   */
  pick(target: { messageId: number } | { answerId: number }): { picked: string; others: string[] } {
    const question = 'messageId' in target ? getMessage(this.#db, target.messageId)?.parentId : getCircleAnswer(this.#db, target.answerId)?.questionId;
    const questionMessage = question === undefined || question === null ? undefined : getMessage(this.#db, question);
    if (!questionMessage) throw new ApiError('not_found', 'That is not an answer of a council.');
    const localAnswers = replies(this.#db, questionMessage.conversationId, questionMessage.id).filter((m) => m.kind === 'council' && m.agentId !== null);
    const remoteAnswers = circleAnswers(this.#db, questionMessage.id).filter((a) => a.state === 'answered');
    if ('messageId' in target && !localAnswers.some((m) => m.id === target.messageId)) throw new ApiError('not_found', `Message ${target.messageId} is not a council answer.`);
    if ('answerId' in target && !remoteAnswers.some((a) => a.id === target.answerId)) throw new ApiError('failed_precondition', 'That answer never came: only a given answer can be picked.');
    if (remoteAnswers.some((a) => a.verdict !== null)) throw new ApiError('failed_precondition', 'This council was decided already.');
    const others = localAnswers.length + remoteAnswers.length - 1;
    const against = others > 0 ? -1 / others : 0;
    const now = this.options.now();
    const isPicked = (m: { id: number }, local: boolean) => (local ? 'messageId' in target && target.messageId === m.id : 'answerId' in target && target.answerId === m.id);
    this.#db.transaction(() => {
      for (const m of localAnswers) {
        const value = isPicked(m, true) ? 1 : against;
        addFeedback(this.#db, { agentId: m.agentId!, messageId: m.id, kind: 'council-pick', value, createdAt: now });
        rateMemoryOf(this.#db, m.id, value);
      }
      for (const a of remoteAnswers) setCircleVerdict(this.#db, a.id, isPicked(a, false) ? 1 : against);
    })();
    for (const a of remoteAnswers) {
      // Best effort: a home that is away misses this verdict (the answer here keeps it).
      this.swarm.send(a.peer, { t: 'verdict', key: a.askKey, value: isPicked(a, false) ? 1 : against });
    }
    for (const m of localAnswers) this.agents.life.archiveIfDue(m.agentId!);
    const name = (m: Message) => getAgent(this.#db, m.agentId!)?.name ?? '?';
    const picked = 'messageId' in target ? name(localAnswers.find((m) => m.id === target.messageId)!) : remoteAnswers.find((a) => a.id === target.answerId)!.agentName;
    return {
      picked,
      others: [...localAnswers.filter((m) => !isPicked(m, true)).map(name), ...remoteAnswers.filter((a) => !isPicked(a, false)).map((a) => a.agentName)],
    };
  }

  #roster(peer: Peer): Promise<RosterEntry[]> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish([]), this.options.rosterWaitMs ?? ROSTER_WAIT_MS);
      const finish = (agents: RosterEntry[]) => {
        clearTimeout(timer);
        this.#rosters.delete(peer.publicKey);
        resolve(agents);
      };
      this.#rosters.set(peer.publicKey, finish);
      if (!this.swarm.send(peer.publicKey, { t: 'roster-ask' })) finish([]);
    });
  }

  #askPeer(member: Extract<CircleMember, { home: 'peer' }>, text: string): Promise<CircleAnswer> {
    const answer = getCircleAnswer(this.#db, member.answerId)!;
    return new Promise((resolve) => {
      const fail = (reason: string) => {
        settleCircleAnswer(this.#db, answer.askKey, { reason }, this.options.now());
        finish();
      };
      const timeout = this.options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
      const timer = setTimeout(() => fail(`${member.peerName} did not answer within ${Math.round(timeout / 1000)} s`), timeout);
      const finish = () => {
        clearTimeout(timer);
        this.#answers.delete(answer.askKey);
        const settled = getCircleAnswer(this.#db, member.answerId)!;
        this.options.onAnswer?.(this.view(settled));
        resolve(settled);
      };
      this.#answers.set(answer.askKey, { peer: member.peer, settle: finish });
      if (!this.swarm.send(member.peer, { t: 'ask', key: answer.askKey, agent: member.uid, text })) fail(`${member.peerName} went away`);
    });
  }

  peerGone(key: string): void {
    for (const [askKey, waiter] of this.#answers) {
      if (waiter.peer !== key) continue;
      settleCircleAnswer(this.#db, askKey, { reason: `${this.swarm.peerName(key)} went away before answering` }, this.options.now());
      waiter.settle();
    }
    this.#rosters.get(key)?.([]);
  }

  receive(peer: Peer, message: PeerMessage): boolean {
    const from = peer.publicKey;
    switch (message.t) {
      case 'roster-ask': {
        const homes = this.swarm.homes();
        const agents = aliveAgents(this.#db)
          .filter((a) => !homes.has(a.id))
          .map((a) => ({ id: a.id, fitness: currentFitness(a) }))
          .sort((a, b) => b.fitness - a.fitness)
          .slice(0, MAX_ROSTER)
          .map((a) => {
            const agent = getAgent(this.#db, a.id)!;
            return { uid: agent.uid, name: agent.name, fitness: a.fitness };
          });
        this.swarm.send(from, { t: 'roster', agents });
        return true;
      }
      case 'roster':
        // A late list (after the draw) is of no use, and no harm.
        this.#rosters.get(from)?.(message.agents);
        return true;
      case 'ask':
        this.#answerFor(peer, message.key, message.agent, message.text);
        return true;
      case 'answer':
      case 'unanswered': {
        const asked = circleAnswerByKey(this.#db, message.key);
        if (!asked || asked.peer !== from) throw new PeerFault(`an ${message.t === 'answer' ? 'answer' : 'unanswered'} to a question it was never asked`);
        const outcome = message.t === 'answer' ? { content: message.text } : { reason: `${peer.name}: ${message.reason}` };
        if (settleCircleAnswer(this.#db, message.key, outcome, this.options.now())) this.#answers.get(message.key)?.settle();
        return true;
      }
      case 'verdict': {
        const asked = getCircleAsked(this.#db, message.key);
        if (!asked || asked.peer !== from) throw new PeerFault('a verdict on an answer it never asked for');
        if (asked.messageId === null) throw new PeerFault('a verdict before it had the answer');
        const now = this.options.now();
        const applied = this.#db.transaction(() => {
          if (!setCircleAskedVerdict(this.#db, message.key, message.value)) return false;
          addFeedback(this.#db, { agentId: asked.agentId, messageId: asked.messageId!, kind: 'council-pick', value: message.value, createdAt: now });
          rateMemoryOf(this.#db, asked.messageId!, message.value);
          return true;
        })();
        if (applied) this.agents.life.archiveIfDue(asked.agentId);
        return true;
      }
      default:
        return false;
    }
  }

  /** A peer asks one of this installation's agents: it answers here, in the conversation of that peer's questions. */
  #answerFor(peer: Peer, key: string, uid: string, text: string): void {
    const from = peer.publicKey;
    if (getCircleAsked(this.#db, key) || circleAnswerByKey(this.#db, key)) throw new PeerFault('a question it asked before (a replay)');
    const agent = agentWithUid(this.#db, uid);
    if (!agent || agent.state !== 'alive' || this.swarm.homes().has(agent.id)) {
      this.swarm.send(from, { t: 'unanswered', key, reason: 'that agent does not live here (any more)' });
      return;
    }
    addCircleAsked(this.#db, { askKey: key, peer: from, agentId: agent.id, createdAt: this.options.now() });
    void (async () => {
      try {
        const conversationId = conversationOfAsker(this.#db, from) ?? createConversation(this.#db, `Questions from ${peer.name}`, this.options.now());
        const question = this.agents.chat.addUserMessage(text, conversationId, null);
        const turn = await this.agents.chat.answer(agent, question, 'council', () => {});
        const result = await turn.done;
        setCircleAskedAnswer(this.#db, key, result.message.id);
        this.swarm.send(from, { t: 'answer', key, text: result.message.content.slice(0, 16_000) });
      } catch (error) {
        this.options.log(`${agent.name} could not answer ${peer.name}: ${(error as Error).message}`);
        this.swarm.send(from, { t: 'unanswered', key, reason: (error as Error).message.slice(0, 400) });
      }
    })();
  }
}
