// SP 800-90B §6.3.3 Markov estimate (binary data only): the most likely 128-bit path
// through the first-order transition matrix.

export function markov(bits: Uint8Array): number {
  const len = bits.length;
  let c0 = 0;
  let c00 = 0;
  let c10 = 0;
  for (let i = 0; i < len - 1; i++) {
    if (bits[i] === 0) {
      c0++;
      if (bits[i + 1] === 0) c00++;
    } else if (bits[i + 1] === 0) c10++;
  }
  const c1 = len - 1 - c0;
  const p00 = c0 > 0 ? c00 / c0 : 0;
  const p01 = c0 > 0 ? 1 - p00 : 0;
  const p10 = c1 > 0 ? c10 / c1 : 0;
  const p11 = c1 > 0 ? 1 - p10 : 0;
  if (bits[len - 1] === 0) c0++;
  const p0 = c0 / len;
  const p1 = 1 - p0;
  let h = 128;
  const consider = (value: number) => {
    if (value < h) h = value;
  };
  if (p00 > 0) consider(-Math.log2(p0) - 127 * Math.log2(p00));
  if (p01 > 0 && p10 > 0) consider(-Math.log2(p0) - 64 * Math.log2(p01) - 63 * Math.log2(p10));
  if (p01 > 0 && p11 > 0) consider(-Math.log2(p0) - Math.log2(p01) - 126 * Math.log2(p11));
  if (p10 > 0 && p00 > 0) consider(-Math.log2(p1) - Math.log2(p10) - 126 * Math.log2(p00));
  if (p10 > 0 && p01 > 0) consider(-Math.log2(p1) - 64 * Math.log2(p10) - 63 * Math.log2(p01));
  if (p11 > 0) consider(-Math.log2(p1) - 127 * Math.log2(p11));
  return Math.min(h / 128, 1);
}
