import { describe, expect, it } from 'vitest';
import {
  LLAMA_CPP_DEFAULTS,
  SamplingError,
  TokenSampler,
  sampleToken,
  type RandomSource,
  type SamplerOptions,
} from '../../electron/inference/sampler.std';
import { HmacDrbg } from '../../native-bridge/drbg/hmac-drbg.node';
import { drbg, modelLogits, reference, referenceDraw } from '../helpers/sampler-reference';

const VOCAB = 128_256; // Llama 3's vocabulary

/** Replays fixed floats and counts how many were taken. */
function fixedSource(values: readonly number[]): RandomSource & { taken: number } {
  const source = {
    taken: 0,
    nextFloat: () => {
      const v = values[source.taken++ % values.length]!;
      return v;
    },
  };
  return source;
}

const logitsOf = (probabilities: readonly number[]): Float32Array => Float32Array.from(probabilities, (p) => Math.log(p));

function toMap(tokens: Uint32Array, probabilities: Float64Array): Map<number, number> {
  return new Map(Array.from(tokens, (t, i) => [t, probabilities[i]!]));
}

describe('sampler agrees with a plain sort-based reference of llama.cpp’s chain', () => {
  const cases: SamplerOptions[] = [
    {},
    LLAMA_CPP_DEFAULTS,
    { temperature: 0.7, topP: 0.9 },
    { temperature: 1.3, topK: 200, topP: 0.5, minP: 0.02 },
    { temperature: 0.9, minP: 0.1 },
    { temperature: 1, topK: 5000 },
    { temperature: 0 },
    { temperature: 0.8, repeatPenalty: 1.3, repeatLastN: 4, recentTokens: [11, 12, 13, 14, 15, 16] },
  ];
  for (const [n, seed] of [
    [1000, 1],
    [VOCAB, 2],
  ] as const) {
    it(`same distribution and same token for the same float, ${n} tokens`, () => {
      const logits = modelLogits(n, seed);
      const sampler = new TokenSampler();
      const floats = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
      for (const options of cases) {
        const ours = sampler.distribution(logits, options);
        const theirs = reference(logits, options);
        expect(Array.from(ours.tokens)).toEqual(theirs.map(([t]) => t));
        const worst = theirs.reduce((acc, [, p], i) => Math.max(acc, Math.abs(ours.probabilities[i]! - p)), 0);
        expect(worst).toBeLessThan(1e-12);
        const source = fixedSource(floats);
        for (const u of floats) expect(sampler.sample(logits, options, source).token).toBe(referenceDraw(theirs, u));
      }
    });
  }
});

