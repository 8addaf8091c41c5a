// Time to assess 1,000,000 samples with the SP 800-90B non-IID suite, against NIST's
// `ea_non_iid` on the same file in the same run. The reference is used where it is
// built locally: on PATH, or named by LIGHTSEED_EA_NON_IID. Ours runs as the app runs it,
// its steps split over worker threads (NIST's tool uses every core through OpenMP), from
// the built entry (npm run build); one thread alone is printed beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { assess } from '../native-bridge/estimators/assess.std';
import { workerAssessor } from '../native-bridge/estimators/assessors.node';
import { buildPathsFrom } from '../electron/paths/build-paths.node';
import { biasedBits, longRepeats, quantisedGaussian } from '../test/fixtures/entropy-datasets';
import { makeTempDir } from '../test/helpers/temp-dir';

function findReference(): string | undefined {
  const named = process.env.LIGHTSEED_EA_NON_IID;
  if (named && existsSync(named)) return named;
  try {
    return execFileSync('sh', ['-c', 'command -v ea_non_iid'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined; // not on PATH
  }
}

const cases = [
  { name: '1,000,000 8-bit samples', bits: 8, make: () => quantisedGaussian(1_000_000, 128, 30, 8, 41) },
  { name: '1,000,000 1-bit samples', bits: 1, make: () => biasedBits(1_000_000, 0.4, 42) },
  // What a naive emulator or a stuck DMA buffer gives: 16 KiB slices of one 64 KiB table.
  { name: '1,000,000 8-bit samples with long repeats', bits: 8, make: () => longRepeats(1_000_000, 43) },
];

const { assessWorker } = buildPathsFrom(new URL('../out/main/cli.js', import.meta.url).href);

it('assessment time', async () => {
  const reference = findReference();
  if (!existsSync(assessWorker)) throw new Error(`${assessWorker} is missing: run npm run build first.`);
  const onWorkers = workerAssessor(assessWorker);
  const dir = makeTempDir();
  try {
    for (const c of cases) {
      const samples = c.make();
      const file = join(dir.path, `${c.bits}-${cases.indexOf(c)}.bin`);
      writeFileSync(file, samples);
      const oneStarted = performance.now();
      const single = assess(samples, c.bits);
      const singleSeconds = (performance.now() - oneStarted) / 1000;
      const started = performance.now();
      const ours = await onWorkers(samples, c.bits, () => {});
      const oursSeconds = (performance.now() - started) / 1000;
      expect(ours).toEqual(single);
      if (!reference) {
        console.log(`assess ${c.name}: ours ${oursSeconds.toFixed(2)} s on workers, ${singleSeconds.toFixed(2)} s on one thread (H = ${ours.minEntropy.toFixed(6)}), reference ea_non_iid not built here (set LIGHTSEED_EA_NON_IID), ratio n/a`);
        continue;
      }
      const refStarted = performance.now();
      const output = execFileSync(reference, ['-i', '-a', '-v', file, String(c.bits)], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const refSeconds = (performance.now() - refStarted) / 1000;
      const refH = Number(/H_original: ([\d.]+)/.exec(output)?.[1] ?? Number.NaN);
      const refMin = Number(/min\(H_original, \d X H_bitstring\): ([\d.]+)/.exec(output)?.[1] ?? refH);
      console.log(
        `assess ${c.name}: ours ${oursSeconds.toFixed(2)} s on workers (${singleSeconds.toFixed(2)} s on one thread, ratio ${(refSeconds / singleSeconds).toFixed(2)}) (H = ${ours.minEntropy.toFixed(6)}), reference ea_non_iid ${refSeconds.toFixed(2)} s (H = ${refMin.toFixed(6)}), ratio ${(refSeconds / oursSeconds).toFixed(2)} (above 1: ours faster)`,
      );
      expect(Math.abs(ours.minEntropy - refMin)).toBeLessThan(1e-5);
    }
  } finally {
    dir.remove();
  }
});
