// One file over HTTP(S), written to a partial file that a later call resumes, bounded in every
// way a hostile network can push: bytes (never more than promised), time (a watchdog from the
// first request on, covering name lookup, connection and redirects), redirects (http(s) only,
// at most 10), retries (server errors give up within a minute) and disk (a full disk is a
// sentence, not a stack trace). A resume sends If-Range with the first answer's ETag or
// Last-Modified, so a file changed upstream restarts from zero instead of being spliced.
import { createWriteStream, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { StallWatchdog } from '../../native-bridge/util/stall-watchdog.std';
import { formatBytes } from '../api/units.std';

/** Why a download did not complete: what the caller tells the user and does with the partial file. */
export class HttpDownloadError extends Error {
  override readonly name = 'HttpDownloadError';
  constructor(
    message: string,
    /** stalled and aborted keep the partial file for a resume; refused and failed say in `kept` whether it stays. */
    readonly kind: 'stalled' | 'aborted' | 'refused' | 'failed',
    /** Whether the partial file was kept for a resume. */
    readonly kept: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface HttpDownloadOptions {
  url: string;
  /** Where the bytes go while they arrive; its size is always the bytes received. */
  partialPath: string;
  /** The size promised (the catalog's); `exact` when it is the file's exact size. */
  expectedBytes: number;
  exact: boolean;
  /** What the messages call the source ("huggingface.co"). */
  description: string;
  signal?: AbortSignal;
  /** Milliseconds without progress (no answer, no byte) before the download stops as stalled. Default 60 000. */
  stallMs?: number;
  /** How long failing answers (5xx, 429, refused or dropped connections) are retried without a byte of progress. Default 60 000. */
  retryForMs?: number;
  /** Free bytes on the disk holding `dir`, checked as the file grows. */
  freeBytes: (dir: string) => Promise<number>;
  onProgress?: (received: number, total: number) => void;
}

/** What the first answer said about the file, kept beside the partial file for the resume. */
interface Validator {
  etag: string | null;
  lastModified: string | null;
  total: number | null;
}

const MAX_REDIRECTS = 10;
/** Room kept free on the disk besides the file itself. */
const DISK_MARGIN = 32 * 2 ** 20;
/** Bytes waiting for the disk before the response is paused. */
const WRITE_BACKLOG = 32 * 2 ** 20;
/** A body of unknown size may exceed an approximate catalog size by this much. */
const APPROXIMATE_SLACK = 0.25;

const metaPath = (partialPath: string) => `${partialPath}.json`;

async function readValidator(partialPath: string): Promise<Validator | undefined> {
  try {
    const parsed = JSON.parse(await readFile(metaPath(partialPath), 'utf8')) as Partial<Validator>;
    return { etag: typeof parsed.etag === 'string' ? parsed.etag : null, lastModified: typeof parsed.lastModified === 'string' ? parsed.lastModified : null, total: typeof parsed.total === 'number' ? parsed.total : null };
  } catch {
    return undefined; // none yet, or unreadable: the resume starts from zero
  }
}

/**
 * Synchronous, like everything between a response's arrival and its 'data' listener: a short
 * body and the connection's close can arrive during any await there, and would be lost.
 */
function writeValidator(partialPath: string, validator: Validator): void {
  const temp = `${metaPath(partialPath)}.tmp`;
  writeFileSync(temp, JSON.stringify(validator));
  renameSync(temp, metaPath(partialPath));
}


/** Bytes received so far: the partial file's size (it is written in order, without holes). */
export async function receivedBytes(partialPath: string): Promise<number> {
  try {
    return (await stat(partialPath)).size;
  } catch {
    return 0; // no partial file
  }
}

/**
 * Removes the partial file and what it knows about the file it holds. Synchronous, as it may run
 * between a response's arrival and its 'data' listener (see writeValidator).
 */
export function removePartial(partialPath: string): void {
  rmSync(partialPath, { force: true });
  rmSync(metaPath(partialPath), { force: true });
}

/** A strong ETag (If-Range needs one) or undefined. */
const strongEtag = (etag: string | null) => (etag && !etag.startsWith('W/') ? etag : undefined);

function totalFrom(response: IncomingMessage): number | null {
  const range = /\/(\d+)\s*$/.exec(response.headers['content-range'] ?? '');
  if (range) return Number(range[1]);
  const length = response.headers['content-length'];
  return response.statusCode === 200 && length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
}

class Retryable extends Error {}
class Restart extends Error {}

/** Downloads `url` into the partial file; resolves once it holds the whole file. */
export async function httpDownload(options: HttpDownloadOptions): Promise<{ total: number }> {
  const stallMs = options.stallMs ?? 60_000;
  const retryForMs = options.retryForMs ?? 60_000;
  let received = await receivedBytes(options.partialPath);
  let validator = await readValidator(options.partialPath);
  // Without a validator a resume could splice two versions of the file: start again.
  if (received > 0 && !strongEtag(validator?.etag ?? null) && !validator?.lastModified) {
    removePartial(options.partialPath);
    received = 0;
    validator = undefined;
  }
  let lastProgressAt = performance.now();
  let lastFailure = '';
  let failuresWithoutProgress = 0;
  let receivedAtFailure = received;
  for (;;) {
    // The resume starts where the file ends: the bytes on disk, never a count of bytes received.
    received = await receivedBytes(options.partialPath);
    if (options.signal?.aborted) throw new HttpDownloadError('stopped', 'aborted', received > 0, { cause: options.signal.reason });
    try {
      const total = await fetchOnce(options, received, validator, stallMs, (bytes) => {
        received = bytes;
        lastProgressAt = performance.now();
      }, (next) => (validator = next));
      return { total };
    } catch (error) {
      if (error instanceof Restart) {
        removePartial(options.partialPath);
        validator = undefined;
        lastFailure = error.message;
        continue;
      }
      if (!(error instanceof Retryable)) throw error;
      lastFailure = error.message;
      const waited = performance.now() - lastProgressAt;
      if (waited >= retryForMs) {
        throw new HttpDownloadError(
          `${options.description} kept failing for ${Math.round(waited / 1000)} s (${lastFailure}), so the download stopped.${received > 0 ? ` The ${formatBytes(received)} received are kept for a resume.` : ''}`,
          'failed',
          received > 0,
          { cause: error },
        );
      }
      // A failure after progress (a dropped connection) resumes at once; failures in a row
      // back off 0.5, 1, 2, 4, 8 s…, never past the retry budget.
      failuresWithoutProgress = received > receivedAtFailure ? 0 : failuresWithoutProgress + 1;
      receivedAtFailure = received;
      if (failuresWithoutProgress > 0) await sleep(Math.min(8000, 250 * 2 ** Math.min(failuresWithoutProgress, 5), Math.max(0, retryForMs - waited)), options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * One request (following redirects) and its body. Resolves with the total when the partial file
 * is complete; throws Retryable for a failure worth another try, Restart when the partial file
 * cannot be continued, HttpDownloadError for the rest.
 */
async function fetchOnce(
  options: HttpDownloadOptions,
  from: number,
  validator: Validator | undefined,
  stallMs: number,
  onBytes: (received: number) => void,
  onValidator: (validator: Validator) => void,
): Promise<number> {
  const controller = new AbortController();
  const abortRequest = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortRequest, { once: true });
  let stalled = false;
  const watchdog = new StallWatchdog(stallMs, () => {
    stalled = true;
    controller.abort(new Error('stalled'));
  });
  watchdog.start();
  const kept = () => from > 0;
  try {
    const response = await follow(options.url, from, validator, controller.signal, options.description).catch((error: unknown) => {
      throw classify(error, stalled, options, stallMs, kept());
    });
    watchdog.heard();
    const status = response.statusCode ?? 0;
    if (status === 416) {
      response.resume();
      if (validator?.total === from && from > 0) return from; // it had all arrived already
      throw new Restart(`${options.description} refused the resume (416)`);
    }
    if (status === 429 || status >= 500) {
      response.resume();
      throw new Retryable(`it answered ${status} ${response.statusMessage ?? ''}`.trim());
    }
    if (status !== 200 && status !== 206) {
      response.resume();
      throw new HttpDownloadError(`${options.description} answered ${status} ${response.statusMessage ?? ''}`.trim() + ' for the file.', 'refused', kept());
    }
    const total = totalFrom(response);
    const next: Validator = { etag: (response.headers.etag as string | undefined) ?? null, lastModified: response.headers['last-modified'] ?? null, total };
    let start = 0;
    if (status === 206) {
      start = Number(/^bytes (\d+)-/.exec(response.headers['content-range'] ?? '')?.[1] ?? NaN);
      // A range from elsewhere, or a changed file behind an ignored If-Range: never splice.
      const changed = validator && ((strongEtag(validator.etag) && next.etag && next.etag !== validator.etag) || (validator.total !== null && total !== null && total !== validator.total));
      if (start !== from || changed) {
        response.resume();
        throw new Restart(`${options.description} answered the resume with ${changed ? 'another version of the file' : `bytes from ${start}`}`);
      }
    } else if (from > 0) {
      // 200 to a ranged request: the whole file again (the server ignored the range, or the
      // file changed and If-Range said so). Start over with what arrives now.
      removePartial(options.partialPath);
      onBytes(0);
    }
    // Bounded by what was promised: the catalog's exact size, else what the server announced
    // within reason, else the catalog's approximate size with some slack.
    const limit = options.exact ? options.expectedBytes : Math.ceil(Math.min(total ?? Infinity, options.expectedBytes * (1 + APPROXIMATE_SLACK) + 2 ** 20));
    if (options.exact && total !== null && total !== options.expectedBytes) {
      // Another file than the catalog's: nothing of it is kept, and nothing earlier is continued with it.
      response.resume();
      removePartial(options.partialPath);
      throw new HttpDownloadError(
        `${options.description} announces ${total.toLocaleString('en')} bytes for a file the catalog gives as exactly ${options.expectedBytes.toLocaleString('en')}: it is another file, so nothing was downloaded.`,
        'refused',
        false,
      );
    }
    if (total !== null && total > limit) {
      response.resume();
      throw new HttpDownloadError(
        `${options.description} announces ${total.toLocaleString('en')} bytes for a file the catalog gives as about ${options.expectedBytes.toLocaleString('en')}: nothing more was downloaded.`,
        'refused',
        kept(),
      );
    }
    onValidator(next);
    writeValidator(options.partialPath, next);
    const end = await writeBody(response, options, start, limit, total, () => watchdog.heard(), onBytes, () => stalled, controller.signal);
    if (total !== null && end < total) throw new Retryable(`the connection closed after ${formatBytes(end)} of ${formatBytes(total)}`);
    if (options.exact && end !== options.expectedBytes) {
      removePartial(options.partialPath);
      throw new HttpDownloadError(`${options.description} sent ${end.toLocaleString('en')} bytes where the catalog expects ${options.expectedBytes.toLocaleString('en')}.`, 'failed', false);
    }
    return end;
  } finally {
    watchdog.stop();
    options.signal?.removeEventListener('abort', abortRequest);
  }
}

/** A request's failure as the caller handles it: stalled or stopped (partial kept), or worth another try. */
function classify(error: unknown, stalled: boolean, options: HttpDownloadOptions, stallMs: number, kept: boolean): Error {
  if (error instanceof HttpDownloadError || error instanceof Retryable || error instanceof Restart) return error;
  if (stalled) return new HttpDownloadError(`${options.description} sent nothing for ${Math.round(stallMs / 1000)} s.`, 'stalled', kept, { cause: error });
  if (options.signal?.aborted) return new HttpDownloadError('stopped', 'aborted', kept, { cause: error });
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new HttpDownloadError(`${options.description} could not be found (${code}): check the network connection.`, 'refused', kept, { cause: error });
  return new Retryable(code ? `${code}: ${(error as Error).message}` : (error as Error).message);
}

/** GET with redirects followed: http(s) only, at most MAX_REDIRECTS. */
async function follow(url: string, from: number, validator: Validator | undefined, signal: AbortSignal, description: string): Promise<IncomingMessage> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new HttpDownloadError(`${description} redirected the download to a ${current.protocol.replace(':', '')} address, which LightSeed does not follow (http and https only).`, 'refused', false);
    }
    const headers: Record<string, string> = { 'User-Agent': 'LightSeed', 'Accept-Encoding': 'identity' };
    if (from > 0) {
      headers.Range = `bytes=${from}-`;
      const ifRange = strongEtag(validator?.etag ?? null) ?? validator?.lastModified;
      if (ifRange) headers['If-Range'] = ifRange;
    }
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (current.protocol === 'https:' ? httpsRequest : httpRequest)(current, { method: 'GET', headers, signal }, resolve);
      request.on('error', reject);
      request.end();
    });
    const status = response.statusCode ?? 0;
    if (![301, 302, 303, 307, 308].includes(status)) return response;
    response.resume();
    const location = response.headers.location;
    if (!location) throw new HttpDownloadError(`${description} redirected the download without saying where.`, 'refused', false);
    if (hop + 1 > MAX_REDIRECTS) throw new HttpDownloadError(`${description} redirected the download more than ${MAX_REDIRECTS} times (a loop?), so it stopped.`, 'refused', false);
    try {
      current = new URL(location, current);
    } catch {
      throw new HttpDownloadError(`${description} redirected the download to an address that is not one (${location.slice(0, 80)}).`, 'refused', false);
    }
  }
}

/** Appends the body to the partial file from `start`; resolves with the bytes the file then holds. */
async function writeBody(
  response: IncomingMessage,
  options: HttpDownloadOptions,
  start: number,
  limit: number,
  total: number | null,
  onActivity: () => void,
  onBytes: (received: number) => void,
  stalled: () => boolean,
  signal: AbortSignal,
): Promise<number> {
  const dir = dirname(options.partialPath);
  const file: WriteStream = createWriteStream(options.partialPath, { flags: start > 0 ? 'r+' : 'w', start });
  let at = start;
  let checkedAt = start;
  try {
    // Read with 'data' events, not an async iterator: when a connection breaks, the iterator
    // drops the bytes that had arrived but were not yet read, and a resume would never progress.
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        response.destroy();
        reject(error);
      };
      response.on('data', (chunk: Buffer) => {
        if (failed) return;
        onActivity();
        if (at + chunk.length > limit) {
          fail(
            new HttpDownloadError(
              `${options.description} sent more than the ${limit.toLocaleString('en')} bytes ${total !== null ? 'it announced' : 'the catalog gives'}: the download was stopped and what arrived removed.`,
              'failed',
              false,
            ),
          );
          return;
        }
        file.write(chunk);
        at += chunk.length;
        onBytes(at);
        options.onProgress?.(at, total ?? limit);
        // The write stream holds what the disk has not taken yet; the response is paused only when
        // that grows large (a paused response whose connection breaks loses what it had buffered).
        const backlog = file.writableLength > WRITE_BACKLOG;
        // The disk, every 8 MiB: the rest of the file must still fit.
        const checkDisk = at - checkedAt >= 8 * 2 ** 20;
        if (backlog || checkDisk) {
          response.pause();
          void (async () => {
            if (backlog) await new Promise<void>((done) => file.once('drain', done));
            if (checkDisk) {
              checkedAt = at;
              const free = await options.freeBytes(dir);
              const rest = (total ?? limit) - at;
              if (free < rest + DISK_MARGIN) return fail(diskFull(dir, rest, free, at));
            }
            response.resume();
          })().catch(fail);
        }
      });
      response.once('end', () => (failed ? undefined : resolve()));
      response.once('error', fail);
      response.once('close', () => {
        if (!response.complete) fail(new Error('the connection closed early'));
      });
      file.once('error', fail);
    });
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    onBytes(at);
    return at;
  } catch (error) {
    // What arrived is flushed before anything else: the next attempt resumes at the file's
    // length, and bytes counted but never written would leave a hole in it.
    if (!file.destroyed) await new Promise<void>((resolve) => file.end(() => resolve()));
    if (error instanceof HttpDownloadError) {
      if (!error.kept) removePartial(options.partialPath);
      throw error;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull(dir, (total ?? limit) - at, await options.freeBytes(dir).catch(() => 0), at, error);
    if (stalled()) throw new HttpDownloadError(`${options.description} stopped sending.`, 'stalled', at > 0, { cause: error });
    if (signal.aborted) throw new HttpDownloadError('stopped', 'aborted', at > 0, { cause: error });
    throw new Retryable(`the connection broke after ${formatBytes(at)} (${(error as Error).message})`);
  }
}

function diskFull(dir: string, rest: number, free: number, kept: number, cause?: unknown): HttpDownloadError {
  return new HttpDownloadError(
    `The disk holding ${dir} is full: the rest of the file needs ${formatBytes(rest + DISK_MARGIN)} and ${formatBytes(free)} is free. ` +
      `The ${formatBytes(kept)} received are kept in ${dir}; make room and get it again to resume.`,
    'failed',
    true,
    cause === undefined ? undefined : { cause },
  );
}