describe('sampler properties', () => {
  it('gives the same tokens from the same DRBG state and logits (restore the state, resample)', () => {
    const logits = modelLogits(VOCAB, 3);
    const flat = logits.map((x) => x / 8); // flatter, so that the draws vary
    const rng = drbg(7);
    rng.nextFloat(); // mid-stream, pending bytes included
    const saved = rng.exportState();
    const sampler = new TokenSampler();
    const draw = (source: HmacDrbg) => Array.from({ length: 50 }, () => sampler.sample(flat, LLAMA_CPP_DEFAULTS, source).token);
    const first = draw(rng);
    expect(draw(HmacDrbg.fromState(saved))).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(5);
    expect(draw(drbg(8))).not.toEqual(first);
  });

  it('greedy (temperature 0) takes the argmax, the lower id on a tie, and still consumes one float', () => {
    const source = fixedSource([0.999]);
    expect(sampleToken(Float32Array.of(1, 5, 3, 5, -2), { temperature: 0 }, source)).toEqual({ token: 1, probability: 1, candidates: 1 });
    expect(source.taken).toBe(1);
    // greedy sees the bias and the penalty, as in llama.cpp
    expect(sampleToken(Float32Array.of(1, 5, 3, 5), { temperature: 0, tokenBias: new Map([[1, -Infinity]]) }, source).token).toBe(3);
    expect(sampleToken(Float32Array.of(1, 5, 3, 4), { temperature: 0, repeatPenalty: 2, recentTokens: [1] }, source).token).toBe(3);
    const logits = modelLogits(VOCAB, 4);
    let argmax = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[argmax]!) argmax = i;
    expect(sampleToken(logits, { temperature: 0 }, drbg(1)).token).toBe(argmax);
  });

  it('approaches greedy as temperature goes to 0', () => {
    const logits = Float32Array.of(1.2, 2.0, 1.9, -0.5, 0.3);
    const sampler = new TokenSampler();
    const pTop = [1, 0.5, 0.1, 0.02].map((temperature) => {
      const d = sampler.distribution(logits, { temperature });
      return d.probabilities[Array.from(d.tokens).indexOf(1)]!;
    });
    for (let i = 1; i < pTop.length; i++) expect(pTop[i]).toBeGreaterThan(pTop[i - 1]!);
    expect(pTop[3]).toBeGreaterThan(0.99);
    const rng = drbg(5);
    const tokens = new Set(Array.from({ length: 300 }, () => sampler.sample(logits, { temperature: 0.005 }, rng).token));
    expect([...tokens]).toEqual([1]);
  });

  it('top-k = 1 is greedy at any temperature', () => {
    const logits = modelLogits(5000, 6);
    const greedy = sampleToken(logits, { temperature: 0 }, drbg(1)).token;
    const rng = drbg(2);
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { temperature: 1.5, topK: 1 }, rng)).toEqual({ token: greedy, probability: 1, candidates: 1 });
  });

  it('top-k keeps the k highest logits, the lower ids on a tie', () => {
    const d = new TokenSampler().distribution(Float32Array.of(0, 4, 2, 4, 3, 4), { topK: 3 });
    expect(Array.from(d.tokens)).toEqual([1, 3, 5]);
    expect(Array.from(new TokenSampler().distribution(Float32Array.of(0, 4, 2, 4, 3, 4), { topK: 2 }).tokens)).toEqual([1, 3]);
  });

  it('top-p keeps the smallest set of most likely tokens reaching p, and renormalises it', () => {
    // token → probability: 3 → 0.5, 0 → 0.2, 4 → 0.15, 1 → 0.1, 2 → 0.05
    const logits = logitsOf([0.2, 0.1, 0.05, 0.5, 0.15]);
    const sampler = new TokenSampler();
    const kept = (topP: number) => Array.from(sampler.distribution(logits, { topP }).tokens);
    expect(kept(0.3)).toEqual([3]);
    expect(kept(0.69)).toEqual([0, 3]);
    expect(kept(0.8)).toEqual([0, 3, 4]);
    expect(kept(0.86)).toEqual([0, 1, 3, 4]);
    expect(kept(0.999)).toEqual([0, 1, 2, 3, 4]);
    expect(kept(0)).toEqual([3]);
    const d = sampler.distribution(logits, { topP: 0.8 });
    expect(Array.from(d.probabilities, (p) => p * 0.85)).toEqual([0.2, 0.5, 0.15].map((p) => expect.closeTo(p, 6)));
    // four equal tokens, p = 0.5: exactly two are needed, the lower ids
    const ties = Float32Array.of(-Infinity, 1, -Infinity, 1, -Infinity, 1, -Infinity, 1);
    expect(Array.from(sampler.distribution(ties, { topP: 0.5 }).tokens)).toEqual([1, 3]);
  });

  it('min-p drops tokens below minP × the top probability', () => {
    // token → probability: 0 → 0.4, 1 → 0.2, 2 → 0.1, 3 → 0.05, 4 → 0.25
    const logits = logitsOf([0.4, 0.2, 0.1, 0.05, 0.25]);
    const sampler = new TokenSampler();
    expect(Array.from(sampler.distribution(logits, { minP: 0.3 }).tokens)).toEqual([0, 1, 4]);
    expect(Array.from(sampler.distribution(logits, { minP: 0.55 }).tokens)).toEqual([0, 4]);
    expect(Array.from(sampler.distribution(logits, { minP: 0.1 }).tokens)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(sampler.distribution(logits, { minP: 1 }).tokens)).toEqual([0]);
    const d = sampler.distribution(logits, { minP: 0.55 });
    expect(d.probabilities[0]! / d.probabilities[1]!).toBeCloseTo(0.4 / 0.25, 6);
  });

  it('repetition penalty follows llama.cpp: positive logits divided, negative multiplied, once per token in the last N', () => {
    const logits = Float32Array.of(2, -1, 0.5, 0);
    const sampler = new TokenSampler();
    const probs = (options: SamplerOptions) => Array.from(sampler.distribution(logits, options).probabilities);
    const plain = probs({});
    // window of 3: [0, 1, 0]; token 2 is older and not penalised; token 0 counts once
    const penalised = probs({ repeatPenalty: 2, repeatLastN: 3, recentTokens: [2, 0, 1, 0] });
    const ref = penalised[3]!; // token 3 is untouched: logit 0
    expect(penalised[0]! / ref).toBeCloseTo(Math.exp(2 / 2), 6);
    expect(penalised[1]! / ref).toBeCloseTo(Math.exp(-1 * 2), 6);
    expect(penalised[2]! / ref).toBeCloseTo(Math.exp(0.5), 6);
    expect(penalised[0]).toBeLessThan(plain[0]!);
    expect(penalised[1]).toBeLessThan(plain[1]!);
    // -1: the whole history; 0: no window; penalty 1: off
    const all = probs({ repeatPenalty: 2, repeatLastN: -1, recentTokens: [2, 0, 1, 0] });
    expect(all[2]! / all[3]!).toBeCloseTo(Math.exp(0.25), 6);
    expect(probs({ repeatPenalty: 2, repeatLastN: 0, recentTokens: [0] })).toEqual(plain);
    expect(probs({ repeatPenalty: 1, recentTokens: [0, 1] })).toEqual(plain);
  });

  it('adds token bias before everything; a -Infinity bias is never sampled, even on the argmax', () => {
    const logits = Float32Array.of(3, 1, 1, 0.5);
    const sampler = new TokenSampler();
    const forbid = { tokenBias: new Map([[0, -Infinity]]) };
    const rng = drbg(9);
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const { token } = sampler.sample(logits, forbid, rng);
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    expect(counts.has(0)).toBe(false);
    expect([...counts.keys()].sort()).toEqual([1, 2, 3]);
    expect(Array.from(sampler.distribution(logits, forbid).tokens)).toEqual([1, 2, 3]);
    // +ln 2 doubles a token's odds against the others
    const d = sampler.distribution(logits, { tokenBias: new Map([[1, Math.LN2]]) });
    expect(d.probabilities[1]! / d.probabilities[2]!).toBeCloseTo(2, 5);
    // a bias can lift a token into top-k
    expect(Array.from(sampler.distribution(logits, { topK: 1, tokenBias: new Map([[3, 5]]) }).tokens)).toEqual([3]);
  });

  it('takes logits as a Map over some token ids, in any insertion order, same as the dense form', () => {
    const dense = new Float32Array(101).fill(-Infinity);
    const entries: [number, number][] = [
      [100, 2],
      [5, 1],
      [42, -1],
      [7, 0.5],
    ];
    for (const [t, l] of entries) dense[t] = l;
    const sparse = new Map(entries);
    const options: SamplerOptions = { temperature: 0.9, tokenBias: new Map([[42, 1], [9999, -Infinity]]), repeatPenalty: 1.5, recentTokens: [7, 12345] };
    const sampler = new TokenSampler();
    const fromMap = sampler.distribution(sparse, options);
    expect(Array.from(fromMap.tokens)).toEqual([5, 7, 42, 100]);
    const fromDense = sampler.distribution(dense, { ...options, tokenBias: new Map([[42, 1]]), recentTokens: [7] });
    expect(toMap(fromMap.tokens, fromMap.probabilities)).toEqual(toMap(fromDense.tokens, fromDense.probabilities));
    const floats = [0.01, 0.3, 0.6, 0.9, 0.99];
    const a = fixedSource(floats);
    const b = fixedSource(floats);
    for (let i = 0; i < floats.length; i++) {
      expect(sampler.sample(sparse, options, a)).toEqual(sampler.sample(dense, { ...options, tokenBias: new Map([[42, 1]]), recentTokens: [7] }, b));
    }
  });
});

