import type { AgentCardView, AgentDetail, AgentSummary, GenesisSummary, WorldInfoEntryEdit } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import { cardUpload, fromBase64 } from '../cards/card-upload.dom';
import { saveFile } from '../save-file.dom';

/** The agents list, the selected agent's card, and the Genesis records still free to give birth. */
export class AgentsState {
  #agents = $state.raw<AgentSummary[]>([]);
  #total = $state(0);
  #selected = $state<number | undefined>(undefined);
  #detail = $state.raw<AgentDetail | undefined>(undefined);
  #card = $state.raw<AgentCardView | null>(null);
  #notice = $state<string | undefined>(undefined);
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
  /** The character card the selected agent speaks with, if any. */
  get card(): AgentCardView | null {
    return this.#card;
  }
  /** What the last card import did, in a sentence. */
  get notice(): string | undefined {
    return this.#notice;
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
    const stops = [
      this.api.on('agent.divided', () => void this.refresh()),
      this.api.on('chat.done', () => void this.refresh()),
      // The card shows its greeting with the person's name: a new name redraws it.
      this.api.on('settings.changed', () => void this.select(this.#selected)),
    ];
    return () => stops.forEach((stop) => stop());
  }

  async refresh(): Promise<void> {
    try {
      const [list, genesis] = await Promise.all([this.api.call('agents.list', { limit: 1000 }), this.api.call('genesis.list', { limit: 100 })]);
      this.#agents = list.agents;
      this.#total = list.total;
      this.#genesis = genesis.genesis;
      this.#error = undefined;
      if (this.#selected !== undefined) await this.#load(this.#selected);
    } catch (error) {
      this.#error = (error as Error).message;
    } finally {
      this.#loaded = true;
    }
  }

  async select(id: number | undefined): Promise<void> {
    // Choosing the agent already shown refreshes its card without blanking it.
    if (id === undefined || id !== this.#detail?.agent.id) {
      this.#detail = undefined;
      this.#card = null;
    }
    this.#selected = id;
    if (id === undefined) return;
    try {
      await this.#load(id);
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  async #load(id: number): Promise<void> {
    const [detail, { card }] = await Promise.all([this.api.call('agents.get', { id }), this.api.call('cards.get', { agentId: id })]);
    this.#detail = detail;
    this.#card = card;
  }

  /** Imports a card file as an agent (born from `genesisId`, or the newest unused Genesis record). */
  async importCard(file: File, genesisId?: number, name?: string): Promise<AgentSummary | undefined> {
    this.#notice = undefined;
    try {
      const upload = await cardUpload(file);
      if ('error' in upload) {
        this.#error = upload.error;
        return undefined;
      }
      const result = await this.api.call('cards.import', { fileName: file.name, base64: upload.base64, ...(genesisId !== undefined ? { genesisId } : {}), ...(name ? { name } : {}) });
      const a = result.agent;
      this.#notice =
        result.via === 'born'
          ? `${a.name} was born from Genesis record #${a.genesisId} and speaks with ${file.name}.${result.renamedFrom ? ` (${result.renamedFrom} is a living agent's name.)` : ''}`
          : result.via === 'bundle'
            ? `${a.name} came back from a LightSeed card: the same seed chain, traits and lineage.`
            : `${a.name} was already here; it keeps the card from ${file.name}.`;
      this.#error = undefined;
      await this.refresh();
      await this.select(a.id);
      return a;
    } catch (error) {
      this.#error = (error as Error).message;
      return undefined;
    }
  }

  /** Saves the selected agent as a V3 PNG card. */
  async exportCard(): Promise<void> {
    if (this.#selected === undefined) return;
    try {
      const { base64, fileName } = await this.api.call('cards.export', { agentId: this.#selected });
      saveFile(fromBase64(base64) as BlobPart, fileName, 'image/png');
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  /** Adds a lorebook file's entries to the selected agent's world info. */
  async addLorebook(file: File): Promise<void> {
    if (this.#selected === undefined) return;
    this.#notice = undefined;
    try {
      const upload = await cardUpload(file);
      if ('error' in upload) {
        this.#error = upload.error;
        return;
      }
      const { card, added } = await this.api.call('cards.addLorebook', { agentId: this.#selected, fileName: file.name, base64: upload.base64 });
      this.#card = card;
      this.#notice = `${added === 1 ? '1 entry' : `${added} entries`} from ${file.name} joined ${this.#detail?.agent.name ?? 'the agent'}'s world info.`;
      this.#error = undefined;
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  /** Replaces the selected agent's world info entries. */
  async saveWorldInfo(entries: WorldInfoEntryEdit[]): Promise<boolean> {
    if (this.#selected === undefined) return false;
    try {
      this.#card = (await this.api.call('cards.setWorldInfo', { agentId: this.#selected, entries })).card;
      this.#error = undefined;
      return true;
    } catch (error) {
      this.#error = (error as Error).message;
      return false;
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
