// Conditions credited raw samples into a 256-bit Genesis seed with SHA-256, a
// vetted conditioning component (SP 800-90B §3.1.5.1.1). The seed is emitted only
// once at least 512 bits of assessed min-entropy went in: twice the output length
// (the 2× rule) and more than FIPS 140-3's n + 64.
import { createHash, type Hash } from 'node:crypto';
import { sha256OutputEntropy } from './output-entropy.std';

export const SEED_BITS = 256;
export const GENESIS_MIN_CREDITED_BITS = 512;

export interface ConditionedSeed {
  seed: Uint8Array;
  /** Bits that went in (samples × bits per sample). */
  inputBits: number;
  creditedBits: number;
  /** SP 800-90B §3.1.5.1.2 output entropy of the seed. */
  outputEntropy: number;
}

export class GenesisConditioner {
  readonly #hash: Hash = createHash('sha256');
  #inputBits = 0;
  #credited = 0;
  #done = false;

  /** Feeds health-tested samples and the min-entropy they are credited with. */
  absorb(samples: Uint8Array, bitsPerSample: number, creditedBits: number): void {
    if (this.#done) throw new Error('This conditioner already produced its seed.');
    this.#hash.update(samples);
    this.#inputBits += samples.length * bitsPerSample;
    this.#credited += creditedBits;
  }

  get creditedBits(): number {
    return this.#credited;
  }

  get ready(): boolean {
    return this.#credited >= GENESIS_MIN_CREDITED_BITS;
  }

  /** The seed; refuses while fewer than 512 bits are credited. */
  finish(): ConditionedSeed {
    if (!this.ready) throw new Error(`Only ${this.#credited.toFixed(1)} of ${GENESIS_MIN_CREDITED_BITS} bits are credited; a Genesis seed needs all of them.`);
    this.#done = true;
    return {
      seed: new Uint8Array(this.#hash.digest()),
      inputBits: this.#inputBits,
      creditedBits: this.#credited,
      outputEntropy: sha256OutputEntropy(this.#inputBits, this.#credited),
    };
  }
}
