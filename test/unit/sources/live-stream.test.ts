// The live sources' shared life (serial, rtl_tcp, line-in) and the stall clock the
// model downloader shares with them, driven with fake timers: backpressure stops the
// clock, one failure ends the stream behind its samples, dispose releases once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DisposedError as LifecycleDisposedError } from 'lifecycle-utils';
import { DisposedError } from '../../../native-bridge/resource/disposed-error.std';
import { LiveStream, type LiveStreamHooks } from '../../../native-bridge/sources/live-stream.std';
import { StallWatchdog } from '../../../native-bridge/util/stall-watchdog.std';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function drain(iterator: AsyncIterator<Uint8Array>, chunks: number): Promise<number[]> {
  const got: number[] = [];
  for (let i = 0; i < chunks; i++) {
    const next = await iterator.next();
    if (next.done) break;
    got.push(...next.value);
  }
  return got;
}

function hooks(): LiveStreamHooks & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    onStall: (quietMs) => calls.push(`stall ${quietMs >= 1000}`),
    release: () => {
      calls.push('release');
      return Promise.resolve(new Error('the port would not close'));
    },
  };
}

describe('stall watchdog', () => {
  it('fires once after the timeout without news, and not while news keeps coming', () => {
    const stalls: number[] = [];
    const watchdog = new StallWatchdog(1000, (quiet) => stalls.push(quiet));
    watchdog.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      watchdog.heard();
    }
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(1250);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(1000);
    expect(watchdog.running).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(stalls).toHaveLength(1);
  });

  it('does not count a blocked event loop as silence, and counts the silence after it', () => {
    let now = performance.now();
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const tick = (ms: number) => {
      for (let t = 0; t < ms; t += 10) {
        now += 10;
        vi.advanceTimersByTime(10);
      }
    };
    const stalls: number[] = [];
    const watchdog = new StallWatchdog(1000, (quiet) => stalls.push(quiet));
    watchdog.start();
    // The loop is blocked for 3 s: the clock moves on, but no check runs until it is free.
    now += 3000;
    tick(250);
    expect(stalls).toEqual([]);
    tick(1000);
    expect(stalls).toHaveLength(1);
    vi.restoreAllMocks();
  });

  it('refuses a timeout that is not positive', () => {
    expect(() => new StallWatchdog(0, () => {})).toThrow(/must be positive, not 0 ms/);
  });
});

describe('live stream', () => {
  it('pauses the device when the consumer is behind, stops the stall clock meanwhile, and resumes it once drained', async () => {
    const h = hooks();
    const stream = new LiveStream({ name: 'The test source', highWaterMark: 4, stallTimeoutMs: 1000 }, h);
    stream.watch();
    stream.deliver(Uint8Array.of(1, 2));
    stream.deliver(Uint8Array.of(3, 4));
    expect(stream.pressured).toBe(true);
    expect(h.calls).toEqual(['pause']);
    vi.advanceTimersByTime(5000);
    expect(h.calls).toEqual(['pause']); // a paused device is not a stalled one
    const iterator = stream.samples()[Symbol.asyncIterator]();
    expect(await drain(iterator, 2)).toEqual([1, 2, 3, 4]);
    expect(h.calls).toEqual(['pause', 'resume']);
    vi.advanceTimersByTime(1250);
    expect(h.calls).toEqual(['pause', 'resume', 'stall true']);
  });

  it('ends with the first failure behind the samples already received, releases once, and reports the release error to the first dispose only', async () => {
    const h = hooks();
    const stream = new LiveStream({ name: 'The test source', highWaterMark: 1 << 20, stallTimeoutMs: 1000 }, h);
    stream.deliver(Uint8Array.of(7));
    stream.fail(new Error('unplugged'));
    stream.fail(new Error('a second failure'));
    stream.deliver(Uint8Array.of(8));
    const iterator = stream.samples()[Symbol.asyncIterator]();
    expect(await drain(iterator, 1)).toEqual([7]);
    await expect(iterator.next()).rejects.toThrow('unplugged');
    expect(stream.failure?.message).toBe('unplugged');
    expect((await stream.dispose())?.message).toBe('the port would not close');
    expect(await stream.dispose()).toBeUndefined();
    expect(h.calls.filter((c) => c === 'release')).toHaveLength(1);
    expect(() => stream.samples()).toThrow(DisposedError);
  });

  it('stops at once on a failure whose cause is found later, and a disposed stream ends quietly instead', async () => {
    const h = hooks();
    const stream = new LiveStream({ name: 'The test source', highWaterMark: 1 << 20, stallTimeoutMs: 1000 }, h);
    let tell!: (error: Error) => void;
    stream.fail(new Promise<Error>((resolve) => (tell = resolve)));
    expect(stream.finished).toBe(true);
    stream.deliver(Uint8Array.of(1));
    const iterator = stream.samples()[Symbol.asyncIterator]();
    const next = iterator.next();
    tell(new Error('went away'));
    await expect(next).rejects.toThrow('went away');

    const quiet = new LiveStream({ name: 'The test source', highWaterMark: 1 << 20, stallTimeoutMs: 1000 }, hooks());
    let later!: (error: Error) => void;
    quiet.fail(new Promise<Error>((resolve) => (later = resolve)));
    const ended = quiet.samples()[Symbol.asyncIterator]().next();
    await quiet.dispose();
    later(new Error('too late'));
    expect(await ended).toEqual({ done: true, value: undefined });
  });
});

describe('disposed error', () => {
  it("is lifecycle-utils' DisposedError (node-llama-cpp's), and names the resource", () => {
    const error = new DisposedError('The test source');
    expect(error).toBeInstanceOf(LifecycleDisposedError);
    expect(error.message).toBe('The test source was used after it was disposed.');
    expect(error.name).toBe('DisposedError');
  });
});
