// The bit strings' suffix order by 64-bit keys against SA-IS and Kasai's LCPs, on the
// strings where the shortcut is easiest to get wrong: suffixes that are prefixes of
// others (runs of zeros at the end), short strings, biased and periodic bits.
import { describe, expect, it } from 'vitest';
import { packBits } from '../../../native-bridge/estimators/packed-bits.std';
import { adjacentLcps, binaryAdjacentLcps, lcpArray, sharedWindowsSeen, suffixArray } from '../../../native-bridge/estimators/suffix-array.std';

function bySais(text: Uint8Array): Int32Array {
  const lcp = lcpArray(text, suffixArray(text));
  const L = new Int32Array(text.length + 1);
  L.set(lcp.subarray(1, text.length + 1));
  return L;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function bits(n: number, pOne: number, seed: number, tail: number[] = []): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(n + tail.length);
  for (let i = 0; i < n; i++) out[i] = next() < pOne ? 1 : 0;
  out.set(tail, n);
  return out;
}

describe('the LCPs of neighbouring suffixes of a bit string', () => {
  const cases: [string, Uint8Array][] = [
    ['two bits', Uint8Array.of(1, 0)],
    ['fifty random bits', bits(50, 0.5, 1)],
    ['63 bits', bits(63, 0.5, 2)],
    ['64 bits', bits(64, 0.5, 3)],
    ['65 bits', bits(65, 0.5, 4)],
    ['random bits ending in a run of zeros', bits(3000, 0.5, 5, new Array<number>(40).fill(0))],
    ['random bits ending in a run of ones', bits(3000, 0.5, 6, new Array<number>(40).fill(1))],
    ['biased bits', bits(20_000, 0.2, 7)],
    ['evenly biased bits', bits(200_000, 0.5, 8)],
    ['bits that are mostly ones', bits(20_000, 0.95, 9)],
  ];
  it('take the shortcut on bits biased enough that many suffixes share their first 32 bits', () => {
    const text = bits(100_000, 0.8, 12); // about 80 suffixes start with 32 ones
    const fast = binaryAdjacentLcps(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(bySais(text));
  });
  for (const [name, text] of cases) {
    it(`agree with SA-IS on ${name}, where no two suffixes share 64 bits`, () => {
      const fast = binaryAdjacentLcps(text);
      const reference = bySais(text);
      if (fast === undefined) {
        // Only where two suffixes really share 64 bits.
        expect(Math.max(...reference)).toBeGreaterThanOrEqual(64);
      } else {
        expect(fast).toEqual(reference);
      }
      expect(adjacentLcps(text)).toEqual(reference);
    });
  }

  it('leave long repeats to SA-IS, with the same result', () => {
    const period = bits(100, 0.5, 10);
    const text = new Uint8Array(1000);
    for (let i = 0; i < text.length; i++) text[i] = period[i % 100]!;
    expect(binaryAdjacentLcps(text)).toBeUndefined();
    expect(binaryAdjacentLcps(bits(2000, 0.97, 11))).toBeUndefined(); // runs of 64 ones
    expect(adjacentLcps(text)).toEqual(bySais(text));
  });

  it('see long repeats in a sample before sorting, and none in random bits', () => {
    // 2 KiB slices of one 8 KiB table, as bits: the shape of a looping emulator's output.
    const table = bits(8 * 8192, 0.5, 13);
    const repeated = new Uint8Array(400_000);
    const next = random(14);
    for (let at = 0; at < repeated.length; at += 8 * 2048) {
      const from = Math.floor(next() * (table.length - 8 * 2048));
      repeated.set(table.subarray(from, from + Math.min(8 * 2048, repeated.length - at)), at);
    }
    expect(sharedWindowsSeen(packBits(repeated)!, repeated.length)).toBe(true);
    expect(binaryAdjacentLcps(repeated)).toBeUndefined();
    expect(adjacentLcps(repeated)).toEqual(bySais(repeated));
    const fair = bits(400_000, 0.5, 15);
    expect(sharedWindowsSeen(packBits(fair)!, fair.length)).toBe(false);
  });

  it('are not taken from 64-bit keys for bytes that are not bits', () => {
    expect(binaryAdjacentLcps(Uint8Array.of(0, 1, 2, 1, 0))).toBeUndefined();
    expect(adjacentLcps(Uint8Array.of(0, 1, 2, 1, 0, 1, 2))).toEqual(bySais(Uint8Array.of(0, 1, 2, 1, 0, 1, 2)));
  });
});
