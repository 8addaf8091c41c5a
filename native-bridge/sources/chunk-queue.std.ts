// Turns push-style device callbacks (serial 'data', socket 'data', audio frames)
// into the pull-style async iterable a SampleSource returns. Errors and the end of
// the stream travel in order behind the data that came before them.

export interface ChunkQueueOptions {
  /** Bytes buffered before `push` reports backpressure (returns false). Default 4 MiB. */
  highWaterMark?: number;
  /** Called when the consumer drained the buffer below the high-water mark after backpressure. */
  onDrain?: () => void;
}

export class ChunkQueue implements AsyncIterable<Uint8Array> {
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  #waiter: (() => void) | undefined;
  #pressured = false;
  #iterated = false;
  readonly #highWaterMark: number;
  readonly #onDrain: (() => void) | undefined;

  constructor(options: ChunkQueueOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? 4 << 20;
    this.#onDrain = options.onDrain;
  }

  /**
   * Adds a chunk; returns false when the consumer is behind and the producer should pause.
   * What comes out is a plain Uint8Array view, whatever went in: a device callback's Buffer
   * is a subclass whose slice() does not copy, and which compares and prints differently
   * from every other source's samples.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#ended || this.#error || chunk.length === 0) return true;
    this.#chunks.push(Object.getPrototypeOf(chunk) === Uint8Array.prototype ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#buffered += chunk.length;
    this.#wake();
    if (this.#buffered >= this.#highWaterMark) this.#pressured = true;
    return !this.#pressured;
  }

  /** Ends the stream after the data already pushed. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Fails the stream after the data already pushed. The first error wins. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#wake();
  }

  get buffered(): number {
    return this.#buffered;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterated) throw new Error('A source can be read only once.');
    this.#iterated = true;
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.#buffered -= chunk.length;
        if (this.#pressured && this.#buffered < this.#highWaterMark / 2) {
          this.#pressured = false;
          this.#onDrain?.();
        }
        yield chunk;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
