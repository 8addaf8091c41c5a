// Known 1-bit and ternary models a user can get in one step. Each entry names the Hugging
// Face repository and file people download, pinned to a revision where the published hash
// belongs to one, with the sha256 where it was published: a file whose hash differs is never
// registered. Where no hash was published the file is still validated structurally and tried
// by llama.cpp before it is registered, and the hash it had is recorded.
import { LOADED_CONTEXT } from '../inference/engine-protocol.std';
import { z } from 'zod';

export const CatalogEntry = z.strictObject({
  /** Short name used by `lightseed models get NAME` and the API. */
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'a catalog name is lower-case letters, digits, dots and dashes'),
  title: z.string().min(1).max(120),
  /** What it is, in a sentence. */
  summary: z.string().max(400),
  /** Parameters, as the model card states them. */
  parameters: z.number().positive(),
  format: z.enum(['Q1_0', 'Q2_0', 'TQ1_0', 'TQ2_0', 'I2_S']),
  architecture: z.string().min(1).max(40),
  licence: z.string().min(1).max(80),
  /** Hugging Face repository (owner/name), file inside it and revision (a branch or a commit). */
  // As Hugging Face names them: no part may be "." or "..", which would rewrite the request's path.
  repo: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/)
    .refine((repo) => repo.split('/').every((part) => part !== '.' && part !== '..' && !part.includes('..')), 'a repository name has no ".." in it'),
  file: z.string().regex(/^[\w.-]+\.gguf$/).refine((file) => !file.startsWith('.'), 'a file name does not start with "."'),
  revision: z
    .string()
    .regex(/^[\w.-]{1,64}$/)
    .refine((revision) => !revision.includes('..') && revision !== '.', 'a revision has no ".." in it')
    .default('main'),
  /** The file's size in bytes; `sizeExact` false where only a rounded size was published. */
  sizeBytes: z.number().int().positive(),
  sizeExact: z.boolean(),
  /** Lower-case hex, or null where none was published. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** The context LightSeed loads it with (at most 4096), for the memory estimate. */
  contextLength: z.number().int().positive(),
  /** Layers and the width of one layer's keys (KV heads × head size), for the KV cache in the estimate. */
  blockCount: z.number().int().positive(),
  keyWidth: z.number().int().positive(),
  /** True for chat (instruction-tuned) models; a base model continues text. */
  chat: z.boolean(),
});
export type CatalogEntry = z.output<typeof CatalogEntry>;
export type CatalogEntryInput = z.input<typeof CatalogEntry>;

