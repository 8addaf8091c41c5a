import { describe, expect, it, vi } from 'vitest';
import { quitGuard } from '../../electron/main/quit-guard.std';

function harness(shutdown: () => Promise<void>, timeoutMs?: number) {
  const calls: string[] = [];
  const logged: string[] = [];
  let onQuit: (() => void) | undefined;
  const quit = new Promise<void>((resolve) => (onQuit = resolve));
  const guard = quitGuard({
    shutdown: async () => {
      calls.push('shutdown');
      await shutdown();
      calls.push('shut down');
    },
    quit: () => {
      calls.push('quit');
      guard(event('second will-quit'));
      onQuit?.();
    },
    log: (message) => logged.push(message),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const event = (name: string) => ({ preventDefault: () => calls.push(`${name} held`) });
  return { guard, calls, logged, quit, event };
}

describe('graceful shutdown on quit', () => {
  it('holds the first quit until the services have stopped, then lets the second through', async () => {
    const h = harness(() => new Promise((resolve) => setTimeout(resolve, 5)));
    h.guard(h.event('will-quit'));
    h.guard(h.event('impatient will-quit'));
    await h.quit;
    expect(h.calls).toEqual(['will-quit held', 'shutdown', 'impatient will-quit held', 'shut down', 'quit']);
    expect(h.logged).toEqual([]);
  });

  it('still quits, and says why, when shutting down fails', async () => {
    const h = harness(() => Promise.reject(new Error('database is locked')));
    h.guard(h.event('will-quit'));
    await h.quit;
    expect(h.calls).toEqual(['will-quit held', 'shutdown', 'quit']);
    expect(h.logged).toEqual(['Shutdown failed']);
  });

  it('gives up waiting on a shutdown that hangs', async () => {
    vi.useFakeTimers();
    try {
      const h = harness(() => new Promise(() => {}), 10_000);
      h.guard(h.event('will-quit'));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(h.calls).toEqual(['will-quit held', 'shutdown']);
      await vi.advanceTimersByTimeAsync(1);
      await h.quit;
      expect(h.calls.at(-1)).toBe('quit');
      expect(h.logged).toEqual(['Shutdown took longer than 10000 ms; quitting anyway']);
    } finally {
      vi.useRealTimers();
    }
  });
});
