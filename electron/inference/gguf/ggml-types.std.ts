// The tensor types of ggml as numbered in GGUF files (ggml.h, llama.cpp as bundled
// with node-llama-cpp 3.22.1): block size in elements and bytes per block.

export interface GgmlType {
  id: number;
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

const TYPES: GgmlType[] = [
  { id: 0, name: 'F32', blockSize: 1, typeSize: 4 },
  { id: 1, name: 'F16', blockSize: 1, typeSize: 2 },
  { id: 2, name: 'Q4_0', blockSize: 32, typeSize: 18 },
  { id: 3, name: 'Q4_1', blockSize: 32, typeSize: 20 },
  { id: 6, name: 'Q5_0', blockSize: 32, typeSize: 22 },
  { id: 7, name: 'Q5_1', blockSize: 32, typeSize: 24 },
  { id: 8, name: 'Q8_0', blockSize: 32, typeSize: 34 },
  { id: 9, name: 'Q8_1', blockSize: 32, typeSize: 36 },
  { id: 10, name: 'Q2_K', blockSize: 256, typeSize: 84 },
  { id: 11, name: 'Q3_K', blockSize: 256, typeSize: 110 },
  { id: 12, name: 'Q4_K', blockSize: 256, typeSize: 144 },
  { id: 13, name: 'Q5_K', blockSize: 256, typeSize: 176 },
  { id: 14, name: 'Q6_K', blockSize: 256, typeSize: 210 },
  { id: 15, name: 'Q8_K', blockSize: 256, typeSize: 292 },
  { id: 16, name: 'IQ2_XXS', blockSize: 256, typeSize: 66 },
  { id: 17, name: 'IQ2_XS', blockSize: 256, typeSize: 74 },
  { id: 18, name: 'IQ3_XXS', blockSize: 256, typeSize: 98 },
  { id: 19, name: 'IQ1_S', blockSize: 256, typeSize: 50 },
  { id: 20, name: 'IQ4_NL', blockSize: 32, typeSize: 18 },
  { id: 21, name: 'IQ3_S', blockSize: 256, typeSize: 110 },
  { id: 22, name: 'IQ2_S', blockSize: 256, typeSize: 82 },
  { id: 23, name: 'IQ4_XS', blockSize: 256, typeSize: 136 },
  { id: 24, name: 'I8', blockSize: 1, typeSize: 1 },
  { id: 25, name: 'I16', blockSize: 1, typeSize: 2 },
  { id: 26, name: 'I32', blockSize: 1, typeSize: 4 },
  { id: 27, name: 'I64', blockSize: 1, typeSize: 8 },
  { id: 28, name: 'F64', blockSize: 1, typeSize: 8 },
  { id: 29, name: 'IQ1_M', blockSize: 256, typeSize: 56 },
  { id: 30, name: 'BF16', blockSize: 1, typeSize: 2 },
  // Ternary: 256 weights per block. TQ1_0 packs 5 trits per byte (48 B) + 4 per byte (4 B) + fp16 scale;
  // TQ2_0 packs 2 bits per weight (64 B) + fp16 scale.
  { id: 34, name: 'TQ1_0', blockSize: 256, typeSize: 54 },
  { id: 35, name: 'TQ2_0', blockSize: 256, typeSize: 66 },
  { id: 39, name: 'MXFP4', blockSize: 32, typeSize: 17 },
  // NVFP4: 64 values as 4 E4M3 sub-block scales + 32 bytes of 4-bit codes.
  { id: 40, name: 'NVFP4', blockSize: 64, typeSize: 36 },
  // 1-bit: 128 weights per block as fp16 d + 128 sign bits (bit set → +d, clear → −d).
  { id: 41, name: 'Q1_0', blockSize: 128, typeSize: 18 },
  // 2-bit: 64 weights per block as fp16 d + 64 two-bit codes (code − 1) · d, codes 0–3 → −1, 0, +1, +2.
  { id: 42, name: 'Q2_0', blockSize: 64, typeSize: 18 },
];

const BY_ID = new Map(TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

export const GGML = Object.fromEntries(TYPES.map((t) => [t.name, t.id])) as Record<string, number> & {
  F32: 0;
  F16: 1;
  Q8_0: 8;
  TQ1_0: 34;
  TQ2_0: 35;
  Q1_0: 41;
  Q2_0: 42;
};

/**
 * The types that make a model "1-bit": ternary TQ1_0 and TQ2_0, Q1_0 (signs) and Q2_0
 * (2-bit codes, ternary in practice). A model is 1-bit when its large matrices use them.
 */
export const ONE_BIT_TYPE_NAMES: ReadonlySet<string> = new Set(['TQ1_0', 'TQ2_0', 'Q1_0', 'Q2_0']);

/**
 * Numbers that bitnet.cpp's fork of ggml uses and llama.cpp does not (llama.cpp retired
 * 36–38): I2_S 36, I8_S 37 (activations only, never in files), TL1 38 and TL2 39. TL2's 39
 * is MXFP4 in llama.cpp, so it is read as TL2 only in a bitnet.cpp model (see the validator).
 */
export const BITNET_CPP_TYPES: Record<number, string> = { 36: 'I2_S', 37: 'I8_S', 38: 'TL1' };
export const BITNET_CPP_TL2 = 39;
export const I2_S = 36;

function known(name: string): GgmlType {
  const type = BY_NAME.get(name);
  if (!type) throw new Error(`ggml type ${name} is missing from the table.`);
  return type;
}

/** The types LightSeed writes and decodes: their block sizes and bytes come from the table above, nowhere else. */
export const WRITTEN_TYPES = {
  F32: known('F32'),
  F16: known('F16'),
  Q8_0: known('Q8_0'),
  TQ1_0: known('TQ1_0'),
  TQ2_0: known('TQ2_0'),
  Q1_0: known('Q1_0'),
  Q2_0: known('Q2_0'),
} as const;

export function ggmlType(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name);
}

/** Bytes of a tensor with `elements` values of type `type`; throws when they do not fill whole blocks. */
export function tensorBytes(type: GgmlType, elements: number): number {
  if (elements % type.blockSize !== 0) throw new RangeError(`${elements} values do not fill whole ${type.name} blocks of ${type.blockSize}.`);
  return (elements / type.blockSize) * type.typeSize;
}
