// A Genesis harvest from a serial TRNG on a real device node (a socat PTY pair), and
// what happens when it is unplugged halfway.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessInThisThread } from '../../native-bridge/estimators/assessors.node';
import { HarvestError } from '../../native-bridge/harvest/crediting.std';
import { runHarvest } from '../../native-bridge/harvest/harvest.node';
import { openSource } from '../../native-bridge/sources/open-source.node';
import { SourceError } from '../../native-bridge/sources/source.std';
import { Database } from '../../electron/store/database.node';
import { listGenesis, pendingPoolBits, sqliteHarvestStore } from '../../electron/store/entropy.node';
import { uniformBytes } from '../fixtures/entropy-datasets';
import { EmulatedSerialDevice } from '../fixtures/serial-device';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let db: Database;
let device: EmulatedSerialDevice;

beforeEach(async () => {
  dir = makeTempDir();
  db = await Database.open({ path: join(dir.path, 'lightseed.db') });
  device = await EmulatedSerialDevice.start();
});
afterEach(async () => {
  await device.dispose();
  db.dispose();
  dir.remove();
});

async function harvest(calibrationSamples: number) {
  const source = await openSource(`serial:${device.path}?format=raw`);
  try {
    return await runHarvest({ source, store: sqliteHarvestStore(db.connection), assess: assessInThisThread, calibrationSamples });
  } finally {
    await source.dispose();
  }
}

describe('harvest from a serial TRNG', () => {
  it('calibrates and produces a Genesis seed from the bytes the device sent', async () => {
    const stream = uniformBytes(40_000, 51);
    const [{ record }] = await Promise.all([harvest(20_000), device.send(stream, { chunkSize: 256, intervalMs: 1 })]);
    expect(record.source).toMatchObject({ kind: 'serial', uri: `serial:${device.path}?baud=115200&format=raw` });
    expect(record.assessment.samples).toBe(20_000);
    expect(record.creditedBits).toBeGreaterThanOrEqual(512);
    expect(listGenesis(db.connection)).toHaveLength(1);
  });

  it('reports an unplug mid-harvest clearly and credits nothing it did not health-test', async () => {
    const running = harvest(20_000).catch((e: unknown) => e);
    await device.send(uniformBytes(8_000, 52), { chunkSize: 256, intervalMs: 1 });
    await device.unplug();
    const error = await running;
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as Error).cause).toBeInstanceOf(SourceError);
    // Normally noticed as the device node vanishing; on a loaded machine the stall timer may win the race.
    expect(['disconnected', 'stalled']).toContain(((error as Error).cause as SourceError).failure);
    expect((error as Error).message).toContain(device.path);
    // One sentence: the source's own, which names the device, not "… failed: " and the same again.
    expect((error as Error).message).toBe(((error as Error).cause as Error).message);
    expect((error as Error).message.split(device.path)).toHaveLength(2);
    expect(pendingPoolBits(db.connection)).toBe(0);
  });
});
