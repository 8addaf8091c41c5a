import { describe, expect, it } from 'vitest';
import { HealthTestFailure } from '../../../native-bridge/health/health-failure.std';
import { HealthMonitor, STARTUP_SAMPLES } from '../../../native-bridge/health/health-monitor.std';
import { biasedBits, periodicSignal, uniformBytes } from '../../fixtures/entropy-datasets';

describe('health monitor', () => {
  it('passes a healthy 8-bit source and releases every completed window after the startup test', () => {
    const monitor = new HealthMonitor({ minEntropy: 7.5, bitsPerSample: 8 });
    const samples = uniformBytes(10_000, 11);
    const first = monitor.push(samples.subarray(0, 1000));
    expect(first.released.length).toBe(0); // still inside the 1024-sample startup test
    expect(monitor.status.state).toBe('startup');
    const rest = monitor.push(samples.subarray(1000));
    expect(rest.failure).toBeUndefined();
    // Whole windows of 512 only; the partial window at the end waits.
    expect(rest.released.length).toBe(Math.floor(10_000 / 512) * 512);
    expect(rest.released).toEqual(samples.subarray(0, rest.released.length));
    expect(monitor.status).toMatchObject({ state: 'ok', windowsPassed: 19, rct: { cutoff: 4 }, apt: { cutoff: 15, windowSize: 512 } });
  });

  it('fires the Repetition Count Test on a stuck source and releases nothing of the failing window', () => {
    const monitor = new HealthMonitor({ minEntropy: 4, bitsPerSample: 8 });
    const healthy = uniformBytes(2048, 12);
    expect(monitor.push(healthy).released.length).toBe(2048);
    const stuck = new Uint8Array(600).fill(0x42);
    const withStart = new Uint8Array([...uniformBytes(100, 13), ...stuck]);
    const result = monitor.push(withStart);
    expect(result.released.length).toBe(0);
    expect(result.failure).toBeInstanceOf(HealthTestFailure);
    expect(result.failure).toMatchObject({ test: 'repetition-count', value: 0x42, observed: 6, cutoff: 6, windowIndex: 4, duringStartup: false });
    expect(result.failure!.message).toMatch(/repeated 6 times \(cutoff 6\).*stuck/);
    // A failed monitor stays failed: nothing after the failure is ever released.
    expect(monitor.push(uniformBytes(4096, 14))).toMatchObject({ released: new Uint8Array(0), failure: result.failure });
    expect(monitor.status.state).toBe('failed');
  });

  it('fires the Adaptive Proportion Test when one value dominates a window without long runs', () => {
    const monitor = new HealthMonitor({ minEntropy: 6, bitsPerSample: 8 });
    // Every other sample is 7: runs stay at 1, but a window holds 256 of them.
    const skewed = Uint8Array.from({ length: 1024 }, (_, i) => (i % 2 === 0 ? 7 : (i * 37) % 251));
    const result = monitor.push(skewed);
    expect(result.failure).toMatchObject({ test: 'adaptive-proportion', value: 7, windowIndex: 0, duringStartup: true });
    expect(result.released.length).toBe(0);
  });

  it('fires on a periodic signal that claims more entropy than it has', () => {
    const monitor = new HealthMonitor({ minEntropy: 7, bitsPerSample: 8 });
    const result = monitor.push(periodicSignal(20_000, 50, 1, 15));
    expect(result.failure).toBeInstanceOf(HealthTestFailure);
  });

  it('uses the 1024-sample window for binary sources', () => {
    const monitor = new HealthMonitor({ minEntropy: 0.8, bitsPerSample: 1 });
    const result = monitor.push(biasedBits(STARTUP_SAMPLES * 3, 0.5, 16));
    expect(monitor.status.apt.windowSize).toBe(1024);
    expect(result.released.length).toBe(3072);
  });

  it('releases and fails the same however the stream is cut into chunks', () => {
    // A healthy stretch, then a stuck run inside window 9: every chunking sees the same stream.
    const stream = new Uint8Array([...uniformBytes(5000, 21), ...new Uint8Array(8).fill(3), ...uniformBytes(600, 22)]);
    const wholeMonitor = new HealthMonitor({ minEntropy: 6, bitsPerSample: 8 });
    const whole = wholeMonitor.push(stream);
    expect(whole.failure).toMatchObject({ test: 'repetition-count', value: 3, sampleIndex: 5004, windowIndex: 9 });
    expect(whole.released).toEqual(stream.subarray(0, 9 * 512));
    let seed = 5;
    for (const sizes of [[1], [7, 500, 3], [511, 513], [1024], [4608, 1]]) {
      const monitor = new HealthMonitor({ minEntropy: 6, bitsPerSample: 8 });
      const released: number[] = [];
      let failure: HealthTestFailure | undefined;
      for (let at = 0, k = 0; at < stream.length && !failure; k++) {
        const size = sizes[(k + (seed++ % sizes.length)) % sizes.length]!;
        const result = monitor.push(stream.subarray(at, at + size));
        released.push(...result.released);
        failure = result.failure;
        at += size;
      }
      expect(Uint8Array.from(released)).toEqual(whole.released);
      expect(failure).toMatchObject({ sampleIndex: 5004, windowIndex: 9, observed: whole.failure!.observed });
      expect(monitor.status).toEqual(wholeMonitor.status);
      expect(monitor.status).toMatchObject({ state: 'failed', samplesTested: 5005, windowsPassed: 9 });
    }
  });
});
