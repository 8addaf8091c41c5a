// Encoders and decoders for the tensor types LightSeed writes, byte-exact with
// llama.cpp's reference quantizers (ggml-quants.c quantize_row_*_ref). Arithmetic
// is done in float32 (Math.fround) as the C code does, so rounding matches.
import { f16ToF32, f32ToF16 } from './fp16.std';
import { WRITTEN_TYPES } from './ggml-types.std';

const { blockSize: QK8_0, typeSize: Q8_0_BYTES } = WRITTEN_TYPES.Q8_0;
const { blockSize: QK_K, typeSize: TQ2_0_BYTES } = WRITTEN_TYPES.TQ2_0;
const { typeSize: TQ1_0_BYTES } = WRITTEN_TYPES.TQ1_0;
const { blockSize: QK1_0, typeSize: Q1_0_BYTES } = WRITTEN_TYPES.Q1_0;
const { blockSize: QK2_0, typeSize: Q2_0_BYTES } = WRITTEN_TYPES.Q2_0;
const fr = Math.fround;

/** C's lroundf/roundf: halves away from zero. */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function absMax(x: Float32Array, start: number, length: number): number {
  let max = 0;
  for (let j = 0; j < length; j++) max = Math.max(max, Math.abs(x[start + j]!));
  return fr(max);
}

export function encodeF32(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
}

export function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f32ToF16(x[i]!);
  return new Uint8Array(out.buffer);
}

/** Q8_0: blocks of 32 as fp16 d = amax/127, then 32 int8 round(x/d). 34 bytes per block. */
export function encodeQ8_0(x: Float32Array): Uint8Array {
  if (x.length % QK8_0) throw new RangeError(`Q8_0 needs a multiple of ${QK8_0} values.`);
  const out = new Uint8Array((x.length / QK8_0) * Q8_0_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / QK8_0; b++) {
    const start = b * QK8_0;
    const d = fr(absMax(x, start, QK8_0) / 127);
    const id = d ? fr(1 / d) : 0;
    view.setUint16(b * Q8_0_BYTES, f32ToF16(d), true);
    for (let j = 0; j < QK8_0; j++) view.setInt8(b * Q8_0_BYTES + 2 + j, roundAway(fr(x[start + j]! * id)));
  }
  return out;
}

/**
 * TQ2_0: blocks of 256 as 64 bytes of 2-bit codes (trit + 1), four weights a byte at
 * strides of 32, then fp16 d = amax. 66 bytes per block.
 */
export function encodeTQ2_0(x: Float32Array): Uint8Array {
  if (x.length % QK_K) throw new RangeError(`TQ2_0 needs a multiple of ${QK_K} values.`);
  const { codes, scales } = ternaryCodes(x, QK_K);
  return packTQ2_0(codes, (b) => scales[b]!);
}

/**
 * Per block of `size`: d = amax, and each weight's code round(x/d) + 1, as both ggml
 * quantizers compute it (|x/d| ≤ 1, so the codes are 0, 1, 2; Q2_0's clamp to 0–3 and
 * TQ2_0's mask to 2 bits never act).
 */
function ternaryCodes(x: Float32Array, size: number): { codes: Uint8Array; scales: Float32Array } {
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(x.length / size);
  for (let b = 0; b < scales.length; b++) {
    const base = b * size;
    const d = absMax(x, base, size);
    const id = d > 0 ? fr(1 / d) : 0;
    scales[b] = d;
    for (let j = 0; j < size; j++) codes[base + j] = Math.min(3, Math.max(0, roundAway(fr(x[base + j]! * id)) + 1));
  }
  return { codes, scales };
}

/**
 * Codes (0, 1, 2 for −1, 0, +1) as TQ2_0 blocks with the scale of each block: llama.cpp's
 * layout, byte j+m of a block holding weight j·4 + m + 32n in bits 2n, then fp16 d.
 * The quantizer above and the I2_S conversion (one scale for a whole tensor) both write it.
 */
