// Our sampler (quickselect over the vocabulary, buffers kept between tokens) against the chain
// written the obvious way (a full sort of the vocabulary), on a 128,256-token vocabulary: one
// token drawn per run, the median of many runs after three to warm up.
import { it } from 'vitest';
import { LLAMA_CPP_DEFAULTS, sampleToken, TokenSampler, type SamplerOptions } from '../electron/inference/sampler.std';
import { drbg, modelLogits, reference, referenceDraw } from '../test/helpers/sampler-reference';

const VOCAB = 128_256; // Llama 3's vocabulary

/** Median and best of `repeats` timed runs, after 3 warm-up runs. */
function timeMs(run: () => void, repeats: number): { median: number; best: number } {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, best: times[0]! };
}

it('sampler against a full sort of the vocabulary', () => {
  const logits = modelLogits(VOCAB, 21);
  const sampler = new TokenSampler();
  const rng = drbg(22);
  const settings: [string, SamplerOptions][] = [
    ['llama.cpp defaults', LLAMA_CPP_DEFAULTS],
    ['top-p 0.95 only', { temperature: 1, topP: 0.95 }],
    ['full softmax', { temperature: 1 }],
    ['greedy', { temperature: 0 }],
  ];
  const lines: string[] = [];
  for (const [name, options] of settings) {
    const ours = timeMs(() => sampler.sample(logits, options, rng), 31);
    const fresh = timeMs(() => sampleToken(logits, options, rng), 11);
    const ref = timeMs(() => referenceDraw(reference(logits, options), rng.nextFloat()), 3);
    lines.push(
      `sampler ${name}: ours ${ours.median.toFixed(2)} ms (best ${ours.best.toFixed(2)}, fresh sampler ${fresh.median.toFixed(2)}), reference ${ref.median.toFixed(2)} ms, ratio ${(ref.median / ours.median).toFixed(1)}`,
    );
  }
  console.log(lines.join('\n'));
});
