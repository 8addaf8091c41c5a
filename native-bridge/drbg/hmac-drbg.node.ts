// HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1 §10.1.2), without prediction
// resistance: the sampler's random source, seeded and reseeded from the entropy pool.
// Its state (Key, V, reseed counter) can be exported and restored, so that the same
// state and the same logits give the same token.
import { createHmac } from 'node:crypto';

/** outlen of SHA-256 in bytes (SP 800-90A §10.1, Table 2). */
const OUT_BYTES = 32;
/** The highest security strength SHA-256 supports, 256 bits (SP 800-57 Part 1, Table 3); we always instantiate at it. */
export const SECURITY_STRENGTH_BITS = 256;
/** §8.6.3: entropy input carries at least security_strength bits, so at least 32 bytes. */
export const MIN_ENTROPY_BYTES = SECURITY_STRENGTH_BITS / 8;
/** §8.6.7: the nonce carries at least security_strength/2 bits, so at least 16 bytes. */
export const MIN_NONCE_BYTES = SECURITY_STRENGTH_BITS / 16;
/** Table 2: max_length, max_personalization_string_length and max_additional_input_length are 2^35 bits. */
export const MAX_INPUT_BYTES = 2 ** 35 / 8;
/** Table 2: max_number_of_bits_per_request is 2^19 bits; larger requests are split. */
export const MAX_BYTES_PER_REQUEST = 2 ** 19 / 8;
/** Table 2: reseed_interval is 2^48 requests. */
export const RESEED_INTERVAL = 2 ** 48;
/** Bytes generated at a time behind nextUint32() and nextFloat(). */
export const STREAM_BUFFER_BYTES = 256;

/**
 * A DRBG's complete state. Key, V and the reseed counter are SP 800-90A's working
 * state; `pending` holds the stream bytes already generated for nextUint32() and
 * nextFloat() but not yet read, so a restored DRBG continues exactly where the saved
 * one stood. Secret: whoever holds it can compute every later output.
 */
export interface DrbgState {
  key: Uint8Array;
  value: Uint8Array;
  reseedCounter: number;
  pending: Uint8Array;
}

/** Invalid input to the DRBG: too little entropy, a bad request size or a malformed state. */
export class DrbgError extends Error {
  override readonly name: string = 'DrbgError';
}

/** §9.3.1 step 7: the reseed counter passed reseed_interval; call reseed() with fresh entropy from the pool. */
export class ReseedRequiredError extends DrbgError {
  override readonly name = 'ReseedRequiredError';
}

function checkLength(what: string, bytes: Uint8Array, min: number): void {
  if (bytes.length < min) throw new DrbgError(`${what} has ${bytes.length} bytes; HMAC_DRBG at ${SECURITY_STRENGTH_BITS}-bit strength needs at least ${min}. Harvest more entropy from the pool first.`);
  if (bytes.length > MAX_INPUT_BYTES) throw new DrbgError(`${what} has ${bytes.length} bytes; SP 800-90A allows at most 2^35 bits.`);
}

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return new Uint8Array(mac.digest());
}

const ZERO = Uint8Array.of(0x00);
const ONE = Uint8Array.of(0x01);
const EMPTY = new Uint8Array(0);

export class HmacDrbg {
  #key: Uint8Array;
  #value: Uint8Array;
  #counter: number;
  #stream: Uint8Array = EMPTY;
  #streamOffset = 0;

  private constructor(key: Uint8Array, value: Uint8Array, counter: number) {
    this.#key = key;
    this.#value = value;
    this.#counter = counter;
  }

  /**
   * §10.1.2.3 Instantiate: seed_material = entropy ‖ nonce ‖ personalization,
   * Key = 0x00…, V = 0x01…, then Update(seed_material); reseed counter 1.
   */
  static instantiate(entropy: Uint8Array, nonce: Uint8Array, personalization: Uint8Array = EMPTY): HmacDrbg {
    checkLength('The entropy input', entropy, MIN_ENTROPY_BYTES);
    checkLength('The nonce', nonce, MIN_NONCE_BYTES);
    checkLength('The personalization string', personalization, 0);
    const drbg = new HmacDrbg(new Uint8Array(OUT_BYTES), new Uint8Array(OUT_BYTES).fill(0x01), 1);
    drbg.#update(entropy, nonce, personalization);
    return drbg;
  }

  /** Restores a state saved with exportState(). */
  static fromState(state: DrbgState): HmacDrbg {
    if (state.key.length !== OUT_BYTES || state.value.length !== OUT_BYTES) throw new DrbgError(`A DRBG state needs a ${OUT_BYTES}-byte Key and V; got ${state.key.length} and ${state.value.length} bytes.`);
    if (!Number.isInteger(state.reseedCounter) || state.reseedCounter < 1 || state.reseedCounter > RESEED_INTERVAL + 1) {
      throw new DrbgError(`A DRBG state's reseed counter must be an integer from 1 to 2^48 + 1; got ${state.reseedCounter}.`);
    }
    if (state.pending.length > STREAM_BUFFER_BYTES) throw new DrbgError(`A DRBG state holds at most ${STREAM_BUFFER_BYTES} pending stream bytes; got ${state.pending.length}.`);
    const drbg = new HmacDrbg(state.key.slice(), state.value.slice(), state.reseedCounter);
    drbg.#stream = state.pending.slice();
    return drbg;
  }

