// Two ways to run the assessment behind the harvest's Assessor type: in this thread
// (tests), or split over worker threads (the app, `harvest` and `assess`),
// one estimator step per unit, as NIST's tool spreads its estimators over cores.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Assessor } from '../harvest/crediting.std';
import { assess, assessmentSteps, combineAssessment, type AssessmentStep } from './assess.std';
import type { AssessReply, AssessRequest } from './assess-worker.node';
import { prepareDataset } from './dataset.std';

export const assessInThisThread: Assessor = async (samples, bitsPerSample, onProgress) => assess(samples, bitsPerSample, onProgress);

/**
 * Milliseconds each step took here, for sharing the steps out evenly: on 1,000,000 8-bit
 * Gaussian samples (original) and their bitstring of 8,000,000 bits, and on 1,000,000 binary
 * samples (bits), where the steps weigh differently (the bit versions of t-tuple, Lag and
 * MultiMMC). Exact figures do not matter (they vary by half between runs on a busy machine),
 * only that the heavy steps do not end up on one thread.
 */
const COST: Readonly<Record<AssessmentStep['name'], { original: number; bitstring: number; bits: number }>> = {
  'mcv': { original: 5, bitstring: 20, bits: 2 },
  'collision': { original: 20, bitstring: 20, bits: 4 },
  'markov': { original: 44, bitstring: 44, bits: 6 },
  'compression': { original: 69, bitstring: 69, bits: 40 },
  // t-tuple and LRS share one suffix array: the cost is on t-tuple, LRS rides along.
  't-tuple': { original: 285, bitstring: 1200, bits: 180 },
  'lrs': { original: 0, bitstring: 0, bits: 0 },
  'multi-mcw': { original: 97, bitstring: 700, bits: 20 },
  'lag': { original: 25, bitstring: 500, bits: 80 },
  'multi-mmc': { original: 3775, bitstring: 850, bits: 100 },
  'lz78y': { original: 615, bitstring: 700, bits: 75 },
};

/**
 * The steps shared out over `threads` groups of indices, heaviest first onto the lightest
 * group; t-tuple and LRS of one input stay together so their suffix array is built once.
 */
export function shareSteps(steps: readonly AssessmentStep[], threads: number, alphabetSize: number): number[][] {
  const costOf = (step: AssessmentStep) => COST[step.name][alphabetSize === 2 ? 'bits' : step.which];
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

/** How long the workers of an assessment wait for the next (a device's next harvest refines a provisional estimate). */
export const IDLE_WORKER_MS = 60_000;
/** Samples a readied worker assesses to have the engine compile the estimators before the real samples come. */
const WARM_UP_SAMPLES = 16_384;

/** An assessor on worker threads, with what it holds. */
export interface WorkerAssessor extends Assessor {
  /** Resolves when the workers are ready. */
  prepare(bitsPerSample: number): Promise<void>;
  /** Workers started so far, and those waiting for the next assessment. */
  workers(): { started: number; idle: number };
  /** Ends the waiting workers now. */
  close(): Promise<void>;
}

/**
 * Runs each assessment split over up to `threads` workers from the built entry at
 * `workerPath` (out/main/assess-worker.js); default: every core, at most 4. `prepare` starts
 * them while a harvest captures (a few seconds to minutes), each assessing a small sample of
 * the same width so that the engine has compiled the estimators by the time the real ones
 * arrive. Workers that finished wait `idleMs` for the next assessment, at most `threads` of
 * them; waiting, they do not keep the process alive.
 */
export function workerAssessor(workerPath: string, threads = Math.min(4, availableParallelism()), idleMs = IDLE_WORKER_MS): WorkerAssessor {
  const idle: Worker[] = [];
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let preparing: Promise<void> | undefined;
  const endIdle = async () => {
    clearTimeout(timer);
    await Promise.all(idle.splice(0).map((worker) => worker.terminate()));
  };
  const take = () => {
    const waiting = idle.pop();
    if (waiting) {
      waiting.ref();
      return waiting;
    }
    started++;
    const worker = new Worker(workerPath);
    // One that ends while it waits is no longer there to take.
    worker.once('exit', () => {
      const at = idle.indexOf(worker);
      if (at >= 0) idle.splice(at, 1);
    });
    return worker;
  };
  const giveBack = (worker: Worker) => {
    // Two assessments at once each took their own workers; one set is enough to wait for the next.
    if (idle.length >= threads) {
      void worker.terminate();
      return;
    }
    worker.unref();
    idle.push(worker);
    clearTimeout(timer);
    timer = setTimeout(() => void endIdle(), idleMs);
    timer.unref();
  };
  const assessor = async (samples: Uint8Array, bitsPerSample: number, onProgress: (done: number, total: number) => void) => {
    await preparing;
    const dataset = prepareDataset(samples, bitsPerSample);
    const steps = assessmentSteps(dataset);
    const values = new Array<number>(steps.length).fill(-1);
    const working: Worker[] = [];
    let done = 0;
    try {
      await Promise.all(
        shareSteps(steps, threads, dataset.alphabetSize).map(async (indices) => {
          const worker = take();
          working.push(worker);
          const got = await runInWorker(worker, { samples, bitsPerSample, steps: indices.map((i) => steps[i]!) }, () => onProgress(++done, steps.length));
          indices.forEach((stepIndex, k) => (values[stepIndex] = got[k]!));
        }),
      );
    } catch (error) {
      // A failure in one worker ends the others: their work is of no use now.
      await Promise.all(working.map((worker) => worker.terminate()));
      throw error;
    }
    working.forEach(giveBack);
    return combineAssessment(dataset, steps, values);
  };
  const prepare = async (bitsPerSample: number) => {
    const missing = threads - idle.length;
    if (preparing || missing <= 0) return preparing;
    const samples = warmUpSamples(bitsPerSample);
    const dataset = prepareDataset(samples, bitsPerSample);
    const steps = assessmentSteps(dataset);
    const ready = Array.from({ length: missing }, async () => {
      const worker = take();
      try {
        await runInWorker(worker, { samples, bitsPerSample, steps }, () => {});
        giveBack(worker);
      } catch {
        // A worker that cannot start is not kept; the assessment then says why.
        await worker.terminate();
      }
    });
    preparing = Promise.all(ready).then(() => void (preparing = undefined));
    return preparing;
  };
  const close = async () => {
    await preparing;
    await endIdle();
  };
  return Object.assign(assessor, { prepare, workers: () => ({ started, idle: idle.length }), close });
}

/** Reproducible samples of `bitsPerSample` bits for a warm-up: their values do not matter, only that every estimator runs. */
function warmUpSamples(bitsPerSample: number): Uint8Array {
  const samples = new Uint8Array(WARM_UP_SAMPLES);
  const mask = (1 << bitsPerSample) - 1;
  let state = 0x9e3779b9;
  for (let i = 0; i < samples.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    samples[i] = state & mask;
  }
  return samples;
}

function runInWorker(worker: Worker, request: AssessRequest, onStep: () => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const finish = (action: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      action();
    };
    const onMessage = (reply: AssessReply) => {
      if (reply.type === 'step') onStep();
      else if (reply.type === 'values') finish(() => resolve(reply.values));
      else finish(() => reject(new Error(`The entropy assessment failed: ${reply.message}`)));
    };
    const onError = (error: Error) => finish(() => reject(new Error(`The entropy assessment worker crashed: ${error.message}`, { cause: error })));
    const onExit = (code: number) => finish(() => reject(new Error(`The entropy assessment worker exited (code ${code}) before answering.`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(request);
  });
}
