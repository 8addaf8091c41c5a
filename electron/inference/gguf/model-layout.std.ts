// The tensors of the model families LightSeed builds at test and bench time, in the
// names and shapes llama.cpp's loaders create (src/models/{llama,bitnet,qwen3,maple}.cpp),
// ne[0] first. Shared by our GGUF model builder and the bitnet.cpp-layout writer the
// conversion tests use, so both describe one model the same way.

export type BuiltArchitecture = 'llama' | 'bitnet' | 'qwen3' | 'maple';

/** What a tensor is for: it decides the type it is stored in. */
export type TensorRole = 'norm' | 'embedding' | 'output' | 'matrix' | 'router';

export interface LayoutShape {
  architecture: BuiltArchitecture;
  embeddingLength: number;
  blockCount: number;
  /** Dense feed-forward width (unused by maple, whose experts have their own). */
  feedForwardLength: number;
  headCount: number;
  headCountKv?: number;
  /** Per-head width. Default embeddingLength / headCount (qwen3 and maple may differ). */
  headDim?: number;
  /** maple: routed experts. */
  experts?: { count: number; used: number; feedForwardLength: number };
  /** Use the token embeddings as the output layer (no output.weight). bitnet always does. */
  tiedOutput?: boolean;
}

export interface LayoutTensor {
  name: string;
  dims: number[];
  role: TensorRole;
}

export function modelTensors(shape: LayoutShape, vocabularySize: number): LayoutTensor[] {
  const { architecture: arch, embeddingLength: embd } = shape;
  const headDim = shape.headDim ?? embd / shape.headCount;
  const q = headDim * shape.headCount;
  const kv = headDim * (shape.headCountKv ?? shape.headCount);
  const ff = shape.feedForwardLength;
  const list: LayoutTensor[] = [{ name: 'token_embd.weight', dims: [embd, vocabularySize], role: 'embedding' }];
  const add = (name: string, dims: number[], role: TensorRole) => list.push({ name, dims, role });
  for (let i = 0; i < shape.blockCount; i++) {
    const b = `blk.${i}.`;
    add(`${b}attn_norm.weight`, [embd], 'norm');
    add(`${b}attn_q.weight`, [embd, q], 'matrix');
    add(`${b}attn_k.weight`, [embd, kv], 'matrix');
    add(`${b}attn_v.weight`, [embd, kv], 'matrix');
    add(`${b}attn_output.weight`, [q, embd], 'matrix');
    if (arch === 'qwen3' || arch === 'maple') {
      add(`${b}attn_q_norm.weight`, [headDim], 'norm');
      add(`${b}attn_k_norm.weight`, [headDim], 'norm');
    }
    add(`${b}ffn_norm.weight`, [embd], 'norm');
    if (arch === 'maple') {
      const experts = shape.experts;
      if (!experts) throw new RangeError('A maple model needs experts.');
      add(`${b}ffn_gate_inp.weight`, [embd, experts.count], 'router');
      add(`${b}ffn_gate_exps.weight`, [embd, experts.feedForwardLength, experts.count], 'matrix');
      add(`${b}ffn_up_exps.weight`, [embd, experts.feedForwardLength, experts.count], 'matrix');
      add(`${b}ffn_down_exps.weight`, [experts.feedForwardLength, embd, experts.count], 'matrix');
    } else {
      add(`${b}ffn_gate.weight`, [embd, ff], 'matrix');
      add(`${b}ffn_up.weight`, [embd, ff], 'matrix');
      add(`${b}ffn_down.weight`, [ff, embd], 'matrix');
    }
    if (arch === 'bitnet') {
      add(`${b}attn_sub_norm.weight`, [embd], 'norm');
      add(`${b}ffn_sub_norm.weight`, [ff], 'norm');
    }
  }
  add('output_norm.weight', [embd], 'norm');
  // llama.cpp's bitnet graph ties the output to the token embeddings; maple always has its own.
  const tied = arch === 'bitnet' || (arch !== 'maple' && shape.tiedOutput === true);
  if (!tied) add('output.weight', [embd, vocabularySize], 'output');
  return list;
}
