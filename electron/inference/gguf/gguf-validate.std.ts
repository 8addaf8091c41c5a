// Checks a GGUF model before llama.cpp sees it. llama.cpp aborts the whole process on some
// malformed files (GGML_ASSERT on hyperparameters) and allocates what a header asks for, so
// every rule it asserts is checked here first and named in words. The checks are structural
// and the same for every architecture: which tensors an architecture needs is llama.cpp's
// own knowledge, asked by a trial load in the engine process (models add), not a list kept here.
import { ggmlType, BITNET_CPP_TL2, BITNET_CPP_TYPES, I2_S, ONE_BIT_TYPE_NAMES } from './ggml-types.std';
import { GgufError, GgufValueType, type GgufFile, type GgufValue } from './gguf-format.std';
import { elementCount, layoutProblems, tensorDataBytes } from './gguf-layout.std';
import { LLAMA_ARCHITECTURES } from './llama-architectures.std';
import { printable } from './printable.std';

/** llama.cpp's LLAMA_MAX_LAYERS and LLAMA_MAX_EXPERTS (src/llama-hparams.h). */
const MAX_LAYERS = 512;
const MAX_EXPERTS = 1024;
/** Widths, heads and lengths beyond these are damage, not models. */
const MAX_WIDTH = 1 << 20;
const MAX_CONTEXT = 1 << 24;

/** bitnet.cpp's architecture names for BitNet b1.58 2B4T (bitnet_b1_58-large and -3B are plain `bitnet`, Falcon3 `llama`) and what llama.cpp calls them after conversion. */
export const BITNET_CPP_ARCHITECTURES: Readonly<Record<string, { architecture: string; activation: Activation }>> = {
  // BitNet b1.58 2B4T: trained with a squared-ReLU gated feed-forward.
  'bitnet-25': { architecture: 'bitnet', activation: 'relu2' },
  // The same model as uploaded later (bitnet.cpp renamed the architecture; same graph).
  'bitnet-b1.58': { architecture: 'bitnet', activation: 'relu2' },
};

/**
 * Whether a model needs LightSeed's own llama.cpp build: a bitnet model with a ReLU² feed-forward
 * (only the patched build reads bitnet.hidden_activation; another would run it with SiLU). Decided
 * here once, from what validation found and the registry keeps; the engine is told, and never
 * reads the file again to decide.
 */
export function needsLightSeedBuild(model: { architecture: string; activation: string | null | undefined }): boolean {
  return model.architecture === 'bitnet' && model.activation === 'relu2';
}

/** The feed-forward activations LightSeed's llama.cpp runs for bitnet (its patch reads `bitnet.hidden_activation`). */
export type Activation = 'silu' | 'relu2';
export const ACTIVATION_KEY = 'bitnet.hidden_activation';

export interface ModelSummary {
  /** As llama.cpp will read it (after conversion, for bitnet.cpp files). */
  architecture: string;
  name: string | undefined;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  expertCount: number;
  vocabularySize: number;
  parameterCount: number;
  /** Tensor type names and how many tensors use each. */
  types: Record<string, number>;
  /** Bits per weight over the whole file's tensor data. */
  bitsPerWeight: number;
  /** True when the large matrices (the blocks' 2-D and 3-D tensors) are 1-bit or ternary. */
  oneBit: boolean;
  /** The type most of the large matrices' weights use, e.g. TQ2_0, Q1_0, Q4_K or I2_S. */
  weightType: string;
  /** The feed-forward activation, where LightSeed knows it (bitnet's matters; others name their own). */
  activation: Activation | string | undefined;
  /** What LightSeed must write before llama.cpp can run the file correctly, if anything. */
  conversion: undefined | { kind: 'i2s'; from: string } | { kind: 'activation'; activation: Activation };
  chatTemplate: string | undefined;
  /** Things that load but the user should know. */
  warnings: string[];
}

type Reader = ReturnType<typeof hyperparameters>;

