import type { Theme } from '../../../../electron/api/contract.std';
import type { SettingsState } from './settings.svelte';

/** Light, dark or follow the system; the choice is a setting stored by the main process. */
export class ThemeState {
  /** The choice on its way to being stored, shown at once. */
  #pending = $state<Theme | undefined>(undefined);
  #systemDark = $state(false);
  #error = $state<string | undefined>(undefined);
  readonly #choice: Theme;
  readonly #resolved: 'light' | 'dark';

  constructor(private readonly settings: SettingsState) {
    this.#choice = $derived(this.#pending ?? settings.current?.theme ?? 'system');
    this.#resolved = $derived(this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice);
  }

  get choice(): Theme {
    return this.#choice;
  }
  get resolved(): 'light' | 'dark' {
    return this.#resolved;
  }
  get error(): string | undefined {
    return this.#error ?? this.settings.error;
  }

  /** Loads the stored choice and follows changes from the system and other windows. */
  start(): () => void {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = media.matches;
    const onMedia = (event: MediaQueryListEvent) => (this.#systemDark = event.matches);
    media.addEventListener('change', onMedia);
    const stopSettings = this.settings.start();
    return () => {
      media.removeEventListener('change', onMedia);
      stopSettings();
    };
  }

  /** Writes the resolved theme onto <html> so the CSS variables follow it. */
  apply(root: HTMLElement): void {
    root.dataset.theme = this.#resolved;
    root.style.colorScheme = this.#resolved;
  }

  async choose(theme: Theme): Promise<void> {
    this.#pending = theme;
    try {
      await this.settings.update({ theme });
      this.#error = undefined;
    } catch (error) {
      this.#error = `Could not save the theme: ${(error as Error).message}`;
    } finally {
      this.#pending = undefined;
    }
  }
}
