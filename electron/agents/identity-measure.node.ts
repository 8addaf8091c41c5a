// Is an agent's identity real? Measured on the engine: the KL divergence between two
// agents' next-token distributions on fixed probe prompts, and the perplexity of
// held-out text with and without an agent's adapter (the adapter must not cost the
// model its quality).
import type { EngineClient } from '../inference/engine-client.node';
import type { AdapterRef } from '../inference/engine-protocol.std';

/** The probes: short prompts whose next token depends on who answers. */
export const PROBE_PROMPTS = [
  'The weather today is',
  'My favourite thing about people is',
  'When I am alone I',
  'The best answer to a hard question is',
  'Noise is',
  'Tell me a story about',
  'I feel',
  'Hello! I am',
];

export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < p.length; i++) p[i] = p[i]! / sum;
  return p;
}

/** KL(p ‖ q) in nats. */
export function klDivergence(p: Float64Array, q: Float64Array): number {
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) kl += p[i]! * Math.log(p[i]! / Math.max(q[i]!, 1e-300));
  return kl;
}

/** Next-token distributions for every probe under one adapter set. */
export async function probeDistributions(engine: EngineClient, adapters: AdapterRef[], probes: readonly string[] = PROBE_PROMPTS): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const probe of probes) out.push(softmax(await engine.promptLogits(probe, adapters)));
  return out;
}

/** Mean symmetric KL, ½(KL(a‖b) + KL(b‖a)), over the probes. */
export function meanSymmetricKl(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (klDivergence(a[i]!, b[i]!) + klDivergence(b[i]!, a[i]!)) / 2;
  return sum / a.length;
}

/** exp(mean −ln p) over the texts' tokens. */
export async function perplexity(engine: EngineClient, texts: readonly string[], adapters: AdapterRef[]): Promise<number> {
  let nll = 0;
  let tokens = 0;
  for (const text of texts) {
    const score = await engine.score(text, adapters);
    nll += score.nll;
    tokens += score.tokens;
  }
  return Math.exp(nll / tokens);
}