/** Typed access to `${prefix}.*` keys, collecting problems instead of throwing at the first. */
function hyperparameters(file: GgufFile, prefix: string, problems: string[]) {
  const entry = (key: string): GgufValue | undefined => file.metadata.get(`${prefix}.${key}`);
  const isInteger = (v: unknown): v is number | bigint => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
  const integer = (key: string, { required, min, max }: { required: boolean; min: number; max: number }): number | undefined => {
    const value = entry(key)?.value;
    if (value === undefined) {
      if (required) problems.push(`the metadata key ${prefix}.${key} is missing`);
      return undefined;
    }
    if (!isInteger(value)) {
      problems.push(`${prefix}.${key} should be a whole number`);
      return undefined;
    }
    const n = Number(value);
    if (n < min || n > max) {
      problems.push(`${prefix}.${key} is ${value}, outside ${min}–${max}`);
      return undefined;
    }
    return n;
  };
  /** A per-layer key: one number, or an array of one per block (llama.cpp's get_key_or_arr). */
  const perLayer = (key: string, blocks: number, max: number): number[] | undefined => {
    const found = entry(key);
    if (!found) return undefined;
    const values = Array.isArray(found.value) ? found.value : [found.value];
    if (Array.isArray(found.value) && values.length !== blocks) {
      problems.push(`${prefix}.${key} has ${values.length} values for ${blocks} blocks`);
      return undefined;
    }
    if (!values.every((v) => isInteger(v) && Number(v) >= 0 && Number(v) <= max)) {
      problems.push(`${prefix}.${key} holds values outside 0–${max}`);
      return undefined;
    }
    return values.map(Number);
  };
  const positive = (key: string, max = Infinity): number | undefined => {
    const value = entry(key)?.value;
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= max) {
      problems.push(`${prefix}.${key} is ${String(value)}, not a positive number${Number.isFinite(max) ? ` below ${max}` : ''}`);
      return undefined;
    }
    return value;
  };
  return { entry, integer, perLayer, positive };
}

/** Every float under the architecture's prefix must be a number: NaN or ±∞ there is damage. */
function nonFiniteKeys(file: GgufFile, prefix: string): string[] {
  const bad: string[] = [];
  for (const [key, value] of file.metadata) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const floats = value.type === GgufValueType.FLOAT32 || value.type === GgufValueType.FLOAT64 || (value.type === GgufValueType.ARRAY && (value.itemType === GgufValueType.FLOAT32 || value.itemType === GgufValueType.FLOAT64));
    if (floats && [value.value].flat().some((v) => typeof v === 'number' && !Number.isFinite(v))) bad.push(printable(key));
  }
  return bad;
}

function checkAttention(h: Reader, prefix: string, blocks: number, embd: number, problems: string[]): { heads: number; headsKv: number } {
  const heads = h.perLayer('attention.head_count', blocks, MAX_WIDTH) ?? [];
  const headsKv = h.perLayer('attention.head_count_kv', blocks, MAX_WIDTH) ?? heads;
  const keyLength = h.integer('attention.key_length', { required: false, min: 1, max: MAX_WIDTH });
  for (let i = 0; i < Math.max(heads.length, headsKv.length); i++) {
    const n = heads[heads.length === 1 ? 0 : i] ?? 0;
    const kv = headsKv[headsKv.length === 1 ? 0 : i] ?? n;
    if (n === 0) continue; // a layer without attention (recurrent and hybrid architectures)
    if (kv === 0 || n % kv !== 0) {
      problems.push(`block ${i} has ${n} attention heads and ${kv} key/value heads: they must divide evenly`);
      break;
    }
    if (keyLength === undefined && embd % n !== 0) {
      problems.push(`the embedding length ${embd} is not divisible by the ${n} heads of block ${i} (and ${prefix}.attention.key_length is not given)`);
      break;
    }
  }
  return { heads: heads[0] ?? 0, headsKv: headsKv[0] ?? heads[0] ?? 0 };
}

