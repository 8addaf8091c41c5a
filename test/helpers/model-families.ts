// Tiny models of each 1-bit family people download, in the layouts they ship in, made at test
// time: TriLM (llama, TQ2_0/TQ1_0), PrismML Bonsai (qwen3, Q1_0 embeddings and all) and Ternary
// Bonsai (qwen3, Q2_0), BitNet b1.58 2B4T (bitnet, ReLU²) as TQ2_0 and as bitnet.cpp's I2_S,
// bitnet_b1_58-large (bitnet, SiLU, I2_S, a Q2_0 fallback row), Falcon3 1.58-bit (llama, I2_S)
// and DeepGrove Maple (maple, mixture of experts, TQ1_0). Weights are ternary {−s, 0, +s}.
import { buildModel, type ModelShape, type WeightSource } from '../../electron/inference/gguf/model-builder.node';
import { sfc32 } from '../fixtures/entropy-datasets';
import { writeBitnetCppModel, type BitnetCppShape } from './bitnet-cpp-writer';

export interface Family {
  id: string;
  /** What people download, in words. */
  label: string;
  /** The format the file is in. */
  format: string;
  /** What `models add` must register: architecture, weight type, activation, whether it was converted. */
  expect: { architecture: string; weightType: string; activation?: string; converted: boolean; experts?: number };
  /** Writes the model with weights from `weights` (ternaryWeights(seed).source for the usual ones). */
  write(path: string, weights: WeightSource): Promise<void>;
}

/** Deterministic ternary weights, norms of one and small Gaussian-ish embeddings. */
export function ternaryWeights(seed: number) {
  const random = sfc32(seed);
  const store = new Map<string, Float32Array>();
  const source = (name: string, dims: number[]) => {
    const known = store.get(name);
    if (known) return known;
    const n = dims.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (name.endsWith('norm.weight')) values = new Float32Array(n).fill(1);
    else if (name === 'token_embd.weight' || name === 'output.weight') values = Float32Array.from({ length: n }, () => (random() + random() + random() - 1.5) * 0.5);
    else if (name.endsWith('ffn_gate_inp.weight')) values = Float32Array.from({ length: n }, () => random() - 0.5);
    else {
      const s = 0.8 / Math.sqrt(dims[0]!);
      values = Float32Array.from({ length: n }, () => [-s, 0, s][Math.floor(random() * 3)]!);
    }
    store.set(name, values);
    return values;
  };
  return { source, store };
}

const dense = { embeddingLength: 256, blockCount: 2, feedForwardLength: 512, headCount: 4, headCountKv: 2, contextLength: 1024 };

function ours(shape: Omit<ModelShape, 'contextLength'> & { contextLength?: number }) {
  return (path: string, weights: WeightSource) => buildModel(path, { contextLength: 1024, ...shape }, weights);
}

function bitnetCpp(shape: Omit<BitnetCppShape, 'contextLength'>) {
  return (path: string, weights: WeightSource) => writeBitnetCppModel(path, { contextLength: 1024, ...shape }, weights);
}

export const FAMILIES: Family[] = [
  { id: 'trilm-tq2', label: 'TriLM', format: 'TQ2_0, llama', expect: { architecture: 'llama', weightType: 'TQ2_0', converted: false }, write: ours({ ...dense, architecture: 'llama', matrixType: 'TQ2_0' }) },
  { id: 'trilm-tq1', label: 'TriLM', format: 'TQ1_0, llama', expect: { architecture: 'llama', weightType: 'TQ1_0', converted: false }, write: ours({ ...dense, architecture: 'llama', matrixType: 'TQ1_0' }) },
  {
    id: 'bonsai-q1',
    label: 'PrismML Bonsai',
    format: 'Q1_0 (embeddings and output too), qwen3',
    expect: { architecture: 'qwen3', weightType: 'Q1_0', converted: false },
    write: ours({ ...dense, architecture: 'qwen3', headDim: 64, matrixType: 'Q1_0', embeddingType: 'Q1_0' }),
  },
  {
    id: 'ternary-bonsai-q2',
    label: 'PrismML Ternary Bonsai',
    format: 'Q2_0 (64-weight groups), qwen3',
    expect: { architecture: 'qwen3', weightType: 'Q2_0', converted: false },
    write: ours({ ...dense, architecture: 'qwen3', headDim: 64, matrixType: 'Q2_0', tiedOutput: true }),
  },
  {
    id: 'bitnet-2b4t-tq2',
    label: 'BitNet b1.58 2B4T (converted to TQ2_0)',
    format: 'TQ2_0, bitnet, hidden_activation relu2',
    expect: { architecture: 'bitnet', weightType: 'TQ2_0', activation: 'relu2', converted: false },
    write: ours({ ...dense, architecture: 'bitnet', matrixType: 'TQ2_0', activation: 'relu2' }),
  },
  {
    id: 'bitnet-2b4t-i2s',
    label: "BitNet b1.58 2B4T (Microsoft's GGUF)",
    format: "bitnet.cpp's I2_S, bitnet-25, F16 embeddings",
    expect: { architecture: 'bitnet', weightType: 'TQ2_0', activation: 'relu2', converted: true },
    write: bitnetCpp({ ...dense, architecture: 'bitnet-25' }),
  },
  {
    id: 'bitnet-large-i2s',
    label: 'bitnet_b1_58-large',
    format: "bitnet.cpp's I2_S, bitnet (a feed-forward of 320: Q2_0 rows)",
    expect: { architecture: 'bitnet', weightType: 'TQ2_0', activation: 'silu', converted: true },
    write: bitnetCpp({ ...dense, feedForwardLength: 320, architecture: 'bitnet' }),
  },
  {
    id: 'falcon3-i2s',
    label: 'Falcon3 1.58-bit',
    format: "bitnet.cpp's I2_S, llama, F16 output",
    expect: { architecture: 'llama', weightType: 'TQ2_0', converted: true },
    write: bitnetCpp({ ...dense, architecture: 'llama' }),
  },
  {
    id: 'maple-tq1',
    label: 'DeepGrove Maple (MoE)',
    format: 'TQ1_0 experts, maple',
    expect: { architecture: 'maple', weightType: 'TQ1_0', converted: false, experts: 4 },
    write: ours({ ...dense, architecture: 'maple', headDim: 64, matrixType: 'TQ1_0', experts: { count: 4, used: 2, feedForwardLength: 256 } }),
  },
];
