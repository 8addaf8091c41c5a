import type { AgentDetail, AgentSummary, GenesisSummary } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';

/** The agents list, the selected agent's card, and the Genesis records still free to give birth. */
export class AgentsState {
  #agents = $state.raw<AgentSummary[]>([]);
  #total = $state(0);
  #selected = $state<number | undefined>(undefined);
  #detail = $state.raw<AgentDetail | undefined>(undefined);
  #genesis = $state.raw<GenesisSummary[]>([]);
  #error = $state<string | undefined>(undefined);
  #loaded = $state(false);
  readonly #free = $derived(this.#genesis.filter((g) => !this.#agents.some((a) => a.genesisId === g.id)));

  constructor(private readonly api: ApiClient) {}

  get agents(): AgentSummary[] {
    return this.#agents;
  }
  get total(): number {
    return this.#total;
  }
  get selected(): number | undefined {
    return this.#selected;
  }
  get detail(): AgentDetail | undefined {
    return this.#detail;
  }
  /** Genesis records that have not given birth yet. */
  get freeGenesis(): GenesisSummary[] {
    return this.#free;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Loads the list and keeps it fresh as agents answer and divide. */
  start(): () => void {
    void this.refresh();
    const stops = [this.api.on('agent.divided', () => void this.refresh()), this.api.on('chat.done', () => void this.refresh())];
    return () => stops.forEach((stop) => stop());
  }

  async refresh(): Promise<void> {
    try {
      const [list, genesis] = await Promise.all([this.api.call('agents.list', { limit: 1000 }), this.api.call('genesis.list', { limit: 100 })]);
      this.#agents = list.agents;
      this.#total = list.total;
      this.#genesis = genesis.genesis;
      this.#error = undefined;
      if (this.#selected !== undefined) this.#detail = await this.api.call('agents.get', { id: this.#selected });
    } catch (error) {
      this.#error = (error as Error).message;
    } finally {
      this.#loaded = true;
    }
  }

  async select(id: number | undefined): Promise<void> {
    // Choosing the agent already shown refreshes its card without blanking it.
    if (id === undefined || id !== this.#detail?.agent.id) this.#detail = undefined;
    this.#selected = id;
    if (id === undefined) return;
    try {
      this.#detail = await this.api.call('agents.get', { id });
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  async birth(genesisId: number, name?: string): Promise<AgentSummary | undefined> {
    try {
      const agent = await this.api.call('agents.birth', { genesisId, ...(name ? { name } : {}) });
      await this.refresh();
      await this.select(agent.id);
      return agent;
    } catch (error) {
      this.#error = (error as Error).message;
      return undefined;
    }
  }
}
