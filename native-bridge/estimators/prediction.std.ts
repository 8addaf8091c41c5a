// SP 800-90B §6.3.7–6.3.10: turning a predictor's record (C correct out of N, longest
// run of corrects) into a min-entropy estimate via P_global' and P_local.
import { bisectDecreasing, Z_ALPHA } from './numeric.std';

const LOG_ALPHA = Math.log(0.99);

/** log of the probability that the longest run of successes is below r, for success probability p (§6.3.7 step 12). */
export function predictionEstimateFunction(p: number, r: number, n: number): number {
  const q = 1 - p;
  let x = 1;
  let last = 0;
  const pr = p ** r;
  for (let i = 0; i <= 65 && x - last > Number.EPSILON * x; i++) {
    last = x;
    x = 1 + q * pr * x ** (r + 1);
  }
  return Math.log(1 - p * x) - Math.log((r + 1 - r * x) * q) - (n + 1) * Math.log(x);
}

/** Min-entropy from `correct` predictions out of `total`, longest run `maxRun`, alphabet size `k`. */
export function predictionEstimate(correct: number, total: number, maxRun: number, k: number): number {
  let curMax = 1 / k;
  const pGlobal = correct / total;
  const pGlobalPrime = pGlobal > 0 ? Math.min(1, pGlobal + Z_ALPHA * Math.sqrt((pGlobal * (1 - pGlobal)) / (total - 1))) : 1 - 0.01 ** (1 / total);
  curMax = Math.max(curMax, pGlobalPrime);
  if (curMax < 1 && predictionEstimateFunction(curMax, maxRun + 1, total) > LOG_ALPHA) {
    const pLocal = bisectDecreasing((p) => predictionEstimateFunction(p, maxRun + 1, total), LOG_ALPHA, curMax, 1, 1);
    curMax = Math.max(curMax, pLocal);
  }
  return -Math.log2(curMax);
}

/** What a predictor's predictions came to: how many were right, and the longest run of rights. */
export class PredictionRecord {
  correct = 0;
  run = 0;
  maxRun = 0;

  note(right: boolean): void {
    if (right) {
      this.correct++;
      if (++this.run > this.maxRun) this.maxRun = this.run;
    } else {
      this.run = 0;
    }
  }

  /** The min-entropy estimate from the record of `total` predictions over an alphabet of `k`. */
  estimate(total: number, k: number): number {
    return predictionEstimate(this.correct, total, this.maxRun, k);
  }
}
