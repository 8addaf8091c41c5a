// SP 800-90B §6.3.8 Lag prediction estimate: predicts each sample as the one d
// steps back, for the lag d (1..128) that has been right most often so far.
import { bitsFrom, packBits } from './packed-bits.std';
import { PredictionRecord } from './prediction.std';

const D = 128;

export function lag(symbols: Uint8Array, alphabetSize: number): number {
  return alphabetSize === 2 && symbols.length > WARM_UP ? lagOnBits(symbols) : lagBySymbol(symbols, alphabetSize);
}

/** The estimate for any alphabet, one lag at a time: each step walks the positions where its symbol last occurred. */
export function lagBySymbol(symbols: Uint8Array, alphabetSize: number): number {
  const len = symbols.length;
  const k = alphabetSize;
  const scoreboard = new Float64Array(D);
  // Per symbol, a ring of the last ≤128 positions where it occurred (start/end count modulo 256).
  const rings = new Float64Array(k * D);
  const starts = new Uint8Array(k);
  const ends = new Uint8Array(k);
  let winner = 0;
  let highScore = 0;
  const record = new PredictionRecord();
  rings[symbols[0]! * D] = 0;
  ends[symbols[0]!] = 1;
  for (let i = 1; i < len; i++) {
    const x = symbols[i]!;
    record.note(x === symbols[i - winner - 1]);
    const base = x * D;
    if (starts[x] !== ends[x]) {
      let index = ends[x]!;
      const cutoff = i >= D ? i - D : 0;
      do {
        index = (index - 1) & 0xff;
        const position = rings[base + (index & (D - 1))]!;
        if (position >= cutoff) {
          const offset = i - position - 1;
          const score = ++scoreboard[offset]!;
          if (score >= highScore) {
            winner = offset;
            highScore = score;
          }
        } else {
          starts[x] = (index + 1) & 0xff;
          break;
        }
      } while (index !== starts[x]);
    }
    if (((ends[x]! - starts[x]!) & 0xff) === D) starts[x] = (starts[x]! + 1) & 0xff;
    rings[base + (ends[x]! & (D - 1))] = i;
    ends[x] = (ends[x]! + 1) & 0xff;
  }
  return record.estimate(len - 1, k);
}

/** Steps the bit version takes one lag at a time before it works in blocks (every lag is near the top early on). */
const WARM_UP = 256;
/** Steps per block: one 32-bit word of the packed bits. */
const BLOCK = 32;

/**
 * The same estimate on bits, step for step, in a fraction of the time. A lag is right at a
 * step when the bit `lag` steps back equals this one, and the winner is the last lag (in
 * increasing order) whose score reaches the high score as the scores count up, so only lags
 * within reach of the top can become the winner within a block of 32 steps: those are counted
 * step by step, in order, as above; every other lag's score moves by its matches over the
 * block, counted at once from the packed bits (32 minus the ones of an exclusive or).
 */
export function lagOnBits(bits: Uint8Array): number {
  const len = bits.length;
  const words = packBits(bits);
  if (!words) return lagBySymbol(bits, 2); // not bits after all
  const scoreboard = new Int32Array(D);
  const candidates = new Int32Array(D);
  let winner = 0;
  let highScore = 0;
  const record = new PredictionRecord();
  // One step: the prediction, then each of `lags` lags (all of them, or the candidates) in increasing order.
  const step = (i: number, lags: number, all: boolean) => {
    const x = bits[i]!;
    record.note(i - winner - 1 >= 0 && x === bits[i - winner - 1]);
    for (let c = 0; c < lags; c++) {
      const offset = all ? c : candidates[c]!;
      if (bits[i - offset - 1] === x) {
        const score = ++scoreboard[offset]!;
        if (score >= highScore) {
          winner = offset;
          highScore = score;
        }
      }
    }
  };
  for (let i = 1; i < WARM_UP; i++) step(i, i < D ? i : D, true);
  for (let start = WARM_UP; start < len; start += BLOCK) {
    const end = Math.min(len, start + BLOCK);
    const steps = end - start;
    // A lag below this cannot reach high score − 1 within the block, so it can never win in it.
    const reach = highScore - 1 - steps;
    let count = 0;
    for (let offset = 0; offset < D; offset++) if (scoreboard[offset]! >= reach) candidates[count++] = offset;
    for (let i = start; i < end; i++) step(i, count, false);
    const mask = steps === 32 ? -1 : -1 << (32 - steps);
    const here = bitsFrom(words, start) & mask;
    for (let offset = 0, c = 0; offset < D; offset++) {
      if (c < count && candidates[c] === offset) {
        c++;
        continue;
      }
      scoreboard[offset]! += steps - ones((here ^ bitsFrom(words, start - offset - 1)) & mask);
    }
  }
  return record.estimate(len - 1, 2);
}

/** The number of one bits in a 32-bit word. */
function ones(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
