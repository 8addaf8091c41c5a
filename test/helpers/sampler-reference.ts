// The sampler's reference: llama.cpp's chain written the obvious way (sort everything, cut,
// softmax), seeded DRBGs and model-like logits, shared by the sampler's test and its bench.
import type { SamplerOptions } from '../../electron/inference/sampler.std';
import { HmacDrbg } from '../../native-bridge/drbg/hmac-drbg.node';

/** A DRBG seeded from fixed bytes: deterministic tests, never flaky. */
export function drbg(seed: number): HmacDrbg {
  const entropy = Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i) & 0xff);
  return HmacDrbg.instantiate(entropy, new Uint8Array(16).fill(seed & 0xff), new TextEncoder().encode('sampler test'));
}

/** Model-like logits: Gaussian noise (σ = 3) with a few strong tokens, from a seeded DRBG. */
export function modelLogits(n: number, seed: number): Float32Array {
  const rng = drbg(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 3 * Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  for (let j = 0; j < 8; j++) out[rng.nextUint32() % n] = 12 + 2 * rng.nextFloat();
  return out;
}

/**
 * The chain written the obvious way (sort everything, cut, softmax), to check the
 * quickselect sampler against. Returns [token, probability] in token-id order.
 */
export function reference(logits: Float32Array, o: SamplerOptions): [number, number][] {
  const l = Array.from(logits);
  for (const [t, b] of o.tokenBias ?? []) l[t] = Math.fround(l[t]! + b);
  const penalty = o.repeatPenalty ?? 1;
  const lastN = o.repeatLastN ?? 64;
  const recent = o.recentTokens ?? [];
  if (penalty !== 1 && lastN !== 0) {
    for (const t of new Set(lastN === -1 ? recent : recent.slice(Math.max(0, recent.length - lastN)))) {
      l[t] = Math.fround(l[t]! <= 0 ? l[t]! * penalty : l[t]! / penalty);
    }
  }
  let c = l.map((_, i) => i).filter((i) => l[i]! > -Infinity);
  c.sort((a, b) => l[b]! - l[a]! || a - b);
  const temperature = o.temperature ?? 1;
  if (temperature === 0) return [[c[0]!, 1]];
  const softmax = (ids: number[], t: number) => {
    const max = l[ids[0]!]!;
    const e = ids.map((i) => Math.exp((l[i]! - max) / t));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / sum);
  };
  if ((o.topK ?? 0) > 0) c = c.slice(0, o.topK);
  if ((o.topP ?? 1) < 1) {
    const p = softmax(c, 1);
    let cum = 0;
    let keep = c.length;
    for (let i = 0; i < c.length; i++) {
      cum += p[i]!;
      if (cum >= o.topP!) {
        keep = i + 1;
        break;
      }
    }
    c = c.slice(0, keep);
  }
  if ((o.minP ?? 0) > 0) {
    const threshold = l[c[0]!]! + Math.log(o.minP!);
    c = c.filter((i) => l[i]! >= threshold);
  }
  const p = softmax(c, temperature);
  return c.map((t, i): [number, number] => [t, p[i]!]).sort((a, b) => a[0] - b[0]);
}

/** Draws from a reference distribution with u by inverse CDF in token-id order. */
export function referenceDraw(dist: [number, number][], u: number): number {
  let acc = 0;
  for (const [t, p] of dist) {
    acc += p;
    if (acc > u) return t;
  }
  return dist[dist.length - 1]![0];
}
