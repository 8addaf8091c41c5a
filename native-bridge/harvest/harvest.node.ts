// The Genesis harvest, the one place the pipeline stages meet:
//   source → (calibration: SP 800-90B assessment, once per device) → health tests
//   → entropy pool (credited contributions, persisted) → SHA-256 → Genesis seed.
// Nothing is credited from a sample that has not passed both health tests, and
// nothing beyond the assessed min-entropy is ever credited.
import { createHash } from 'node:crypto';
import { GenesisConditioner, GENESIS_MIN_CREDITED_BITS } from '../conditioning/genesis-conditioner.node';
import { FULL_ASSESSMENT_SAMPLES } from '../estimators/assess.std';
import type { HealthTestFailure } from '../health/health-failure.std';
import type { HealthStatus } from '../health/health-monitor.std';
import { SourceError, type SampleSource, type SourceInfo } from '../sources/source.std';
import { concatBytes } from '../util/concat-bytes.std';
import { calibrate, CreditGate, HarvestError, type Assessor } from './crediting.std';
import { AlreadyCreditedError, creditedAssessment, type GenesisRecord, type HarvestStore, type StoredAssessment } from './harvest-store.std';

/** Raw capture kept with each Genesis record for audit. */
export const AUDIT_BYTES = 1 << 20;

export type HarvestEvent =
  | { type: 'started'; source: SourceInfo; assessment: StoredAssessment | undefined }
  | { type: 'calibrating'; samples: number; target: number; rate: number }
  | { type: 'assessing'; done: number; total: number }
  | { type: 'assessed'; assessment: StoredAssessment }
  | { type: 'samples'; samples: Uint8Array; bitsPerSample: number }
  | { type: 'health'; status: HealthStatus }
  | { type: 'credited'; creditedBits: number; target: number; bitsPerSecond: number; etaSeconds: number | null }
  | { type: 'alarm'; failure: HealthTestFailure }
  | { type: 'genesis'; id: number; record: GenesisRecord };

export interface HarvestOptions {
  source: SampleSource;
  store: HarvestStore;
  assess: Assessor;
  /** Samples to assess a device that has no stored estimate. Default 1,000,000 (SP 800-90B §3.1.3); fewer gives a provisional estimate. */
  calibrationSamples?: number;
  /** Called for progress; must not throw. */
  onEvent?: (event: HarvestEvent) => void;
  /** Stops the harvest; what was credited stays in the pool. */
  signal?: AbortSignal;
  /** Minimum milliseconds between 'samples' and progress events. Default 100. */
  eventIntervalMs?: number;
  now?: () => number;
}