export function packTQ2_0(codes: Uint8Array, scaleOf: (block: number) => number): Uint8Array {
  const blocks = codes.length / QK_K;
  const out = new Uint8Array(blocks * TQ2_0_BYTES);
  for (let b = 0; b < blocks; b++) {
    const base = b * QK_K;
    const o = b * TQ2_0_BYTES;
    for (let j = 0; j < 64; j += 32) {
      for (let m = 0; m < 32; m++) {
        let q = 0;
        for (let n = 0; n < 4; n++) q |= codes[base + j * 4 + m + n * 32]! << (2 * n);
        out[o + j + m] = q;
      }
    }
    const half = f32ToF16(scaleOf(b));
    out[o + 64] = half & 0xff;
    out[o + 65] = half >> 8;
  }
  return out;
}

/**
 * TQ1_0: blocks of 256 as 48 bytes holding five trits each (base-3, scaled to a byte),
 * 4 bytes holding four trits each, then fp16 d = amax. 54 bytes per block.
 */
export function encodeTQ1_0(x: Float32Array): Uint8Array {
  if (x.length % QK_K) throw new RangeError(`TQ1_0 needs a multiple of ${QK_K} values.`);
  const out = new Uint8Array((x.length / QK_K) * TQ1_0_BYTES);
  const view = new DataView(out.buffer);
  const trit = (value: number, id: number) => roundAway(fr(value * id)) + 1;
  const scaleToByte = (q: number) => Math.floor(((q & 0xff) * 256 + 242) / 243) & 0xff;
  for (let b = 0; b < x.length / QK_K; b++) {
    let p = b * QK_K;
    const d = absMax(x, p, QK_K);
    const id = d ? fr(1 / d) : 0;
    const o = b * TQ1_0_BYTES;
    // 32 bytes of five trits (160 weights), then 16 bytes of five trits (80 weights).
    for (const [start, width] of [
      [0, 32],
      [32, 16],
    ] as const) {
      for (let m = 0; m < width; m++) {
        let q = 0;
        for (let n = 0; n < 5; n++) q = q * 3 + trit(x[p + m + n * width]!, id);
        out[o + start + m] = scaleToByte(q);
      }
      p += 5 * width;
    }
    // 4 bytes of four trits (16 weights), the first in the most significant trit.
    for (let j = 0; j < 4; j++) {
      let q = 0;
      for (let m = 0; m < 4; m++) q = q * 3 + trit(x[p + j + m * 4]!, id);
      out[o + 48 + j] = scaleToByte(q * 3);
    }
    view.setUint16(o + 52, f32ToF16(d), true);
  }
  return out;
}

/**
 * Q1_0: blocks of 128 as fp16 d = mean |x|, then 16 bytes of signs, weight j in bit j % 8
 * of byte j / 8 (set for x ≥ 0 → +d, clear → −d). 18 bytes per block.
 */
export function encodeQ1_0(x: Float32Array): Uint8Array {
  if (x.length % QK1_0) throw new RangeError(`Q1_0 needs a multiple of ${QK1_0} values.`);
  const out = new Uint8Array((x.length / QK1_0) * Q1_0_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < x.length / QK1_0; b++) {
    const base = b * QK1_0;
    let sum = 0;
    for (let j = 0; j < QK1_0; j++) sum = fr(sum + Math.abs(x[base + j]!));
    view.setUint16(b * Q1_0_BYTES, f32ToF16(fr(sum / QK1_0)), true);
    for (let j = 0; j < QK1_0; j++) if (x[base + j]! >= 0) out[b * Q1_0_BYTES + 2 + (j >> 3)]! |= 1 << (j & 7);
  }
  return out;
}

/**
 * Q2_0: blocks of 64 as fp16 d = amax, then 16 bytes of 2-bit codes round(x/d) + 1
 * clamped to 0–3, weight j in bits 2·(j % 4) of byte j / 4. 18 bytes per block.
 */
export function encodeQ2_0(x: Float32Array): Uint8Array {
  if (x.length % QK2_0) throw new RangeError(`Q2_0 needs a multiple of ${QK2_0} values.`);
  const { codes, scales } = ternaryCodes(x, QK2_0);
  return packQ2_0(codes, (b) => scales[b]!);
}

