// A stream of conditioned output for testing a device's whole pipeline with
// rngtest, ent or dieharder: health-tested samples, cut into blocks that each carry
// at least 512 bits of assessed min-entropy, each block hashed with SHA-256 into
// 32 output bytes (the Genesis rule, applied again and again).
import { createHash } from 'node:crypto';
import { GENESIS_MIN_CREDITED_BITS } from '../conditioning/genesis-conditioner.node';
import { HealthMonitor } from '../health/health-monitor.std';
import type { SampleSource } from '../sources/source.std';
import { creditedAssessment, type StoredAssessment } from './harvest-store.std';
import { HarvestError } from './harvest.node';

export async function* conditionedOutput(source: SampleSource, stored: StoredAssessment, bytes: number): AsyncGenerator<Uint8Array> {
  const assessment = creditedAssessment(stored, source.info);
  if (assessment.minEntropy <= 0) throw new HarvestError(`${source.info.description} has no assessed entropy to condition.`, 0);
  const monitor = new HealthMonitor({ minEntropy: assessment.minEntropy, bitsPerSample: assessment.bitsPerSample });
  const block = Math.ceil(GENESIS_MIN_CREDITED_BITS / assessment.minEntropy);
  let hash = createHash('sha256');
  let inBlock = 0;
  let produced = 0;
  for await (const chunk of source.samples()) {
    const { released, failure } = monitor.push(chunk);
    for (let offset = 0; offset < released.length && produced < bytes; ) {
      const take = Math.min(block - inBlock, released.length - offset);
      hash.update(released.subarray(offset, offset + take));
      inBlock += take;
      offset += take;
      if (inBlock === block) {
        const digest = new Uint8Array(hash.digest());
        yield digest.subarray(0, Math.min(digest.length, bytes - produced));
        produced += digest.length;
        hash = createHash('sha256');
        inBlock = 0;
      }
    }
    if (produced >= bytes) return;
    if (failure) throw new HarvestError(`Health test failed, output stopped after ${produced} bytes: ${failure.message}`, 0, { cause: failure });
  }
  throw new HarvestError(`${source.info.description} ended after ${produced} of ${bytes} bytes.`, 0);
}
