// Tokenizes the corpus with llama.cpp's own tokenizer (through node-llama-cpp) and the
// learned vocabulary, so the model trains on exactly the tokens it will see: each
// conversation as the engine renders it (BOS, then ChatML turns), concatenated.
//
// Usage: tokenize-corpus.node.ts CORPUS_DIR  (reads vocab.json, train.jsonl, heldout.jsonl;
// writes train.tokens, heldout.tokens as little-endian uint16 and tokens.json with counts)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { buildModel, type Vocabulary } from '../../electron/inference/gguf/model-builder.node';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tokenize-corpus CORPUS_DIR');
const vocabulary = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Vocabulary;

/** A throwaway model that carries the vocabulary: llama.cpp tokenizes with the model's vocabulary. */
const stub = join(dir, 'tokenizer-stub.gguf');
await buildModel(stub, { architecture: 'llama', embeddingLength: 256, blockCount: 1, feedForwardLength: 256, headCount: 4, contextLength: 512, matrixType: 'TQ2_0', vocabulary, tiedOutput: true }, (name, dims) =>
  new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(name.endsWith('norm.weight') ? 1 : 0.01),
);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
const model = await llama.loadModel({ modelPath: stub });

/** The ChatML rendering node-llama-cpp's ChatMLChatWrapper produces for the same turns. */
export function render(messages: { role: string; content: string }[]): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
}

const stats: Record<string, { conversations: number; tokens: number; bytes: number }> = {};
for (const split of ['train', 'heldout']) {
  const lines = readFileSync(join(dir, `${split}.jsonl`), 'utf8').trim().split('\n');
  const parts: Uint16Array[] = [];
  let tokens = 0;
  let bytes = 0;
  for (const line of lines) {
    const { messages } = JSON.parse(line) as { messages: { role: string; content: string }[] };
    const text = render(messages);
    const ids = [1, ...model.tokenize(text, true)];
    parts.push(Uint16Array.from(ids));
    tokens += ids.length;
    bytes += Buffer.byteLength(text);
  }
  const all = new Uint16Array(tokens);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  writeFileSync(join(dir, `${split}.tokens`), new Uint8Array(all.buffer));
  stats[split] = { conversations: lines.length, tokens, bytes };
}
writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ vocabulary: vocabulary.tokens.length, ...stats }, null, 2));
console.log(JSON.stringify(stats));
await model.dispose();
