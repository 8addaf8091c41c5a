// bitnet.cpp's I2_S tensors (ggml type 36 in its fork), as its own reader lays them out
// (src/ggml-bitnet-mad.cpp, quantize_i2_s and the x86 kernels; the official BitNet b1.58 2B4T
// GGUF uses this layout): the tensor flattened row-major in blocks of 128 weights, 32 bytes a
// block, byte p of a block holding weights p, p+32, p+64 and p+96 in bits 7–6, 5–4, 3–2 and 1–0;
// codes 0, 1, 2 for −1, 0, +1 (3 is never written); then one float32 scale for the whole
// tensor at byte elements/4, padded to 32 bytes. A weight is (code − 1) · scale.
import { f32ToF16 } from './fp16.std';

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

/**
 * Codes (0, 1, 2 for −1, 0, +1) as TQ2_0 blocks of 256 with scale `d`: the same code per weight,
 * only arranged as llama.cpp's TQ2_0 reads them (byte j+m, bits 2n: weight j·4 + m + 32n).
 */
export function codesToTQ2_0(codes: Uint8Array, d: number): Uint8Array {
  const blocks = codes.length / 256;
  const out = new Uint8Array(blocks * 66);
  const half = f32ToF16(d);
  for (let b = 0; b < blocks; b++) {
    const base = b * 256;
    const o = b * 66;
    for (let j = 0; j < 64; j += 32) {
      for (let m = 0; m < 32; m++) {
        let q = 0;
        for (let n = 0; n < 4; n++) q |= codes[base + j * 4 + m + n * 32]! << (2 * n);
        out[o + j + m] = q;
      }
    }
    out[o + 64] = half & 0xff;
    out[o + 65] = half >> 8;
  }
  return out;
}

/** Codes as Q2_0 blocks of 64 with scale `d` (weight j in bits 2·(j % 4) of byte j / 4): for rows that are not whole TQ2_0 blocks. */
export function codesToQ2_0(codes: Uint8Array, d: number): Uint8Array {
  const blocks = codes.length / 64;
  const out = new Uint8Array(blocks * 18);
  const half = f32ToF16(d);
  for (let b = 0; b < blocks; b++) {
    const o = b * 18;
    out[o] = half & 0xff;
    out[o + 1] = half >> 8;
    for (let j = 0; j < 64; j++) out[o + 2 + (j >> 2)]! |= codes[b * 64 + j]! << ((j & 3) * 2);
  }
  return out;
}
