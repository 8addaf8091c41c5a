// Deterministic randomness from a seed: everything an agent is (traits, adapter
// weights, memory vector, mutations) is drawn from streams keyed by its seeds, so the
// same seed chain gives the same agent on every machine.
//
// key = HKDF-SHA-256(seed, salt "LightSeed", info label) (RFC 5869), then the AES-256-CTR
// keystream under that key (NIST SP 800-38A) as the stream's bytes: fast enough for the
// millions of weights of a 2B model's adapter.
import { createCipheriv, createHmac } from 'node:crypto';

const SALT = Buffer.from('LightSeed');
/** Keystream is made in chunks that grow from 256 bytes to 64 KiB: short streams stay cheap. */
const FIRST_CHUNK_BYTES = 256;
const MAX_CHUNK_BYTES = 1 << 16;

/** HKDF-SHA-256 for a 32-byte output (RFC 5869 §2.2–2.3: one HMAC to extract, one to expand); node's hkdfSync costs more per call. */
export function hkdfSha256(seed: Uint8Array, label: string): Buffer {
  const prk = createHmac('sha256', SALT).update(seed).digest();
  return createHmac('sha256', prk).update(label).update(Uint8Array.of(1)).digest();
}

export class SeedStream {
  readonly #cipher;
  #buffer = new Uint8Array(0);
  #view = new DataView(this.#buffer.buffer);
  #position = 0;
  #chunk = FIRST_CHUNK_BYTES;
  /** A second normal deviate left over from Box–Muller. */
  #spare: number | undefined;

  constructor(seed: Uint8Array, label: string) {
    if (seed.length < 16) throw new RangeError('A seed stream needs at least 16 bytes of seed.');
    const key = hkdfSha256(seed, label);
    this.#cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** Fills `target` with the stream's next bytes. */
  bytes(target: Uint8Array): Uint8Array {
    let filled = 0;
    while (filled < target.length) {
      if (this.#position === this.#buffer.length) this.#refill();
      const n = Math.min(target.length - filled, this.#buffer.length - this.#position);
      target.set(this.#buffer.subarray(this.#position, this.#position + n), filled);
      this.#position += n;
      filled += n;
    }
    return target;
  }

  #refill(): void {
    const chunk = this.#cipher.update(Buffer.alloc(this.#chunk));
    this.#chunk = Math.min(this.#chunk * 2, MAX_CHUNK_BYTES);
    this.#buffer = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
    this.#position = 0;
  }

  /** A uniform value in [0, 1) with 53 random bits. */
  uniform(): number {
    if (this.#position + 8 > this.#buffer.length) {
      const eight = this.bytes(new Uint8Array(8));
      const view = new DataView(eight.buffer);
      return ((view.getUint32(0, true) >>> 5) * 67108864 + (view.getUint32(4, true) >>> 6)) / 9007199254740992;
    }
    const hi = this.#view.getUint32(this.#position, true) >>> 5;
    const lo = this.#view.getUint32(this.#position + 4, true) >>> 6;
    this.#position += 8;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal deviate (Box–Muller; V8's Math.log/cos/sin are the same fdlibm code on every platform). */
  normal(): number {
    if (this.#spare !== undefined) {
      const spare = this.#spare;
      this.#spare = undefined;
      return spare;
    }
    const u = 1 - this.uniform(); // (0, 1]: log stays finite
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `count` normal deviates times `scale`. */
  normals(count: number, scale = 1): Float64Array {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * scale;
    return out;
  }

  /** Adds `scale`·N(0, 1) to every element, rounding to float32 as the store does. */
  addNormalsTo(target: Float32Array, scale: number): Float32Array {
    for (let i = 0; i < target.length; i++) target[i] = target[i]! + this.normal() * scale;
    return target;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}
