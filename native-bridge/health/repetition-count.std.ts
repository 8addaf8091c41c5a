// SP 800-90B §4.4.1 Repetition Count Test: counts how many times in a row the same
// sample value appears; a run of `cutoff` identical samples is a failure.

export class RepetitionCountTest {
  #last = -1;
  #run = 0;
  #longest = 0;

  constructor(readonly cutoff: number) {}

  /** Feeds one sample; returns the run length when it reaches the cutoff, else 0. */
  feed(sample: number): number {
    if (sample === this.#last) {
      this.#run++;
    } else {
      this.#last = sample;
      this.#run = 1;
    }
    if (this.#run > this.#longest) this.#longest = this.#run;
    return this.#run >= this.cutoff ? this.#run : 0;
  }

  get value(): number {
    return this.#last;
  }
  /** Longest run seen so far. */
  get longestRun(): number {
    return this.#longest;
  }
}
