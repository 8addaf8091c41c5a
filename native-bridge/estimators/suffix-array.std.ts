// Suffix array by induced sorting (SA-IS; Nong, Zhang & Chan 2009) and the LCP
// array (Kasai et al. 2001), for the t-tuple and LRS estimates of SP 800-90B
// §6.3.5–6.3.6. Linear time; the input is a byte string.

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
