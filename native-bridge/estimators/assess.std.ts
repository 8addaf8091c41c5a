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

/** One estimator on one input: the unit an assessment can be split into (across worker threads). */
export interface AssessmentStep {
  name: EstimatorName;
  which: 'original' | 'bitstring';
}

const ESTIMATE: Readonly<Record<Exclude<EstimatorName, 't-tuple' | 'lrs'>, Estimate>> = {
  'mcv': mostCommonValue,
  'collision': (data) => collision(data),
  'markov': (data) => markov(data),
  'compression': (data) => compression(data),
  'multi-mcw': multiMcw,
  'lag': lag,
  'multi-mmc': multiMmc,
  'lz78y': lz78y,
};

/** The steps of an assessment of `dataset`, in the order of NIST's tool; none for a single symbol. */
export function assessmentSteps(dataset: Dataset): AssessmentStep[] {
  if (dataset.alphabetSize <= 1) return [];
  const binary = dataset.alphabetSize === 2;
  const runBits = !binary; // the initial assessment of binary data has no bitstring pass
  const steps: AssessmentStep[] = [];
  const add = (name: EstimatorName, binaryOnly: boolean) => {
    if (runBits) steps.push({ name, which: 'bitstring' });
    if (!binaryOnly || binary) steps.push({ name, which: 'original' });
  };
  add('mcv', false);
  add('collision', true);
  add('markov', true);
  add('compression', true);
  if (runBits) steps.push({ name: 't-tuple', which: 'bitstring' });
  steps.push({ name: 't-tuple', which: 'original' });
  if (runBits) steps.push({ name: 'lrs', which: 'bitstring' });
  steps.push({ name: 'lrs', which: 'original' });
  add('multi-mcw', false);
  add('lag', false);
  add('multi-mmc', false);
  add('lz78y', false);
  return steps;
}

/**
 * Runs `steps` on `dataset`: each value is an estimate, or −1 where the estimator does not
 * apply. t-Tuple and LRS of one input share one suffix array, so give them to the same call.
 */
export function runAssessmentSteps(dataset: Dataset, steps: readonly AssessmentStep[], onStep?: (index: number) => void): number[] {
  const tuples = new Map<'original' | 'bitstring', ReturnType<typeof tupleEstimates>>();
  const input = (which: 'original' | 'bitstring') => (which === 'original' ? dataset.symbols : dataset.bits);
  return steps.map(({ name, which }, index) => {
    let value: number;
    if (name === 't-tuple' || name === 'lrs') {
      let result = tuples.get(which);
      if (!result) tuples.set(which, (result = tupleEstimates(input(which))));
      value = name === 't-tuple' ? result.tTuple : result.lrs;
    } else {
      value = ESTIMATE[name](input(which), which === 'original' ? dataset.alphabetSize : 2);
    }
    onStep?.(index);
    return value;
  });
}

/** The assessment from every step's value: H_original, H_bitstring and their minimum, as NIST's tool reports them. */
export function combineAssessment(dataset: Dataset, steps: readonly AssessmentStep[], values: readonly number[]): Assessment {
  const { symbols, alphabetSize, bitsPerSample } = dataset;
  const base = { samples: symbols.length, bitsPerSample, alphabetSize, provisional: symbols.length < FULL_ASSESSMENT_SAMPLES };
  if (alphabetSize <= 1) {
    // NIST: "Symbol alphabet consists of 1 symbol. No entropy awarded."
    return { ...base, hOriginal: 0, hBitstring: undefined, minEntropy: 0, limitedBy: 'single-symbol', estimators: [] };
  }
  const runBits = alphabetSize !== 2;
  const results = new Map<EstimatorName, EstimatorResult>(ESTIMATORS.map((name) => [name, { name }]));
  let hOriginal = bitsPerSample;
  let hBitstring = 1;
  let limitOriginal: EstimatorName = 'mcv';
  let limitBitstring: EstimatorName = 'mcv';
  steps.forEach(({ name, which }, index) => {
    const h = values[index]!;
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

export function assessDataset(dataset: Dataset, onProgress?: (done: number, total: number) => void): Assessment {
  const steps = assessmentSteps(dataset);
  const values = runAssessmentSteps(dataset, steps, (index) => onProgress?.(index + 1, steps.length));
  return combineAssessment(dataset, steps, values);
}
