// The CPU jitter source on this machine's real clock: what it yields starts after its
// warm-up, what it yields varies the way a calibrated device's samples must, and it is
// never credited more than its cap.
import { describe, expect, it } from 'vitest';
import { creditedAssessment, type StoredAssessment } from '../../../native-bridge/harvest/harvest-store.std';
import { repetitionCountCutoff } from '../../../native-bridge/health/cutoffs.std';
import { JITTER_CREDIT_CAP, JITTER_WARMUP_SAMPLES, openJitterSource } from '../../../native-bridge/sources/jitter.node';
import { parseSourceUri } from '../../../native-bridge/sources/source-uri.std';

async function firstChunks(chunkSamples: number, count: number): Promise<{ chunks: Uint8Array[]; metadata: Record<string, unknown> }> {
  const source = await openJitterSource(parseSourceUri('jitter:'), { chunkSamples });
  const chunks: Uint8Array[] = [];
  for await (const chunk of source.samples()) {
    chunks.push(chunk.slice());
    if (chunks.length === count) break;
  }
  await source.dispose();
  return { chunks, metadata: source.info.metadata as Record<string, unknown> };
}

describe('the CPU jitter source', () => {
  it('discards its warm-up, records it in the provenance, and then yields every sample', async () => {
    // Chunks of 5,000: the warm-up of 16,384 takes three whole chunks and the start of a fourth.
    const { chunks, metadata } = await firstChunks(5000, 3);
    expect(metadata.warmupSamples).toBe(JITTER_WARMUP_SAMPLES);
    expect(chunks.map((c) => c.length)).toEqual([4 * 5000 - JITTER_WARMUP_SAMPLES, 5000, 5000]);
  });

  it('yields varying loop timings, never a run as long as the health-test cutoff at its cap', async () => {
    const { chunks } = await firstChunks(4096, 4);
    const samples = Buffer.concat(chunks);
    const counts = new Map<number, number>();
    let run = 1;
    let longest = 1;
    for (let i = 0; i < samples.length; i++) {
      counts.set(samples[i]!, (counts.get(samples[i]!) ?? 0) + 1);
      run = i > 0 && samples[i] === samples[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    // Credited at its cap, the Repetition Count cutoff is 11 equal samples; healthy timings repeat far less.
    expect(longest).toBeLessThan(repetitionCountCutoff(JITTER_CREDIT_CAP));
    expect(counts.size).toBeGreaterThan(16);
  });

  it('is credited at most its cap, whatever the estimate, and says why', async () => {
    const source = await openJitterSource(parseSourceUri('jitter:'));
    await source.dispose();
    const assessed = (minEntropy: number): StoredAssessment => ({
      deviceId: source.info.deviceId,
      bitsPerSample: 8,
      minEntropy,
      assessedMinEntropy: minEntropy,
      samples: 1_000_000,
      provisional: false,
      assessedAt: 0,
      limitedBy: 't-tuple',
      hOriginal: minEntropy,
      hBitstring: null,
    });
    expect(creditedAssessment(assessed(4.85), source.info)).toEqual({
      ...assessed(4.85),
      minEntropy: JITTER_CREDIT_CAP,
      cappedBy: { bitsPerSample: 2, reason: expect.stringMatching(/changes with the machine's load.*at most 2 bits a sample/) },
    });
    const low = assessed(1.5);
    expect(creditedAssessment(low, source.info)).toBe(low);
  });
});
