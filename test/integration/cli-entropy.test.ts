// The entropy commands as a user runs them, against a real data folder.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../native-bridge/estimators/assess.std';
import { PROVISIONAL_FACTOR } from '../../native-bridge/harvest/crediting.std';
import { adaptiveProportionCutoff, repetitionCountCutoff } from '../../native-bridge/health/cutoffs.std';
import { JITTER_CREDIT_CAP } from '../../native-bridge/sources/jitter.node';
import { BIN, runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';
import { biasedBits } from '../fixtures/entropy-datasets';

let dir: ReturnType<typeof makeTempDir>;
beforeAll(() => (dir = makeTempDir()));
afterAll(() => dir.remove());

describe('lightseed harvest, genesis, sources, assess', () => {
  it('harvests a Genesis seed from CPU jitter, assessing in the worker, and keeps the record', () => {
    const { status, stdout, stderr } = runCli(['--data-dir', dir.path, 'harvest', '--source', 'jitter:', '--calibration-samples', '20000', '--json']);
    expect(stderr).toContain('Calibrating');
    expect(stderr).toContain('Assessing min-entropy');
    expect(status).toBe(0);
    const record = JSON.parse(stdout) as {
      id: number;
      seed: string;
      creditedBits: number;
      assessment: { provisional: boolean; samples: number; minEntropy: number; assessedMinEntropy: number; cappedBy?: { bitsPerSample: number } };
      health: { rctCutoff: number; aptCutoff: number };
    };
    expect(record.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(record.creditedBits).toBeGreaterThanOrEqual(512);
    expect(record.assessment).toMatchObject({ provisional: true, samples: 20_000 });
    // Credited at half the provisional estimate, and never above the jitter source's cap; the health tests follow the credited value.
    const { minEntropy, assessedMinEntropy, cappedBy } = record.assessment;
    expect(minEntropy).toBeCloseTo(Math.min(assessedMinEntropy * PROVISIONAL_FACTOR, JITTER_CREDIT_CAP), 10);
    expect(cappedBy?.bitsPerSample).toBe(assessedMinEntropy * PROVISIONAL_FACTOR > JITTER_CREDIT_CAP ? JITTER_CREDIT_CAP : undefined);
    expect(record.health).toMatchObject({ rctCutoff: repetitionCountCutoff(minEntropy), aptCutoff: adaptiveProportionCutoff(minEntropy, false) });

    const list = runCli(['--data-dir', dir.path, 'genesis', 'list', '--json']);
    expect(JSON.parse(list.stdout).genesis).toEqual([expect.objectContaining({ id: record.id, seedHex: record.seed })]);
    const show = runCli(['--data-dir', dir.path, 'genesis', 'show', String(record.id)]);
    expect(show.stdout).toContain(`seed            ${record.seed}`);
    expect(show.stdout).toMatch(/conditioning {4}SHA-256: \d+ bits in, h_out = 25\d\.\d+ of 256 bits/);
    // What the capture credited and what a seed needs, both said.
    expect(show.stdout).toMatch(/credited {8}\d+ bits from \d+ contribution\(s\); a Genesis seed needs 512, and all of them were conditioned into it/);
    if (cappedBy) expect(show.stdout).toContain("CPU jitter changes with the machine's load, which no calibration holds fixed, so it is credited at most 2 bits a sample");
  });

  it('ends `condition` quietly when its reader closes the pipe, as `| rngtest -c N` does', async () => {
    // CPU jitter was calibrated by the harvest above.
    const child = spawn(process.execPath, [BIN, '--data-dir', dir.path, 'condition', '--source', 'jitter:'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    expect(first.length).toBeGreaterThanOrEqual(32);
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('says clearly when a source cannot be opened and credits nothing', () => {
    const { status, stderr } = runCli(['--data-dir', dir.path, 'harvest', '--source', 'serial:/dev/does-not-exist']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/does-not-exist/);
    const nonsense = runCli(['--data-dir', dir.path, 'harvest', '--source', 'teleport:here']);
    expect(nonsense.status).toBe(1);
    expect(nonsense.stderr).toContain('is not a source URI');
  });

  it('lists CPU jitter and remembers rtl_tcp endpoints', () => {
    const added = runCli(['--data-dir', dir.path, 'sources', '--json', '--add-rtltcp', 'rtltcp://127.0.0.1:1234?freq=100000000']);
    expect(added.status).toBe(0);
    const sources = JSON.parse(added.stdout) as { uri: string; kind: string }[];
    expect(sources[0]).toMatchObject({ uri: 'jitter:', kind: 'jitter' });
    expect(sources).toContainEqual(expect.objectContaining({ kind: 'rtltcp', uri: 'rtltcp://127.0.0.1:1234?freq=100000000' }));
    const removed = runCli(['--data-dir', dir.path, 'sources', '--json', '--remove-rtltcp', 'rtltcp://127.0.0.1:1234?freq=100000000']);
    expect((JSON.parse(removed.stdout) as { kind: string }[]).some((s) => s.kind === 'rtltcp')).toBe(false);
  });

  it('assesses a sample file like ea_non_iid, on worker threads, to the same figures as in one thread', () => {
    const file = join(dir.path, 'bits.bin');
    const samples = biasedBits(200_000, 0.3, 31);
    writeFileSync(file, samples);
    const { status, stdout } = runCli(['assess', file, '--bits', '1', '--json']);
    expect(status).toBe(0);
    const result = JSON.parse(stdout) as { minEntropy: number; provisional: boolean; estimators: unknown[] };
    expect(result.estimators).toHaveLength(10);
    const here = assess(samples, 1);
    expect(result).toMatchObject({ minEntropy: here.minEntropy, estimators: here.estimators });
    // Without --bits the width is read from the data, as ea_non_iid does.
    const inferred = JSON.parse(runCli(['assess', file, '--json']).stdout) as { bitsPerSample: number; minEntropy: number };
    expect(inferred).toMatchObject({ bitsPerSample: 1, minEntropy: here.minEntropy });
    expect(result.provisional).toBe(true);
    // −log2(0.7) ≈ 0.515 bits for independent bits with P(1) = 0.3; the estimators' bounds sit below it.
    expect(result.minEntropy).toBeGreaterThan(0.25);
    expect(result.minEntropy).toBeLessThan(0.515);
  });
});
