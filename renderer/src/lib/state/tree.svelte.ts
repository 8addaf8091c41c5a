import type { Result } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import { saveFile } from '../save-file.dom';
import type { TreeLayout } from '../tree/layout.dom';

export type Lineage = Result<'lineage.tree'>;
export type LineageStats = Result<'lineage.stats'>;

/** The family tree: columns from the main process, the layout from a worker, the colouring and the selection. */
export class TreeState {
  #lineage = $state.raw<Lineage | undefined>(undefined);
  #layout = $state.raw<TreeLayout | undefined>(undefined);
  #colourBy = $state<string>('fitness');
  #selected = $state<number | undefined>(undefined);
  #error = $state<string | undefined>(undefined);
  #loading = $state(false);
  #stats = $state.raw<LineageStats | undefined>(undefined);
  #worker: Worker | undefined;
  #request = 0;

  constructor(private readonly api: ApiClient) {}

  get lineage(): Lineage | undefined {
    return this.#lineage;
  }
  get layout(): TreeLayout | undefined {
    return this.#layout;
  }
  get colourBy(): string {
    return this.#colourBy;
  }
  get selected(): number | undefined {
    return this.#selected;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** Per-generation statistics of the selected agent's lineage (or of all lineages), with its clades. */
  get stats(): LineageStats | undefined {
    return this.#stats;
  }

  async #loadStats(): Promise<void> {
    const id = this.#selected !== undefined ? this.#lineage?.ids[this.#selected] : undefined;
    try {
      this.#stats = await this.api.call('lineage.stats', id !== undefined ? { rootId: id } : {});
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }

  start(): () => void {
    // Vite bundles a worker only when its URL is written inline like this.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a one-off URL, not state
    this.#worker = new Worker(new URL('../tree/layout.worker.dom.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (event: MessageEvent<{ request: number; layout?: TreeLayout; error?: string }>) => {
      if (event.data.request !== this.#request) return;
      this.#loading = false;
      if (event.data.error) this.#error = event.data.error;
      else this.#layout = event.data.layout;
    };
    void this.load();
    const stop = this.api.on('agent.divided', () => void this.load());
    return () => {
      stop();
      this.#worker?.terminate();
      this.#worker = undefined;
    };
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      const trait = this.#colourBy === 'fitness' ? undefined : this.#colourBy;
      const lineage = await this.api.call('lineage.tree', trait ? { trait } : {});
      const sameShape = this.#lineage && this.#lineage.ids.length === lineage.ids.length;
      this.#lineage = lineage;
      this.#error = undefined;
      void this.#loadStats();
      if (sameShape && this.#layout) {
        this.#loading = false;
        return;
      }
      this.#worker?.postMessage({ ids: lineage.ids, parentIds: lineage.parentIds, request: ++this.#request });
    } catch (error) {
      this.#error = (error as Error).message;
      this.#loading = false;
    }
  }

  colourWith(name: string): void {
    this.#colourBy = name;
    void this.load();
  }

  select(index: number | undefined): void {
    this.#selected = index;
    void this.#loadStats();
  }

  async export(format: 'newick' | 'csv'): Promise<void> {
    const lineage = this.#lineage;
    if (!lineage || lineage.ids.length === 0) return;
    const at = this.#selected ?? 0;
    try {
      const { text, fileName } = await this.api.call('lineage.export', { rootId: lineage.ids[at]!, format });
      saveFile(text, fileName, format === 'csv' ? 'text/csv' : 'text/plain');
    } catch (error) {
      this.#error = (error as Error).message;
    }
  }
}
