// Downloads one catalog model with node-llama-cpp's downloader (ipull: parallel ranged
// connections, retries, and a `.ipull` partial file that a later download resumes), after
// checking the disk has room; then checks the size and the published SHA-256. A file that
// fails either is removed and never returned; a paused or interrupted download keeps its
// partial file and says where it is.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat, statfs } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createModelDownloader, type ModelDownloader } from 'node-llama-cpp';
import { formatBytes } from '../api/units.std';
import { sha256File } from '../store/sha256-file.node';
import { diskNeeded, needsConversion, type CatalogEntry } from './catalog.std';
import type { ModelSource } from './model-source.node';

/** ipull keeps the bytes received so far, and where they go, in FILE.ipull until the download ends. */
const PARTIAL_SUFFIX = '.ipull';

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
  /** Free bytes in `dir`, for the check before starting. Default: the file system's own count (statfs). */
  freeBytes?: (dir: string) => Promise<number>;
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

/** Where an entry's file is downloaded: the catalog name keeps apart files that share a name (three are ggml-model-i2_s.gguf). */
export function downloadPath(dir: string, entry: CatalogEntry): string {
  return join(dir, `${entry.name}--${entry.file}`);
}

/** Bytes already on disk from an earlier, unfinished download of the entry (0 when none). */
export async function partialBytes(dir: string, entry: CatalogEntry): Promise<number> {
  try {
    return (await stat(downloadPath(dir, entry) + PARTIAL_SUFFIX)).size;
  } catch {
    return 0; // no partial file: nothing downloaded yet
  }
}

/** Removes the entry's partial and downloaded files. */
export async function removeDownload(dir: string, entry: CatalogEntry): Promise<void> {
  await rm(downloadPath(dir, entry) + PARTIAL_SUFFIX, { force: true });
  await rm(downloadPath(dir, entry), { force: true });
}

async function statfsFree(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

/**
 * A file from a local mirror: copied in a stream with progress, to FILE.ipull and renamed when
 * complete (node-llama-cpp's downloader takes URLs only). A pause removes the partial copy: a
 * local copy restarts in seconds.
 */
async function copyLocal(from: string, to: string, expected: number, report: (status: { totalSize: number; downloadedSize: number }) => void, signal: AbortSignal | undefined): Promise<void> {
  const partial = to + PARTIAL_SUFFIX;
  const totalSize = (await stat(from)).size || expected;
  let downloadedSize = 0;
  const reader = createReadStream(from, { highWaterMark: 1 << 20 });
  reader.on('data', (chunk) => {
    downloadedSize += chunk.length;
    report({ totalSize, downloadedSize });
  });
  try {
    await pipeline(reader, createWriteStream(partial), signal ? { signal } : {});
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, to);
}

/** Downloads and verifies the entry's file; resolves with its path and SHA-256. */
export async function downloadModel(options: DownloadOptions): Promise<{ path: string; sha256: string }> {
  const { entry, dir, source } = options;
  mkdirSync(dir, { recursive: true });
  const destination = downloadPath(dir, entry);
  const partial = await partialBytes(dir, entry);
  const free = await (options.freeBytes ?? statfsFree)(dir);
  const needed = diskNeeded(entry, partial);
  if (needed > free) {
    const converted = needsConversion(entry) ? `, as much again for the converted copy` : '';
    throw new DownloadError(
      `${entry.title} needs ${formatBytes(needed)} free in ${dir} (${formatBytes(Math.max(0, entry.sizeBytes - partial))} to download${converted}); only ${formatBytes(free)} is free: make room, or choose a smaller model. Nothing was downloaded.`,
      'refused',
    );
  }

  const started = performance.now();
  const samples: { at: number; bytes: number }[] = [];
  let lastByteAt = started;
  let lastBytes = -1;
  let stalled = false;
  let downloader: ModelDownloader | undefined;
  const report = (status: { totalSize: number; downloadedSize: number }) => {
    const now = performance.now();
    if (status.downloadedSize !== lastBytes) {
      lastBytes = status.downloadedSize;
      lastByteAt = now;
    }
    samples.push({ at: now, bytes: status.downloadedSize });
    while (samples.length > 2 && now - samples[0]!.at > 5000) samples.shift();
    const first = samples[0]!;
    const bytesPerSecond = now > first.at ? ((status.downloadedSize - first.bytes) * 1000) / (now - first.at) : 0;
    const total = status.totalSize || entry.sizeBytes;
    options.onProgress?.({ downloaded: status.downloadedSize, total, bytesPerSecond, secondsLeft: bytesPerSecond > 0 ? (total - status.downloadedSize) / bytesPerSecond : null });
  };
  const stallMs = options.stallMs ?? 60_000;
  const watchdog = setInterval(() => {
    if (performance.now() - lastByteAt < stallMs || !downloader) return;
    stalled = true;
    void downloader.cancel({ deleteTempFile: false });
  }, Math.min(1000, stallMs / 4));

  try {
    if (!source.network) {
      await copyLocal(source.uri, destination, entry.sizeBytes, report, options.signal);
    } else {
      downloader = await createModelDownloader({
        modelUri: source.uri,
        dirPath: dir,
        fileName: `${entry.name}--${entry.file}`,
        ...(source.huggingFaceEndpoint ? { endpoints: { huggingFace: source.huggingFaceEndpoint } } : {}),
        // Never the user's Hugging Face token: every catalog file is public, and nothing of the user's leaves the machine.
        tokens: { huggingFace: null as unknown as string },
        deleteTempFileOnCancel: false,
        skipExisting: true,
        onProgress: report,
      });
      if (options.signal?.aborted) throw options.signal.reason;
      await downloader.download(options.signal ? { signal: options.signal } : {});
      // A download closed by a pause or the stall watchdog resolves as if it had ended.
      if (stalled) throw new Error('stalled');
      if (options.signal?.aborted) throw options.signal.reason;
    }
  } catch (error) {
    const kept = await partialBytes(dir, entry);
    const where = kept > 0 ? ` The ${formatBytes(kept)} received so far are kept in ${destination}${PARTIAL_SUFFIX}; getting it again resumes there.` : '';
    if (options.signal?.aborted) throw new DownloadError(`Paused ${entry.title}.${where}`, 'paused', { cause: error });
    if (stalled) throw new DownloadError(`${entry.title} stopped arriving: no data for ${Math.round(stallMs / 1000)} s from ${source.description}, so the download was paused.${where}`, 'paused', { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    throw new DownloadError(`Could not download ${entry.title} from ${source.description}: ${reason}.${where}`, kept > 0 ? 'paused' : 'refused', { cause: error });
  } finally {
    clearInterval(watchdog);
  }

  const { size } = await stat(destination);
  if (entry.sizeExact && size !== entry.sizeBytes) {
    await removeDownload(dir, entry);
    throw new DownloadError(`${entry.title} arrived with ${size.toLocaleString('en')} bytes where the catalog expects ${entry.sizeBytes.toLocaleString('en')}: the file was removed. Try again, or check ${source.description}.`, 'failed');
  }
  const sha256 = await sha256File(destination);
  if (entry.sha256 && sha256 !== entry.sha256) {
    await removeDownload(dir, entry);
    throw new DownloadError(
      `${entry.title} arrived damaged or changed: its SHA-256 is ${sha256}, the catalog expects ${entry.sha256}. The file was removed and nothing was registered. Try again, or check ${source.description}.`,
      'failed',
    );
  }
  return { path: destination, sha256 };
}
