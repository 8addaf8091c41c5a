// A stream of conditioned output for testing a device's whole pipeline with
// rngtest, ent or dieharder, and for the sampler's seeds: samples that passed the
// credit gate (health tests, assessed min-entropy), cut into blocks that each carry
// at least 512 credited bits, each block conditioned into 32 output bytes by the
// Genesis conditioner (the Genesis rule, applied again and again).
import { GenesisConditioner, GENESIS_MIN_CREDITED_BITS } from '../conditioning/genesis-conditioner.node';
import type { SampleSource } from '../sources/source.std';
import { CreditGate, HarvestError } from './crediting.std';
import type { StoredAssessment } from './harvest-store.std';

export async function* conditionedOutput(source: SampleSource, stored: StoredAssessment, bytes: number): AsyncGenerator<Uint8Array> {
  const gate = new CreditGate(source.info, stored);
  const bits = source.info.bitsPerSample;
  // Whole samples per block: the conditioner refuses a block short of 512 credited bits.
  const block = Math.ceil(GENESIS_MIN_CREDITED_BITS / gate.assessment.minEntropy);
  let conditioner = new GenesisConditioner();
  let inBlock = 0;
  let produced = 0;
  for await (const chunk of source.samples()) {
    const { released, failure } = gate.pass(chunk);
    for (let offset = 0; offset < released.length && produced < bytes; ) {
      const take = Math.min(block - inBlock, released.length - offset);
      conditioner.absorb(released.subarray(offset, offset + take), bits, take * gate.assessment.minEntropy);
      inBlock += take;
      offset += take;
      if (inBlock === block) {
        const { seed } = conditioner.finish();
        yield seed.subarray(0, Math.min(seed.length, bytes - produced));
        produced += seed.length;
        conditioner = new GenesisConditioner();
        inBlock = 0;
      }
    }
    if (produced >= bytes) return;
    if (failure) throw new HarvestError(`Health test failed, output stopped after ${produced} bytes: ${failure.message}`, 0, { cause: failure });
  }
  throw new HarvestError(`${source.info.description} ended after ${produced} of ${bytes} bytes.`, 0);
}
