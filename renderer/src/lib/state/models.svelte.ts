import type { CatalogItem, DownloadStatus, RegisteredModel } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';
import { Actions } from './actions.svelte';

/**
 * The model registry: list, add by path (validated by the main process), remove, choose the
 * default; and the catalog of models to get, with each download's progress.
 */
export class ModelsState {
  #models = $state.raw<RegisteredModel[]>([]);
  #catalog = $state.raw<CatalogItem[]>([]);
  #catalogSource = $state('');
  #downloads = $state<Record<string, DownloadStatus>>({});
  readonly #actions = new Actions(() => this.refresh());
  #loaded = $state(false);

  constructor(private readonly api: ApiClient) {}

  get models(): RegisteredModel[] {
    return this.#models;
  }
  get error(): string | undefined {
    return this.#actions.error;
  }
  get busy(): boolean {
    return this.#actions.busy;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get catalog(): CatalogItem[] {
    return this.#catalog;
  }
  /** Where catalog models download from, in words. */
  get catalogSource(): string {
    return this.#catalogSource;
  }
  /** The latest status of an entry's download this session (events), else what the catalog said. */
  download(name: string): DownloadStatus | null {
    return this.#downloads[name] ?? this.#catalog.find((item) => item.name === name)?.download ?? null;
  }

  start(): () => void {
    void this.refresh();
    void this.refreshCatalog();
    const stopChat = this.api.on('chat.done', () => void this.refresh());
    const stopDownloads = this.api.on('models.download', (status) => {
      this.#downloads = { ...this.#downloads, [status.name]: status };
      if (status.state !== 'downloading' && status.state !== 'adding') {
        void this.refresh();
        void this.refreshCatalog();
      }
    });
    return () => {
      stopChat();
      stopDownloads();
    };
  }

  async refreshCatalog(): Promise<void> {
    try {
      const { entries, source } = await this.api.call('models.catalog', {});
      this.#catalog = entries;
      this.#catalogSource = source;
    } catch (error) {
      this.#actions.error = (error as Error).message;
    }
  }

  /** Downloads (or resumes) a catalog model; it is checked, registered and made the default when it arrives. */
  get(name: string): Promise<boolean> {
    return this.#run(async () => {
      const status = await this.api.call('models.get', { name });
      this.#downloads = { ...this.#downloads, [name]: status };
    }, false);
  }
  pause(name: string): Promise<boolean> {
    return this.#run(() => this.api.call('models.pause', { name }), false);
  }
  cancel(name: string): Promise<boolean> {
    return this.#run(async () => {
      const status = await this.api.call('models.cancel', { name });
      this.#downloads = { ...this.#downloads, [name]: status };
      await this.refreshCatalog();
    }, false);
  }

  /** Every action, through the view's Actions; a download does not hold the buttons (it runs for minutes). */
  #run(work: () => Promise<unknown>, busy = true): Promise<boolean> {
    return this.#actions.run(work, busy);
  }

  async refresh(): Promise<void> {
    try {
      this.#models = (await this.api.call('models.list', {})).models;
    } catch (error) {
      this.#actions.error = (error as Error).message;
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
