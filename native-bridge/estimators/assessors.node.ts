// Two ways to run the assessment behind the harvest's Assessor type: in this thread
// (tests, the CLI's `assess`), or split over worker threads (the app and `harvest`),
// one estimator step per unit, as NIST's tool spreads its estimators over cores.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Assessor } from '../harvest/crediting.std';
import { assess, assessmentSteps, combineAssessment, type AssessmentStep } from './assess.std';
import type { AssessReply, AssessRequest } from './assess-worker.node';
import { prepareDataset } from './dataset.std';

export const assessInThisThread: Assessor = async (samples, bitsPerSample, onProgress) => assess(samples, bitsPerSample, onProgress);

/**
 * Milliseconds each step took on 1,000,000 8-bit Gaussian samples here (the bitstring: 8,000,000
 * bits), for sharing the steps out evenly. Binary samples cost what a bitstring costs, scaled
 * alike, so they are shared by the bitstring's figures. Exact figures do not matter, only that
 * the heavy steps do not end up on one thread.
 */
const COST: Readonly<Record<AssessmentStep['name'], { original: number; bitstring: number }>> = {
  'mcv': { original: 5, bitstring: 66 },
  'collision': { original: 20, bitstring: 20 },
  'markov': { original: 44, bitstring: 44 },
  'compression': { original: 69, bitstring: 69 },
  // t-tuple and LRS share one suffix array: the cost is on t-tuple, LRS rides along.
  't-tuple': { original: 285, bitstring: 950 },
  'lrs': { original: 0, bitstring: 0 },
  'multi-mcw': { original: 97, bitstring: 651 },
  'lag': { original: 25, bitstring: 380 },
  'multi-mmc': { original: 3775, bitstring: 1010 },
  'lz78y': { original: 615, bitstring: 792 },
};

/**
 * The steps shared out over `threads` groups of indices, heaviest first onto the lightest
 * group; t-tuple and LRS of one input stay together so their suffix array is built once.
 */
export function shareSteps(steps: readonly AssessmentStep[], threads: number, alphabetSize: number): number[][] {
  const costOf = (step: AssessmentStep) => COST[step.name][alphabetSize === 2 ? 'bitstring' : step.which];
  const units: { indices: number[]; cost: number }[] = [];
  const tupleUnit = new Map<string, { indices: number[]; cost: number }>();
  steps.forEach((step, index) => {
    const cost = costOf(step);
    if (step.name === 't-tuple' || step.name === 'lrs') {
      let unit = tupleUnit.get(step.which);
      if (!unit) {
        unit = { indices: [], cost: 0 };
        tupleUnit.set(step.which, unit);
        units.push(unit);
      }
      unit.indices.push(index);
      unit.cost += cost;
    } else {
      units.push({ indices: [index], cost });
    }
  });
  const groups = Array.from({ length: Math.max(1, Math.min(threads, units.length)) }, () => ({ indices: [] as number[], cost: 0 }));
  for (const unit of [...units].sort((a, b) => b.cost - a.cost)) {
    const lightest = groups.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.indices.push(...unit.indices);
    lightest.cost += unit.cost;
  }
  return groups.map((group) => group.indices.sort((a, b) => a - b));
}

/**
 * Runs each assessment split over up to `threads` workers from the built entry at
 * `workerPath` (out/main/assess-worker.js); default: every core, at most 4.
 */
export function workerAssessor(workerPath: string, threads = Math.min(4, availableParallelism())): Assessor {
  return async (samples, bitsPerSample, onProgress) => {
    const dataset = prepareDataset(samples, bitsPerSample);
    const steps = assessmentSteps(dataset);
    const values = new Array<number>(steps.length).fill(-1);
    const workers: Worker[] = [];
    let done = 0;
    try {
      await Promise.all(
        shareSteps(steps, threads, dataset.alphabetSize).map(async (indices) => {
          const worker = new Worker(workerPath);
          workers.push(worker);
          const got = await runInWorker(worker, { samples, bitsPerSample, steps: indices.map((i) => steps[i]!) }, () => onProgress(++done, steps.length));
          indices.forEach((stepIndex, k) => (values[stepIndex] = got[k]!));
        }),
      );
    } finally {
      // A failure in one worker ends the others: their work is of no use now.
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
    return combineAssessment(dataset, steps, values);
  };
}

function runInWorker(worker: Worker, request: AssessRequest, onStep: () => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    worker.on('message', (reply: AssessReply) => {
      if (reply.type === 'step') onStep();
      else if (reply.type === 'values') finish(() => resolve(reply.values));
      else finish(() => reject(new Error(`The entropy assessment failed: ${reply.message}`)));
    });
    worker.on('error', (error) => finish(() => reject(new Error(`The entropy assessment worker crashed: ${error.message}`, { cause: error }))));
    worker.on('exit', (code) => finish(() => reject(new Error(`The entropy assessment worker exited (code ${code}) before answering.`))));
    worker.postMessage(request);
  });
}
