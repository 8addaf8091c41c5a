// Checks a GGUF model before llama.cpp sees it: llama.cpp aborts the whole process on
// some malformed files, so every problem is found here and named in words.
import { BITNET_CPP_TYPES, ggmlType, tensorBytes } from './ggml-types.std';
import { GgufError, type GgufFile, type GgufTensorInfo } from './gguf-format.std';

export const SUPPORTED_ARCHITECTURES = ['llama', 'bitnet'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface ModelSummary {
  architecture: Architecture;
  name: string | undefined;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  vocabularySize: number;
  parameterCount: number;
  /** Tensor type names and how many tensors use each. */
  types: Record<string, number>;
  chatTemplate: string | undefined;
  /** Things that load but the user should know. */
  warnings: string[];
}

function num(file: GgufFile, key: string, problems: string[]): number {
  const value = file.metadata.get(key)?.value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  problems.push(value === undefined ? `the metadata key ${key} is missing` : `${key} should be a number`);
  return 0;
}

/** The tensors llama.cpp's graph for `architecture` needs, with their shapes (ne[0] first). */
function expectedTensors(architecture: Architecture, m: { embd: number; embdKv: number; ff: number; vocab: number; blocks: number }): Map<string, number[]> {
  const t = new Map<string, number[]>([
    ['token_embd.weight', [m.embd, m.vocab]],
    ['output_norm.weight', [m.embd]],
  ]);
  for (let i = 0; i < m.blocks; i++) {
    const b = `blk.${i}.`;
    t.set(`${b}attn_norm.weight`, [m.embd]);
    t.set(`${b}attn_q.weight`, [m.embd, m.embd]);
    t.set(`${b}attn_k.weight`, [m.embd, m.embdKv]);
    t.set(`${b}attn_v.weight`, [m.embd, m.embdKv]);
    t.set(`${b}attn_output.weight`, [m.embd, m.embd]);
    t.set(`${b}ffn_norm.weight`, [m.embd]);
    t.set(`${b}ffn_gate.weight`, [m.embd, m.ff]);
    t.set(`${b}ffn_up.weight`, [m.embd, m.ff]);
    t.set(`${b}ffn_down.weight`, [m.ff, m.embd]);
    if (architecture === 'bitnet') {
      t.set(`${b}attn_sub_norm.weight`, [m.embd]);
      t.set(`${b}ffn_sub_norm.weight`, [m.ff]);
    }
  }
  return t;
}

/** Checks one tensor's type and where its data lies; returns a problem or undefined. */
export function tensorProblem(file: GgufFile, tensor: GgufTensorInfo): string | undefined {
  const type = ggmlType(tensor.type);
  if (!type) {
    const foreign = BITNET_CPP_TYPES[tensor.type];
    return foreign
      ? `tensor ${tensor.name} is in bitnet.cpp's ${foreign} format, which llama.cpp cannot run: convert the model to TQ1_0 or TQ2_0 with llama.cpp's llama-quantize`
      : `tensor ${tensor.name} has the unknown type ${tensor.type}`;
  }
  const elements = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.dims[0]! % type.blockSize !== 0) return `tensor ${tensor.name} has rows of ${tensor.dims[0]} values, not a multiple of the ${type.name} block size ${type.blockSize}`;
  if (tensor.offset % file.alignment !== 0) return `tensor ${tensor.name} starts at offset ${tensor.offset}, not aligned to ${file.alignment} bytes`;
  const end = file.dataOffset + tensor.offset + tensorBytes(type, elements);
  if (end > file.fileSize) return `tensor ${tensor.name} runs past the end of the file (byte ${end} of ${file.fileSize}): the file is truncated`;
  return undefined;
}