const KNOWN: CatalogEntryInput[] = [
  {
    name: 'bonsai-1.7b',
    title: 'PrismML Bonsai 1.7B',
    summary: 'Qwen3 1.7B with every weight 1-bit, embeddings and output included; a chat model.',
    parameters: 1.7e9,
    format: 'Q1_0',
    architecture: 'qwen3',
    licence: 'Apache-2.0',
    repo: 'prism-ml/Bonsai-1.7B-gguf',
    file: 'Bonsai-1.7B-Q1_0.gguf',
    revision: '210a9e99f79cb184909d49595906526eb2b3dd9a',
    sizeBytes: 248_302_272,
    sizeExact: true,
    sha256: '3d7c6c90dd98717a203adb22d5eacd2581850e40aa5327e144b97766cae5f7e3',
    contextLength: 4096,
    blockCount: 28,
    keyWidth: 8 * 128,
    chat: true,
  },
  {
    name: 'bonsai-4b',
    title: 'PrismML Bonsai 4B',
    summary: 'Qwen3 4B with every weight 1-bit; a chat model.',
    parameters: 4.0e9,
    format: 'Q1_0',
    architecture: 'qwen3',
    licence: 'Apache-2.0',
    repo: 'prism-ml/Bonsai-4B-gguf',
    file: 'Bonsai-4B-Q1_0.gguf',
    revision: '78f2c2bacd0904ffaba24b4873ed975e5818354a',
    sizeBytes: 572_270_624,
    sizeExact: true,
    sha256: '4524b3f997f0f06444e568d1f26e2efd69effa3218c7ad3047432fb171e42168',
    contextLength: 4096,
    blockCount: 36,
    keyWidth: 8 * 128,
    chat: true,
  },
  {
    // The repository's Q2_0.gguf holds 128-weight groups from before llama.cpp fixed Q2_0 at
    // 64 weights a block; the _g64 file is the one the bundled llama.cpp reads. No hash of it
    // was published where we could read it.
    name: 'ternary-bonsai-1.7b',
    title: 'PrismML Ternary Bonsai 1.7B',
    summary: 'Qwen3 1.7B with ternary weights in Q2_0 (64-weight blocks); a chat model. Slow on a CPU: the bundled llama.cpp decodes Q2_0 at about a tenth of Q1_0\'s speed.',
    parameters: 1.72e9,
    format: 'Q2_0',
    architecture: 'qwen3',
    licence: 'Apache-2.0',
    repo: 'prism-ml/Ternary-Bonsai-1.7B-gguf',
    file: 'Ternary-Bonsai-1.7B-Q2_0_g64.gguf',
    sizeBytes: 490_163_968,
    sizeExact: false,
    sha256: null,
    contextLength: 4096,
    blockCount: 28,
    keyWidth: 8 * 128,
    chat: true,
  },
  {
    name: 'bitnet-2b4t',
    title: 'Microsoft BitNet b1.58 2B4T',
    summary: "Microsoft's ternary model trained from scratch on 4T tokens, a ReLU² feed-forward; bitnet.cpp's I2_S, converted to TQ2_0 losslessly.",
    parameters: 2.4e9,
    format: 'I2_S',
    architecture: 'bitnet-b1.58',
    licence: 'MIT',
    repo: 'microsoft/bitnet-b1.58-2B-4T-gguf',
    file: 'ggml-model-i2_s.gguf',
    revision: 'a1f2f1c765812aa8af3f6eda4a313707064bba15',
    sizeBytes: 1_187_801_280,
    sizeExact: true,
    sha256: '4221b252fdd5fd25e15847adfeb5ee88886506ba50b8a34548374492884c2162',
    contextLength: 4096,
    blockCount: 30,
    keyWidth: 5 * 128,
    chat: true,
  },
  {
    name: 'falcon3-1b-1.58bit',
    title: 'Falcon3 1B Instruct 1.58-bit',
    summary: "TII's Falcon3 1B fine-tuned to ternary weights; bitnet.cpp's I2_S, converted to TQ2_0 losslessly.",
    parameters: 1.67e9,
    format: 'I2_S',
    architecture: 'llama',
    licence: 'TII Falcon License 2.0',
    repo: 'tiiuae/Falcon3-1B-Instruct-1.58bit-GGUF',
    file: 'ggml-model-i2_s.gguf',
    sizeBytes: 1_361_904_672,
    sizeExact: true,
    sha256: '0ecef8ad9bcb1b7d3b73bac7b0237daf2faa962b60cbbaf62c86ff51a39444b4',
    contextLength: 4096,
    blockCount: 18,
    keyWidth: 4 * 256,
    chat: true,
  },
  {
    name: 'falcon3-3b-1.58bit',
    title: 'Falcon3 3B Instruct 1.58-bit',
    summary: "TII's Falcon3 3B fine-tuned to ternary weights; bitnet.cpp's I2_S, converted to TQ2_0 losslessly.",
    parameters: 3.23e9,
    format: 'I2_S',
    architecture: 'llama',
    licence: 'TII Falcon License 2.0',
    repo: 'tiiuae/Falcon3-3B-Instruct-1.58bit-GGUF',
    file: 'ggml-model-i2_s.gguf',
    sizeBytes: 2_221_465_632,
    sizeExact: true,
    sha256: '2ee9723dc1abcc53f231ef1637bdd7c1ec1dbaf132c2c59873100cfb48b41455',
    contextLength: 4096,
    blockCount: 22,
    keyWidth: 4 * 256,
    chat: true,
  },
  {
    name: 'trilm-3.9b',
    title: 'TriLM 3.9B (Spectra)',
    summary: 'A ternary llama trained from scratch, in TQ2_0; a base model: it continues text rather than chatting.',
    parameters: 3.99e9,
    format: 'TQ2_0',
    architecture: 'llama',
    licence: 'Apache-2.0',
    repo: 'Green-Sky/TriLM_3.9B-GGUF',
    file: 'TriLM_3.9B_Unpacked-4.0B-TQ2_0.gguf',
    sizeBytes: 1_170_000_000,
    sizeExact: false,
    sha256: null,
    contextLength: 2048,
    blockCount: 30,
    keyWidth: 3072,
    chat: false,
  },
];

export const KNOWN_MODELS: readonly CatalogEntry[] = KNOWN.map((entry) => CatalogEntry.parse(entry));

/** Known entries, then each extra one (an extra entry with a known name replaces it). */
export function mergeCatalog(known: readonly CatalogEntry[], extra: readonly CatalogEntry[]): CatalogEntry[] {
  const byName = new Map(known.map((entry) => [entry.name, entry]));
  for (const entry of extra) byName.set(entry.name, entry);
  return [...byName.values()];
}

/** bitnet.cpp's layout is converted on arrival: a second file of about the same size. */
export const needsConversion = (entry: CatalogEntry): boolean => entry.format === 'I2_S';

/**
 * Memory a loaded model needs, roughly: its weights (mapped), an f16 KV cache for the context
 * it is loaded with (keys and values, every layer), and 256 MiB for llama.cpp's compute
 * buffers, the tokenizer and the engine process.
 */
export function memoryNeeded(entry: CatalogEntry): number {
  const context = Math.min(entry.contextLength, LOADED_CONTEXT);
  const kvCache = 2 * entry.blockCount * context * entry.keyWidth * 2;
  return entry.sizeBytes + kvCache + 256 * 2 ** 20;
}

/** Space a download needs in the models folder: what is left to fetch, the converted copy, a margin. */
export function diskNeeded(entry: CatalogEntry, alreadyDownloaded: number): number {
  const margin = 64 * 2 ** 20;
  return Math.max(0, entry.sizeBytes - alreadyDownloaded) + (needsConversion(entry) ? entry.sizeBytes : 0) + margin;
}
