// SP 800-90B §4.4.2 Adaptive Proportion Test: in each window of W samples, counts
// how often the window's first value recurs; reaching `cutoff` is a failure.

export class AdaptiveProportionTest {
  #position = 0;
  #first = 0;
  #count = 0;
  #highest = 0;

  constructor(
    readonly cutoff: number,
    readonly windowSize: number,
  ) {}

  /** Feeds one sample; returns the count when it reaches the cutoff, else 0. */
  feed(sample: number): number {
    if (this.#position === 0) {
      this.#first = sample;
      this.#count = 1;
    } else if (sample === this.#first) {
      this.#count++;
    }
    if (this.#count > this.#highest) this.#highest = this.#count;
    this.#position = (this.#position + 1) % this.windowSize;
    return this.#count >= this.cutoff ? this.#count : 0;
  }

  get windowValue(): number {
    return this.#first;
  }
  /** Samples fed into the current window; 0 right after a window completed. */
  get position(): number {
    return this.#position;
  }
  /** Highest count any window reached so far. */
  get highestCount(): number {
    return this.#highest;
  }
}
