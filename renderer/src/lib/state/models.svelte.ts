import type { RegisteredModel } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';

/** The model registry: list, add by path (validated by the main process), remove, choose the default. */
export class ModelsState {
  #models = $state.raw<RegisteredModel[]>([]);
  #error = $state<string | undefined>(undefined);
  #busy = $state(false);
  #loaded = $state(false);

  constructor(private readonly api: ApiClient) {}

  get models(): RegisteredModel[] {
    return this.#models;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  start(): () => void {
    void this.refresh();
    return this.api.on('chat.done', () => void this.refresh());
  }

  async #run(work: () => Promise<unknown>): Promise<boolean> {
    this.#busy = true;
    this.#error = undefined;
    try {
      await work();
      await this.refresh();
      return true;
    } catch (error) {
      this.#error = (error as Error).message;
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async refresh(): Promise<void> {
    try {
      this.#models = (await this.api.call('models.list', {})).models;
    } catch (error) {
      this.#error = (error as Error).message;
    } finally {
      this.#loaded = true;
    }
  }

  add(path: string): Promise<boolean> {
    return this.#run(() => this.api.call('models.add', { path }));
  }
  remove(id: number): Promise<boolean> {
    return this.#run(() => this.api.call('models.remove', { id }));
  }
  setDefault(id: number): Promise<boolean> {
    return this.#run(() => this.api.call('models.setDefault', { id }));
  }
}
