// The conditioned output of a real noise source (CPU jitter), judged by the
// standard tools: rngtest (FIPS 140-2, at least 2,000 blocks of 20,000 bits) and ent.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
let output: string;

beforeAll(() => {
  dir = makeTempDir();
  output = join(dir.path, 'conditioned.bin');
  // Calibrate the device (a provisional estimate on 50,000 samples is enough to credit conservatively).
  expect(runCli(['--data-dir', dir.path, 'harvest', '--source', 'jitter:', '--calibration-samples', '50000']).status).toBe(0);
  // 2,000 FIPS blocks of 20,000 bits, plus the 32 bits rngtest keeps for its continuous-run test.
  const result = runCli(['--data-dir', dir.path, 'condition', '--source', 'jitter:', '--bytes', '5000100', '--out', output], {}, 420_000);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}, 540_000);
afterAll(() => dir.remove());

function tool(name: string, args: string[], input: Buffer) {
  const result = spawnSync(name, args, { input, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.error) throw new Error(`${name} is not installed (Debian: apt-get install ${name === 'rngtest' ? 'rng-tools5' : name}).`, { cause: result.error });
  return `${result.stdout}${result.stderr}`;
}

describe('conditioned output quality', () => {
  it('passes FIPS 140-2 in rngtest with the expected ~0.1% block failures', () => {
    const report = tool('rngtest', ['-c', '2000'], readFileSync(output));
    const successes = Number(/FIPS 140-2 successes: (\d+)/.exec(report)?.[1]);
    const failures = Number(/FIPS 140-2 failures: (\d+)/.exec(report)?.[1]);
    expect(successes + failures).toBe(2000);
    // A good generator fails about 0.08% of blocks (≈ 2 of 2,000); 10 or more happens with probability below 1e-5.
    expect(failures).toBeLessThan(10);
  });

  it('looks random to ent', () => {
    const report = tool('ent', [], readFileSync(output));
    expect(Number(/Entropy = ([\d.]+) bits per byte/.exec(report)?.[1])).toBeGreaterThan(7.9999);
    const exceed = Number(/would exceed this value ([\d.]+) percent/.exec(report)?.[1]);
    expect(exceed).toBeGreaterThan(0.01);
    expect(exceed).toBeLessThan(99.99);
    expect(Math.abs(Number(/Arithmetic mean value of data bytes is ([\d.]+)/.exec(report)?.[1]) - 127.5)).toBeLessThan(0.2);
    expect(Math.abs(Number(/Serial correlation coefficient is (-?[\d.]+)/.exec(report)?.[1]))).toBeLessThan(0.005);
  });
});
