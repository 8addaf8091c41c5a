// The assessment split over worker threads (the app's and `harvest`'s way) gives exactly
// what one thread gives, with progress over every step, and a failing worker ends it in a
// sentence. Runs the built worker entry (out/main/assess-worker.js), as the app does.
import { describe, expect, it } from 'vitest';
import { assess, assessmentSteps } from '../../native-bridge/estimators/assess.std';
import { shareSteps, workerAssessor } from '../../native-bridge/estimators/assessors.node';
import { prepareDataset } from '../../native-bridge/estimators/dataset.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { DATASETS } from '../fixtures/entropy-datasets';

const paths = buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href);

describe('the assessment on worker threads', () => {
  it('shares the steps out evenly, keeping t-tuple and LRS of one input together', () => {
    const dataset = prepareDataset(DATASETS['gaussian-6bit'].make(), 6);
    const steps = assessmentSteps(dataset);
    const groups = shareSteps(steps, 2, dataset.alphabetSize);
    expect(groups).toHaveLength(2);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(steps.map((_, i) => i));
    for (const which of ['original', 'bitstring'] as const) {
      const tuple = steps.findIndex((s) => s.name === 't-tuple' && s.which === which);
      const lrs = steps.findIndex((s) => s.name === 'lrs' && s.which === which);
      expect(groups.find((g) => g.includes(tuple))).toContain(lrs);
    }
    // The two heaviest steps (multi-mmc on the samples, t-tuple on the bitstring) land apart.
    const mmc = steps.findIndex((s) => s.name === 'multi-mmc' && s.which === 'original');
    const tupleBits = steps.findIndex((s) => s.name === 't-tuple' && s.which === 'bitstring');
    expect(groups.find((g) => g.includes(mmc))).not.toContain(tupleBits);
    expect(shareSteps(steps, 1, dataset.alphabetSize)).toEqual([steps.map((_, i) => i)]);
  });

  it('shares binary samples out by what each step costs on bits', () => {
    // On bits, t-tuple with LRS and Lag are the heaviest steps (multi-MMC is on 8-bit samples): they land apart.
    const steps = assessmentSteps(prepareDataset(DATASETS['biased-bits'].make(), 1));
    const groups = shareSteps(steps, 2, 2);
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    expect(groups.find((g) => g.includes(at('t-tuple')))).toContain(at('lrs'));
    expect(groups.find((g) => g.includes(at('t-tuple')))).not.toContain(at('lag'));
  });

  for (const [name, threads] of [['long-repeats-8bit', 2], ['biased-bits', 3]] as const) {
    it(`gives exactly the single-thread result on ${name} with ${threads} workers`, async () => {
      const { make, bitsPerSample } = DATASETS[name];
      const samples = make();
      const progress: [number, number][] = [];
      const parallel = await workerAssessor(paths.assessWorker, threads)(samples, bitsPerSample, (done, total) => progress.push([done, total]));
      expect(parallel).toEqual(assess(samples, bitsPerSample));
      const total = assessmentSteps(prepareDataset(samples, bitsPerSample)).length;
      expect(progress.map(([done]) => done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(progress.every(([, t]) => t === total)).toBe(true);
    }, 120_000);
  }

  it('says so in a sentence when a worker cannot start', async () => {
    await expect(workerAssessor('/nonexistent/assess-worker.js', 2)(DATASETS['biased-bits'].make(), 1, () => {})).rejects.toThrow(/The entropy assessment worker (crashed|exited)/);
  });
});
