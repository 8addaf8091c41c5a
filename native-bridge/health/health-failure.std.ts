/** Which SP 800-90B §4.4 test fired. */
export type HealthTestName = 'repetition-count' | 'adaptive-proportion';

/**
 * A health-test failure: typed, with the window it happened in, and never read
 * as success. Every sample of the failing window is discarded.
 */
export class HealthTestFailure extends Error {
  override readonly name = 'HealthTestFailure';

  constructor(
    readonly test: HealthTestName,
    /** Index of the sample that crossed the cutoff, counted from the start of the stream. */
    readonly sampleIndex: number,
    /** Index of the APT window the sample belongs to. */
    readonly windowIndex: number,
    /** The repeated value (RCT) or the window's first value (APT). */
    readonly value: number,
    /** Run length (RCT) or count in the window (APT) when the cutoff was reached. */
    readonly observed: number,
    readonly cutoff: number,
    /** True when the failure happened during the startup test over the first 1024 samples. */
    readonly duringStartup: boolean,
  ) {
    super(
      test === 'repetition-count'
        ? `Repetition Count Test failed at sample ${sampleIndex}: the value ${value} repeated ${observed} times (cutoff ${cutoff}). The source looks stuck.`
        : `Adaptive Proportion Test failed in window ${windowIndex}: the value ${value} appeared ${observed} times (cutoff ${cutoff}). The source lost entropy or became periodic.`,
    );
  }
}
