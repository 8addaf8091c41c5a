// The tiny ternary test model: a byte-level vocabulary with ChatML, random ternary
// weights, written by our own GGUF writer at test time.
import { buildModel } from '../../electron/inference/gguf/model-builder.node';
import { sfc32 } from '../fixtures/entropy-datasets';

export async function tinyModel(path: string, seed: number, architecture: 'llama' | 'bitnet' = 'llama', contextLength = 512, options: { addBosToken?: boolean } = {}): Promise<void> {
  const random = sfc32(seed);
  await buildModel(path, { architecture, embeddingLength: 256, blockCount: 2, feedForwardLength: 512, headCount: 4, headCountKv: 2, contextLength, matrixType: 'TQ2_0', ...options }, (name, dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) return new Float32Array(n).fill(1);
    if (name === 'token_embd.weight' || name === 'output.weight') return Float32Array.from({ length: n }, () => random() - 0.5);
    const s = 1 / Math.sqrt(dims[0]!);
    return Float32Array.from({ length: n }, () => [-s, 0, s][Math.floor(random() * 3)]!);
  });
}
