import type { Settings } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';

/**
 * The stored settings, loaded once for every part of the window that shows one (the theme, the
 * person's name) and kept as the main process announces changes (another window, the CLI).
 */
export class SettingsState {
  #current = $state<Settings | undefined>(undefined);
  #error = $state<string | undefined>(undefined);
  #users = 0;
  #stop: (() => void) | undefined;

  constructor(private readonly api: ApiClient) {}

  /** Undefined until the first load answers. */
  get current(): Settings | undefined {
    return this.#current;
  }
  /** Why the settings could not be loaded. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Starts loading and following on the first call; the last returned stop ends the following. */
  start(): () => void {
    if (this.#users++ === 0) {
      this.#stop = this.api.on('settings.changed', (settings) => (this.#current = settings));
      this.api.call('settings.get', {}).then(
        // A change announced while the load was on its way is newer than what the load read.
        (settings) => (this.#current ??= settings),
        (error: Error) => (this.#error = error.message),
      );
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.#users === 0) this.#stop?.();
    };
  }

  /** Stores a change; resolves with every setting as stored, and rejects with the main process's refusal. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const stored = await this.api.call('settings.update', patch);
    this.#current = stored;
    return stored;
  }
}
