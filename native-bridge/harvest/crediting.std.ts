// The one rule of crediting, which every path that turns samples into entropy goes
// through (the Genesis harvest, the conditioned output for rngtest, the sampler's
// seeds): a device is calibrated by an SP 800-90B assessment before anything is
// credited; samples are credited only once both continuous health tests passed their
// whole window; each is credited at the assessed min-entropy (capped where the device
// table caps it), never more; a source with no assessable entropy is refused before a
// sample is tested, and a failed test credits nothing from its window or after it.
import type { Assessment } from '../estimators/assess.std';
import type { HealthTestFailure } from '../health/health-failure.std';
import { HealthMonitor, type HealthStatus } from '../health/health-monitor.std';
import type { SourceInfo } from '../sources/source.std';
import { creditedAssessment, type HarvestStore, type StoredAssessment } from './harvest-store.std';

/** The harvest stopped before a seed: the reason is the cause. Credited contributions stay in the pool. */
export class HarvestError extends Error {
  override readonly name = 'HarvestError';

  constructor(
    message: string,
    readonly creditedBits: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Runs the SP 800-90B assessment, possibly in a worker; reports progress as steps done of total. */
export interface Assessor {
  (samples: Uint8Array, bitsPerSample: number, onProgress: (done: number, total: number) => void): Promise<Assessment>;
  /** Readies what an assessment of samples this wide will run on, while they are still being captured. */
  prepare?(bitsPerSample: number): void;
}

/**
 * A provisional estimate (fewer than 1,000,000 samples) is credited at half its value.
 * The predictor estimators (MultiMMC, LZ78Y, …) need data to find a source's structure:
 * on the former, shorter CPU jitter loop, 50,000 samples gave about 3.2 bits per sample
 * where a million gave 1.7.
 */
export const PROVISIONAL_FACTOR = 0.5;

export function toStored(deviceId: string, bitsPerSample: number, result: Assessment, at: number): StoredAssessment {
  return {
    deviceId,
    bitsPerSample,
    minEntropy: result.provisional ? result.minEntropy * PROVISIONAL_FACTOR : result.minEntropy,
    assessedMinEntropy: result.minEntropy,
    samples: result.samples,
    provisional: result.provisional,
    assessedAt: at,
    limitedBy: result.limitedBy,
    hOriginal: result.hOriginal,
    hBitstring: result.hBitstring ?? null,
  };
}

/** Assesses a calibration capture and stores the estimate with the capture it came from. */
export async function calibrate(
  store: HarvestStore,
  info: SourceInfo,
  samples: Uint8Array,
  assess: Assessor,
  onProgress: (done: number, total: number) => void,
  at: () => number,
): Promise<StoredAssessment> {
  const result = await assess(samples, info.bitsPerSample, onProgress);
  const stored = toStored(info.deviceId, info.bitsPerSample, result, at());
  store.saveAssessment(stored, samples);
  return stored;
}

export interface Credited {
  /** Samples of windows that passed both tests: safe to condition. */
  released: Uint8Array;
  /** What they are credited with: released samples × the credited min-entropy. */
  creditedBits: number;
  /** Set when a test fired; the gate then stays closed. */
  failure?: HealthTestFailure;
}

/** Health tests a device's samples and says what each call may credit. */
export class CreditGate {
  /** The estimate credited: the stored one, capped by the device table. */
  readonly assessment: StoredAssessment;
  /** Samples per adaptive-proportion window: the unit a caller can stop at. */
  readonly windowSize: number;
  readonly #monitor: HealthMonitor;

  /** `creditedSoFar` only goes into the refusal, which says what stays in the pool. */
  constructor(info: SourceInfo, stored: StoredAssessment, creditedSoFar = 0) {
    this.assessment = creditedAssessment(stored, info);
    const a = this.assessment;
    if (!(a.minEntropy > 0)) {
      throw new HarvestError(
        `${info.description} gave no assessable entropy (${a.limitedBy === 'single-symbol' ? 'it produced a single value' : `min-entropy ${a.minEntropy}`}): nothing can be credited from it.`,
        creditedSoFar,
      );
    }
    this.#monitor = new HealthMonitor({ minEntropy: a.minEntropy, bitsPerSample: info.bitsPerSample });
    this.windowSize = this.#monitor.status.apt.windowSize;
  }

  get status(): HealthStatus {
    return this.#monitor.status;
  }

  pass(samples: Uint8Array): Credited {
    const { released, failure } = this.#monitor.push(samples);
    return { released, creditedBits: released.length * this.assessment.minEntropy, ...(failure ? { failure } : {}) };
  }
}
