// Runs both continuous health tests over raw samples and releases only samples
// whose whole APT window passed: a failure discards its window, stops the
// monitor for good, and is returned as a typed HealthTestFailure.
//
// SP 800-90B §4.4.1, the Repetition Count Test: a run of `cutoff` identical samples
// in a row is a failure. §4.4.2, the Adaptive Proportion Test: in each window of W
// samples, the window's first value recurring `cutoff` times is a failure.
//
// Both run in one WebAssembly loop (health-scan.wat), sixteen samples at a time where no
// sample repeats its predecessor, with their state carried from push to push: nothing is
// allocated per sample or per window. What passed
// is one contiguous stretch of the stream (whole windows, after the startup test), so
// it leaves as one view, or one copy when part of it was held back: the windows still open and the startup's held samples stay
// behind in a small carry.
import { adaptiveProportionCutoff, aptWindowSize, repetitionCountCutoff } from './cutoffs.std';
import { HealthTestFailure } from './health-failure.std';
import { WASM_BASE64 } from './health-scan.wasm.std';

/** §4.3: the startup test covers at least 1024 consecutive samples. */
export const STARTUP_SAMPLES = 1024;

export interface HealthMonitorOptions {
  /** Assessed min-entropy per sample, in bits; sets both cutoffs. */
  minEntropy: number;
  /** Bits per sample (1 selects the binary APT window of 1024). */
  bitsPerSample: number;
}

export interface HealthStatus {
  state: 'startup' | 'ok' | 'failed';
  samplesTested: number;
  windowsPassed: number;
  rct: { cutoff: number; longestRun: number };
  apt: { cutoff: number; windowSize: number; highestCount: number };
  failure?: HealthTestFailure;
}

export interface HealthResult {
  /**
   * Samples of completed windows that passed, in order; safe to condition. Where they all
   * lie in this call's samples it is a view of them, not a copy: use or copy it before
   * writing into that buffer again.
   */
  released: Uint8Array;
  /** Set when a test fired during this call; the monitor is then failed for good. */
  failure?: HealthTestFailure;
}

const NOTHING = new Uint8Array(0);

/** Where the scanner's samples start in its memory; the byte before holds their predecessor. */
const BASE = 16;
/** Samples per scan: the stream goes through the scanner's 128 KiB memory in pieces. */
const PIECE = 64 * 1024;

interface HealthScanner {
  scan(n: number): number;
  memory: Uint8Array;
  globals: Record<'last' | 'run' | 'longest' | 'first' | 'count' | 'highest' | 'position' | 'window' | 'rctCutoff' | 'aptCutoff' | 'blocks', WebAssembly.Global>;
}

let scanner: HealthScanner | undefined;

/** One instance serves every monitor: a push sets its state in, scans, and reads it back. */
function healthScanner(): HealthScanner {
  if (scanner) return scanner;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0))));
  const { scan, memory, ...globals } = instance.exports as unknown as {
    scan: (n: number) => number;
    memory: WebAssembly.Memory;
  } & HealthScanner['globals'];
  scanner = { scan, memory: new Uint8Array(memory.buffer), globals };
  return scanner;
}

export class HealthMonitor {
  readonly #rctCutoff: number;
  readonly #aptCutoff: number;
  readonly #window: number;
  readonly #blocks: boolean;
  /** Samples tested so far: the stream offset of the next sample. */
  #samples = 0;
  /** Stream offset up to which samples were released. */
  #releasedTo = 0;
  /** The stream from #releasedTo to #samples: open windows and, during startup, the held ones. */
  #carry: Uint8Array = NOTHING;
  #last = -1;
  #run = 0;
  #longestRun = 0;
  #first = 0;
  #count = 0;
  #highestCount = 0;
  #windowsPassed = 0;
  #failure: HealthTestFailure | undefined;

  constructor(readonly options: HealthMonitorOptions) {
    const binary = options.bitsPerSample === 1;
    this.#rctCutoff = repetitionCountCutoff(options.minEntropy);
    this.#aptCutoff = adaptiveProportionCutoff(options.minEntropy, binary);
    this.#window = aptWindowSize(binary);
    // Binary samples repeat every other sample: sixteen at a time would rarely pass.
    this.#blocks = !binary;
  }

