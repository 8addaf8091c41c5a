// The bit versions of the Lag and MultiMCW estimates against the versions for any alphabet,
// on bits where the winner changes often (fair coins), seldom (a strong lag), and on short
// and odd lengths.
import { describe, expect, it } from 'vitest';
import { lagBySymbol, lagOnBits } from '../../../native-bridge/estimators/lag.std';
import { multiMcwBySymbol, multiMcwOnBits } from '../../../native-bridge/estimators/multi-mcw.std';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function bits(n: number, make: (i: number, out: Uint8Array, next: () => number) => number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = make(i, out, next);
  return out;
}

describe('the Lag and MultiMCW estimates on bits', () => {
  const cases: [string, Uint8Array][] = [
    ['fair coins', bits(200_000, (_, __, next) => (next() < 0.5 ? 1 : 0), 1)],
    ['biased coins', bits(100_000, (_, __, next) => (next() < 0.3 ? 1 : 0), 2)],
    ['bits that mostly repeat the one 17 back', bits(100_000, (i, out, next) => (i >= 17 && next() < 0.9 ? out[i - 17]! : next() < 0.5 ? 1 : 0), 3)],
    ['bits whose best lag changes halfway', bits(60_000, (i, out, next) => (next() < 0.8 ? (i < 30_000 ? (i >= 5 ? out[i - 5]! : 0) : i >= 90 ? out[i - 90]! : 1) : next() < 0.5 ? 1 : 0), 4)],
    ['a constant run with a few flips', bits(50_000, (_, __, next) => (next() < 0.001 ? 1 : 0), 5)],
    ['an odd length just past the warm-up', bits(257 + 13, (_, __, next) => (next() < 0.5 ? 1 : 0), 6)],
    ['bits whose balance drifts from ones to zeros', bits(80_000, (i, __, next) => (next() < 0.7 - (0.4 * i) / 80_000 ? 1 : 0), 8)],
    ['just enough bits for the largest window', bits(4096, (_, __, next) => (next() < 0.5 ? 1 : 0), 9)],
    ['a length that ends mid-word', bits(10_007, (_, __, next) => (next() < 0.5 ? 1 : 0), 7)],
  ];
  for (const [name, input] of cases) {
    it(`are the same to the last bit on ${name}`, () => {
      expect(lagOnBits(input)).toBe(lagBySymbol(input, 2));
      if (input.length >= 4096) expect(multiMcwOnBits(input)).toBe(multiMcwBySymbol(input, 2));
    });
  }
});
