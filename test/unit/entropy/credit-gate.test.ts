// The credit gate is the one place that decides what a sample is credited with; the
// harvest, the conditioned output and the sampler's seeds all go through it.
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../native-bridge/estimators/assess.std';
import { CreditGate, HarvestError, PROVISIONAL_FACTOR, toStored } from '../../../native-bridge/harvest/crediting.std';
import type { StoredAssessment } from '../../../native-bridge/harvest/harvest-store.std';
import type { SourceInfo } from '../../../native-bridge/sources/source.std';
import { uniformBytes } from '../../fixtures/entropy-datasets';

const info: SourceInfo = { uri: 'file:noise.bin', kind: 'file', bitsPerSample: 8, deviceId: 'file:noise', description: 'noise.bin', metadata: {} };

function stored(minEntropy: number, limitedBy: StoredAssessment['limitedBy'] = 'mcv'): StoredAssessment {
  return { deviceId: info.deviceId, bitsPerSample: 8, minEntropy, assessedMinEntropy: minEntropy, samples: 1_000_000, provisional: false, assessedAt: 0, limitedBy, hOriginal: minEntropy, hBitstring: null };
}

describe('credit gate', () => {
  it('credits exactly the released samples at the assessed min-entropy, and nothing before the startup test passed', () => {
    const gate = new CreditGate(info, stored(7));
    const samples = uniformBytes(4096, 3);
    const first = gate.pass(samples.subarray(0, 1000));
    expect(first).toEqual({ released: new Uint8Array(0), creditedBits: 0 });
    const rest = gate.pass(samples.subarray(1000));
    expect(rest.failure).toBeUndefined();
    expect(rest.released).toEqual(samples.subarray(0, 4096));
    expect(rest.creditedBits).toBe(4096 * 7);
  });

  it("credits a capped device at its cap, never at the estimate above it", () => {
    const capped: SourceInfo = { ...info, creditCap: { bitsPerSample: 2, reason: 'load changes its noise' } };
    const gate = new CreditGate(capped, stored(6));
    expect(gate.assessment).toMatchObject({ minEntropy: 2, assessedMinEntropy: 6, cappedBy: { bitsPerSample: 2 } });
    expect(gate.pass(uniformBytes(2048, 4)).creditedBits).toBe(2048 * 2);
  });

  it('credits nothing from a failed window or after it', () => {
    const gate = new CreditGate(info, stored(4));
    expect(gate.pass(uniformBytes(2048, 5)).creditedBits).toBe(2048 * 4);
    const stuck = gate.pass(new Uint8Array(600).fill(9));
    expect(stuck).toMatchObject({ creditedBits: 0, failure: { test: 'repetition-count' } });
    expect(gate.pass(uniformBytes(4096, 6))).toMatchObject({ creditedBits: 0, released: new Uint8Array(0) });
  });

  it('refuses a source with no assessable entropy, saying what stays in the pool', () => {
    expect(() => new CreditGate(info, stored(0, 'single-symbol'), 128.5)).toThrow(/no assessable entropy \(it produced a single value\)/);
    const refusal = (() => {
      try {
        return new CreditGate(info, stored(0), 128.5);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(HarvestError);
    expect(refusal).toMatchObject({ creditedBits: 128.5, message: expect.stringMatching(/min-entropy 0\): nothing can be credited/) });
    expect(() => new CreditGate(info, stored(Number.NaN))).toThrow(HarvestError);
  });

  it('halves a provisional estimate when it is stored', () => {
    const result: Assessment = { samples: 50_000, bitsPerSample: 8, alphabetSize: 256, hOriginal: 5, hBitstring: 0.7, minEntropy: 5, limitedBy: 'lz78y', estimators: [], provisional: true };
    expect(toStored('d', 8, result, 1)).toMatchObject({ minEntropy: 5 * PROVISIONAL_FACTOR, assessedMinEntropy: 5, provisional: true });
  });
});
