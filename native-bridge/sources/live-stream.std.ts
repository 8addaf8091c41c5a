// The life of a live source, written once for serial ports, rtl_tcp and line-in:
// samples handed on through a ChunkQueue with backpressure, a stall watchdog that
// runs while the device should be sending and the consumer keeps up, a failure that
// ends the stream once (behind the samples already received), and a dispose that is
// safe to call twice and releases the device once. What stays in each source is
// what differs: how to pause its device, what a stall means, how to release it.
import { DisposedError } from '../resource/disposed-error.std';
import { asError } from '../util/as-error.std';
import { StallWatchdog } from '../util/stall-watchdog.std';
import { ChunkQueue } from './chunk-queue.std';

export interface LiveStreamHooks {
  /** Stops reading while the consumer is behind. Absent: samples arriving then are the source's to drop (live audio cannot wait). */
  pause?: () => void;
  /** Reads again once the consumer caught up. */
  resume?: () => void;
  /** The device sent nothing for the stall timeout while watched; usually `fail` with a sentence. */
  onStall: (quietMs: number) => void;
  /** Releases the device (stop command, close, terminate); called once. Resolves with an error worth reporting, if any. */
  release: () => Promise<Error | undefined>;
}

export interface LiveStreamOptions {
  /** Names the source in DisposedError ("The serial source TrueRNG at /dev/ttyACM0"). */
  name: string;
  highWaterMark: number;
  stallTimeoutMs: number;
}

export class LiveStream {
  readonly #name: string;
  readonly #hooks: LiveStreamHooks;
  readonly #queue: ChunkQueue;
  readonly #watchdog: StallWatchdog;
  /** The device should be sending now (streaming, not reconnecting). */
  #watched = false;
  #pressured = false;
  #finished = false;
  #disposed = false;
  #failure: Error | undefined;
  #released: Promise<Error | undefined> | undefined;

  constructor(options: LiveStreamOptions, hooks: LiveStreamHooks) {
    this.#name = options.name;
    this.#hooks = hooks;
    this.#queue = new ChunkQueue({ highWaterMark: options.highWaterMark, onDrain: () => this.#drained() });
    this.#watchdog = new StallWatchdog(options.stallTimeoutMs, (quietMs) => {
      if (!this.#finished) hooks.onStall(quietMs);
    });
  }

  /** No more samples are taken: the stream failed or was disposed. */
  get finished(): boolean {
    return this.#finished;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** The consumer is behind. */
  get pressured(): boolean {
    return this.#pressured;
  }

  /** The error the stream ended with, if it failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  samples(): AsyncIterable<Uint8Array> {
    if (this.#disposed) throw new DisposedError(this.#name);
    return this.#queue;
  }

  /** Hands samples on (they count as heard); pauses the device when the consumer falls behind. */
  deliver(samples: Uint8Array): void {
    if (this.#finished) return;
    this.#watchdog.heard();
    if (samples.length === 0 || this.#queue.push(samples)) return;
    this.#pressured = true;
    // A paused device is not a stalled one: the clock stops until the consumer catches up.
    this.#watchdog.stop();
    this.#hooks.pause?.();
  }

  /** Something arrived that is not samples yet (a handshake reply, a partial line). */
  heard(): void {
    this.#watchdog.heard();
  }

  /** The device should be sending from now on: the stall clock runs (while the consumer keeps up). */
  watch(): void {
    this.#watched = true;
    if (!this.#finished && !this.#pressured) this.#watchdog.start();
  }

  /** The device is not expected to send for now (reconnecting). */
  unwatch(): void {
    this.#watched = false;
    this.#watchdog.stop();
  }

  /**
   * Ends the stream with `error` after the samples already received, and releases the
   * device; only the first failure counts. A promise stops the stream at once and ends it
   * with the error once known (a stall whose cause takes a look at the device list).
   */
  fail(error: Error | Promise<Error>): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#watchdog.stop();
    if (error instanceof Error) return this.#end(error);
    void error.then(
      (known) => this.#end(known),
      (unknown: unknown) => this.#end(asError(unknown)),
    );
  }

  /**
   * Ends the stream and releases the device; safe to call again. Resolves with the
   * release's error (a port that would not close), to the first call only: it is
   * reported once, not at every later dispose.
   */
  async dispose(): Promise<Error | undefined> {
    const first = !this.#disposed;
    if (first) {
      this.#disposed = true;
      this.#queue.end();
    }
    const error = await this.release();
    return first ? error : undefined;
  }

  /** Releases the device once, whoever asks first; the same answer for everyone. */
  release(): Promise<Error | undefined> {
    this.#finished = true;
    this.#watchdog.stop();
    this.#released ??= this.#hooks.release().catch(asError);
    return this.#released;
  }

  #end(error: Error): void {
    this.#failure ??= error;
    // A consumer that disposed the source asked for the end, not for this error.
    if (!this.#disposed) this.#queue.fail(error);
    // The release's own error, if any, is kept for dispose(); the consumer sees `error` first.
    void this.release();
  }

  #drained(): void {
    this.#pressured = false;
    if (this.#finished) return;
    this.#hooks.resume?.();
    if (this.#watched) this.#watchdog.start();
  }
}
