// A writer of bitnet.cpp-style GGUF files for tests, mirroring bitnet.cpp's own converter and
// quantiser rather than LightSeed's reader: utils/convert-hf-to-gguf-bitnet.py ternarises each
// projection to {−1, 0, +1}·s, and quantize_i2_s (src/ggml-bitnet-mad.cpp) packs it per block of
// 128 weights into 32 bytes — weight j of a block into byte j % 32 at bit 6 − 2·(j / 32), code
// 0 for −1, 1 for 0, 2 for +1 — and writes the scale s as a float32 after the packed weights,
// the tensor padded to 32 more bytes. Token embeddings stay F16, norms F32, the output is tied
// (bitnet) or F16 (llama), general.file_type is 40, as bitnet.cpp writes them.
import { GGML, I2_S } from '../../electron/inference/gguf/ggml-types.std';
import { gguf } from '../../electron/inference/gguf/gguf-format.std';
import { writeGguf, type TensorToWrite } from '../../electron/inference/gguf/gguf-writer.node';
import { byteVocabulary, modelMetadata, tokenizerMetadata, type ModelShape, type WeightSource } from '../../electron/inference/gguf/model-builder.node';
import { modelTensors } from '../../electron/inference/gguf/model-layout.std';
import { encodeF16, encodeF32 } from '../../electron/inference/gguf/quantize.std';

/** quantize_i2_s for weights already ternary: max |w| is the scale, the sign gives the code. */
export function quantizeI2S(weights: Float32Array): Uint8Array {
  const QK_I2_S = 128;
  let scale = 0;
  for (const w of weights) scale = Math.max(scale, Math.abs(w));
  const out = new Uint8Array(weights.length / 4 + 32);
  for (let i = 0; i < weights.length / QK_I2_S; i++) {
    for (let j = 0; j < QK_I2_S; j++) {
      const w = weights[i * QK_I2_S + j]!;
      const q = w === 0 ? 1 : w > 0 ? 2 : 0;
      const groupIndex = Math.floor(j / 32);
      const groupPosition = j % 32;
      out[i * 32 + groupPosition]! |= q << (6 - 2 * groupIndex);
    }
  }
  new DataView(out.buffer).setFloat32(weights.length / 4, scale, true);
  return out;
}

export interface BitnetCppShape extends Omit<ModelShape, 'matrixType' | 'architecture'> {
  /** What bitnet.cpp calls the architecture: bitnet-25 (BitNet b1.58 2B4T), bitnet (-large, -3B), llama (Falcon3). */
  architecture: 'bitnet-25' | 'bitnet-b1.58' | 'bitnet' | 'llama';
}

export async function writeBitnetCppModel(path: string, shape: BitnetCppShape, weights: WeightSource): Promise<void> {
  const graph = shape.architecture === 'llama' ? 'llama' : 'bitnet';
  const vocab = shape.vocabulary ?? byteVocabulary(shape.extraTokens);
  const layoutShape = { ...shape, architecture: graph, matrixType: 'F32' } as const;
  const metadata = {
    ...modelMetadata(layoutShape, vocab, shape.architecture),
    ...tokenizerMetadata(vocab),
    // LLAMA_FTYPE_MOSTLY_I2_S in bitnet.cpp's fork (llama.cpp reads 40 as Q1_0).
    'general.file_type': gguf.u32(40),
  };
  const tensors: TensorToWrite[] = modelTensors(layoutShape, vocab.tokens.length).map(({ name, dims, role }) => {
    const values = weights(name, dims);
    if (role === 'matrix') return { name, dims, type: I2_S, data: quantizeI2S(values) };
    if (role === 'embedding' || role === 'output') return { name, dims, type: GGML.F16, data: encodeF16(values) };
    return { name, dims, type: GGML.F32, data: encodeF32(values) };
  });
  await writeGguf(path, metadata, tensors);
}
