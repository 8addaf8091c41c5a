// Bits (one per byte, 0 or 1) packed 32 to a word, most significant first, for the estimators
// that compare whole stretches of a bit string at once (t-tuple and LRS keys, Lag's scores).

/** The bits packed, two zero words past the end (so any 32 bits from a position before the end can be read); undefined if a byte is not 0 or 1. */
export function packBits(bits: Uint8Array): Int32Array | undefined {
  const words = new Int32Array((bits.length >>> 5) + 3);
  for (let i = 0; i < bits.length; i++) {
    const bit = bits[i]!;
    if (bit > 1) return undefined;
    words[i >>> 5]! |= bit << (31 - (i & 31));
  }
  return words;
}

/** The 32 bits from bit `j` on, the first most significant (zeros past the end). */
export function bitsFrom(words: Int32Array, j: number): number {
  const q = j >>> 5;
  const r = j & 31;
  return r === 0 ? words[q]! : (words[q]! << r) | (words[q + 1]! >>> (32 - r));
}
