import type { CircleAnswerView, SwarmStatus } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import { Actions } from './actions.svelte';

/** One member's answer to a council asked across the circle, as the Swarm view shows it. */
export interface CouncilSeat {
  /** 'here': a local agent (its answer streams as a chat turn); 'peer': answered at its home. */
  home: 'here' | 'peer';
  key: string;
  agentName: string;
  homeName: string;
  state: 'asked' | 'answered' | 'failed';
  text: string;
  reason: string | null;
  /** What a pick names: the local answer's message, or the peer's answer. */
  target: { messageId: number } | { answerId: number } | null;
}

/**
 * The circle: its status (peers, traffic, which agents live where), an invite code once made,
 * joining, leaving, removing a peer, the room offered; and a council asked across the circle.
 */
export class SwarmState {
  #status = $state.raw<SwarmStatus | null>(null);
  #code = $state<string | null>(null);
  readonly #actions = new Actions(() => this.refresh());
  #question = $state<{ id: number; text: string } | null>(null);
  #seats = $state<CouncilSeat[]>([]);
  #agentNames: Record<number, string> = {};
  #picked = $state<string | null>(null);

  constructor(private readonly api: ApiClient) {}

  get status(): SwarmStatus | null {
    return this.#status;
  }
  get code(): string | null {
    return this.#code;
  }
  get error(): string | undefined {
    return this.#actions.error;
  }
  get busy(): boolean {
    return this.#actions.busy;
  }
  get question(): { id: number; text: string } | null {
    return this.#question;
  }
  get seats(): CouncilSeat[] {
    return this.#seats;
  }
  /** The pick's outcome, in words, once made. */
  get picked(): string | null {
    return this.#picked;
  }

  start(): () => void {
    void this.refresh();
    const stops = [
      this.api.on('swarm.changed', () => void this.refresh()),
      this.api.on('swarm.answer', (answer) => this.#settle(answer)),
      this.api.on('chat.token', ({ agentId, text }) => this.#local(agentId, (seat) => ({ ...seat, text: seat.text + text }))),
      this.api.on('chat.done', (done) =>
        this.#local(done.agentId, (seat) =>
          done.ok
            ? { ...seat, state: 'answered', text: done.message.content, target: { messageId: done.message.id } }
            : { ...seat, state: 'failed', reason: done.message },
        ),
      ),
    ];
    return () => stops.forEach((stop) => stop());
  }

  async refresh(): Promise<void> {
    try {
      this.#status = await this.api.call('swarm.status', {});
    } catch (error) {
      this.#actions.error = (error as Error).message;
    }
  }

  invite(): Promise<boolean> {
    return this.#run(async () => {
      this.#code = (await this.api.call('swarm.invite', {})).code;
    });
  }
  join(code: string): Promise<boolean> {
    return this.#run(() => this.api.call('swarm.join', { code }));
  }
  leave(): Promise<boolean> {
    return this.#run(async () => {
      await this.api.call('swarm.leave', {});
      this.#code = null;
    });
  }
  remove(peer: string): Promise<boolean> {
    return this.#run(() => this.api.call('swarm.remove', { peer }));
  }
  settings(change: { capacity?: number; placeChildren?: boolean }): Promise<boolean> {
    return this.#run(() => this.api.call('swarm.settings', change));
  }

  /** A question to k agents across the circle: local members stream, peers' answers arrive as events. */
  ask(text: string, k: number): Promise<boolean> {
    return this.#run(async () => {
      this.#picked = null;
      const agents = await this.api.call('agents.list', { state: 'alive', limit: 10_000 });
      this.#agentNames = Object.fromEntries(agents.agents.map((a) => [a.id, a.name]));
      const result = await this.api.call('swarm.council', { text, k });
      this.#question = { id: result.userMessageId, text };
      this.#seats = [
        ...result.agentIds.map((id): CouncilSeat => ({ home: 'here', key: `here-${id}`, agentName: this.#agentNames[id] ?? `#${id}`, homeName: 'here', state: 'asked', text: '', reason: null, target: null })),
        ...result.answers.map((a) => this.#seat(a)),
      ];
    });
  }

  pick(seat: CouncilSeat): Promise<boolean> {
    return this.#run(async () => {
      if (!seat.target) return;
      const { picked, others } = await this.api.call('swarm.pick', seat.target);
      this.#picked = `${picked} gets +1${others.length ? `; ${others.join(', ')} ${others.length === 1 ? 'gets' : 'each get'} −1/${others.length}` : ''}.`;
    });
  }

  #seat(a: CircleAnswerView): CouncilSeat {
    return { home: 'peer', key: `peer-${a.id}`, agentName: a.agentName, homeName: a.peerName, state: a.state, text: a.content ?? '', reason: a.reason, target: a.state === 'answered' ? { answerId: a.id } : null };
  }

  #settle(answer: CircleAnswerView): void {
    if (answer.questionId !== this.#question?.id) return;
    this.#seats = this.#seats.map((seat) => (seat.key === `peer-${answer.id}` ? this.#seat(answer) : seat));
  }

  #local(agentId: number, change: (seat: CouncilSeat) => CouncilSeat): void {
    const key = `here-${agentId}`;
    if (!this.#seats.some((seat) => seat.key === key && seat.state === 'asked')) return;
    this.#seats = this.#seats.map((seat) => (seat.key === key ? change(seat) : seat));
  }

  #run(action: () => Promise<unknown>): Promise<boolean> {
    return this.#actions.run(action);
  }
}
