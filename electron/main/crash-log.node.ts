// The main process's log of crashes and internal errors: a local file only, nothing
// is ever sent anywhere. One line a report (time, what happened), followed by the
// error's stack indented; the file rotates at a size cap so it never grows unbounded.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CrashLogOptions {
  /** Rotate when the file passes this size: main.log becomes main.log.1, replacing the older one. Default 1 MiB. */
  maxBytes?: number;
  /** Where reports go when the file cannot be written. Default: stderr. */
  fallback?: (text: string) => void;
  now?: () => Date;
}

export interface CrashLog {
  /** The log file: `<dir>/main.log`. */
  readonly path: string;
  write(message: string, error?: unknown): void;
}

export const CRASH_LOG_FILE = 'main.log';

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? '' : `\ncaused by: ${describeError(error.cause)}`;
    return `${error.stack ?? `${error.name}: ${error.message}`}${cause}`;
  }
  return String(error);
}

export function openCrashLog(dir: string, options: CrashLogOptions = {}): CrashLog {
  const path = join(dir, CRASH_LOG_FILE);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const fallback = options.fallback ?? ((text: string) => void process.stderr.write(text));
  const now = options.now ?? (() => new Date());
  return {
    path,
    write(message, error) {
      const detail = error === undefined ? '' : `\n${describeError(error).replace(/^/gm, '    ')}`;
      const text = `${now().toISOString()} ${message}${detail}\n`;
      try {
        mkdirSync(dir, { recursive: true });
        let size = 0;
        try {
          size = statSync(path).size;
        } catch {
          size = 0; // no log yet
        }
        if (size > 0 && size + Buffer.byteLength(text) > maxBytes) renameSync(path, `${path}.1`);
        appendFileSync(path, text, { mode: 0o600 });
      } catch (failure) {
        fallback(`${text}(could not write ${path}: ${(failure as Error).message})\n`);
      }
    },
  };
}

/** The process events that mean something went wrong where no caller could catch it. */
export interface CrashSource {
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/** Logs uncaught exceptions and unhandled rejections instead of dying silently or showing a raw dialog. */
export function logUncaught(source: CrashSource, log: CrashLog): void {
  source.on('uncaughtException', (error, origin) => log.write(`Uncaught exception (${origin}) in the main process`, error));
  source.on('unhandledRejection', (reason) => log.write('Unhandled promise rejection in the main process', reason));
}
