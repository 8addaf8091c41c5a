// Runs both continuous health tests over raw samples and releases only samples
// whose whole APT window passed: a failure discards its window, stops the
// monitor for good, and is returned as a typed HealthTestFailure.
import { AdaptiveProportionTest } from './adaptive-proportion.std';
import { adaptiveProportionCutoff, aptWindowSize, repetitionCountCutoff } from './cutoffs.std';
import { HealthTestFailure } from './health-failure.std';
import { RepetitionCountTest } from './repetition-count.std';
import { concatBytes } from '../util/concat-bytes.std';

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

export class HealthMonitor {
  readonly #rct: RepetitionCountTest;
  readonly #apt: AdaptiveProportionTest;
  readonly #window: Uint8Array;
  #startupHeld: Uint8Array[] = [];
  #samples = 0;
  #windows = 0;
  #failure: HealthTestFailure | undefined;

  constructor(readonly options: HealthMonitorOptions) {
    const binary = options.bitsPerSample === 1;
    this.#rct = new RepetitionCountTest(repetitionCountCutoff(options.minEntropy));
    this.#apt = new AdaptiveProportionTest(adaptiveProportionCutoff(options.minEntropy, binary), aptWindowSize(binary));
    this.#window = new Uint8Array(this.#apt.windowSize);
  }

  get status(): HealthStatus {
    return {
      state: this.#failure ? 'failed' : this.#samples - this.#apt.position < STARTUP_SAMPLES ? 'startup' : 'ok',
      samplesTested: this.#samples,
      windowsPassed: this.#windows,
      rct: { cutoff: this.#rct.cutoff, longestRun: this.#rct.longestRun },
      apt: { cutoff: this.#apt.cutoff, windowSize: this.#apt.windowSize, highestCount: this.#apt.highestCount },
      ...(this.#failure ? { failure: this.#failure } : {}),
    };
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  push(samples: Uint8Array): HealthResult {
    if (this.#failure) return { released: new Uint8Array(0), failure: this.#failure };
    const out: Uint8Array[] = [];
    const windowSize = this.#apt.windowSize;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]!;
      const index = this.#samples;
      const position = this.#apt.position;
      this.#window[position] = sample;
      this.#samples++;
      const run = this.#rct.feed(sample);
      const count = this.#apt.feed(sample);
      if (run || count) {
        const windowIndex = Math.floor(index / windowSize);
        const startup = index < STARTUP_SAMPLES;
        this.#failure = run
          ? new HealthTestFailure('repetition-count', index, windowIndex, sample, run, this.#rct.cutoff, startup)
          : new HealthTestFailure('adaptive-proportion', index, windowIndex, this.#apt.windowValue, count, this.#apt.cutoff, startup);
        this.#startupHeld = [];
        return { released: concatBytes(out), failure: this.#failure };
      }
      if (this.#apt.position === 0) {
        // A whole window passed both tests.
        this.#windows++;
        const passed = this.#window.slice();
        if (this.#samples <= STARTUP_SAMPLES) {
          // §4.3: nothing leaves before the startup test over the first 1024 samples passed.
          this.#startupHeld.push(passed);
          if (this.#samples === STARTUP_SAMPLES) out.push(...this.#startupHeld.splice(0));
        } else {
          out.push(passed);
        }
      }
    }
    return { released: concatBytes(out) };
  }
}
