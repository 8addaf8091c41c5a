// The built-in CPU execution-jitter noise source, in the spirit of jitterentropy:
// time a memory-walking loop with the high-resolution clock; the variation of that
// time (caches, TLB, pipeline, interrupts) is the noise. The raw sample is the low
// byte of each loop's duration in nanoseconds, unconditioned, so SP 800-90B
// assessment and health tests see the noise itself.
//
// The first loops after a start are not the noise the device was calibrated on:
// while V8 still interprets the loop and the buffer's pages are first touched, the
// timings are far more regular (with the former short loop, the most common value
// of a fresh process's first 4,096 samples gave as little as 1.4 bits of
// min-entropy, with runs of 10 equal values; after warming up, 1.8 bits or more
// and runs of 8). Like jitterentropy's start-up, the source discards a warm-up
// before it yields anything, so the start-up health test judges the steady noise
// rather than the JIT's warm-up.
import { cpus } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DisposedError } from '../resource/disposed-error.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import type { SampleSource, SourceInfo } from './source.std';

export interface JitterOptions {
  /** Samples per chunk; the loop yields to the event loop between chunks. Default 4096. */
  chunkSamples?: number;
}

/**
 * The loop's size. Clocks in virtual machines may tick in steps of about 10 ns, so
 * a loop that stays in the caches (the former 64 accesses over 256 KiB, ~0.5 µs)
 * gives few distinct timings, and on a loaded machine it fell into stretches of
 * equal timings (runs of 13) or one timing filling half of a 512-sample window: the
 * health tests rightly stopped it. Walking 4 MiB, more than a core's L2, with 256
 * accesses a sample (~2–3 µs): over 3 million samples each, idle and beside two busy
 * processes, equal neighbours came 1.3–1.5% of the time, never more than 5 in a row,
 * and no value filled more than 85 of a window's 512. Overridable by
 * `?memory=KiB&steps=N`; each setting is its own device, with its own calibration.
 */
const DEFAULT_MEMORY_KIB = 4096;
const DEFAULT_STEPS = 256;
const CACHE_LINE = 64;
/**
 * The most a sample is credited, whatever the calibration found (in the spirit of
 * jitterentropy, which credits its timings far below what they show). Calibrated on
 * a quiet machine this loop assesses at about 4.9 bits, with health-test cutoffs to
 * match (runs of 6, 42 of a window's 512); beside two busy processes one value filled
 * up to 85 of a window, and the Adaptive Proportion Test would stop a healthy source.
 * At 2 bits the cutoffs are runs of 11 and 177 of 512: a stuck or periodic loop is
 * still caught at once, and a busy machine is not mistaken for one.
 */
export const JITTER_CREDIT_CAP = 2;
/** Loop timings discarded after each start (a few milliseconds). */
export const JITTER_WARMUP_SAMPLES = 16_384;

export async function openJitterSource(parsed: ParsedSourceUri, options: JitterOptions = {}): Promise<SampleSource> {
  checkParams(parsed, ['memory', 'steps']);
  const memoryKib = intParam(parsed, 'memory', DEFAULT_MEMORY_KIB, 4, 65536);
  const steps = intParam(parsed, 'steps', DEFAULT_STEPS, 1, 4096);
  const chunkSamples = options.chunkSamples ?? 4096;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const info: SourceInfo = {
    uri: `jitter:${parsed.params.size ? `?${[...parsed.params].map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`,
    kind: 'jitter',
    bitsPerSample: 8,
    deviceId: `jitter:${cpu}/${process.platform}-${process.arch}/mem=${memoryKib}KiB/steps=${steps}`,
    description: `CPU execution jitter (${cpu})`,
    metadata: { cpu, cores: cpus().length, platform: process.platform, arch: process.arch, memoryKib, steps, warmupSamples: JITTER_WARMUP_SAMPLES },
    creditCap: { bitsPerSample: JITTER_CREDIT_CAP, reason: `CPU jitter changes with the machine's load, which no calibration holds fixed, so it is credited at most ${JITTER_CREDIT_CAP} bits a sample` },
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
