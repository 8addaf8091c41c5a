import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GenesisConditioner } from '../../../native-bridge/conditioning/genesis-conditioner.node';
import { outputEntropy, sha256OutputEntropy } from '../../../native-bridge/conditioning/output-entropy.std';

describe('SP 800-90B §3.1.5.1.2 output entropy', () => {
  it('matches a direct evaluation of the formula where doubles suffice', () => {
    const direct = (nIn: number, nOut: number, nw: number, hIn: number) => {
      const n = Math.min(nOut, nw);
      const pHigh = 2 ** -hIn;
      const pLow = (1 - pHigh) / (2 ** nIn - 1);
      const psi = 2 ** (nIn - n) * pLow + pHigh;
      const u = 2 ** (nIn - n) + Math.sqrt(2 * n * 2 ** (nIn - n) * Math.log(2));
      return -Math.log2(Math.max(psi, u * pLow));
    };
    for (const [nIn, nOut, nw, hIn] of [
      [64, 32, 32, 20],
      [128, 64, 64, 70],
      [200, 32, 32, 40],
      [40, 16, 16, 16],
    ] as const) {
      expect(outputEntropy(nIn, nOut, nw, hIn)).toBeCloseTo(direct(nIn, nOut, nw, hIn), 9);
    }
  });

  it('gives nearly full 256 bits for SHA-256 fed 512 credited bits, and not more than went in when starved', () => {
    const full = sha256OutputEntropy(8 * 1000, 512);
    expect(full).toBeGreaterThan(255.9);
    expect(full).toBeLessThanOrEqual(256);
    expect(sha256OutputEntropy(8 * 1000, 100)).toBeCloseTo(100, 6);
  });
});

describe('Genesis conditioner', () => {
  it('is SHA-256 of the samples, and refuses to finish below 512 credited bits', () => {
    const conditioner = new GenesisConditioner();
    const a = Uint8Array.from({ length: 100 }, (_, i) => i);
    const b = Uint8Array.from({ length: 60 }, (_, i) => 255 - i);
    conditioner.absorb(a, 8, 400);
    expect(conditioner.ready).toBe(false);
    expect(() => conditioner.finish()).toThrow(/Only 400.0 of 512 bits/);
    conditioner.absorb(b, 8, 240);
    const seed = conditioner.finish();
    expect(Buffer.from(seed.seed).toString('hex')).toBe(createHash('sha256').update(a).update(b).digest('hex'));
    expect(seed).toMatchObject({ inputBits: 1280, creditedBits: 640 });
    expect(seed.outputEntropy).toBeGreaterThan(255.9);
    expect(() => conditioner.absorb(a, 8, 1)).toThrow(/already produced/);
  });
});
