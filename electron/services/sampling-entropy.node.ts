// Seeds for the sampler's DRBG, drawn from our own entropy pipeline: CPU jitter,
// health-tested, credited at its stored estimate and conditioned with SHA-256
// (512 credited bits for every 32 bytes). A machine whose jitter was never assessed
// gets a quick provisional assessment first (about a second), so a fresh install
// can chat at once; a full harvest later replaces it.
import type BetterSqlite3 from 'better-sqlite3';
import { assessInThisThread } from '../../native-bridge/estimators/assessors.node';
import { conditionedOutput } from '../../native-bridge/harvest/conditioned-output.node';
import { toStored } from '../../native-bridge/harvest/harvest.node';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { concatBytes } from '../../native-bridge/util/concat-bytes.std';
import { sqliteHarvestStore } from '../store/entropy.node';

export const SAMPLING_SOURCE = 'jitter:';
const QUICK_CALIBRATION_SAMPLES = 50_000;

/** `bytes` of conditioned jitter output (a multiple of 32 is cheapest). */
export async function drawSamplingSeed(db: BetterSqlite3.Database, bytes = 48): Promise<Uint8Array> {
  const store = sqliteHarvestStore(db);
  const source = await openSource(SAMPLING_SOURCE);
  try {
    const assessment = store.getAssessment(source.info.deviceId, source.info.bitsPerSample);
    if (!assessment) {
      await source.dispose();
      await quickCalibration(db);
      return drawSamplingSeed(db, bytes);
    }
    const parts: Uint8Array[] = [];
    for await (const block of conditionedOutput(source, assessment, bytes)) parts.push(block);
    return concatBytes(parts);
  } finally {
    await source.dispose();
  }
}

async function quickCalibration(db: BetterSqlite3.Database): Promise<void> {
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
    const samples = concatBytes(parts).subarray(0, QUICK_CALIBRATION_SAMPLES);
    const result = await assessInThisThread(samples, source.info.bitsPerSample, () => {});
    store.saveAssessment(toStored(source.info.deviceId, source.info.bitsPerSample, result, Date.now()), samples);
  } finally {
    await source.dispose();
  }
}
