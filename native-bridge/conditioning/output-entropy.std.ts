// SP 800-90B §3.1.5.1.2: the entropy of a conditioning function's output,
//   Output_Entropy(n_in, n_out, nw, h_in) = −log2(max(ψ, ω)) with
//   P_high = 2^−h_in, P_low = (1 − P_high)/(2^n_in − 1), n = min(n_out, nw),
//   ψ = 2^(n_in−n)·P_low + P_high, U = 2^(n_in−n) + √(2n·2^(n_in−n)·ln 2), ω = U·P_low.
// Computed in log2 space because n_in runs to thousands of bits.

const LN2 = Math.LN2;

/** log2(2^a + 2^b) without overflow. */
function log2Sum(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  if (lo === -Infinity) return hi;
  return hi + Math.log1p(2 ** (lo - hi)) / LN2;
}

/** log2(2^x − 1) for x > 0. */
function log2PowMinusOne(x: number): number {
  return x > 50 ? x + Math.log1p(-(2 ** -x)) / LN2 : Math.log2(2 ** x - 1);
}

/**
 * @param nIn bits fed into the conditioner
 * @param nOut bits it outputs
 * @param nw narrowest internal width (256 for SHA-256)
 * @param hIn credited min-entropy of the input, in bits
 */
export function outputEntropy(nIn: number, nOut: number, nw: number, hIn: number): number {
  const n = Math.min(nOut, nw);
  const pHigh = 2 ** -hIn;
  const log2PLow = Math.log2(1 - pHigh) - log2PowMinusOne(nIn);
  const a = nIn - n;
  const log2Psi = log2Sum(a + log2PLow, -hIn);
  // U = 2^a·(1 + √(2n·ln2·2^−a))
  const log2U = a + Math.log1p(Math.sqrt(2 * n * LN2 * 2 ** -a)) / LN2;
  const log2Omega = log2U + log2PLow;
  return Math.min(nOut, -Math.max(log2Psi, log2Omega));
}

/** SHA-256 as a vetted conditioning component (SP 800-90B §3.1.5.1.1): n_out = nw = 256. */
export function sha256OutputEntropy(nIn: number, hIn: number): number {
  return outputEntropy(nIn, 256, 256, hIn);
}