function checkExperts(h: Reader, blocks: number, problems: string[]): number {
  const experts = h.integer('expert_count', { required: false, min: 0, max: MAX_EXPERTS }) ?? 0;
  const used = h.perLayer('expert_used_count', blocks, MAX_EXPERTS) ?? [0];
  const maxUsed = Math.max(...used);
  if (maxUsed > experts) problems.push(`${maxUsed} experts are used per token of the ${experts} there are`);
  else if (experts > 0 && maxUsed === 0) problems.push(`the model has ${experts} experts but uses none per token`);
  const groups = h.integer('expert_group_count', { required: false, min: 0, max: MAX_EXPERTS }) ?? 0;
  if (groups > 0 && (experts === 0 || groups >= experts || experts % groups !== 0)) problems.push(`${groups} expert groups cannot divide ${experts} experts`);
  return experts;
}

/** tokenizer.ggml.*: the arrays llama.cpp indexes by token id must all be as long as the vocabulary. */
function checkTokenizer(file: GgufFile, problems: string[]): number {
  if (typeof file.metadata.get('tokenizer.ggml.model')?.value !== 'string') problems.push('the metadata key tokenizer.ggml.model is missing');
  const tokens = file.metadata.get('tokenizer.ggml.tokens');
  if (!tokens || tokens.type !== GgufValueType.ARRAY || tokens.itemType !== GgufValueType.STRING || tokens.value.length === 0) {
    problems.push('the metadata key tokenizer.ggml.tokens is missing or empty');
    return 0;
  }
  const vocab = tokens.value.length;
  for (const key of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const value = file.metadata.get(key)?.value;
    if (value !== undefined && (!Array.isArray(value) || value.length !== vocab)) problems.push(`${key} has ${Array.isArray(value) ? value.length : 'no'} entries for ${vocab} tokens`);
  }
  for (const key of ['bos', 'eos', 'unknown', 'padding', 'eot', 'sep', 'mask'].map((k) => `tokenizer.ggml.${k}_token_id`)) {
    const value = file.metadata.get(key)?.value;
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= -1 && value < vocab)) problems.push(`${key} is ${String(value)}, not a token of the ${vocab}`);
  }
  return vocab;
}

/** Which blocks the tensors belong to: every block named, none beyond the count. */
function checkBlocks(file: GgufFile, blocks: number, problems: string[]): void {
  const seen = new Set<number>();
  for (const tensor of file.tensors) {
    const match = /^blk\.(\d+)\./.exec(tensor.name);
    if (!match) continue;
    const index = Number(match[1]);
    if (index >= blocks) {
      problems.push(`the tensor ${printable(tensor.name)} belongs to block ${index}, but the file has ${blocks} blocks`);
      return;
    }
    seen.add(index);
  }
  if (seen.size > 0 && seen.size < blocks) problems.push(`block_count says ${blocks} blocks, but the file has tensors for ${seen.size}`);
}

function classify(file: GgufFile): Pick<ModelSummary, 'parameterCount' | 'types' | 'bitsPerWeight' | 'oneBit' | 'weightType'> {
  const types: Record<string, number> = {};
  const matrixWeights = new Map<string, number>();
  let parameters = 0;
  let bytes = 0;
  for (const tensor of file.tensors) {
    const name = ggmlType(tensor.type)?.name ?? BITNET_CPP_TYPES[tensor.type] ?? `type ${tensor.type}`;
    const elements = elementCount(tensor);
    types[name] = (types[name] ?? 0) + 1;
    parameters += elements;
    const size = tensorDataBytes(tensor);
    if (typeof size === 'number') bytes += size;
    if (tensor.name.startsWith('blk.') && tensor.dims.length >= 2) matrixWeights.set(name, (matrixWeights.get(name) ?? 0) + elements);
  }
  const total = [...matrixWeights.values()].reduce((a, b) => a + b, 0);
  const oneBitWeights = [...matrixWeights].filter(([name]) => ONE_BIT_TYPE_NAMES.has(name) || name === 'I2_S').reduce((a, [, n]) => a + n, 0);
  const weightType = [...matrixWeights].sort((a, b) => b[1] - a[1])[0]?.[0] ?? Object.keys(types)[0] ?? 'none';
  // Routers and small projections may stay wider: 1-bit when 90% of the matrices' weights are.
  return { parameterCount: parameters, types, bitsPerWeight: parameters ? (bytes * 8) / parameters : 0, oneBit: total > 0 && oneBitWeights >= 0.9 * total, weightType };
}

