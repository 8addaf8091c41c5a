// SP 800-90B §6.3.5 t-Tuple and §6.3.6 Longest Repeated Substring estimates, both
// from one suffix array, following Kaufer's counting method as NIST's tool does. The
// LRS pair counts are gathered per open LCP level rather than per length, so data with
// long repeated substrings (a stuck DMA buffer, a looping emulator; LCPs in the hundreds
// of thousands on the bitstring) costs O(n + v), not O(n·v); the counts are integers below
// 2^53, so the result is the same to the last bit.
import { adjacentLcps } from './suffix-array.std';
import { Z_ALPHA } from './numeric.std';

/** Tuples must occur at least this often to count for the t-tuple estimate (§6.3.5). */
const TUPLE_THRESHOLD = 35;

export interface TupleEstimates {
  /** −1 when not applicable. */
  tTuple: number;
  /** −1 when no substring is long enough to be rare (§6.3.6). */
  lrs: number;
}

export function tupleEstimates(text: Uint8Array): TupleEstimates {
  const n = text.length;
  // L[i] = lcp between the i-th and (i+1)-th suffixes in sorted order, L[n] = 0.
  const L = adjacentLcps(text);
  let v = 0;
  for (let i = 0; i < n; i++) if (L[i]! > v) v = L[i]!;
  if (v === 0) return { tTuple: -1, lrs: -1 };

  // Q[t]: the count of the most common t-tuple, for every t ≤ v.
  const Q = new Float64Array(v + 1).fill(1);
  const A = new Float64Array(v + 2);
  const I = new Int32Array(v + 3);
  let j = 0;
  for (let i = 1; i <= n; i++) {
    let c = 0;
    if (L[i]! < L[i - 1]!) {
      let t = L[i - 1]!;
      j--;
      while (t > L[i]!) {
        if (j > 0 && I[j] === t) {
          A[I[j]!]! += A[I[j + 1]!]!;
          A[I[j + 1]!] = 0;
          j--;
        }
        if (Q[t]! >= A[I[j + 1]!]! + 1) {
          t = j > 0 ? I[j]! : L[i]!;
        } else {
          Q[t--] = A[I[j + 1]!]! + 1;
        }
      }
      c = A[I[j + 1]!]!;
      A[I[j + 1]!] = 0;
    }
    if (L[i]! > 0) {
      if (j < 1 || I[j]! < L[i]!) I[++j] = L[i]!;
      A[I[j]!]! += c + 1;
    }
  }
  let u = 1;
  while (u <= v && Q[u]! >= TUPLE_THRESHOLD) u++;

  let pMax = -1;
  for (let i = 1; i < u; i++) {
    const p = (Q[i]! / (n - i + 1)) ** (1 / i);
    if (p > pMax) pMax = p;
  }
  const bound = (p: number) => -Math.log2(Math.min(1, p + Z_ALPHA * Math.sqrt((p * (1 - p)) / (n - 1))));
  const tTuple = pMax > 0 ? bound(pMax) : -1;

  if (v < u) return { tTuple, lrs: -1 };
  // LRS: for each length t in u..v, the number of colliding pairs of t-tuples. The suffixes
  // sharing a prefix of at least t form runs in suffix order; a drop in the LCP from `top` to
  // `b` closes the runs of every length in (b, top], each counting C(size, 2) pairs. A run's size
  // only changes at the LCP levels that are open (a stack of levels and their counts), so each
  // drop adds one constant over each stretch between open levels, recorded as a difference
  // (D) rather than one length at a time: long repeated substrings (lengths in the thousands)
  // cost one step per open level, not one per length.
  const D = new Float64Array(v + 2);
  // Open levels rise strictly, so at most v + 1 of them.
  const levels = new Int32Array(v + 2);
  const counts = new Float64Array(v + 2);
  let depth = 0;
  for (let i = 1; i <= n; i++) {
    const top = L[i - 1]!;
    if (top >= u && L[i]! < top) {
      const b = L[i]! < u ? u - 1 : L[i]!;
      let size = 0;
      while (depth > 0 && levels[depth - 1]! > b) {
        const level = levels[depth - 1]!;
        size += counts[depth - 1]!;
        depth--;
        const below = depth > 0 && levels[depth - 1]! > b ? levels[depth - 1]! : b;
        // Lengths (below, level]: every open run at or above `level` merged, size + 1 suffixes.
        const pairs = ((size + 1) * size) / 2;
        D[level]! += pairs;
        D[below]! -= pairs;
      }
      if (b >= u) {
        if (depth > 0 && levels[depth - 1] === b) counts[depth - 1]! += size;
        else {
          levels[depth] = b;
          counts[depth++] = size;
        }
      }
    }
    const l = L[i]!;
    if (l >= u) {
      if (depth > 0 && levels[depth - 1] === l) counts[depth - 1]!++;
      else {
        levels[depth] = l;
        counts[depth++] = 1;
      }
    }
  }
  const S = new Float64Array(v + 1);
  for (let t = v, running = 0; t >= u; t--) {
    running += D[t]!;
    S[t] = running;
  }
  pMax = 0;
  for (let i = u; i <= v; i++) {
    const pairs = ((n - i) * (n - i + 1)) / 2;
    const p = (S[i]! / pairs) ** (1 / i);
    if (p > pMax) pMax = p;
  }
  return { tTuple, lrs: bound(pMax) };
}