describe('sampler empirical distribution (chi-square, fixed DRBG seed: deterministic)', () => {
  // χ² critical values at p = 0.001: the test fails only on a real mismatch.
  const CRITICAL_0_001: Record<number, number> = { 5: 20.515, 9: 27.877 };

  function chiSquare(logits: Float32Array, options: SamplerOptions, draws: number, seed: number): { chi: number; df: number } {
    const expected = reference(logits, options);
    const sampler = new TokenSampler();
    const rng = drbg(seed);
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const { token } = sampler.sample(logits, options, rng);
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    for (const token of counts.keys()) expect(expected.some(([t]) => t === token)).toBe(true);
    let chi = 0;
    for (const [token, p] of expected) {
      expect(draws * p).toBeGreaterThan(5);
      chi += ((counts.get(token) ?? 0) - draws * p) ** 2 / (draws * p);
    }
    return { chi, df: expected.length - 1 };
  }

  it('matches softmax(logits / T)', () => {
    const logits = Float32Array.of(2, 1.5, 1, 0.5, 0, -0.5, -1, 3, 0.2, -2);
    // the expected probabilities, computed here from scratch
    const weights = Array.from(logits, (l) => Math.exp(l / 0.8));
    const sum = weights.reduce((a, b) => a + b, 0);
    const d = new TokenSampler().distribution(logits, { temperature: 0.8 });
    weights.forEach((w, i) => expect(d.probabilities[i]).toBeCloseTo(w / sum, 12));
    const { chi, df } = chiSquare(logits, { temperature: 0.8 }, 20_000, 11);
    expect(df).toBe(9);
    expect(chi).toBeLessThan(CRITICAL_0_001[9]!);
  });

  it('matches the filtered distribution after top-k, top-p and min-p', () => {
    const logits = Float32Array.of(0.3, 2.2, -1, 1.9, 0.8, 1.2, -0.2, 2.5, 0.1, 1.7, -3, 0.9);
    const options = { temperature: 1.2, topK: 8, topP: 0.9, minP: 0.15 };
    const { chi, df } = chiSquare(logits, options, 20_000, 12);
    expect(df).toBe(5);
    expect(chi).toBeLessThan(CRITICAL_0_001[5]!);
  });
});

