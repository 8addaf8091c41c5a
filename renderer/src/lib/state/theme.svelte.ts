import type { Theme } from '../../../../electron/api/contract.std';
import type { ApiClient } from '../api/client.dom';

/** Light, dark or follow the system; the choice is a setting stored by the main process. */
export class ThemeState {
  #choice = $state<Theme>('system');
  #systemDark = $state(false);
  #error = $state<string | undefined>(undefined);
  readonly #resolved = $derived<'light' | 'dark'>(this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice);

  constructor(private readonly api: ApiClient) {}

  get choice(): Theme {
    return this.#choice;
  }
  get resolved(): 'light' | 'dark' {
    return this.#resolved;
  }
  get error(): string | undefined {
    return this.#error;
  }

  /** Loads the stored choice and follows changes from the system and other windows. */
  start(): () => void {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = media.matches;
    const onMedia = (event: MediaQueryListEvent) => (this.#systemDark = event.matches);
    media.addEventListener('change', onMedia);
    const stopEvents = this.api.on('settings.changed', (settings) => (this.#choice = settings.theme));
    this.api.call('settings.get', {}).then(
      (settings) => (this.#choice = settings.theme),
      (error: Error) => (this.#error = error.message),
    );
    return () => {
      media.removeEventListener('change', onMedia);
      stopEvents();
    };
  }

  /** Writes the resolved theme onto <html> so the CSS variables follow it. */
  apply(root: HTMLElement): void {
    root.dataset.theme = this.#resolved;
    root.style.colorScheme = this.#resolved;
  }

  async choose(theme: Theme): Promise<void> {
    const previous = this.#choice;
    this.#choice = theme;
    try {
      this.#choice = (await this.api.call('settings.update', { theme })).theme;
      this.#error = undefined;
    } catch (error) {
      this.#choice = previous;
      this.#error = `Could not save the theme: ${(error as Error).message}`;
    }
  }
}
