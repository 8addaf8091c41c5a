// Seeds for the sampler's DRBG, drawn from our own entropy pipeline: CPU jitter
// through the credit gate and the conditioned output (512 credited bits for every
// 32 bytes), as the harvest credits it. A machine whose jitter was never assessed
// gets a quick provisional assessment first (about a second), so a fresh install
// can chat at once; a full harvest later replaces it.
import type { WritableDB } from '../store/sql.node';
import { assessInThisThread } from '../../native-bridge/estimators/assessors.node';
import { conditionedOutput } from '../../native-bridge/harvest/conditioned-output.node';
import { calibrate, HarvestError } from '../../native-bridge/harvest/crediting.std';
import { HealthTestFailure } from '../../native-bridge/health/health-failure.std';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { concatBytes } from '../../native-bridge/util/concat-bytes.std';
import { sqliteHarvestStore } from '../store/entropy.node';

export const SAMPLING_SOURCE = 'jitter:';
const QUICK_CALIBRATION_SAMPLES = 50_000;

/** Fresh captures tried when a health test stops one (nothing from a failed capture is used). */
const ATTEMPTS = 3;

/**
 * `bytes` of conditioned jitter output (a multiple of 32 is cheapest). A health-test
 * failure discards that capture and starts a fresh one, up to three times: jitter on a
 * suddenly busy machine can trip the adaptive proportion test for a window.
 */
export async function drawSamplingSeed(db: WritableDB, bytes = 48): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await drawOnce(db, bytes);
    } catch (error) {
      if (!(error instanceof HarvestError && error.cause instanceof HealthTestFailure) || attempt === ATTEMPTS) throw error;
    }
  }
}

async function drawOnce(db: WritableDB, bytes: number): Promise<Uint8Array> {
  const store = sqliteHarvestStore(db);
  const source = await openSource(SAMPLING_SOURCE);
  try {
    const assessment = store.getAssessment(source.info.deviceId, source.info.bitsPerSample);
    if (!assessment) {
      await source.dispose();
      await quickCalibration(db);
      return drawOnce(db, bytes);
    }
    const parts: Uint8Array[] = [];
    for await (const block of conditionedOutput(source, assessment, bytes)) parts.push(block);
    return concatBytes(parts);
  } finally {
    await source.dispose();
  }
}

async function quickCalibration(db: WritableDB): Promise<void> {
  const store = sqliteHarvestStore(db);
  const source = await openSource(SAMPLING_SOURCE);
  try {
    const parts: Uint8Array[] = [];
    let count = 0;
    for await (const chunk of source.samples()) {
      parts.push(chunk);
      count += chunk.length;
      if (count >= QUICK_CALIBRATION_SAMPLES) break;
    }
    await calibrate(store, source.info, concatBytes(parts).subarray(0, QUICK_CALIBRATION_SAMPLES), assessInThisThread, () => {}, Date.now);
  } finally {
    await source.dispose();
  }
}
