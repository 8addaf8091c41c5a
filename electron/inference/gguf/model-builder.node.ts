// Builds language models as GGUF files with our own writer: tiny models for tests and
// benchmarks, shaped like real ones (llama as TriLM, bitnet as BitNet b1.58, qwen3 as Bonsai,
// maple as DeepGrove's MoE). Embeddings stay at Q8_0, norms at F32, and every large matrix
// is 1-bit or ternary (TQ2_0, TQ1_0, Q1_0 or Q2_0), as the design asks.
import { GGML } from './ggml-types.std';
import { gguf, GgufValueType, type GgufValue } from './gguf-format.std';
import { writeGguf, type TensorToWrite } from './gguf-writer.node';
import { modelTensors, type LayoutShape, type TensorRole } from './model-layout.std';
import { encodeF16, encodeF32, encodeQ1_0, encodeQ2_0, encodeQ8_0, encodeTQ1_0, encodeTQ2_0 } from './quantize.std';

/** The type a model's large matrices are stored in. F32 keeps exact weights (reference tests). */
export type MatrixType = 'TQ2_0' | 'TQ1_0' | 'Q1_0' | 'Q2_0' | 'F32';

export interface ModelShape extends LayoutShape {
  contextLength: number;
  /** Multiples of its block (256 for TQ*, 128 for Q1_0, 64 for Q2_0) in every row length. */
  matrixType: MatrixType;
  /** Token embeddings (and output): Q8_0 by default, F16 as bitnet.cpp writes them. */
  embeddingType?: 'Q8_0' | 'F16' | MatrixType;
  /** bitnet: the feed-forward activation written as bitnet.hidden_activation (absent: not written). */
  activation?: 'silu' | 'relu2';
  /** maple: the sliding window of its local-attention layers (every other layer). Default 128. */
  slidingWindow?: number;
  name?: string;
  /** Unused tokens appended to the byte vocabulary, to reach a real model's vocabulary size. Default 0. */
  extraTokens?: number;
  /** A vocabulary of its own (llama.cpp's SentencePiece model over byte tokens). Default: the byte vocabulary. */
  vocabulary?: Vocabulary;
  /** RMSNorm epsilon. Default 1e-5. */
  rmsEpsilon?: number;
  /** RoPE frequency base. Default 10000 (llama.cpp's default for llama). */
  ropeFreqBase?: number;
  /** Extra general.* metadata (description, license, …). */
  general?: Record<string, string>;
  /** tokenizer.ggml.add_bos_token: whether a plain prompt starts with BOS (llama-family files say true). Default false. */
  addBosToken?: boolean;
}

export interface Vocabulary {
  tokens: string[];
  scores: number[];
  /** llama.cpp token types: 1 normal, 2 unknown, 3 control, 5 unused, 6 byte. */
  types: number[];
}

/** ChatML, the conversation format our models are trained and prompted with. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** A byte-level vocabulary: five control tokens, then one token per byte (SentencePiece byte fallback). */
export function byteVocabulary(extraTokens = 0): Vocabulary {
  const control = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  const extra = Array.from({ length: extraTokens }, (_, i) => `<|unused_${i}|>`);
  const tokens = [...control, ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), ...extra];
  // llama.cpp token types: 2 unknown, 3 control, 5 unused, 6 byte.
  const types = [2, 3, 3, 3, 3, ...new Array<number>(256).fill(6), ...new Array<number>(extraTokens).fill(5)];
  return { tokens, scores: new Array<number>(tokens.length).fill(0), types };
}

export const BYTE_TOKEN_OFFSET = 5;

/** Supplies the float weights of one tensor (ne[0] first); ternary layers are quantized on write. */
export type WeightSource = (name: string, dims: number[]) => Float32Array;

const ENCODERS = {
  F32: { type: GGML.F32, encode: encodeF32 },
  F16: { type: GGML.F16, encode: encodeF16 },
  Q8_0: { type: GGML.Q8_0, encode: encodeQ8_0 },
  TQ2_0: { type: GGML.TQ2_0, encode: encodeTQ2_0 },
  TQ1_0: { type: GGML.TQ1_0, encode: encodeTQ1_0 },
  Q1_0: { type: GGML.Q1_0, encode: encodeQ1_0 },
  Q2_0: { type: GGML.Q2_0, encode: encodeQ2_0 },
} as const;

