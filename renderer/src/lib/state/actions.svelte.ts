/**
 * A view's actions: each one's error becomes the view's message, the view's data is read again
 * after it, and `busy` holds the view's buttons meanwhile (unless the action runs for minutes).
 */
export class Actions {
  #busy = $state(false);
  #error = $state<string | undefined>(undefined);

  constructor(private readonly refresh: () => Promise<void>) {}

  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | undefined {
    return this.#error;
  }
  set error(message: string | undefined) {
    this.#error = message;
  }

  async run(work: () => Promise<unknown>, holdBusy = true): Promise<boolean> {
    if (holdBusy) this.#busy = true;
    this.#error = undefined;
    try {
      await work();
      await this.refresh();
      return true;
    } catch (error) {
      this.#error = (error as Error).message;
      return false;
    } finally {
      if (holdBusy) this.#busy = false;
    }
  }
}
