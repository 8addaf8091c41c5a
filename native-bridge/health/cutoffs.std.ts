// Health-test cutoffs of NIST SP 800-90B §4.4, for a false-positive probability
// α = 2^-20 per test (the value §4.4 recommends, between 2^-20 and 2^-40).

/** −log2 α: SP 800-90B §4.4 recommends α = 2^-20. */
export const ALPHA_EXPONENT = 20;

/** §4.4.2: the APT window is 1024 samples for binary sources and 512 otherwise. */
export function aptWindowSize(binary: boolean): number {
  return binary ? 1024 : 512;
}

/**
 * §4.4.1 Repetition Count Test: C = 1 + ⌈−log2(α) / H⌉.
 * A run of C identical samples has probability at most α for a source of min-entropy H.
 */
export function repetitionCountCutoff(minEntropy: number, alphaExponent = ALPHA_EXPONENT): number {
  assertEntropy(minEntropy);
  return 1 + Math.ceil(alphaExponent / minEntropy);
}

/**
 * §4.4.2 Adaptive Proportion Test: C = 1 + CRITBINOM(W, 2^−H, 1 − α), the smallest count
 * of the window's first value that a source of min-entropy H reaches with probability at most α.
 */
export function adaptiveProportionCutoff(minEntropy: number, binary: boolean, alphaExponent = ALPHA_EXPONENT): number {
  assertEntropy(minEntropy);
  const window = aptWindowSize(binary);
  return 1 + critBinom(window, 2 ** -minEntropy, 1 - 2 ** -alphaExponent);
}

/**
 * Excel's CRITBINOM(n, p, α): the smallest k with P(X ≤ k) ≥ α for X ~ Binomial(n, p).
 * The upper tail is summed in log space from the top, so 1 − α = 2^-20 keeps full precision.
 */
export function critBinom(n: number, p: number, alpha: number): number {
  if (p >= 1) return n;
  if (p <= 0) return 0;
  const tailTarget = 1 - alpha; // we want the smallest k with P(X > k) ≤ 1 − α
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  // P(X = j) for j = n down to 0, summing the upper tail P(X ≥ j).
  let logChoose = 0; // log C(n, n)
  let tail = 0;
  for (let j = n; j >= 0; j--) {
    if (j < n) logChoose += Math.log((j + 1) / (n - j)); // C(n, j) = C(n, j+1) · (j+1)/(n−j)
    const pj = Math.exp(logChoose + j * logP + (n - j) * logQ);
    if (tail + pj > tailTarget) return j; // P(X > j) = tail ≤ target, P(X > j−1) would exceed it
    tail += pj;
  }
  return 0;
}

function assertEntropy(h: number): void {
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`Min-entropy per sample must be a positive number, not ${h}.`);
}