/** The metadata llama.cpp reads for `shape`, under the architecture's prefix. */
export function modelMetadata(shape: ModelShape, vocab: Vocabulary, arch: string = shape.architecture): Record<string, GgufValue> {
  const embd = shape.embeddingLength;
  const headDim = shape.headDim ?? embd / shape.headCount;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': gguf.str(arch),
    'general.name': gguf.str(shape.name ?? `LightSeed ${shape.architecture} ${embd}×${shape.blockCount}`),
    'general.alignment': gguf.u32(32),
    [`${arch}.context_length`]: gguf.u32(shape.contextLength),
    [`${arch}.embedding_length`]: gguf.u32(embd),
    [`${arch}.block_count`]: gguf.u32(shape.blockCount),
    [`${arch}.feed_forward_length`]: gguf.u32(shape.feedForwardLength),
    [`${arch}.attention.head_count`]: gguf.u32(shape.headCount),
    [`${arch}.attention.head_count_kv`]: gguf.u32(shape.headCountKv ?? shape.headCount),
    [`${arch}.attention.layer_norm_rms_epsilon`]: gguf.f32(shape.rmsEpsilon ?? 1e-5),
    [`${arch}.rope.freq_base`]: gguf.f32(shape.ropeFreqBase ?? 10000),
    [`${arch}.rope.dimension_count`]: gguf.u32(headDim),
    [`${arch}.vocab_size`]: gguf.u32(vocab.tokens.length),
  };
  if (shape.headDim !== undefined) {
    metadata[`${arch}.attention.key_length`] = gguf.u32(headDim);
    metadata[`${arch}.attention.value_length`] = gguf.u32(headDim);
  }
  if (shape.activation) metadata[`${arch}.hidden_activation`] = gguf.str(shape.activation);
  if (shape.experts) {
    metadata[`${arch}.expert_count`] = gguf.u32(shape.experts.count);
    metadata[`${arch}.expert_used_count`] = gguf.u32(shape.experts.used);
    metadata[`${arch}.expert_feed_forward_length`] = gguf.u32(shape.experts.feedForwardLength);
  }
  if (shape.architecture === 'maple') {
    metadata[`${arch}.attention.sliding_window`] = gguf.u32(shape.slidingWindow ?? 128);
    // Local attention in every layer but each second one, as DeepGrove's layer_types alternate.
    // DeepGrove's reference clamps the experts' SwiGLU at 7 (conversion/maple.py writes it per layer).
    metadata[`${arch}.swiglu_clamp_exp`] = { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: new Array<number>(shape.blockCount).fill(7) };
    metadata[`${arch}.attention.sliding_window_pattern`] = { type: GgufValueType.ARRAY, itemType: GgufValueType.BOOL, value: Array.from({ length: shape.blockCount }, (_, i) => i % 2 === 0) };
  }
  return metadata;
}

export function tokenizerMetadata(vocab: Vocabulary, addBosToken = false): Record<string, GgufValue> {
  return {
    'tokenizer.ggml.model': gguf.str('llama'),
    'tokenizer.ggml.tokens': gguf.strings(vocab.tokens),
    'tokenizer.ggml.scores': gguf.f32s(vocab.scores),
    'tokenizer.ggml.token_type': gguf.i32s(vocab.types),
    'tokenizer.ggml.unknown_token_id': gguf.u32(0),
    'tokenizer.ggml.bos_token_id': gguf.u32(1),
    'tokenizer.ggml.eos_token_id': gguf.u32(4),
    'tokenizer.ggml.add_bos_token': gguf.bool(addBosToken),
    'tokenizer.ggml.add_space_prefix': gguf.bool(false),
    'tokenizer.chat_template': gguf.str(CHATML_TEMPLATE),
  };
}

export async function buildModel(path: string, shape: ModelShape, weights: WeightSource): Promise<void> {
  const vocab = shape.vocabulary ?? byteVocabulary(shape.extraTokens);
  const metadata = {
    ...modelMetadata(shape, vocab),
    ...tokenizerMetadata(vocab, shape.addBosToken),
    ...Object.fromEntries(Object.entries(shape.general ?? {}).map(([key, value]) => [`general.${key}`, gguf.str(value)])),
  };
  const embedding = ENCODERS[shape.embeddingType ?? 'Q8_0'];
  const byRole: Record<TensorRole, { type: number; encode: (x: Float32Array) => Uint8Array }> = {
    norm: ENCODERS.F32,
    router: ENCODERS.F32,
    embedding,
    // The output layer keeps 8-bit precision as the design asks.
    output: embedding,
    matrix: ENCODERS[shape.matrixType],
  };
  const tensors: TensorToWrite[] = modelTensors(shape, vocab.tokens.length).map(({ name, dims, role }) => {
    const { type, encode } = byRole[role];
    return { name, dims, type, data: encode(weights(name, dims)) };
  });
  await writeGguf(path, metadata, tensors);
}
