// Standard output as a Unix tool treats it: `lightseed agents | head -1` closes the pipe after
// one line, and that ends the command quietly with status 0 (the reader has what it wanted);
// any other failed write (a full disk behind `> file`) is an error the command reports.
// Every command writes through this one guard.

/** The guarded stream's outcome: still open, closed by its reader, or failed. */
export class StandardOutput {
  readonly #stream: NodeJS.WritableStream;
  readonly #closed = new AbortController();
  #failure: Error | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => this.#failed(error));
  }

  #failed(error: NodeJS.ErrnoException): void {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.#closed.abort();
    else this.#failure ??= error;
    for (const wake of this.#waiters) wake();
  }

  /** A file behind `>` is written synchronously, so its errors (ENOSPC) are thrown rather than emitted. */
  #write(chunk: string | Uint8Array): boolean {
    try {
      return this.#stream.write(chunk);
    } catch (error) {
      this.#failed(error as NodeJS.ErrnoException);
      return true;
    }
  }

  /** Aborted when the reader closed the pipe: long commands stop their work. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** A write that failed for another reason than a closed pipe. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** True while writing still reaches someone. */
  get open(): boolean {
    return !this.#closed.signal.aborted && !this.#failure;
  }

  /** Writes text or bytes; nothing once the reader has gone or a write failed. */
  write(chunk: string | Uint8Array): void {
    if (this.open) this.#write(chunk);
  }

  /** Writes and waits while the stream's buffer is full (binary output of any length). */
  async writeAndDrain(chunk: string | Uint8Array): Promise<void> {
    if (!this.open || this.#write(chunk)) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.#waiters.delete(wake);
        this.#stream.off('drain', wake);
        resolve();
      };
      this.#waiters.add(wake);
      this.#stream.once('drain', wake);
    });
  }

  /** Ends a stream the command opened itself (a file), waiting until it is flushed or failed. */
  async end(): Promise<void> {
    await new Promise<void>((resolve) => {
      (this.#stream as NodeJS.WritableStream & { end(cb: (error?: Error | null) => void): void }).end((error?: Error | null) => {
        if (error) this.#failed(error);
        resolve();
      });
    });
  }
}
