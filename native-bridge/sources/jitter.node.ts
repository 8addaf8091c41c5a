// The built-in CPU execution-jitter noise source, in the spirit of jitterentropy:
// time a memory-walking loop with the high-resolution clock; the variation of that
// time (caches, TLB, pipeline, interrupts) is the noise. The raw sample is the low
// byte of each loop's duration in nanoseconds, unconditioned, so SP 800-90B
// assessment and health tests see the noise itself.
//
// The first loops after a start are not the noise the device was calibrated on:
// while V8 still interprets the loop and the buffer's pages are first touched, the
// timings are far more regular (in fresh processes, the most common value of the
// first 4,096 samples ranged from 1.4 to 4 bits of min-entropy, with runs of 10
// equal values; after warming up, 1.8–3.7 bits and runs of 8). Like jitterentropy's
// start-up, the source discards a warm-up before it yields anything, so the
// start-up health test judges the steady noise rather than the JIT's warm-up.
import { cpus } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DisposedError } from '../resource/disposed-error.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import type { SampleSource, SourceInfo } from './source.std';

export interface JitterOptions {
  /** Samples per chunk; the loop yields to the event loop between chunks. Default 4096. */
  chunkSamples?: number;
}

/** Memory walked per sample: larger than L1, so misses add timing variation. Overridable by `?memory=KiB`. */
const DEFAULT_MEMORY_KIB = 256;
const CACHE_LINE = 64;
/** Loop timings discarded after each start (a few milliseconds). */
export const JITTER_WARMUP_SAMPLES = 16_384;

export async function openJitterSource(parsed: ParsedSourceUri, options: JitterOptions = {}): Promise<SampleSource> {
  checkParams(parsed, ['memory', 'steps']);
  const memoryKib = intParam(parsed, 'memory', DEFAULT_MEMORY_KIB, 4, 65536);
  const steps = intParam(parsed, 'steps', 64, 1, 4096);
  const chunkSamples = options.chunkSamples ?? 4096;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const info: SourceInfo = {
    uri: `jitter:${parsed.params.size ? `?${[...parsed.params].map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`,
    kind: 'jitter',
    bitsPerSample: 8,
    deviceId: `jitter:${cpu}/${process.platform}-${process.arch}/mem=${memoryKib}KiB/steps=${steps}`,
    description: `CPU execution jitter (${cpu})`,
    metadata: { cpu, cores: cpus().length, platform: process.platform, arch: process.arch, memoryKib, steps, warmupSamples: JITTER_WARMUP_SAMPLES },
  };
  return new JitterSource(info, memoryKib * 1024, steps, chunkSamples);
}

class JitterSource implements SampleSource {
  readonly #memory: Uint8Array;
  #disposed = false;
  #started = false;

  constructor(
    readonly info: SourceInfo,
    memoryBytes: number,
    readonly steps: number,
    readonly chunkSamples: number,
  ) {
    this.#memory = new Uint8Array(memoryBytes);
  }

  async *samples(): AsyncIterable<Uint8Array> {
    if (this.#disposed) throw new DisposedError('Jitter source');
    if (this.#started) throw new Error('A source can be read only once.');
    this.#started = true;
    const memory = this.#memory;
    const lines = memory.length / CACHE_LINE;
    let position = 0;
    let previous = process.hrtime.bigint();
    let warmup = JITTER_WARMUP_SAMPLES;
    while (!this.#disposed) {
      const chunk = new Uint8Array(this.chunkSamples);
      for (let i = 0; i < chunk.length; i++) {
        // Walk the buffer with a stride that depends on what was read, so the
        // access pattern cannot be predicted and prefetched (jitterentropy's memaccess).
        for (let s = 0; s < this.steps; s++) {
          const at = position * CACHE_LINE;
          memory[at] = (memory[at]! + 1) & 0xff;
          position = (position + 7 + memory[at]!) % lines;
        }
        const now = process.hrtime.bigint();
        chunk[i] = Number((now - previous) & 0xffn);
        previous = now;
      }
      const discard = Math.min(warmup, chunk.length);
      warmup -= discard;
      if (discard < chunk.length) yield chunk.subarray(discard);
      await yieldToEventLoop();
    }
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