  /** A copy of the full state; later calls do not change it. */
  exportState(): DrbgState {
    return {
      key: this.#key.slice(),
      value: this.#value.slice(),
      reseedCounter: this.#counter,
      pending: this.#stream.slice(this.#streamOffset),
    };
  }

  /** Generate requests made since the last (re)seed, plus one (§10.1.2.1). */
  get reseedCounter(): number {
    return this.#counter;
  }

  /**
   * §10.1.2.4 Reseed: Update(entropy ‖ additional); reseed counter 1. Pending stream
   * bytes are dropped, so every float read afterwards depends on the new entropy.
   */
  reseed(entropy: Uint8Array, additional: Uint8Array = EMPTY): void {
    checkLength('The reseed entropy input', entropy, MIN_ENTROPY_BYTES);
    checkLength('The additional input', additional, 0);
    this.#update(entropy, additional);
    this.#counter = 1;
    this.#dropStream();
  }

  /**
   * §10.1.2.5 Generate. A request above 2^19 bits is split into requests of at most
   * 2^19 bits, each a full Generate call with the same additional input (as OpenSSL's
   * RAND_DRBG_bytes does), and each counting toward the reseed interval. Throws
   * ReseedRequiredError, leaving the state untouched, when the request would pass it.
   */
  generate(bytes: number, additional: Uint8Array = EMPTY): Uint8Array {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new DrbgError(`Cannot generate ${bytes} bytes: ask for a whole number of bytes, 0 or more.`);
    checkLength('The additional input', additional, 0);
    const requests = Math.max(1, Math.ceil(bytes / MAX_BYTES_PER_REQUEST));
    if (this.#counter + requests - 1 > RESEED_INTERVAL) {
      throw new ReseedRequiredError(`This DRBG produced 2^48 requests since it was last seeded (SP 800-90A §10.1.2.5 step 1): reseed it from the entropy pool.`);
    }
    const out = new Uint8Array(bytes);
    for (let offset = 0, i = 0; i < requests; i++, offset += MAX_BYTES_PER_REQUEST) {
      this.#generateOne(out.subarray(offset, Math.min(bytes, offset + MAX_BYTES_PER_REQUEST)), additional);
    }
    return out;
  }

  /** The next 4 bytes of the buffered stream as a big-endian unsigned integer. */
  nextUint32(): number {
    const at = this.#take(4);
    const s = this.#stream;
    return ((s[at]! << 24) | (s[at + 1]! << 16) | (s[at + 2]! << 8) | s[at + 3]!) >>> 0;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits: the next 8 bytes of the buffered
   * stream read as a big-endian 64-bit integer, its top 53 bits m, and m / 2^53. Every
   * multiple of 2^-53 in [0, 1) is equally likely; 1 is never returned.
   *
   * The stream is generated STREAM_BUFFER_BYTES at a time by one Generate call (no
   * additional input); a read that does not fit in what is left drops the rest and
   * generates afresh. So the floats are a pure function of the DRBG state (pending
   * bytes included) and of the order of calls to nextUint32, nextFloat, generate and
   * reseed.
   */
  nextFloat(): number {
    const at = this.#take(8);
    const s = this.#stream;
    const hi = ((s[at]! << 24) | (s[at + 1]! << 16) | (s[at + 2]! << 8) | s[at + 3]!) >>> 0;
    const lo = ((s[at + 4]! << 24) | (s[at + 5]! << 16) | (s[at + 6]! << 8) | s[at + 7]!) >>> 0;
    // top 53 of 64 bits: all 32 of hi, then the top 21 of lo
    return (hi * 2 ** 21 + (lo >>> 11)) / 2 ** 53;
  }

  /** Returns the offset of `n` unread stream bytes, generating a fresh block when needed. */
  #take(n: number): number {
    if (this.#stream.length - this.#streamOffset < n) {
      this.#stream = this.generate(STREAM_BUFFER_BYTES);
      this.#streamOffset = 0;
    }
    const at = this.#streamOffset;
    this.#streamOffset += n;
    return at;
  }

  #dropStream(): void {
    this.#stream.fill(0);
    this.#stream = EMPTY;
    this.#streamOffset = 0;
  }

  /** One §10.1.2.5 request of at most 2^19 bits into `out`. */
  #generateOne(out: Uint8Array, additional: Uint8Array): void {
    if (additional.length > 0) this.#update(additional);
    for (let offset = 0; offset < out.length; offset += OUT_BYTES) {
      this.#value = hmac(this.#key, this.#value);
      out.set(this.#value.subarray(0, Math.min(OUT_BYTES, out.length - offset)), offset);
    }
    this.#update(additional);
    this.#counter++;
  }

  /**
   * §10.1.2.2 HMAC_DRBG_Update, provided_data being the concatenation of `provided`:
   * K = HMAC(K, V ‖ 0x00 ‖ data), V = HMAC(K, V), and when data is not empty
   * K = HMAC(K, V ‖ 0x01 ‖ data), V = HMAC(K, V).
   */
  #update(...provided: Uint8Array[]): void {
    this.#key = hmac(this.#key, this.#value, ZERO, ...provided);
    this.#value = hmac(this.#key, this.#value);
    if (provided.every((part) => part.length === 0)) return;
    this.#key = hmac(this.#key, this.#value, ONE, ...provided);
    this.#value = hmac(this.#key, this.#value);
  }
}
