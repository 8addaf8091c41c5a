// Notices a device or server that stopped sending: the one stall clock of the live
// sources (serial, rtl_tcp, line-in) and the model downloader. A check runs a few
// times per timeout rather than one timer per byte; a check that comes late means the
// event loop was blocked (a long assessment step, a synchronous write), and data of
// that time may be queued behind this timer, so blocked time never counts as silence.

export class StallWatchdog {
  readonly #timeoutMs: number;
  readonly #checkEveryMs: number;
  readonly #onStall: (quietMs: number) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #lastCheck = 0;

  /** `onStall` runs once per start, after `timeoutMs` without `heard()`; the watchdog is then stopped. */
  constructor(timeoutMs: number, onStall: (quietMs: number) => void) {
    if (!(timeoutMs > 0)) throw new RangeError(`A stall timeout must be positive, not ${timeoutMs} ms.`);
    this.#timeoutMs = timeoutMs;
    this.#checkEveryMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 4)));
    this.#onStall = onStall;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts (or restarts) the clock from now. */
  start(): void {
    this.stop();
    this.#lastHeard = this.#lastCheck = performance.now();
    this.#timer = setInterval(() => this.#check(), this.#checkEveryMs);
    // The device's own handle keeps the process alive while it streams; the watchdog need not.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Something arrived. */
  heard(): void {
    this.#lastHeard = performance.now();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = performance.now();
    const sinceCheck = now - this.#lastCheck;
    this.#lastCheck = now;
    if (sinceCheck > 2 * this.#checkEveryMs) this.#lastHeard += sinceCheck - this.#checkEveryMs;
    const quietMs = now - this.#lastHeard;
    if (quietMs < this.#timeoutMs) return;
    this.stop();
    this.#onStall(quietMs);
  }
}
