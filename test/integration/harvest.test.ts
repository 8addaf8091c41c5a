// The whole Genesis harvest through real components: a sample file on disk, the
// SP 800-90B assessment, the health tests, a real SQLite pool, SHA-256.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessInThisThread } from '../../native-bridge/estimators/assessors.node';
import { HealthTestFailure } from '../../native-bridge/health/health-failure.std';
import { HarvestError, type Assessor } from '../../native-bridge/harvest/crediting.std';
import { runHarvest, type HarvestEvent } from '../../native-bridge/harvest/harvest.node';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { Database } from '../../electron/store/database.node';
import { getGenesis, getGenesisAudit, listAssessments, pendingPoolBits, sqliteHarvestStore } from '../../electron/store/entropy.node';
import { biasedBits, quantisedGaussian } from '../fixtures/entropy-datasets';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let db: Database;

beforeEach(async () => {
  dir = makeTempDir();
  db = await Database.open({ path: join(dir.path, 'lightseed.db') });
});
afterEach(() => {
  db.dispose();
  dir.remove();
});

function writeSamples(name: string, samples: Uint8Array): string {
  const path = join(dir.path, name);
  writeFileSync(path, samples);
  return path;
}

async function harvest(uri: string, calibrationSamples: number, events: HarvestEvent[] = [], signal?: AbortSignal, assess: Assessor = assessInThisThread) {
  const source = await openSource(uri);
  try {
    return await runHarvest({ source, store: sqliteHarvestStore(db.connection), assess, calibrationSamples, onEvent: (e) => events.push(e), signal, eventIntervalMs: 0 });
  } finally {
    await source.dispose();
  }
}