const BITNET_2B4T = { embd: 2560, blocks: 30, ff: 6912, vocab: 128_000 };

function describeActivation(file: GgufFile, architecture: string, bitnetCpp: string | undefined, shape: { embd: number; blocks: number; ff: number; vocab: number }, problems: string[]) {
  let activation: ModelSummary['activation'];
  let conversion: ModelSummary['conversion'];
  const warnings: string[] = [];
  if (architecture === 'bitnet') {
    const declared = file.metadata.get(ACTIVATION_KEY)?.value;
    if (declared !== undefined && declared !== 'silu' && declared !== 'relu2') problems.push(`${ACTIVATION_KEY} is ${printable(String(declared))}; LightSeed runs bitnet models with silu or relu2`);
    activation = declared === 'relu2' ? 'relu2' : 'silu';
    if (bitnetCpp) activation = BITNET_CPP_ARCHITECTURES[bitnetCpp]!.activation;
    else if (declared === undefined && shape.embd === BITNET_2B4T.embd && shape.blocks === BITNET_2B4T.blocks && shape.ff === BITNET_2B4T.ff && shape.vocab >= BITNET_2B4T.vocab) {
      // Microsoft's BitNet b1.58 2B4T converted by llama.cpp's own converter, which does not record
      // the activation: llama.cpp would run it with SiLU (wikitext perplexity 99.8 instead of 17.1).
      activation = 'relu2';
      conversion = { kind: 'activation', activation: 'relu2' };
      warnings.push(`This is BitNet b1.58 2B4T's shape, trained with a ReLU² feed-forward, and the file does not say so: LightSeed writes a copy that records ${ACTIVATION_KEY} = relu2, so it never runs with SiLU.`);
    }
  } else {
    const declared = file.metadata.get(`${architecture}.hidden_activation`)?.value;
    activation = typeof declared === 'string' ? printable(declared) : undefined;
  }
  return { activation, conversion, warnings };
}