/** Codes as Q2_0 blocks with the scale of each block: fp16 d, then weight j in bits 2·(j % 4) of byte j / 4. */
export function packQ2_0(codes: Uint8Array, scaleOf: (block: number) => number): Uint8Array {
  const blocks = codes.length / QK2_0;
  const out = new Uint8Array(blocks * Q2_0_BYTES);
  for (let b = 0; b < blocks; b++) {
    const o = b * Q2_0_BYTES;
    const half = f32ToF16(scaleOf(b));
    out[o] = half & 0xff;
    out[o + 1] = half >> 8;
    for (let j = 0; j < QK2_0; j++) out[o + 2 + (j >> 2)]! |= codes[b * QK2_0 + j]! << ((j & 3) * 2);
  }
  return out;
}

export function decodeQ1_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array((bytes.length / Q1_0_BYTES) * QK1_0);
  for (let b = 0; b < bytes.length / Q1_0_BYTES; b++) {
    const d = f16ToF32(view.getUint16(b * Q1_0_BYTES, true));
    for (let j = 0; j < QK1_0; j++) out[b * QK1_0 + j] = (bytes[b * Q1_0_BYTES + 2 + (j >> 3)]! >> (j & 7)) & 1 ? d : -d;
  }
  return out;
}

export function decodeQ2_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array((bytes.length / Q2_0_BYTES) * QK2_0);
  for (let b = 0; b < bytes.length / Q2_0_BYTES; b++) {
    const d = f16ToF32(view.getUint16(b * Q2_0_BYTES, true));
    for (let j = 0; j < QK2_0; j++) out[b * QK2_0 + j] = (((bytes[b * Q2_0_BYTES + 2 + (j >> 2)]! >> ((j & 3) * 2)) & 3) - 1) * d;
  }
  return out;
}

export function decodeF16(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 2 }, (_, i) => f16ToF32(view.getUint16(i * 2, true)));
}

export function decodeQ8_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array((bytes.length / Q8_0_BYTES) * QK8_0);
  for (let b = 0; b < bytes.length / Q8_0_BYTES; b++) {
    const d = f16ToF32(view.getUint16(b * Q8_0_BYTES, true));
    for (let j = 0; j < QK8_0; j++) out[b * QK8_0 + j] = view.getInt8(b * Q8_0_BYTES + 2 + j) * d;
  }
  return out;
}

export function decodeTQ2_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array((bytes.length / TQ2_0_BYTES) * QK_K);
  let y = 0;
  for (let b = 0; b < bytes.length / TQ2_0_BYTES; b++) {
    const d = f16ToF32(view.getUint16(b * TQ2_0_BYTES + 64, true));
    for (let j = 0; j < 64; j += 32) {
      for (let l = 0; l < 4; l++) {
        for (let m = 0; m < 32; m++) out[y++] = (((bytes[b * TQ2_0_BYTES + j + m]! >> (l * 2)) & 3) - 1) * d;
      }
    }
  }
  return out;
}

export function decodeTQ1_0(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array((bytes.length / TQ1_0_BYTES) * QK_K);
  const pow3 = [1, 3, 9, 27, 81, 243];
  const tritOf = (byte: number, n: number) => ((((byte * pow3[n]!) & 0xff) * 3) >> 8) - 1;
  let y = 0;
  for (let b = 0; b < bytes.length / TQ1_0_BYTES; b++) {
    const o = b * TQ1_0_BYTES;
    const d = f16ToF32(view.getUint16(o + 52, true));
    for (const [start, width] of [
      [0, 32],
      [32, 16],
    ] as const) {
      for (let n = 0; n < 5; n++) for (let m = 0; m < width; m++) out[y++] = tritOf(bytes[o + start + m]!, n) * d;
    }
    for (let n = 0; n < 4; n++) for (let j = 0; j < 4; j++) out[y++] = tritOf(bytes[o + 48 + j]!, n) * d;
  }
  return out;
}

export function decodeF32(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.slice().buffer);
}

const DECODERS: Readonly<Record<string, (bytes: Uint8Array) => Float32Array>> = {
  F32: decodeF32,
  F16: decodeF16,
  Q8_0: decodeQ8_0,
  TQ1_0: decodeTQ1_0,
  TQ2_0: decodeTQ2_0,
  Q1_0: decodeQ1_0,
  Q2_0: decodeQ2_0,
};

/** Dequantises whole blocks of a type LightSeed decodes; undefined for the others. */
export function decodeTensorData(typeName: string, bytes: Uint8Array): Float32Array | undefined {
  return DECODERS[typeName]?.(bytes);
}
