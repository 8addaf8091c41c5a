import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HealthTestFailure } from '../../../native-bridge/health/health-failure.std';
import { HealthMonitor, STARTUP_SAMPLES } from '../../../native-bridge/health/health-monitor.std';
import { adaptiveProportionCutoff, aptWindowSize, repetitionCountCutoff } from '../../../native-bridge/health/cutoffs.std';
import { biasedBits, periodicSignal, sfc32, uniformBytes } from '../../fixtures/entropy-datasets';

/**
 * SP 800-90B §4.4.1 and §4.4.2 as the text writes them, one sample at a time: where the
 * first test fires, and the longest run and highest window count seen up to there.
 */
function textbook(stream: Uint8Array, minEntropy: number, binary: boolean) {
  const rctCutoff = repetitionCountCutoff(minEntropy);
  const aptCutoff = adaptiveProportionCutoff(minEntropy, binary);
  const window = aptWindowSize(binary);
  let longestRun = 0;
  let highestCount = 0;
  let run = 0;
  let count = 0;
  let first = -1;
  for (let i = 0; i < stream.length; i++) {
    const sample = stream[i]!;
    run = i > 0 && sample === stream[i - 1] ? run + 1 : 1;
    longestRun = Math.max(longestRun, run);
    if (run >= rctCutoff) return { at: i, test: 'repetition-count', observed: run, longestRun, highestCount };
    if (i % window === 0) {
      first = sample;
      count = 0;
    }
    if (sample === first) count++;
    highestCount = Math.max(highestCount, count);
    if (count >= aptCutoff) return { at: i, test: 'adaptive-proportion', observed: count, longestRun, highestCount };
  }
  return { at: -1, longestRun, highestCount };
}

/**
 * Uniform samples of `bits` bits with runs and window-dominating values planted at random places,
 * each one short of its test's cutoff or, with probability `fire`, at it (or past it, with the
 * window's own matches).
 */
function plantedStream(length: number, bits: number, minEntropy: number, seed: number, fire: number): Uint8Array {
  const random = sfc32(seed);
  const values = 1 << bits;
  const stream = Uint8Array.from({ length }, () => Math.floor(random() * values));
  const rctCutoff = repetitionCountCutoff(minEntropy);
  const window = aptWindowSize(bits === 1);
  const aptCutoff = adaptiveProportionCutoff(minEntropy, bits === 1);
  for (let k = 0; k < 6; k++) {
    const at = Math.floor(random() * length);
    // A clean stream (fire = 0) gets runs only: a window's own matches could add to a planted count.
    if (fire === 0 || random() < 0.5) {
      // A run one short of the cutoff, or at it.
      stream.fill(stream[at]!, at, Math.min(length, at + rctCutoff - (random() < fire ? 0 : 1)));
    } else {
      // The window's first value placed one short of the APT cutoff, or at it, with no runs.
      const start = at - (at % window);
      const times = aptCutoff - (random() < fire ? 1 : 2); // the first value itself counts once
      for (let t = 0; t < times; t++) stream[Math.min(length - 1, start + 2 * t + 2)] = stream[start]!;
    }
  }
  return stream;
}

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

  it('fires where the textbook tests fire, and reports the same run and count, on any chunking and alignment', () => {
    let checked = 0;
    const failures = { 'repetition-count': 0, 'adaptive-proportion': 0, none: 0 };
    for (const [bits, minEntropy] of [[8, 6], [8, 7.9], [4, 3.5], [2, 1.2], [1, 0.9]] as const) {
      for (let seed = 1; seed <= 24; seed++) {
        const stream = plantedStream(20_000 + seed * 97, bits, minEntropy, seed * 31 + bits, seed % 3 === 0 ? 0 : 0.3);
        const expected = textbook(stream, minEntropy, bits === 1);
        const random = sfc32(seed);
        // Copied to an odd place in a bigger buffer: the scan may not assume aligned input.
        const shift = seed % 8;
        const buffer = new Uint8Array(stream.length + 16);
        buffer.set(stream, shift);
        const monitor = new HealthMonitor({ minEntropy, bitsPerSample: bits });
        let released = 0;
        let failure: HealthTestFailure | undefined;
        for (let at = 0; at < stream.length && !failure; ) {
          const size = 1 + Math.floor(random() * (random() < 0.5 ? 40 : 9000));
          const end = Math.min(stream.length, at + size);
          const result = monitor.push(buffer.subarray(shift + at, shift + end));
          expect(result.released).toEqual(stream.subarray(released, released + result.released.length));
          released += result.released.length;
          failure = result.failure;
          at = end;
        }
        const window = aptWindowSize(bits === 1);
        if (expected.at < 0) {
          expect(failure).toBeUndefined();
          failures.none++;
        } else {
          expect(failure).toMatchObject({ test: expected.test, sampleIndex: expected.at, observed: expected.observed, value: stream[expected.at] });
          failures[expected.test as 'repetition-count' | 'adaptive-proportion']++;
        }
        const testedTo = expected.at < 0 ? stream.length : expected.at;
        const passedTo = Math.floor(testedTo / window) * window;
        expect(released).toBe(passedTo >= STARTUP_SAMPLES ? passedTo : 0);
        expect(monitor.status.rct.longestRun).toBe(expected.longestRun);
        expect(monitor.status.apt.highestCount).toBe(expected.highestCount);
        checked++;
      }
    }
    expect(checked).toBe(120);
    // The planted streams exercise both failures and clean runs.
    expect(failures['repetition-count']).toBeGreaterThan(10);
    expect(failures['adaptive-proportion']).toBeGreaterThan(10);
    expect(failures.none).toBeGreaterThan(5);
  });
});

describe('health scan module', () => {
  it('is what its WebAssembly text assembles to', () => {
    // The monitor runs the generated module; a change to health-scan.wat must be assembled again.
    const run = spawnSync(process.execPath, ['scripts/build-wasm.js', '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
