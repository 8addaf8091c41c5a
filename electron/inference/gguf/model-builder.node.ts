// Builds ternary language models as GGUF files with our own writer: tiny models for
// tests and benchmarks, shaped like real ones. Embeddings stay at Q8_0, norms at F32,
// every linear layer is ternary (TQ2_0 or TQ1_0), as the design asks.
import type { Architecture } from './gguf-validate.std';
import { GGML } from './ggml-types.std';
import { gguf, type GgufValue } from './gguf-format.std';
import { writeGguf, type TensorToWrite } from './gguf-writer.node';
import { encodeF32, encodeQ8_0, encodeTQ1_0, encodeTQ2_0 } from './quantize.std';

export interface ModelShape {
  architecture: Architecture;
  /** Multiple of 256 (ternary rows are whole blocks). */
  embeddingLength: number;
  blockCount: number;
  /** Multiple of 256. */
  feedForwardLength: number;
  headCount: number;
  headCountKv?: number;
  contextLength: number;
  ternaryType: 'TQ2_0' | 'TQ1_0';
  name?: string;
  /** Unused tokens appended to the byte vocabulary, to reach a real model's vocabulary size. Default 0. */
  extraTokens?: number;
  /** A vocabulary of its own (llama.cpp's SentencePiece model over byte tokens). Default: the byte vocabulary. */
  vocabulary?: Vocabulary;
  /** Use the token embeddings as the output layer (no output.weight). Default: false for llama. */
  tiedOutput?: boolean;
  /** RMSNorm epsilon. Default 1e-5. */
  rmsEpsilon?: number;
  /** RoPE frequency base. Default 10000 (llama.cpp's default for llama). */
  ropeFreqBase?: number;
  /** Extra general.* metadata (description, license, …). */
  general?: Record<string, string>;
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

export async function buildModel(path: string, shape: ModelShape, weights: WeightSource): Promise<void> {
  const arch = shape.architecture;
  const vocab = shape.vocabulary ?? byteVocabulary(shape.extraTokens);
  const embd = shape.embeddingLength;
  const headsKv = shape.headCountKv ?? shape.headCount;
  const embdKv = (embd / shape.headCount) * headsKv;
  const ff = shape.feedForwardLength;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': gguf.str(arch),
    'general.name': gguf.str(shape.name ?? `LightSeed ${arch} ${embd}×${shape.blockCount}`),
    'general.alignment': gguf.u32(32),
    [`${arch}.context_length`]: gguf.u32(shape.contextLength),
    [`${arch}.embedding_length`]: gguf.u32(embd),
    [`${arch}.block_count`]: gguf.u32(shape.blockCount),
    [`${arch}.feed_forward_length`]: gguf.u32(ff),
    [`${arch}.attention.head_count`]: gguf.u32(shape.headCount),
    [`${arch}.attention.head_count_kv`]: gguf.u32(headsKv),
    [`${arch}.attention.layer_norm_rms_epsilon`]: gguf.f32(shape.rmsEpsilon ?? 1e-5),
    [`${arch}.rope.freq_base`]: gguf.f32(shape.ropeFreqBase ?? 10000),
    [`${arch}.rope.dimension_count`]: gguf.u32(embd / shape.headCount),
    [`${arch}.vocab_size`]: gguf.u32(vocab.tokens.length),
    'tokenizer.ggml.model': gguf.str('llama'),
    'tokenizer.ggml.tokens': gguf.strings(vocab.tokens),
    'tokenizer.ggml.scores': gguf.f32s(vocab.scores),
    'tokenizer.ggml.token_type': gguf.i32s(vocab.types),
    'tokenizer.ggml.unknown_token_id': gguf.u32(0),
    'tokenizer.ggml.bos_token_id': gguf.u32(1),
    'tokenizer.ggml.eos_token_id': gguf.u32(4),
    'tokenizer.ggml.add_bos_token': gguf.bool(false),
    'tokenizer.ggml.add_space_prefix': gguf.bool(false),
    'tokenizer.chat_template': gguf.str(CHATML_TEMPLATE),
    ...Object.fromEntries(Object.entries(shape.general ?? {}).map(([key, value]) => [`general.${key}`, gguf.str(value)])),
  };
  const ternary = shape.ternaryType === 'TQ1_0' ? { type: GGML.TQ1_0, encode: encodeTQ1_0 } : { type: GGML.TQ2_0, encode: encodeTQ2_0 };
  const tensors: TensorToWrite[] = [];
  const add = (name: string, dims: number[], kind: 'norm' | 'embedding' | 'ternary') => {
    const values = weights(name, dims);
    if (kind === 'norm') tensors.push({ name, dims, type: GGML.F32, data: encodeF32(values) });
    else if (kind === 'embedding') tensors.push({ name, dims, type: GGML.Q8_0, data: encodeQ8_0(values) });
    else tensors.push({ name, dims, type: ternary.type, data: ternary.encode(values) });
  };
  add('token_embd.weight', [embd, vocab.tokens.length], 'embedding');
  for (let i = 0; i < shape.blockCount; i++) {
    const b = `blk.${i}.`;
    add(`${b}attn_norm.weight`, [embd], 'norm');
    add(`${b}attn_q.weight`, [embd, embd], 'ternary');
    add(`${b}attn_k.weight`, [embd, embdKv], 'ternary');
    add(`${b}attn_v.weight`, [embd, embdKv], 'ternary');
    add(`${b}attn_output.weight`, [embd, embd], 'ternary');
    add(`${b}ffn_norm.weight`, [embd], 'norm');
    add(`${b}ffn_gate.weight`, [embd, ff], 'ternary');
    add(`${b}ffn_up.weight`, [embd, ff], 'ternary');
    add(`${b}ffn_down.weight`, [ff, embd], 'ternary');
    if (arch === 'bitnet') {
      add(`${b}attn_sub_norm.weight`, [embd], 'norm');
      add(`${b}ffn_sub_norm.weight`, [ff], 'norm');
    }
  }
  add('output_norm.weight', [embd], 'norm');
  // The output layer keeps 8-bit precision as the design asks (Q8_0 rows of `embd`).
  // llama.cpp's bitnet graph ties it to the token embeddings and refuses an extra tensor.
  if (arch === 'llama' && !shape.tiedOutput) add('output.weight', [embd, vocab.tokens.length], 'embedding');
  await writeGguf(path, metadata, tensors);
}