describe('sampler errors', () => {
  const source = fixedSource([0.5]);
  const ok = Float32Array.of(0, 1, 2);
  it('names the token whose logit is NaN or +Infinity', () => {
    expect(() => sampleToken(Float32Array.of(0, 1, 2, 3, 4, 5, 6, NaN), {}, source)).toThrow(/logit for token 7 is NaN/);
    expect(() => sampleToken(Float32Array.of(0, Infinity), {}, source)).toThrow(/logit for token 1 is Infinity/);
    expect(() => sampleToken(new Map([[9, NaN]]), {}, source)).toThrow(/token 9 is NaN/);
  });

  it('refuses empty or fully forbidden vocabularies and bad token ids', () => {
    expect(() => sampleToken(new Float32Array(0), {}, source)).toThrow(/vocabulary is empty/);
    expect(() => sampleToken(Float32Array.of(-Infinity, -Infinity), {}, source)).toThrow(/Every token is forbidden/);
    expect(() => sampleToken(ok, { tokenBias: new Map([[0, -Infinity], [1, -Infinity], [2, -Infinity]]) }, source)).toThrow(SamplingError);
    expect(() => sampleToken(new Map([[-1, 0]]), {}, source)).toThrow(/token -1/);
    expect(() => sampleToken(ok, { tokenBias: new Map([[3, 1]]) }, source)).toThrow(/tokenBias names token 3, but the vocabulary has 3 tokens/);
    expect(() => sampleToken(ok, { tokenBias: new Map([[0, Infinity]]) }, source)).toThrow(/bias must be finite/);
    expect(() => sampleToken(ok, { tokenBias: new Map([[0, NaN]]) }, source)).toThrow(/bias must be finite/);
    expect(() => sampleToken(ok, { repeatPenalty: 1.1, recentTokens: [0, 2.5] }, source)).toThrow(/recentTokens\[1\] names token 2.5/);
    expect(() => sampleToken(ok, { repeatPenalty: 1.1, recentTokens: [7] }, source)).toThrow(/vocabulary has 3 tokens/);
  });

  it('explains each invalid option', () => {
    const bad: [SamplerOptions, RegExp][] = [
      [{ temperature: -0.1 }, /temperature must be a finite number ≥ 0 \(0 = greedy\); got -0.1/],
      [{ temperature: NaN }, /temperature must be/],
      [{ temperature: Infinity }, /temperature must be/],
      [{ topK: 1.5 }, /topK must be a whole number ≥ 0/],
      [{ topK: -1 }, /topK must be/],
      [{ topP: 1.01 }, /topP must be between 0 and 1/],
      [{ topP: NaN }, /topP must be/],
      [{ minP: -0.1 }, /minP must be between 0 and 1/],
      [{ repeatPenalty: 0 }, /repeatPenalty must be a finite number > 0/],
      [{ repeatLastN: -2 }, /repeatLastN must be a whole number ≥ -1/],
    ];
    for (const [options, message] of bad) expect(() => sampleToken(ok, options, source)).toThrow(message);
  });

  it('refuses a random source that leaves [0, 1)', () => {
    for (const u of [1, -0.1, NaN]) expect(() => sampleToken(ok, {}, fixedSource([u]))).toThrow(/random source returned .*\[0, 1\)/);
  });
});
