// Suffix array by induced sorting (SA-IS; Nong, Zhang & Chan 2009) and the LCP
// array (Kasai et al. 2001), for the t-tuple and LRS estimates of SP 800-90B
// §6.3.5–6.3.6. Linear time; the input is a byte string.
import { bitsFrom, packBits } from './packed-bits.std';

function getBuckets(s: Int32Array, n: number, k: number, end: boolean, bkt: Int32Array): void {
  bkt.fill(0, 0, k + 1);
  for (let i = 0; i < n; i++) bkt[s[i]!]!++;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += bkt[i]!;
    bkt[i] = end ? sum : sum - bkt[i]!;
  }
}

/**
 * Sorts the suffixes of s[0..n-1], whose last symbol s[n-1] must be a unique
 * sentinel 0 and whose symbols lie in 0..k. Writes the order into sa[0..n-1].
 */
function sais(s: Int32Array, sa: Int32Array, n: number, k: number): void {
  const t = new Uint8Array(n); // 1 = S-type, 0 = L-type
  t[n - 1] = 1;
  if (n > 1) t[n - 2] = 0;
  for (let i = n - 3; i >= 0; i--) t[i] = s[i]! < s[i + 1]! || (s[i] === s[i + 1] && t[i + 1] === 1) ? 1 : 0;
  const isLms = (i: number) => i > 0 && t[i] === 1 && t[i - 1] === 0;
  const bkt = new Int32Array(k + 1);

  const induce = () => {
    getBuckets(s, n, k, false, bkt);
    for (let i = 0; i < n; i++) {
      const j = sa[i]! - 1;
      if (j >= 0 && t[j] === 0) sa[bkt[s[j]!]!++] = j;
    }
    getBuckets(s, n, k, true, bkt);
    for (let i = n - 1; i >= 0; i--) {
      const j = sa[i]! - 1;
      if (j >= 0 && t[j] === 1) sa[--bkt[s[j]!]!] = j;
    }
  };

  // Stage 1: sort the LMS substrings.
  getBuckets(s, n, k, true, bkt);
  sa.fill(-1, 0, n);
  for (let i = 1; i < n; i++) if (isLms(i)) sa[--bkt[s[i]!]!] = i;
  induce();

  let n1 = 0;
  for (let i = 0; i < n; i++) if (isLms(sa[i]!)) sa[n1++] = sa[i]!;
  sa.fill(-1, n1, n);
  let name = 0;
  let prev = -1;
  for (let i = 0; i < n1; i++) {
    const pos = sa[i]!;
    let diff = false;
    for (let d = 0; d < n; d++) {
      if (prev === -1 || s[pos + d] !== s[prev + d] || t[pos + d] !== t[prev + d]) {
        diff = true;
        break;
      } else if (d > 0 && (isLms(pos + d) || isLms(prev + d))) {
        break;
      }
    }
    if (diff) {
      name++;
      prev = pos;
    }
    sa[n1 + (pos >> 1)] = name - 1;
  }
  for (let i = n - 1, j = n - 1; i >= n1; i--) if (sa[i]! >= 0) sa[j--] = sa[i]!;

  // Stage 2: sort the reduced string, recursively if names repeat.
  const sa1 = sa.subarray(0, n1);
  const s1 = sa.subarray(n - n1, n);
  if (name < n1) {
    sais(s1.slice(), sa1, n1, name - 1);
  } else {
    for (let i = 0; i < n1; i++) sa1[s1[i]!] = i;
  }

  // Stage 3: induce the full order from the sorted LMS suffixes.
  getBuckets(s, n, k, true, bkt);
  for (let i = 1, j = 0; i < n; i++) if (isLms(i)) s1[j++] = i;
  for (let i = 0; i < n1; i++) sa1[i] = s1[sa1[i]!]!;
  sa.fill(-1, n1, n);
  for (let i = n1 - 1; i >= 0; i--) {
    const j = sa[i]!;
    sa[i] = -1;
    sa[--bkt[s[j]!]!] = j;
  }
  induce();
}

/**
 * The suffix array of `text` with the empty suffix first: sa[0] = n, then the
 * n suffixes in lexicographic order (the layout NIST's tool builds with divsufsort).
 */
export function suffixArray(text: Uint8Array): Int32Array {
  const n = text.length;
  const s = new Int32Array(n + 1);
  let max = 0;
  for (let i = 0; i < n; i++) {
    s[i] = text[i]! + 1;
    if (s[i]! > max) max = s[i]!;
  }
  s[n] = 0;
  const sa = new Int32Array(n + 1);
  sais(s, sa, n + 1, max);
  return sa;
}

/**
 * lcp[k] = length of the longest common prefix of the suffixes sa[k−1] and sa[k],
 * for k ≥ 2; lcp[0] = −1 and lcp[1] = 0 (the empty suffix), as NIST's sa2lcp.
 */
export function lcpArray(text: Uint8Array, sa: Int32Array): Int32Array {
  const n = text.length;
  const rank = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) rank[sa[i]!] = i;
  const lcp = new Int32Array(n + 1);
  lcp[0] = -1;
  lcp[1] = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const k = rank[i]!;
    if (k > 1) {
      const j = sa[k - 1]!;
      while (i + h < n && j + h < n && text[i + h] === text[j + h]) h++;
      lcp[k] = h;
    }
    if (h > 0) h--;
  }
  return lcp;
}

