// Does llama.cpp compute what was trained? Evaluates the trainer's reference tokens with
// the exported GGUF through node-llama-cpp and compares the logits at every position
// with PyTorch's, and the perplexity of both.
//
// Usage: check-logits.node.ts MODEL.gguf TRAIN_DIR  (prints JSON)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLlama, type Token } from 'node-llama-cpp';

const [modelPath, dir] = process.argv.slice(2);
if (!modelPath || !dir) throw new Error('usage: check-logits MODEL.gguf TRAIN_DIR');
const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { tokens: number[]; logits: number[][]; perplexity: number };
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: Math.max(512, reference.tokens.length + 1), threads: 1 });
const sequence = context.getSequence();
const items = reference.tokens.map((token) => [token as Token, { generateNext: { logits: true } }] as const);
const results = await sequence.controlledEvaluate(items as never);
let maxDiff = 0;
let sumDiff = 0;
let n = 0;
let nll = 0;
let agree = 0;
results.forEach((result, i) => {
  const logits = (result as { next?: { logits?: Map<number, number> } } | undefined)?.next?.logits;
  if (!logits) throw new Error(`No logits at position ${i}.`);
  const ref = reference.logits[i]!;
  let best = 0;
  let refBest = 0;
  let max = -Infinity;
  for (const [token, logit] of logits) {
    const d = Math.abs(logit - ref[token]!);
    maxDiff = Math.max(maxDiff, d);
    sumDiff += d;
    n++;
    if (logit > (logits.get(best) ?? -Infinity)) best = token;
    if (ref[token]! > ref[refBest]!) refBest = token;
    max = Math.max(max, logit);
  }
  if (best === refBest) agree++;
  if (i + 1 < reference.tokens.length) {
    let sum = 0;
    for (const [, logit] of logits) sum += Math.exp(logit - max);
    nll -= logits.get(reference.tokens[i + 1]!)! - max - Math.log(sum);
  }
});
console.log(
  JSON.stringify({
    positions: results.length,
    maxAbsLogitDifference: maxDiff,
    meanAbsLogitDifference: sumDiff / n,
    sameArgmax: agree / results.length,
    perplexityLlamaCpp: Math.exp(nll / (reference.tokens.length - 1)),
    perplexityPyTorch: reference.perplexity,
  }),
);
await context.dispose();
await model.dispose();
