// The SP 800-90B §6.3 non-IID assessment: every estimator on the samples
// (H_original) and on their bitstring (H_bitstring), and the result
// H = min(H_original, bits per sample × H_bitstring), as NIST's `ea_non_iid -i -a`.
import { collision } from './collision.std';
import { compression } from './compression.std';
import { prepareDataset, type Dataset } from './dataset.std';
import { lag } from './lag.std';
import { lz78y } from './lz78y.std';
import { markov } from './markov.std';
import { mostCommonValue } from './most-common.std';
import { multiMcw } from './multi-mcw.std';
import { multiMmc } from './multi-mmc.std';
import { tupleEstimates } from './tuple.std';

export const ESTIMATORS = ['mcv', 'collision', 'markov', 'compression', 't-tuple', 'lrs', 'multi-mcw', 'lag', 'multi-mmc', 'lz78y'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

/** SP 800-90B §3.1.3: an assessment wants at least 1,000,000 samples. */
export const FULL_ASSESSMENT_SAMPLES = 1_000_000;

export interface EstimatorResult {
  name: EstimatorName;
  /** On the samples; absent when the estimator does not apply to them. */
  original?: number;
  /** On the bitstring, per bit; absent for binary samples. */
  bitstring?: number;
}

export interface Assessment {
  samples: number;
  bitsPerSample: number;
  alphabetSize: number;
  hOriginal: number;
  /** Per bit; undefined for binary samples. */
  hBitstring: number | undefined;
  /** Min-entropy per sample: min(H_original, bits per sample × H_bitstring). */
  minEntropy: number;
  /** The estimator that set the result. */
  limitedBy: EstimatorName | 'single-symbol';
  estimators: EstimatorResult[];
  /** Fewer samples than SP 800-90B asks for: the result is provisional. */
  provisional: boolean;
}

type Estimate = (data: Uint8Array, alphabetSize: number) => number;

export function assess(samples: Uint8Array, bitsPerSample?: number, onProgress?: (done: number, total: number) => void): Assessment {
  const dataset = prepareDataset(samples, bitsPerSample);
  return assessDataset(dataset, onProgress);
}

export function assessDataset(dataset: Dataset, onProgress?: (done: number, total: number) => void): Assessment {
  const { symbols, bits, alphabetSize, bitsPerSample } = dataset;
  const base = { samples: symbols.length, bitsPerSample, alphabetSize, provisional: symbols.length < FULL_ASSESSMENT_SAMPLES };
  if (alphabetSize <= 1) {
    // NIST: "Symbol alphabet consists of 1 symbol. No entropy awarded."
    return { ...base, hOriginal: 0, hBitstring: undefined, minEntropy: 0, limitedBy: 'single-symbol', estimators: [] };
  }
  const binary = alphabetSize === 2;
  const runBits = !binary; // the initial assessment of binary data has no bitstring pass
  const results = new Map<EstimatorName, EstimatorResult>(ESTIMATORS.map((name) => [name, { name }]));
  const steps: [EstimatorName, 'original' | 'bitstring', () => number][] = [];
  const add = (name: EstimatorName, estimate: Estimate, binaryOnly: boolean) => {
    if (runBits) steps.push([name, 'bitstring', () => estimate(bits, 2)]);
    if (!binaryOnly || binary) steps.push([name, 'original', () => estimate(symbols, alphabetSize)]);
  };
  add('mcv', mostCommonValue, false);
  add('collision', (data) => collision(data), true);
  add('markov', (data) => markov(data), true);
  add('compression', (data) => compression(data), true);
  // t-tuple and LRS share one suffix array per input.
  const tuples = new Map<'original' | 'bitstring', ReturnType<typeof tupleEstimates>>();
  const tuple = (which: 'original' | 'bitstring', data: Uint8Array) => {
    let result = tuples.get(which);
    if (!result) tuples.set(which, (result = tupleEstimates(data)));
    return result;
  };
  if (runBits) steps.push(['t-tuple', 'bitstring', () => tuple('bitstring', bits).tTuple]);
  steps.push(['t-tuple', 'original', () => tuple('original', symbols).tTuple]);
  if (runBits) steps.push(['lrs', 'bitstring', () => tuple('bitstring', bits).lrs]);
  steps.push(['lrs', 'original', () => tuple('original', symbols).lrs]);
  add('multi-mcw', multiMcw, false);
  add('lag', lag, false);
  add('multi-mmc', multiMmc, false);
  add('lz78y', lz78y, false);

  let hOriginal = bitsPerSample;
  let hBitstring = 1;
  let limitOriginal: EstimatorName = 'mcv';
  let limitBitstring: EstimatorName = 'mcv';
  steps.forEach(([name, which, run], index) => {
    const h = run();
    onProgress?.(index + 1, steps.length);
    if (h < 0) return; // not applicable to this data (too short)
    results.get(name)![which] = h;
    if (which === 'original' && h < hOriginal) {
      hOriginal = h;
      limitOriginal = name;
    }
    if (which === 'bitstring' && h < hBitstring) {
      hBitstring = h;
      limitBitstring = name;
    }
  });
  const fromBits = runBits ? bitsPerSample * hBitstring : Infinity;
  const minEntropy = Math.min(bitsPerSample, hOriginal, fromBits);
  return {
    ...base,
    hOriginal,
    hBitstring: runBits ? hBitstring : undefined,
    minEntropy,
    limitedBy: fromBits < hOriginal ? limitBitstring : limitOriginal,
    estimators: [...results.values()],
  };
}