/**
 * The LCPs of neighbouring suffixes in sorted order, as the t-tuple and LRS estimates read
 * them: L[0] = 0 (the empty suffix), L[k] = the LCP of the k-th and (k+1)-th suffixes for
 * 1 ≤ k < n, L[n] = 0.
 */
export function adjacentLcps(text: Uint8Array): Int32Array {
  const fast = binaryAdjacentLcps(text);
  if (fast) return fast;
  const n = text.length;
  const lcp = lcpArray(text, suffixArray(text));
  const L = new Int32Array(n + 1);
  L.set(lcp.subarray(1, n + 1));
  L[n] = 0;
  return L;
}

/**
 * For a string of bits (every byte 0 or 1): each suffix's first 64 bits as a key, sorted (ties
 * shorter first, which is lexicographic order for a suffix that is a prefix of another), and
 * each neighbour's LCP from the first bit where their keys differ. Several times faster than
 * SA-IS on bits, in a third of its memory (fresh memory is slow to touch on some machines). The
 * order is the suffix order as long as no two suffixes share 64 bits; where two do (long
 * repeats), undefined: SA-IS then sorts them.
 */
export function binaryAdjacentLcps(text: Uint8Array): Int32Array | undefined {
  const n = text.length;
  if (n < 2) return undefined;
  // A suffix's key is read from two words at its offset, and the words stay in cache however the sort jumps.
  const words = packBits(text);
  if (!words || sharedWindowsSeen(words, n)) return undefined;
  const high = (i: number) => bitsFrom(words, i);
  // The LCPs go into the buffer the sort used for its passes (n + 1 long).
  const { order, spare: out } = sortByFirstBits(high, n);
  sortTies(order, n, high);
  out[0] = 0;
  out[n] = 0;
  let previous = order[0]!;
  for (let k = 1; k < n; k++) {
    const i = order[k]!;
    const x = high(i) ^ high(previous);
    const y = x === 0 ? high(i + 32) ^ high(previous + 32) : 0;
    let common = x !== 0 ? Math.clz32(x) : y !== 0 ? 32 + Math.clz32(y) : 64;
    const shorter = n - (i > previous ? i : previous);
    if (common > shorter) common = shorter;
    if (common >= 64) return undefined;
    out[k] = common;
    previous = i;
  }
  return out;
}

/** Suffixes sampled for long repeats before sorting. */
const SAMPLED_SUFFIXES = 4096;

/**
 * Whether two of 4,096 suffixes spread evenly over a long bit string share their first 64
 * bits: data of long repeats (a looping emulator, a stuck DMA buffer; 1,000,000 such bytes
 * give about 16 such pairs), which the sort would otherwise find only at its end, after
 * 1.6 s of work on their 8,000,000 bits. A miss costs nothing but that time: the sort still
 * finds any shared 64 bits.
 */
export function sharedWindowsSeen(words: Int32Array, n: number): boolean {
  const last = n - 64;
  if (last < SAMPLED_SUFFIXES * 16) return false;
  const seen = new Set<string>();
  const stride = Math.floor(last / SAMPLED_SUFFIXES);
  for (let i = 0; i < last; i += stride) {
    const key = `${bitsFrom(words, i)},${bitsFrom(words, i + 32)}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/**
 * Suffix indices sorted by their first 32 bits, stable from the shortest suffix up: a radix
 * sort of three digits (10, 11 and 11 bits: few enough buckets that the scattered writes stay
 * in cache); the other buffer comes back too, for the caller to reuse.
 */
function sortByFirstBits(high: (i: number) => number, n: number): { order: Int32Array; spare: Int32Array } {
  let order = new Int32Array(n + 1);
  let next = new Int32Array(n + 1);
  const counts = new Int32Array(3 << 11);
  for (let k = 0; k < n; k++) {
    const i = n - 1 - k;
    order[k] = i;
    const key = high(i);
    counts[key & 0x3ff]!++;
    counts[2048 + ((key >>> 10) & 0x7ff)]!++;
    counts[4096 + (key >>> 21)]!++;
  }
  for (let pass = 0; pass < 3; pass++) {
    const base = pass << 11;
    const shift = pass === 0 ? 0 : pass === 1 ? 10 : 21;
    const mask = pass === 0 ? 0x3ff : 0x7ff;
    if (counts[base + ((high(order[0]!) >>> shift) & mask)] === n) continue; // a digit every key shares
    for (let d = 0, sum = 0; d <= mask; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[counts[base + ((high(i) >>> shift) & mask)]!++] = i;
    }
    [order, next] = [next, order];
  }
  return { order, spare: next };
}

/** Orders each run of equal first 32 bits by the next 32, keeping shorter suffixes first among equals. */
function sortTies(order: Int32Array, n: number, high: (i: number) => number): void {
  const low = (i: number) => high(i + 32) >>> 0;
  for (let start = 0; start < n - 1; ) {
    const key = high(order[start]!);
    let end = start + 1;
    while (end < n && high(order[end]!) === key) end++;
    if (end - start > 16) {
      // Stable: equal keys keep the shorter-first order the radix sort left.
      const run = Array.from(order.subarray(start, end));
      run.sort((a, b) => low(a) - low(b) || b - a);
      order.set(run, start);
    } else {
      for (let k = start + 1; k < end; k++) {
        const i = order[k]!;
        const v = low(i);
        let j = k - 1;
        while (j >= start && low(order[j]!) > v) {
          order[j + 1] = order[j]!;
          j--;
        }
        order[j + 1] = i;
      }
    }
    start = end;
  }
}
