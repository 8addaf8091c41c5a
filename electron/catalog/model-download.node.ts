// Downloads one catalog model with LightSeed's bounded HTTP downloader (one connection, a
// partial file that a later download resumes with If-Range), after checking the disk has room
// and taking the entry's lock; then checks the size and the published SHA-256. A file that
// fails either is removed and never returned; a paused or interrupted download keeps its
// partial file and says where it is.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { formatBytes } from '../api/units.std';
import { sha256File } from '../files/sha256-file.node';
import { diskNeeded, needsConversion, type CatalogEntry } from './catalog.std';
import { httpDownload, HttpDownloadError, receivedBytes, removePartial } from './http-download.node';
import type { ModelSource } from './model-source.node';

/** The bytes received so far go to FILE.partial (what they are: FILE.partial.json) until the download ends. */
const PARTIAL_SUFFIX = '.partial';
/** node-llama-cpp's downloader, used before, left FILE.ipull: not resumable by this one, so removed. */
const LEGACY_PARTIAL_SUFFIX = '.ipull';

export interface DownloadProgress {
  downloaded: number;
  total: number;
  /** Average over the last seconds; 0 before the first bytes. */
  bytesPerSecond: number;
  secondsLeft: number | null;
}

export interface DownloadOptions {
  entry: CatalogEntry;
  /** The folder the file is downloaded to (created if missing). */
  dir: string;
  source: ModelSource;
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborting pauses: the partial file stays for the next download to resume. */
  signal?: AbortSignal;
  /** Milliseconds without a byte before the download pauses itself as stalled. Default 60 000. */
  stallMs?: number;
  /** Free bytes in `dir`, for the check before starting and as the file grows. Default: the file system's own count (statfs). */
  freeBytes?: (dir: string) => Promise<number>;
  /** How long failing answers are retried without progress. Default 60 000 ms. */
  retryForMs?: number;
}

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    /** refused: nothing was fetched; paused: the partial file is kept; failed: the file was removed. */
    readonly kind: 'refused' | 'paused' | 'failed',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Where an entry's file is downloaded. Catalog names hold no "_", so NAME__FILE cannot be another
 * entry's name and file run together (three catalog files are ggml-model-i2_s.gguf).
 */
export function downloadPath(dir: string, entry: CatalogEntry): string {
  return join(dir, `${entry.name}__${entry.file}`);
}

/** Where an earlier LightSeed downloaded it (NAME--FILE), for models registered from there. */
export function legacyDownloadPath(dir: string, entry: CatalogEntry): string {
  return join(dir, `${entry.name}--${entry.file}`);
}

/** Bytes already on disk from an earlier, unfinished download of the entry (0 when none). */
export async function partialBytes(dir: string, entry: CatalogEntry): Promise<number> {
  return receivedBytes(downloadPath(dir, entry) + PARTIAL_SUFFIX);
}

/** Removes what an unfinished download left: never a finished file (a registered model may be it). */
export async function removePartialDownload(dir: string, entry: CatalogEntry): Promise<void> {
  removePartial(downloadPath(dir, entry) + PARTIAL_SUFFIX);
  await rm(legacyDownloadPath(dir, entry) + LEGACY_PARTIAL_SUFFIX, { force: true });
}

async function statfsFree(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

/**
 * One download of an entry at a time, across processes: FILE.lock holds the process id. A lock
 * whose process is gone (a crash) is taken over.
 */
async function takeLock(path: string, title: string): Promise<{ release: () => Promise<void> }> {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(lock, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DownloadError(`${title} is already being downloaded by another LightSeed (process ${pid}): it continues there.`, 'refused');
      }
      await rm(lock, { force: true }); // left by a process that is gone
    }
  }
  throw new DownloadError(`${title}: could not take the download lock ${lock}.`, 'refused');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A file from a local mirror: copied in a stream with progress, to the partial file and renamed
 * when complete. A pause removes the partial copy: a local copy restarts in seconds.
 */
async function copyLocal(from: string, to: string, report: (downloaded: number, total: number) => void, signal: AbortSignal | undefined): Promise<void> {
  const partial = to + PARTIAL_SUFFIX;
  const totalSize = (await stat(from)).size;
  let downloadedSize = 0;
  const reader = createReadStream(from, { highWaterMark: 1 << 20 });
  reader.on('data', (chunk) => {
    downloadedSize += chunk.length;
    report(downloadedSize, totalSize);
  });
  try {
    await pipeline(reader, createWriteStream(partial), signal ? { signal } : {});
  } catch (error) {
    removePartial(partial);
    throw error;
  }
  await rename(partial, to);
}