/** Validates a model file; throws GgufError listing every problem, or returns its summary. */
export function validateModel(file: GgufFile, path: string): ModelSummary {
  const shown = printable(path);
  const fail = (problems: string[]): never => {
    throw new GgufError(`${shown} cannot be used: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`);
  };
  const arch = file.metadata.get('general.architecture')?.value;
  if (file.metadata.get('general.type')?.value === 'adapter') throw new GgufError(`${shown} is a LoRA adapter, not a model.`);
  if (typeof arch !== 'string') throw new GgufError(`${shown} has no general.architecture: it is not a language model.`);
  const bitnetCpp = BITNET_CPP_ARCHITECTURES[arch] ? arch : undefined;
  const architecture = bitnetCpp ? BITNET_CPP_ARCHITECTURES[arch]!.architecture : arch;
  if (!bitnetCpp && !LLAMA_ARCHITECTURES.has(arch)) throw new GgufError(`${shown} is a "${printable(arch)}" model, an architecture the bundled llama.cpp does not implement.`);

  // TL1 and TL2 are lookup-table layouts tiled for one build's kernels (the tiling is not in the file).
  const tl = file.tensors.find((t) => t.type === 38 || (t.type === BITNET_CPP_TL2 && (bitnetCpp !== undefined || file.tensors.some((u) => u.type === 38 || u.type === I2_S))));
  if (tl) {
    throw new GgufError(
      `${shown} is in bitnet.cpp's ${tl.type === 38 ? 'TL1' : 'TL2'} layout (tensor ${printable(tl.name)}), lookup tables tiled for one machine's kernels that no other program can read: get the model's I2_S GGUF instead (bitnet.cpp: python setup_env.py -md MODEL_DIR -q i2_s), or a TQ1_0/TQ2_0 file, and add that.`,
    );
  }
  const problems = layoutProblems(file);
  if (problems.length) fail(problems);
  const h = hyperparameters(file, arch, problems);
  const blocks = h.integer('block_count', { required: true, min: 1, max: MAX_LAYERS }) ?? 0;
  const embd = h.integer('embedding_length', { required: true, min: 1, max: MAX_WIDTH }) ?? 0;
  const contextLength = h.integer('context_length', { required: true, min: 1, max: MAX_CONTEXT }) ?? 0;
  const nextn = h.integer('nextn_predict_layers', { required: false, min: 0, max: MAX_LAYERS }) ?? 0;
  if (blocks && nextn > blocks) problems.push(`${nextn} prediction layers of ${blocks} blocks`);
  const ff = h.perLayer('feed_forward_length', blocks, MAX_WIDTH * 64) ?? [0];
  h.positive('attention.layer_norm_rms_epsilon', 1);
  h.positive('attention.layer_norm_epsilon', 1);
  h.positive('rope.freq_base');
  const nonFinite = nonFiniteKeys(file, arch);
  if (nonFinite.length) problems.push(`${nonFinite.join(', ')} ${nonFinite.length === 1 ? 'is' : 'are'} not a finite number`);
  const { heads, headsKv } = blocks && embd ? checkAttention(h, arch, blocks, embd, problems) : { heads: 0, headsKv: 0 };
  const expertCount = blocks ? checkExperts(h, blocks, problems) : 0;
  const vocab = checkTokenizer(file, problems);
  if (blocks) checkBlocks(file, blocks, problems);
  for (const name of ['token_embd.weight', 'output.weight']) {
    const tensor = file.tensors.find((t) => t.name === name);
    if (tensor && vocab && tensor.dims.length === 2 && tensor.dims[1] !== vocab) problems.push(`tensor ${name} has ${tensor.dims[1]} rows for a vocabulary of ${vocab} tokens`);
  }
  if (!file.tensors.some((t) => t.name === 'token_embd.weight')) problems.push('the tensor token_embd.weight is missing');
  if (problems.length) fail(problems);

  const shape = { embd, blocks, ff: ff[0] ?? 0, vocab };
  const { activation, conversion: activationFix, warnings } = describeActivation(file, architecture, bitnetCpp, shape, problems);
  if (problems.length) fail(problems);
  const classified = classify(file);
  const hasI2s = file.tensors.some((t) => t.type === I2_S);
  const conversion: ModelSummary['conversion'] = hasI2s || bitnetCpp ? { kind: 'i2s', from: printable(arch) } : activationFix;
  if (!classified.oneBit) warnings.push(`Not a 1-bit model: its weights are mostly ${classified.weightType}, ${classified.bitsPerWeight.toFixed(2)} bits per weight. It runs, with more memory and time than a ternary model of its size.`);
  const template = file.metadata.get('tokenizer.chat_template')?.value;
  const name = file.metadata.get('general.name')?.value;
  return {
    architecture,
    name: typeof name === 'string' ? printable(name) : undefined,
    contextLength,
    embeddingLength: embd,
    blockCount: blocks,
    feedForwardLength: shape.ff,
    headCount: heads,
    headCountKv: headsKv,
    expertCount,
    vocabularySize: vocab,
    ...classified,
    activation,
    conversion,
    chatTemplate: typeof template === 'string' ? template : undefined,
    warnings,
  };
}
