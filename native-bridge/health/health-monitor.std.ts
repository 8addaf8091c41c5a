// Runs both continuous health tests over raw samples and releases only samples
// whose whole APT window passed: a failure discards its window, stops the
// monitor for good, and is returned as a typed HealthTestFailure.
//
// SP 800-90B §4.4.1, the Repetition Count Test: a run of `cutoff` identical samples
// in a row is a failure. §4.4.2, the Adaptive Proportion Test: in each window of W
// samples, the window's first value recurring `cutoff` times is a failure.
//
// Both run in one loop over the chunk with their state in locals: a compare and a
// counter per sample and test, nothing allocated per sample or per window. What passed
// is one contiguous stretch of the stream (whole windows, after the startup test), so
// it leaves as one copy: the windows still open and the startup's held samples stay
// behind in a small carry.
import { adaptiveProportionCutoff, aptWindowSize, repetitionCountCutoff } from './cutoffs.std';
import { HealthTestFailure } from './health-failure.std';

/** §4.3: the startup test covers at least 1024 consecutive samples. */
export const STARTUP_SAMPLES = 1024;

export interface HealthMonitorOptions {
  /** Assessed min-entropy per sample, in bits; sets both cutoffs. */
  minEntropy: number;
  /** Bits per sample (1 selects the binary APT window of 1024). */
  bitsPerSample: number;
}

export interface HealthStatus {
  state: 'startup' | 'ok' | 'failed';
  samplesTested: number;
  windowsPassed: number;
  rct: { cutoff: number; longestRun: number };
  apt: { cutoff: number; windowSize: number; highestCount: number };
  failure?: HealthTestFailure;
}

export interface HealthResult {
  /** Samples of completed windows that passed, in order; safe to condition. */
  released: Uint8Array;
  /** Set when a test fired during this call; the monitor is then failed for good. */
  failure?: HealthTestFailure;
}

const NOTHING = new Uint8Array(0);

export class HealthMonitor {
  readonly #rctCutoff: number;
  readonly #aptCutoff: number;
  readonly #window: number;
  /** Samples tested so far: the stream offset of the next sample. */
  #samples = 0;
  /** Stream offset up to which samples were released. */
  #releasedTo = 0;
  /** The stream from #releasedTo to #samples: open windows and, during startup, the held ones. */
  #carry: Uint8Array = NOTHING;
  #last = -1;
  #run = 0;
  #longestRun = 0;
  #first = 0;
  #count = 0;
  #highestCount = 0;
  #windowsPassed = 0;
  #failure: HealthTestFailure | undefined;

  constructor(readonly options: HealthMonitorOptions) {
    const binary = options.bitsPerSample === 1;
    this.#rctCutoff = repetitionCountCutoff(options.minEntropy);
    this.#aptCutoff = adaptiveProportionCutoff(options.minEntropy, binary);
    this.#window = aptWindowSize(binary);
  }

  get status(): HealthStatus {
    const tested = this.#samples - (this.#samples % this.#window);
    return {
      state: this.#failure ? 'failed' : tested < STARTUP_SAMPLES ? 'startup' : 'ok',
      samplesTested: this.#samples,
      windowsPassed: this.#windowsPassed,
      rct: { cutoff: this.#rctCutoff, longestRun: this.#longestRun },
      apt: { cutoff: this.#aptCutoff, windowSize: this.#window, highestCount: this.#highestCount },
      ...(this.#failure ? { failure: this.#failure } : {}),
    };
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  push(samples: Uint8Array): HealthResult {
    if (this.#failure) return { released: NOTHING, failure: this.#failure };
    const start = this.#samples;
    const window = this.#window;
    const rctCutoff = this.#rctCutoff;
    const aptCutoff = this.#aptCutoff;
    let last = this.#last;
    let run = this.#run;
    let longestRun = this.#longestRun;
    let first = this.#first;
    let count = this.#count;
    let highestCount = this.#highestCount;
    let position = start % window;
    const n = samples.length;
    let failedAt = -1;
    // Window by window: the inner loop keeps no window bookkeeping, only the two compares; a
    // test can fire only where its counter reaches a new high, so the cutoffs are checked there.
    scan: for (let i = 0; i < n; ) {
      if (position === 0) {
        first = samples[i]!;
        count = 0;
      }
      const end = Math.min(n, i + window - position);
      const from = i;
      for (; i < end; i++) {
        const sample = samples[i]!;
        if (sample === last) {
          if (++run > longestRun) {
            longestRun = run;
            if (run >= rctCutoff) {
              failedAt = i;
              break scan;
            }
          }
        } else {
          last = sample;
          run = 1;
        }
        if (sample === first && ++count > highestCount) {
          highestCount = count;
          if (count >= aptCutoff) {
            failedAt = i;
            break scan;
          }
        }
      }
      position = (position + i - from) % window;
    }
    if (longestRun === 0 && n > 0) longestRun = 1;
    this.#last = last;
    this.#run = run;
    this.#longestRun = longestRun;
    this.#first = first;
    this.#count = count;
    this.#highestCount = highestCount;

    if (failedAt >= 0) {
      const index = start + failedAt;
      const windowIndex = Math.floor(index / window);
      const startup = index < STARTUP_SAMPLES;
      this.#failure =
        run >= rctCutoff
          ? new HealthTestFailure('repetition-count', index, windowIndex, last, run, rctCutoff, startup)
          : new HealthTestFailure('adaptive-proportion', index, windowIndex, first, count, aptCutoff, startup);
      // Counted as tested up to the failing sample; windows that completed before it pass.
      this.#samples = index + 1;
      this.#windowsPassed = windowIndex;
      const released = this.#release(samples, start, windowIndex * window);
      this.#carry = NOTHING;
      return { released, failure: this.#failure };
    }
    this.#samples = start + n;
    this.#windowsPassed = Math.floor(this.#samples / window);
    return { released: this.#release(samples, start, this.#samples - (this.#samples % window)) };
  }

  /**
   * Releases the stream up to `passedTo` (the end of the last window that passed), if the
   * startup test is over by then, and keeps the rest of what arrived as the carry.
   */
  #release(samples: Uint8Array, start: number, passedTo: number): Uint8Array {
    const end = passedTo >= STARTUP_SAMPLES ? passedTo : this.#releasedTo;
    const carried = this.#carry;
    let released = NOTHING;
    if (end > this.#releasedTo) {
      released = new Uint8Array(end - this.#releasedTo);
      const fromCarry = Math.min(carried.length, released.length);
      released.set(carried.subarray(0, fromCarry));
      released.set(samples.subarray(0, released.length - fromCarry), fromCarry);
    }
    // What stays: the stream from `end` to what was tested, from the carry and this chunk.
    const keepFrom = Math.max(end, this.#releasedTo);
    const tested = this.#samples;
    if (keepFrom >= tested) {
      this.#carry = NOTHING;
    } else if (keepFrom >= start) {
      this.#carry = samples.slice(keepFrom - start, tested - start);
    } else {
      const carry = new Uint8Array(tested - keepFrom);
      const fromOld = carried.subarray(keepFrom - this.#releasedTo);
      carry.set(fromOld);
      carry.set(samples.subarray(0, tested - start), fromOld.length);
      this.#carry = carry;
    }
    this.#releasedTo = keepFrom;
    return released;
  }
}