/** Downloads and verifies the entry's file; resolves with its path and SHA-256. */
export async function downloadModel(options: DownloadOptions): Promise<{ path: string; sha256: string }> {
  const { entry, dir } = options;
  mkdirSync(dir, { recursive: true });
  const destination = downloadPath(dir, entry);
  const lock = await takeLock(destination, entry.title);
  try {
    return await downloadLocked(options, destination);
  } finally {
    await lock.release();
  }
}

async function downloadLocked(options: DownloadOptions, destination: string): Promise<{ path: string; sha256: string }> {
  const { entry, dir, source } = options;
  await rm(legacyDownloadPath(dir, entry) + LEGACY_PARTIAL_SUFFIX, { force: true });
  const partial = await partialBytes(dir, entry);
  const freeBytes = options.freeBytes ?? statfsFree;
  const free = await freeBytes(dir);
  const needed = diskNeeded(entry, partial);
  if (needed > free) {
    const converted = needsConversion(entry) ? `, as much again for the converted copy` : '';
    throw new DownloadError(
      `${entry.title} needs ${formatBytes(needed)} free in ${dir} (${formatBytes(Math.max(0, entry.sizeBytes - partial))} to download${converted}); only ${formatBytes(free)} is free: make room, or choose a smaller model. Nothing was downloaded.`,
      'refused',
    );
  }

  const samples: { at: number; bytes: number }[] = [];
  const report = (downloaded: number, total: number) => {
    const now = performance.now();
    samples.push({ at: now, bytes: downloaded });
    while (samples.length > 2 && now - samples[0]!.at > 5000) samples.shift();
    const first = samples[0]!;
    const bytesPerSecond = now > first.at ? ((downloaded - first.bytes) * 1000) / (now - first.at) : 0;
    options.onProgress?.({ downloaded, total, bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? (total - downloaded) / bytesPerSecond : null });
  };
  const stallMs = options.stallMs ?? 60_000;
  try {
    if (!source.network) {
      await copyLocal(source.uri, destination, report, options.signal);
    } else {
      await httpDownload({
        url: source.uri,
        partialPath: destination + PARTIAL_SUFFIX,
        expectedBytes: entry.sizeBytes,
        exact: entry.sizeExact,
        description: source.description,
        stallMs,
        freeBytes,
        onProgress: report,
        ...(options.retryForMs !== undefined ? { retryForMs: options.retryForMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await rename(destination + PARTIAL_SUFFIX, destination);
      removePartial(destination + PARTIAL_SUFFIX);
    }
  } catch (error) {
    const kept = await partialBytes(dir, entry);
    const where = kept > 0 ? ` The ${formatBytes(kept)} received so far are kept in ${destination}${PARTIAL_SUFFIX}; getting it again resumes there.` : '';
    if (options.signal?.aborted) throw new DownloadError(`Paused ${entry.title}.${where}`, 'paused', { cause: error });
    if (error instanceof HttpDownloadError && error.kind === 'stalled') {
      throw new DownloadError(`${entry.title} stopped arriving: ${error.message} The download was paused.${where}`, 'paused', { cause: error });
    }
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    throw new DownloadError(`Could not download ${entry.title}: ${reason}.${where}`, kept > 0 ? 'paused' : 'refused', { cause: error });
  }

  const { size } = await stat(destination);
  if (entry.sizeExact && size !== entry.sizeBytes) {
    await rm(destination, { force: true });
    throw new DownloadError(`${entry.title} arrived with ${size.toLocaleString('en')} bytes where the catalog expects ${entry.sizeBytes.toLocaleString('en')}: the file was removed. Try again, or check ${source.description}.`, 'failed');
  }
  const sha256 = await sha256File(destination);
  if (entry.sha256 && sha256 !== entry.sha256) {
    await rm(destination, { force: true });
    throw new DownloadError(
      `${entry.title} arrived damaged or changed: its SHA-256 is ${sha256}, the catalog expects ${entry.sha256}. The file was removed and nothing was registered. Try again, or check ${source.description}.`,
      'failed',
    );
  }
  return { path: destination, sha256 };
}
