// SP 800-90B §6.3.4 Compression estimate (binary data only): Maurer-style
// distances between repeated 6-bit blocks after a 1000-block dictionary.
import { bisectDecreasing, KahanSum, Z_ALPHA } from './numeric.std';

const BLOCK_BITS = 6;
const DICTIONARY_BLOCKS = 1000;
const UNDERFLOW = 1e-290;

/** The expected statistic for a block probability z (the G function of §6.3.4). */
function g(z: number, d: number, blocks: number): number {
  const v = blocks - d;
  const ai = new KahanSum();
  const firstSum = new KahanSum();
  const bTerm = 1 - z;
  let bi = bTerm;
  for (let i = 2; i <= d; i++) {
    ai.add(Math.log2(i) * bi);
    bi *= bTerm;
  }
  const ad1 = ai.sum;
  let underflow = false;
  for (let i = d + 1; i <= blocks - 1; i++) {
    const term = Math.log2(i) * bi;
    ai.add(term);
    const scaled = (blocks - i) * term;
    // NIST keeps B_i in long double and stops once the term underflows a double. In
    // double arithmetic B_i instead sticks at the smallest subnormal (x·(1−z) rounds
    // back to it) and the loop would crawl through a million subnormal products; the
    // terms past 1e-290 cannot move a sum of order one, so stop there.
    if (scaled > UNDERFLOW) {
      firstSum.add(scaled);
    } else {
      underflow = true;
      break;
    }
    bi *= bTerm;
  }
  firstSum.add((blocks - d) * ad1);
  if (!underflow) ai.add(Math.log2(blocks) * bi);
  return (1 / v) * z * (z * firstSum.sum + (ai.sum - ad1));
}

function expected(p: number, alphabet: number, d: number, blocks: number): number {
  const q = (1 - p) / (alphabet - 1);
  return g(p, d, blocks) + (alphabet - 1) * g(q, d, blocks);
}

/** Returns −1 when there are too few blocks to run the test. */
export function compression(bits: Uint8Array): number {
  const alphabet = 1 << BLOCK_BITS;
  const blocks = Math.floor(bits.length / BLOCK_BITS);
  const d = DICTIONARY_BLOCKS;
  if (blocks <= d) return -1;
  const dict = new Float64Array(alphabet);
  const block = (i: number) => {
    let value = 0;
    for (let j = 0; j < BLOCK_BITS; j++) value |= (bits[i * BLOCK_BITS + j]! & 1) << (BLOCK_BITS - j - 1);
    return value;
  };
  for (let i = 0; i < d; i++) dict[block(i)] = i + 1;
  const v = blocks - d;
  const x = new KahanSum();
  const sigma = new KahanSum();
  for (let i = d; i < blocks; i++) {
    const b = block(i);
    const distance = Math.log2(i + 1 - dict[b]!);
    x.add(distance);
    sigma.add(distance * distance);
    dict[b] = i + 1;
  }
  let mean = x.sum / v;
  const sd = 0.5907 * Math.sqrt(sigma.sum / (v - 1) - mean * mean);
  mean -= (Z_ALPHA * sd) / Math.sqrt(v);
  let p = -1;
  const low = 1 / alphabet;
  if (expected(low, alphabet, d, blocks) > mean) {
    p = bisectDecreasing((candidate) => expected(candidate, alphabet, d, blocks), mean, low, 1, low);
  }
  return p > low ? -Math.log2(p) / BLOCK_BITS : 1;
}