export async function runHarvest(options: HarvestOptions): Promise<{ id: number; record: GenesisRecord }> {
  const { source, store } = options;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const interval = options.eventIntervalMs ?? 100;
  const info = source.info;
  const bits = info.bitsPerSample;
  const startedAt = now();
  const calibrationTarget = options.calibrationSamples ?? FULL_ASSESSMENT_SAMPLES;
  // A recording is fixed data: re-reading it is a replay, so it never refines an estimate.
  const recording = info.kind === 'file' || info.kind === 'wav';

  const stored = store.getAssessment(info.deviceId, bits);
  const reused = stored !== undefined;
  // This harvest will assess (its calibration, or a provisional estimate refined at its end):
  // the assessment's threads start while the samples arrive.
  if (!reused || (stored.provisional && !recording)) options.assess.prepare?.(bits);
  emit({ type: 'started', source: info, assessment: stored && creditedAssessment(stored, info) });

  const raw = createHash('sha256');
  const audit = new Uint8Array(AUDIT_BYTES);
  let read = 0;
  let calibrationCount = 0;
  let conditioned = 0;
  const calibration: Uint8Array[] = [];
  /** Health-tested samples of this run, kept while the estimate is provisional to refine it. */
  const fresh: Uint8Array[] = [];
  let gate: CreditGate | undefined;
  let creditedThisRun = 0;
  let healthStartedAt = 0;
  let lastEvent = 0;
  const pendingBits = () => store.pendingContributions().reduce((sum, c) => sum + c.creditedBits, 0);
  let credited = pendingBits();

  const startHealth = (a: StoredAssessment) => {
    gate = new CreditGate(info, a, credited);
    healthStartedAt = now();
  };

  if (stored) startHealth(stored);

  const iterator = source.samples()[Symbol.asyncIterator]();
  const onAbort = () => void iterator.return?.();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (options.signal?.aborted) throw new HarvestError('The harvest was stopped.', credited, { cause: options.signal.reason });
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        // A source's own errors already name the device and say what to do: one sentence, not two.
        const message = error instanceof SourceError ? error.message : `${info.description} failed: ${(error as Error).message}`;
        throw new HarvestError(message, credited, { cause: error });
      }
      if (next.done) {
        if (options.signal?.aborted) throw new HarvestError('The harvest was stopped.', credited, { cause: options.signal.reason });
        throw new HarvestError(
          `${info.description} ran out of samples after ${read} with ${credited.toFixed(1)} of ${GENESIS_MIN_CREDITED_BITS} bits credited${
            gate ? '' : ` (an assessment needs ${calibrationTarget} samples)`
          }.`,
          credited,
        );
      }
      let chunk = next.value;
      raw.update(chunk);
      if (read < audit.length) audit.set(chunk.subarray(0, audit.length - read), read);
      read += chunk.length;
      const t = now();
      const due = t - lastEvent >= interval;
      if (due) emit({ type: 'samples', samples: chunk.slice(0, 4096), bitsPerSample: bits });

      if (!gate) {
        // Calibration: these samples are assessed, never credited.
        const take = Math.min(chunk.length, calibrationTarget - calibrationCount);
        calibration.push(chunk.slice(0, take));
        calibrationCount += take;
        chunk = chunk.subarray(take);
        if (due) {
          lastEvent = t;
          emit({ type: 'calibrating', samples: calibrationCount, target: calibrationTarget, rate: calibrationCount / Math.max(0.001, (t - startedAt) / 1000) });
        }
        if (calibrationCount < calibrationTarget) continue;
        const assessed = await calibrate(store, info, concatBytes(calibration), options.assess, (done, total) => emit({ type: 'assessing', done, total }), now);
        // Said before the gate may refuse it (a source with no assessable entropy).
        emit({ type: 'assessed', assessment: creditedAssessment(assessed, info) });
        startHealth(assessed);
        if (chunk.length === 0) continue;
      }

      // Feed the health tests one APT window at a time, so the harvest stops as soon as
      // the pool holds 512 bits instead of crediting a whole chunk's worth.
      const window = gate!.windowSize;
      for (let offset = 0; offset < chunk.length && credited < GENESIS_MIN_CREDITED_BITS; offset += window) {
        const result = gate!.pass(chunk.subarray(offset, offset + window));
        if (result.released.length > 0) {
          const bitsCredited = result.creditedBits;
          try {
            store.addContribution({
              deviceId: info.deviceId,
              sourceUri: info.uri,
              bitsPerSample: bits,
              minEntropy: gate!.assessment.minEntropy,
              creditedBits: bitsCredited,
              samples: result.released,
              createdAt: now(),
            });
          } catch (error) {
            if (!(error instanceof AlreadyCreditedError)) throw error;
            throw new HarvestError(
              `${info.description} delivered samples that were already credited once: a recording gives its entropy only once. Use a new capture or a live source.`,
              credited,
              { cause: error },
            );
          }
          conditioned += result.released.length;
          // Copied: released may be a view of a chunk whose buffer a source reuses.
          if (gate!.assessment.provisional && !recording) fresh.push(result.released.slice());
          creditedThisRun += bitsCredited;
          credited += bitsCredited;
        }
        if (result.failure) {
          emit({ type: 'alarm', failure: result.failure });
          emit({ type: 'health', status: gate!.status });
          throw new HarvestError(
            `Health test failed, harvest stopped: ${result.failure.message} ${credited.toFixed(1)} bits credited before the failure stay in the pool.`,
            credited,
            { cause: result.failure },
          );
        }
      }
      if (due || credited >= GENESIS_MIN_CREDITED_BITS) {
        lastEvent = t;
        const seconds = Math.max(0.001, (t - healthStartedAt) / 1000);
        const rate = creditedThisRun / seconds;
        emit({ type: 'health', status: gate!.status });
        emit({
          type: 'credited',
          creditedBits: credited,
          target: GENESIS_MIN_CREDITED_BITS,
          bitsPerSecond: rate,
          etaSeconds: rate > 0 ? Math.max(0, (GENESIS_MIN_CREDITED_BITS - credited) / rate) : null,
        });
      }
      if (credited >= GENESIS_MIN_CREDITED_BITS) break;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await iterator.return?.();
  }

  // Condition the whole pool: earlier interrupted harvests' credit counts too.
  const contributions = store.pendingContributions();
  const conditioner = new GenesisConditioner();
  for (const c of contributions) conditioner.absorb(c.samples, c.bitsPerSample, c.creditedBits);
  const seed = conditioner.finish();
  const status = gate!.status;
  const record: GenesisRecord = {
    seed: Buffer.from(seed.seed).toString('hex'),
    startedAt,
    endedAt: now(),
    source: {
      uri: info.uri,
      kind: info.kind,
      deviceId: info.deviceId,
      description: info.description,
      metadata: info.metadata,
      ...(info.note ? { note: info.note } : {}),
    },
    assessment: { ...gate!.assessment, reused },
    contributions: contributions.map((c) => ({
      id: c.id,
      deviceId: c.deviceId,
      sourceUri: c.sourceUri,
      samples: c.samples.length,
      bitsPerSample: c.bitsPerSample,
      minEntropy: c.minEntropy,
      creditedBits: c.creditedBits,
      createdAt: c.createdAt,
    })),
    samples: { read, calibration: calibrationCount, conditioned, discarded: read - calibrationCount - conditioned },
    creditedBits: seed.creditedBits,
    conditioning: { function: 'SHA-256', inputBits: seed.inputBits, outputBits: 256, outputEntropy: seed.outputEntropy },
    health: {
      rctCutoff: status.rct.cutoff,
      aptCutoff: status.apt.cutoff,
      aptWindow: status.apt.windowSize,
      windowsPassed: status.windowsPassed,
      longestRun: status.rct.longestRun,
      highestWindowCount: status.apt.highestCount,
    },
    rawCapture: { sha256: raw.digest('hex'), bytes: read, auditBytes: Math.min(read, audit.length) },
  };
  const id = store.saveGenesis(
    record,
    contributions.map((c) => c.id),
    audit.subarray(0, record.rawCapture.auditBytes),
  );
  emit({ type: 'genesis', id, record });
  if (reused && gate!.assessment.provisional && fresh.length > 0) await refine(options, gate!.assessment, fresh, emit, now);
  return { id, record };
}

/**
 * A provisional estimate (a slow source assessed on fewer than 1,000,000 samples)
 * is recomputed on everything captured so far; later harvests use the new one.
 */
async function refine(options: HarvestOptions, previous: StoredAssessment, fresh: Uint8Array[], emit: (event: HarvestEvent) => void, now: () => number): Promise<void> {
  const earlier = options.store.getCalibrationCapture(previous.deviceId, previous.bitsPerSample) ?? new Uint8Array(0);
  const grown = concatBytes([earlier, ...fresh]).slice(0, FULL_ASSESSMENT_SAMPLES);
  if (grown.length <= previous.samples) return;
  const refined = await calibrate(options.store, options.source.info, grown, options.assess, (done, total) => emit({ type: 'assessing', done, total }), now);
  emit({ type: 'assessed', assessment: creditedAssessment(refined, options.source.info) });
}
