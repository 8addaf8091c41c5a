// The assessment split over worker threads (the app's and `harvest`'s way) gives exactly
// what one thread gives, with progress over every step, and a failing worker ends it in a
// sentence. Runs the built worker entry (out/main/assess-worker.js), as the app does.
import { describe, expect, it } from 'vitest';
import { assess, assessmentSteps } from '../../native-bridge/estimators/assess.std';
import { shareSteps, workerAssessor } from '../../native-bridge/estimators/assessors.node';
import { prepareDataset } from '../../native-bridge/estimators/dataset.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { DATASETS } from '../fixtures/entropy-datasets';
import { until } from '../helpers/wait-for';

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
    // On bits, t-tuple with LRS and multi-MMC are the heaviest steps (multi-MMC far more so on 8-bit samples): they land apart.
    const steps = assessmentSteps(prepareDataset(DATASETS['biased-bits'].make(), 1));
    const groups = shareSteps(steps, 2, 2);
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    expect(groups.find((g) => g.includes(at('t-tuple')))).toContain(at('lrs'));
    expect(groups.find((g) => g.includes(at('t-tuple')))).not.toContain(at('multi-mmc'));
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

  it('says so in a sentence when a worker cannot start, and keeps none of its workers', async () => {
    const assessor = workerAssessor('/nonexistent/assess-worker.js', 2);
    await expect(assessor(DATASETS['biased-bits'].make(), 1, () => {})).rejects.toThrow(/The entropy assessment worker (crashed|exited)/);
    expect(assessor.workers()).toEqual({ started: 2, idle: 0 });
  });

  it('keeps its workers for the next assessment, which starts none, and ends them when idle or closed', async () => {
    const { make, bitsPerSample } = DATASETS['markov-bits'];
    const samples = make().subarray(0, 100_000);
    const expected = assess(samples, bitsPerSample);
    const assessor = workerAssessor(paths.assessWorker, 2, 60_000);
    expect(await assessor(samples, bitsPerSample, () => {})).toEqual(expected);
    expect(assessor.workers()).toEqual({ started: 2, idle: 2 });
    // Two at once: the second takes new workers rather than waiting for the first's, and
    // afterwards only one set waits (the other ends).
    const [first, second] = await Promise.all([assessor(samples, bitsPerSample, () => {}), assessor(samples, bitsPerSample, () => {})]);
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
    expect(assessor.workers()).toEqual({ started: 4, idle: 2 });
    expect(await assessor(samples, bitsPerSample, () => {})).toEqual(expected);
    expect(assessor.workers()).toEqual({ started: 4, idle: 2 });
    await assessor.close();
    expect(assessor.workers()).toEqual({ started: 4, idle: 0 });

    // Readied while a harvest captures: its workers have run a small sample of the same width.
    const readied = workerAssessor(paths.assessWorker, 2, 60_000);
    await readied.prepare(bitsPerSample);
    expect(readied.workers()).toEqual({ started: 2, idle: 2 });
    await readied.prepare(bitsPerSample); // ready already: nothing more starts
    expect(await readied(samples, bitsPerSample, () => {})).toEqual(expected);
    expect(readied.workers()).toEqual({ started: 2, idle: 2 });
    await readied.close();

    const brief = workerAssessor(paths.assessWorker, 2, 200);
    await brief(samples, bitsPerSample, () => {});
    expect(brief.workers().idle).toBe(2);
    await until(() => brief.workers().idle === 0, 'the idle workers to end', 10_000);
    expect(await brief(samples, bitsPerSample, () => {})).toEqual(expected);
    expect(brief.workers()).toEqual({ started: 4, idle: 2 });
    await brief.close();
  }, 120_000);
});
