// bitnet.cpp's I2_S tensors (ggml type 36 in its fork), as its own reader lays them out
// (src/ggml-bitnet-mad.cpp, quantize_i2_s and the x86 kernels; the official BitNet b1.58 2B4T
// GGUF uses this layout): the tensor flattened row-major in blocks of 128 weights, 32 bytes a
// block, byte p of a block holding weights p, p+32, p+64 and p+96 in bits 7–6, 5–4, 3–2 and 1–0;
// codes 0, 1, 2 for −1, 0, +1 (3 is never written); then one float32 scale for the whole
// tensor at byte elements/4, padded to 32 bytes. A weight is (code − 1) · scale.
export const I2S_BLOCK = 128;

/** The 2-bit codes of an I2_S tensor's weights in order, or the index of the first code 3. */
export function unpackI2S(packed: Uint8Array, elements: number): Uint8Array | { badCodeAt: number } {
  const codes = new Uint8Array(elements);
  for (let k = 0; k < elements; k++) {
    const position = k & (I2S_BLOCK - 1);
    const code = (packed[(k >> 7) * 32 + (position & 31)]! >> (6 - 2 * (position >> 5))) & 3;
    if (code === 3) return { badCodeAt: k };
    codes[k] = code;
  }
  return codes;
}

/** fp16 holds a value to 2⁻¹¹ relative only from its smallest normal number, 2⁻¹⁴, up to 65504. */
const F16_MIN_NORMAL = 2 ** -14;
const F16_MAX = 65504;

/** Why an I2_S tensor of `elements` weights cannot be read, or undefined: its layout is whole blocks of 128. */
export function i2sElementsProblem(elements: number): string | undefined {
  return elements % I2S_BLOCK === 0 ? undefined : `has ${elements} weights, not whole blocks of ${I2S_BLOCK} as I2_S packs them (its last weights would be read from the scale and padding bytes)`;
}

/**
 * Why `scale` cannot become an fp16 block scale without losing more than 2⁻¹¹ of it, or undefined.
 * 0 is exact (every weight zero); a scale below fp16's normal range would be rounded towards zero.
 */
export function fp16ScaleProblem(scale: number): string | undefined {
  if (scale === 0 || (scale >= F16_MIN_NORMAL && scale <= F16_MAX)) return undefined;
  return `has the scale ${scale}, outside what fp16 holds to 2⁻¹¹ (${F16_MIN_NORMAL.toExponential(2)} to ${F16_MAX})`;
}

export function i2sScale(packed: Uint8Array, elements: number): number {
  return new DataView(packed.buffer, packed.byteOffset, packed.byteLength).getFloat32(elements / 4, true);
}
