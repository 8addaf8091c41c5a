// Recomputes the SP 800-90B §4.4 cutoffs by an independent method and against the
// standard's own table, so a change to the code's tables cannot go unnoticed.
import { describe, expect, it } from 'vitest';
import { adaptiveProportionCutoff, critBinom, repetitionCountCutoff } from '../../../native-bridge/health/cutoffs.std';

/** CRITBINOM(n, 2^-h, 1 − 2^-a) in exact integer arithmetic, for whole h. */
function exactCritBinom(n: number, h: number, a: number): number {
  // P(X ≤ k) ≥ 1 − 2^-a  ⇔  Σ_{j≤k} C(n,j)·(2^h − 1)^(n−j) · 2^a ≥ (2^a − 1) · 2^(h·n)
  const N = BigInt(n);
  const base = (1n << BigInt(h)) - 1n;
  const total = 1n << BigInt(h * n);
  const target = ((1n << BigInt(a)) - 1n) * total;
  let choose = 1n;
  let sum = 0n;
  for (let j = 0n; j <= N; j++) {
    if (j > 0n) choose = (choose * (N - j + 1n)) / j;
    sum += choose * base ** (N - j) * (1n << BigInt(a));
    if (sum >= target) return Number(j);
  }
  return n;
}

describe('health-test cutoffs (SP 800-90B §4.4, α = 2^-20)', () => {
  it('RCT: C = 1 + ⌈20 / H⌉', () => {
    expect([0.5, 1, 2, 3, 4, 6, 7.5, 8].map((h) => repetitionCountCutoff(h))).toEqual([41, 21, 11, 8, 6, 5, 4, 4]);
  });

  it('APT matches the table of §4.4.2 (W = 512 for non-binary sources)', () => {
    expect([0.5, 1, 2, 4, 8].map((h) => adaptiveProportionCutoff(h, false))).toEqual([410, 311, 177, 62, 13]);
  });

  it('APT for binary sources uses W = 1024', () => {
    expect(adaptiveProportionCutoff(1, true)).toBe(589);
  });

  it('agrees with an exact integer recomputation of CRITBINOM for every whole H and both windows', () => {
    for (let h = 1; h <= 8; h++) {
      expect(adaptiveProportionCutoff(h, false), `W=512 H=${h}`).toBe(1 + exactCritBinom(512, h, 20));
    }
    expect(adaptiveProportionCutoff(1, true)).toBe(1 + exactCritBinom(1024, 1, 20));
  });

  it('never lets the cutoff fall below what the source should reach', () => {
    // The expected count of the first value in a window is 1 + (W−1)·2^-H; the cutoff must exceed it.
    for (const h of [0.1, 0.3, 0.7, 1.5, 3.3, 5, 7.9]) {
      expect(adaptiveProportionCutoff(h, false)).toBeGreaterThan(1 + 511 * 2 ** -h);
    }
  });

  it('critBinom handles the edges', () => {
    expect(critBinom(10, 0, 0.5)).toBe(0);
    expect(critBinom(10, 1, 0.5)).toBe(10);
    expect(critBinom(1, 0.5, 0.5)).toBe(0);
  });

  it('refuses a meaningless entropy', () => {
    expect(() => repetitionCountCutoff(0)).toThrow(RangeError);
    expect(() => adaptiveProportionCutoff(Number.NaN, false)).toThrow(RangeError);
  });
});