/** Validates a model file; throws GgufError listing every problem, or returns its summary. */
export function validateModel(file: GgufFile, path: string): ModelSummary {
  const problems: string[] = [];
  const arch = file.metadata.get('general.architecture')?.value;
  if (typeof arch !== 'string') throw new GgufError(`${path} has no general.architecture: it is not a model (or is a LoRA adapter).`);
  if (!SUPPORTED_ARCHITECTURES.includes(arch as Architecture)) {
    throw new GgufError(`${path} is a "${arch}" model; LightSeed runs the ternary architectures ${SUPPORTED_ARCHITECTURES.join(' and ')}.`);
  }
  const architecture = arch as Architecture;
  const embd = num(file, `${arch}.embedding_length`, problems);
  const blocks = num(file, `${arch}.block_count`, problems);
  const ff = num(file, `${arch}.feed_forward_length`, problems);
  const heads = num(file, `${arch}.attention.head_count`, problems);
  const contextLength = num(file, `${arch}.context_length`, problems);
  num(file, `${arch}.attention.layer_norm_rms_epsilon`, problems);
  const headsKvValue = file.metadata.get(`${arch}.attention.head_count_kv`)?.value;
  const headsKv = typeof headsKvValue === 'number' ? headsKvValue : heads;
  if (typeof file.metadata.get('tokenizer.ggml.model')?.value !== 'string') problems.push('the metadata key tokenizer.ggml.model is missing');
  const tokens = file.metadata.get('tokenizer.ggml.tokens')?.value;
  if (!Array.isArray(tokens) || tokens.length === 0) problems.push('the metadata key tokenizer.ggml.tokens is missing or empty');
  const vocab = Array.isArray(tokens) ? tokens.length : 0;
  if (heads > 0 && embd % heads !== 0) problems.push(`the embedding length ${embd} is not divisible by the ${heads} heads`);
  if (problems.length) throw new GgufError(`${path} cannot be used: ${problems.join('; ')}.`);

  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const expected = expectedTensors(architecture, { embd, embdKv: (embd / heads) * headsKv, ff, vocab, blocks });
  for (const [name, dims] of expected) {
    const tensor = byName.get(name);
    if (!tensor) problems.push(`the tensor ${name} is missing`);
    else if (tensor.dims.join('×') !== dims.join('×')) problems.push(`tensor ${name} is ${tensor.dims.join('×')}, expected ${dims.join('×')}`);
  }
  for (const tensor of file.tensors) {
    const optional = (architecture === 'llama' && (tensor.name === 'output.weight' || tensor.name === 'rope_freqs.weight')) || (architecture === 'bitnet' && tensor.name.endsWith('.scale'));
    if (!expected.has(tensor.name) && !optional) problems.push(`the tensor ${tensor.name} is not part of a ${architecture} model (llama.cpp refuses extra tensors)`);
  }
  const output = byName.get('output.weight');
  if (output && output.dims.join('×') !== [embd, vocab].join('×')) problems.push(`tensor output.weight is ${output.dims.join('×')}, expected ${embd}×${vocab}`);
  const types: Record<string, number> = {};
  let parameters = 0;
  for (const tensor of file.tensors) {
    const problem = tensorProblem(file, tensor);
    if (problem) problems.push(problem);
    const name = ggmlType(tensor.type)?.name ?? BITNET_CPP_TYPES[tensor.type] ?? `type ${tensor.type}`;
    types[name] = (types[name] ?? 0) + 1;
    parameters += tensor.dims.reduce((a, b) => a * b, 1);
  }
  if (problems.length) throw new GgufError(`${path} cannot be used: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`);

  const warnings: string[] = [];
  // Microsoft's BitNet b1.58 2B4T: 2560 wide, 30 layers, 6912 feed-forward, 128k vocabulary.
  if (architecture === 'bitnet' && embd === 2560 && blocks === 30 && ff === 6912 && vocab >= 128_000) {
    warnings.push(
      "This looks like Microsoft's BitNet b1.58 2B4T. It was trained with a ReLU² feed-forward, but llama.cpp's bitnet graph uses SiLU: it loads and runs, but its answers will be poor.",
    );
  }
  const template = file.metadata.get('tokenizer.chat_template')?.value;
  const name = file.metadata.get('general.name')?.value;
  return {
    architecture,
    name: typeof name === 'string' ? name : undefined,
    contextLength,
    embeddingLength: embd,
    blockCount: blocks,
    feedForwardLength: ff,
    headCount: heads,
    headCountKv: headsKv,
    vocabularySize: vocab,
    parameterCount: parameters,
    types,
    chatTemplate: typeof template === 'string' ? template : undefined,
    warnings,
  };
}
