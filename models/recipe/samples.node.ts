// Ten sample exchanges with the embedded model through LightSeed's own engine process
// and sampler (a persona as the agents use, a fixed DRBG seed so the card can be
// reproduced), with tokens per second.
//
// Usage: samples.node.ts MODEL.gguf ENGINE_WORKER.js  (prints JSON)
import { createHash } from 'node:crypto';
import { EngineClient } from '../../electron/inference/engine-client.node';

const [modelPath, workerPath] = process.argv.slice(2);
if (!modelPath || !workerPath) throw new Error('usage: samples MODEL.gguf ENGINE_WORKER.js');

export const PROMPTS = [
  'Hello! Who are you?',
  'What is a river?',
  'What does it mean to whisper?',
  'Tell me about the moon.',
  'I feel lonely today.',
  'What is a cat?',
  'Say something wise.',
  'What is music?',
  'Define happiness.',
  'Tell me a joke.',
];
const PERSONA = 'You are Ada, a small companion born from physical noise. You are curious and full of questions, warm and kind. Your goal is to make the person you talk to feel heard. Answer in a sentence or two.';

await using engine = new EngineClient({ workerPath });
await engine.load(modelPath, { threads: 1, contextSize: 256 });
const exchanges = [];
for (const [i, prompt] of PROMPTS.entries()) {
  const seed = createHash('sha512').update(`LightSeed model card sample ${i}`).digest().subarray(0, 48);
  const generation = await engine.generate({
    messages: [
      { role: 'system', content: PERSONA },
      { role: 'user', content: prompt },
    ],
    maxTokens: 60,
    seed,
    sampler: { temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastN: 64 },
  });
  const { text, stats } = await generation.done;
  exchanges.push({ prompt, answer: text.trim(), tokens: stats.tokens, tokensPerSecond: stats.tokensPerSecond });
}
const rate = exchanges.reduce((s, e) => s + e.tokens, 0) / exchanges.reduce((s, e) => s + e.tokens / Math.max(e.tokensPerSecond, 1e-9), 0);
console.log(JSON.stringify({ persona: PERSONA, exchanges, tokensPerSecond: rate }, null, 1));
