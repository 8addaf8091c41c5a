// Which weights an agent's adapter touches in the loaded model, and how large they are:
// the attention query and value and the feed-forward down projection of every block,
// with each kind's weight RMS measured on a sample of the first block (a ternary
// tensor's RMS is its scale times the fraction of non-zero weights, so a sample suffices).
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { readGguf } from '../inference/gguf/gguf-reader.node';
import { ggmlType, tensorBytes } from '../inference/gguf/ggml-types.std';
import { GgufError, plain, type GgufFile, type GgufTensorInfo } from '../inference/gguf/gguf-format.std';
import { decodeTensorData } from '../inference/gguf/quantize.std';

export const ADAPTED_KINDS = ['attn_q', 'attn_v', 'ffn_down'] as const;
export type AdaptedKind = (typeof ADAPTED_KINDS)[number];

export interface AdaptedTensor {
  tensor: string;
  kind: AdaptedKind;
  inputs: number;
  outputs: number;
}

export interface AdapterShape {
  architecture: string;
  targets: AdaptedTensor[];
  /** RMS of the base weights per kind, the yardstick for the adapter's size. */
  weightRms: Record<AdaptedKind, number>;
  /** Token ids an agent's voice may bias: ordinary text and byte tokens, never control tokens. */
  biasableTokens: Int32Array;
  /** A short content hash of all the above: adapters are cached per shape. */
  key: string;
}

const SAMPLE_BYTES = 1 << 16;

/** The first values of a tensor (up to SAMPLE_BYTES of it), dequantised; undefined for types LightSeed does not decode. */
async function sampleValues(path: string, file: GgufFile, tensor: GgufTensorInfo): Promise<Float32Array> {
  const type = ggmlType(tensor.type);
  if (!type) throw new GgufError(`${tensor.name} has an unknown type ${tensor.type}.`);
  const elements = tensor.dims.reduce((a, b) => a * b, 1);
  const whole = tensorBytes(type, elements);
  const blocks = Math.max(1, Math.floor(Math.min(whole, SAMPLE_BYTES) / type.typeSize));
  const bytes = new Uint8Array(blocks * type.typeSize);
  const handle = await open(path, 'r');
  try {
    await handle.read(bytes, 0, bytes.length, file.dataOffset + tensor.offset);
  } finally {
    await handle.close();
  }
  return decodeTensorData(type.name, bytes) ?? new Float32Array(0);
}

async function sampleRms(path: string, file: GgufFile, tensor: GgufTensorInfo): Promise<number> {
  const decoded = await sampleValues(path, file, tensor);
  // Other quantisations: a neutral yardstick (the usual initialisation's 1/√n).
  if (decoded.length === 0) return 1 / Math.sqrt(tensor.dims[0]!);
  let sum = 0;
  for (const v of decoded) sum += v * v;
  return Math.sqrt(sum / decoded.length) || 1 / Math.sqrt(tensor.dims[0]!);
}

/** Reads the shape an adapter needs from a GGUF model (header and a few KiB of weights). */
export async function adapterShapeOf(modelPath: string): Promise<AdapterShape> {
  const file = await readGguf(modelPath);
  const architecture = String(plain(file.metadata.get('general.architecture')));
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const targets: AdaptedTensor[] = [];
  for (let block = 0; byName.has(`blk.${block}.attn_q.weight`); block++) {
    for (const kind of ADAPTED_KINDS) {
      const info = byName.get(`blk.${block}.${kind}.weight`);
      // A mixture of experts has no dense ffn_down (its experts' are three-dimensional): the voice stays in attention there.
      if (!info && kind === 'ffn_down') continue;
      if (!info || info.dims.length !== 2) throw new GgufError(`${modelPath} has no two-dimensional blk.${block}.${kind}.weight to adapt.`);
      targets.push({ tensor: info.name, kind, inputs: info.dims[0]!, outputs: info.dims[1]! });
    }
  }
  if (targets.length === 0) throw new GgufError(`${modelPath} has no attention blocks (blk.N.attn_q.weight): an agent's adapter cannot attach to it.`);
  const weightRms = {} as Record<AdaptedKind, number>;
  for (const kind of ADAPTED_KINDS) {
    const first = byName.get(`blk.0.${kind}.weight`);
    if (!first) continue;
    // A tensor with a `.scale` beside it (bitnet.cpp's models, converted) is that scale times its stored weights.
    const scale = byName.get(`blk.0.${kind}.scale`);
    weightRms[kind] = (await sampleRms(modelPath, file, first)) * (scale ? Math.abs((await sampleValues(modelPath, file, scale))[0] ?? 1) : 1);
  }
  const biasableTokens = biasableTokenIds(file, modelPath);
  const key = createHash('sha256')
    .update(JSON.stringify({ architecture, targets: targets.map((t) => [t.tensor, t.inputs, t.outputs]), weightRms, biasable: biasableTokens.length }))
    .digest('hex')
    .slice(0, 16);
  return { architecture, targets, weightRms, biasableTokens, key };
}

/** Ids of the tokens a voice may bias, in vocabulary order (normal and byte tokens). */
function biasableTokenIds(file: GgufFile, modelPath: string): Int32Array {
  const types = plain(file.metadata.get('tokenizer.ggml.token_type'));
  const tokens = plain(file.metadata.get('tokenizer.ggml.tokens'));
  if (!Array.isArray(tokens)) throw new GgufError(`${modelPath} has no tokenizer.ggml.tokens.`);
  const ids: number[] = [];
  tokens.forEach((_, id) => {
    // llama.cpp token types: 1 normal and 6 byte are text; 2 unknown, 3 control, 4 user-defined and 5 unused are not.
    const type = Array.isArray(types) ? types[id] : 1;
    if (type === 1 || type === 6) ids.push(id);
  });
  return Int32Array.from(ids);
}