describe('Genesis harvest', () => {
  it('readies the assessment as its capture begins when it will assess, and not when it reuses an estimate it will not refine', async () => {
    const readied: number[] = [];
    const assess: Assessor = Object.assign((samples: Uint8Array, bits: number, onProgress: (done: number, total: number) => void) => assessInThisThread(samples, bits, onProgress), {
      prepare: (bits: number) => void readied.push(bits),
    });
    const path = writeSamples('noise.bin', quantisedGaussian(60_000, 32, 8, 6, 21));
    await harvest(`file:${path}?bits=6`, 50_000, [], undefined, assess);
    expect(readied).toEqual([6]);
    // A recording's provisional estimate is reused and never refined (a replay is not new data).
    await harvest(`file:${path}?bits=6`, 50_000, [], undefined, assess);
    expect(readied).toEqual([6]);
  });

  it('calibrates a new device, credits health-tested samples and conditions ≥512 bits into a stored Genesis seed', async () => {
    const samples = quantisedGaussian(60_000, 32, 8, 6, 21);
    const path = writeSamples('noise.bin', samples);
    const events: HarvestEvent[] = [];
    const { id, record } = await harvest(`file:${path}?bits=6`, 50_000, events);

    // Calibration on 50,000 samples: a provisional estimate, stored for the device.
    expect(record.assessment).toMatchObject({ samples: 50_000, provisional: true, reused: false, bitsPerSample: 6 });
    expect(record.assessment.minEntropy).toBeGreaterThan(0.5);
    expect(record.assessment.minEntropy).toBeLessThan(6);
    expect(listAssessments(db.connection)).toHaveLength(1);

    // Credited whole 512-sample windows at the assessed H, never more.
    expect(record.creditedBits).toBeGreaterThanOrEqual(512);
    expect(record.creditedBits).toBeCloseTo(record.samples.conditioned * record.assessment.minEntropy, 6);
    expect(record.samples.conditioned % 512).toBe(0);
    expect(record.samples.calibration).toBe(50_000);
    expect(record.health).toMatchObject({ aptWindow: 512 });

    // The seed is SHA-256 of exactly the conditioned samples, which follow the calibration samples.
    const conditioned = samples.subarray(50_000, 50_000 + record.samples.conditioned);
    expect(record.seed).toBe(createHash('sha256').update(conditioned).digest('hex'));
    expect(record.conditioning.inputBits).toBe(record.samples.conditioned * 6);
    expect(record.conditioning.outputEntropy).toBeGreaterThan(255.9);

    // Raw capture commitment and audit copy.
    const read = samples.subarray(0, record.samples.read);
    expect(record.rawCapture.sha256).toBe(createHash('sha256').update(read).digest('hex'));
    expect(getGenesisAudit(db.connection, id)).toEqual(read);
    expect(getGenesis(db.connection, id)?.record.seed).toBe(record.seed);
    expect(pendingPoolBits(db.connection)).toBe(0);

    const types = new Set(events.map((e) => e.type));
    for (const type of ['started', 'calibrating', 'assessing', 'assessed', 'samples', 'health', 'credited', 'genesis']) expect(types).toContain(type);
  });

  it('reuses the stored estimate on the next harvest and refines a provisional one (CPU jitter)', async () => {
    const first = await harvest('jitter:', 50_000);
    expect(first.record.assessment).toMatchObject({ reused: false, provisional: true, samples: 50_000 });
    const events: HarvestEvent[] = [];
    const second = await harvest('jitter:', 50_000, events);
    expect(second.record.assessment.reused).toBe(true);
    expect(second.record.samples.calibration).toBe(0);
    expect(second.record.seed).not.toBe(first.record.seed);
    // The provisional estimate was recomputed on more samples afterwards.
    expect(events.some((e) => e.type === 'assessed')).toBe(true);
    expect(listAssessments(db.connection)[0]!.samples).toBeGreaterThan(50_000);
  });

  it('credits a recording once: replaying the same windows gives nothing new', async () => {
    const path = writeSamples('noise.bin', quantisedGaussian(60_000, 32, 8, 6, 22));
    await harvest(`file:${path}?bits=6`, 50_000); // calibrates on the first 50,000, credits what follows
    await harvest(`file:${path}?bits=6`, 50_000); // reuses the estimate, credits the first windows
    const error = await harvest(`file:${path}?bits=6`, 50_000).catch((e: unknown) => e); // the same first windows again
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as Error).message).toMatch(/already credited once: a recording gives its entropy only once/);
  });

  it('credits nothing from a stuck source: one value has no entropy', async () => {
    const path = writeSamples('stuck.bin', new Uint8Array(20_000).fill(0x55));
    const error = await harvest(`file:${path}`, 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as Error).message).toMatch(/no assessable entropy.*single value/);
    expect(pendingPoolBits(db.connection)).toBe(0);
  });

  it('stops at a health-test failure, keeps what was credited before it, and never credits the failing window', async () => {
    // Biased bits (~0.3 bits each): calibration, one healthy 1024-sample window, then the device sticks at 1.
    const healthy = biasedBits(21_024, 0.3, 23);
    const samples = new Uint8Array([...healthy, ...new Uint8Array(3_000).fill(1)]);
    const path = writeSamples('sticks.bin', samples);
    const events: HarvestEvent[] = [];
    const error = await harvest(`file:${path}?bits=1`, 20_000, events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestError);
    const failure = (error as HarvestError).cause as HealthTestFailure;
    expect(failure).toBeInstanceOf(HealthTestFailure);
    expect(failure).toMatchObject({ test: 'repetition-count', value: 1, windowIndex: 1, duringStartup: false });
    expect((error as Error).message).toMatch(/Health test failed, harvest stopped: Repetition Count Test failed/);
    expect(events.some((e) => e.type === 'alarm')).toBe(true);
    // Exactly the healthy window is in the pool; nothing of the stuck window.
    const pool = sqliteHarvestStore(db.connection).pendingContributions();
    expect(pool).toHaveLength(1);
    expect(pool[0]!.samples).toEqual(healthy.subarray(20_000, 21_024));
    expect(pendingPoolBits(db.connection)).toBeCloseTo((error as HarvestError).creditedBits, 6);
  });

  it('keeps credited bits when the source ends early, and the next harvest finishes the seed with them', async () => {
    // Biased bits carry about 0.3 bits each (credited at half while provisional): one 1024-sample window credits less than 512.
    const bits = biasedBits(30_000, 0.3, 24);
    const path = writeSamples('short.bin', bits.subarray(0, 20_000 + 1500));
    const error = await harvest(`file:${path}?bits=1`, 20_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as Error).message).toMatch(/ran out of samples/);
    const kept = pendingPoolBits(db.connection);
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(512);
    // Another capture (another device identity, assessed afresh) tops up the same pool.
    const more = writeSamples('more.bin', biasedBits(30_000, 0.3, 25));
    const { record } = await harvest(`file:${more}?bits=1`, 20_000);
    expect(record.contributions.length).toBeGreaterThanOrEqual(2);
    expect(record.contributions[0]!.creditedBits).toBeCloseTo(kept, 6);
    expect(record.creditedBits).toBeGreaterThanOrEqual(512);
    expect(pendingPoolBits(db.connection)).toBe(0);
  });

  it('stops when asked and keeps the pool', async () => {
    const controller = new AbortController();
    const events: HarvestEvent[] = [];
    const error = await harvest('jitter:', 1_000_000, events, (() => {
      setTimeout(() => controller.abort(new Error('user stopped')), 50);
      return controller.signal;
    })()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as Error).message).toMatch(/stopped/);
    expect(events.some((e) => e.type === 'calibrating')).toBe(true);
  });
});
