// Writes the trained weights as LightSeed's embedded model with our own GGUF writer:
// the llama architecture, ternary layers in TQ2_0 (the trainer exported them as trits·γ,
// so the encoder reproduces them exactly), tied embeddings in Q8_0, norms in F32, and the
// learned SentencePiece vocabulary.
//
// Usage: export-gguf.node.ts TRAIN_DIR OUT.gguf
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, type Vocabulary } from '../../electron/inference/gguf/model-builder.node';

interface Manifest {
  config: { embd: number; layers: number; heads: number; ffn: number; context: number };
  tensors: { name: string; dims: number[]; offset: number }[];
}

const [dir, out] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: export-gguf TRAIN_DIR OUT.gguf');
const manifest = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as Manifest;
const corpus = process.env.LIGHTSEED_CORPUS ?? join(dir, '..', 'corpus');
const vocabulary = JSON.parse(readFileSync(join(corpus, 'vocab.json'), 'utf8')) as Vocabulary;
const blob = readFileSync(join(dir, 'weights.bin'));
const byName = new Map(manifest.tensors.map((t) => [t.name, t]));
const c = manifest.config;

await buildModel(
  out,
  {
    architecture: 'llama',
    embeddingLength: c.embd,
    blockCount: c.layers,
    feedForwardLength: c.ffn,
    headCount: c.heads,
    contextLength: c.context,
    matrixType: 'TQ2_0',
    vocabulary,
    tiedOutput: true,
    name: 'LightSeed Companion',
    general: {
      description: 'A small ternary companion model trained for LightSeed on fortunes and WordNet; see MODEL_CARD.md.',
      license: 'MIT (model); training data: fortune-mod data and WordNet 3.0 licences, see MODEL_CARD.md',
    },
  },
  (name, dims) => {
    const tensor = byName.get(name);
    if (!tensor) throw new Error(`The trained weights have no ${name}.`);
    if (tensor.dims.join('×') !== dims.join('×')) throw new Error(`${name} is ${tensor.dims.join('×')} in the weights, ${dims.join('×')} in the model.`);
    const count = dims.reduce((a, b) => a * b, 1);
    return new Float32Array(blob.buffer.slice(blob.byteOffset + tensor.offset, blob.byteOffset + tensor.offset + count * 4));
  },
);
console.log(`wrote ${out}`);