  get status(): HealthStatus {
    const tested = this.#samples - (this.#samples % this.#window);
    return {
      state: this.#failure ? 'failed' : tested < STARTUP_SAMPLES ? 'startup' : 'ok',
      samplesTested: this.#samples,
      windowsPassed: this.#windowsPassed,
      rct: { cutoff: this.#rctCutoff, longestRun: this.#longestRun },
      apt: { cutoff: this.#aptCutoff, windowSize: this.#window, highestCount: this.#highestCount },
      ...(this.#failure ? { failure: this.#failure } : {}),
    };
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  push(samples: Uint8Array): HealthResult {
    if (this.#failure) return { released: NOTHING, failure: this.#failure };
    const start = this.#samples;
    const window = this.#window;
    const scanner = healthScanner();
    const { globals } = scanner;
    globals.last.value = this.#last;
    globals.run.value = this.#run;
    globals.longest.value = this.#longestRun;
    globals.first.value = this.#first;
    globals.count.value = this.#count;
    globals.highest.value = this.#highestCount;
    globals.position.value = start % window;
    globals.window.value = window;
    globals.rctCutoff.value = this.#rctCutoff;
    globals.aptCutoff.value = this.#aptCutoff;
    globals.blocks.value = this.#blocks ? 1 : 0;
    const n = samples.length;
    let failedAt = -1;
    for (let offset = 0; offset < n && failedAt < 0; offset += PIECE) {
      const piece = samples.subarray(offset, Math.min(n, offset + PIECE));
      // The sample before the piece, for the block path's compare with its predecessor.
      scanner.memory[BASE - 1] = globals.last.value & 0xff;
      scanner.memory.set(piece, BASE);
      const failed = scanner.scan(piece.length);
      if (failed >= 0) failedAt = offset + failed;
    }
    const run = globals.run.value;
    const count = globals.count.value;
    this.#last = globals.last.value;
    this.#run = run;
    this.#longestRun = Math.max(globals.longest.value, n > 0 ? 1 : 0);
    this.#first = globals.first.value;
    this.#count = count;
    this.#highestCount = globals.highest.value;

    if (failedAt >= 0) {
      const index = start + failedAt;
      const windowIndex = Math.floor(index / window);
      const startup = index < STARTUP_SAMPLES;
      this.#failure =
        run >= this.#rctCutoff
          ? new HealthTestFailure('repetition-count', index, windowIndex, this.#last, run, this.#rctCutoff, startup)
          : new HealthTestFailure('adaptive-proportion', index, windowIndex, this.#first, count, this.#aptCutoff, startup);
      // Counted as tested up to the failing sample; windows that completed before it pass.
      this.#samples = index + 1;
      this.#windowsPassed = windowIndex;
      const released = this.#release(samples, start, windowIndex * window);
      this.#carry = NOTHING;
      return { released, failure: this.#failure };
    }
    this.#samples = start + n;
    this.#windowsPassed = Math.floor(this.#samples / window);
    return { released: this.#release(samples, start, this.#samples - (this.#samples % window)) };
  }

  /**
   * Releases the stream up to `passedTo` (the end of the last window that passed), if the
   * startup test is over by then, and keeps the rest of what arrived as the carry.
   */
  #release(samples: Uint8Array, start: number, passedTo: number): Uint8Array {
    const end = passedTo >= STARTUP_SAMPLES ? passedTo : this.#releasedTo;
    const carried = this.#carry;
    let released: Uint8Array = NOTHING;
    if (end > this.#releasedTo && carried.length === 0) {
      // Nothing held back (chunks that end on window boundaries): no copy.
      released = samples.subarray(0, end - start);
    } else if (end > this.#releasedTo) {
      released = new Uint8Array(end - this.#releasedTo);
      const fromCarry = Math.min(carried.length, released.length);
      released.set(carried.subarray(0, fromCarry));
      released.set(samples.subarray(0, released.length - fromCarry), fromCarry);
    }
    // What stays: the stream from `end` to what was tested, from the carry and this chunk.
    const keepFrom = Math.max(end, this.#releasedTo);
    const tested = this.#samples;
    if (keepFrom >= tested) {
      this.#carry = NOTHING;
    } else if (keepFrom >= start) {
      this.#carry = samples.slice(keepFrom - start, tested - start);
    } else {
      const carry = new Uint8Array(tested - keepFrom);
      const fromOld = carried.subarray(keepFrom - this.#releasedTo);
      carry.set(fromOld);
      carry.set(samples.subarray(0, tested - start), fromOld.length);
      this.#carry = carry;
    }
    this.#releasedTo = keepFrom;
    return released;
  }
}
