// The shell's graceful shutdown: the first quit is held until the services have
// stopped (harvest stopped with its credit kept, the engine process ended, the
// database closed), then let through. A shutdown that hangs or fails still quits.

export interface QuitGuardOptions {
  shutdown: () => Promise<void>;
  /** Quits for real (app.quit()); the guard lets the second will-quit through. */
  quit: () => void;
  log: (message: string, error?: unknown) => void;
  /** Give up waiting after this long. Default 10 s. */
  timeoutMs?: number;
}

/** A will-quit listener. */
export function quitGuard(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  return (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        options.log(`Shutdown took longer than ${timeoutMs} ms; quitting anyway`);
        resolve();
      }, timeoutMs);
    });
    Promise.race([options.shutdown().catch((error: unknown) => options.log('Shutdown failed', error)), timeout]).finally(() => {
      clearTimeout(timer);
      state = 'stopped';
      options.quit();
    });
  };
}
