// A file named on the command line, read whole. Only regular files: a FIFO or a device would
// block (or never end) where a file is expected, so it is refused before it is opened.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** The file's kind in words, for a path that is not a regular file. */
function kindOf(stats: Awaited<ReturnType<FileHandle['stat']>>): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export interface ReadInputFileOptions {
  /** What the file should hold, for the messages ("a sample file"). */
  what: string;
  /** Refuse files larger than this many bytes, before reading them. */
  maxBytes?: number;
}

/** Reads a regular file whole, refusing anything else with a sentence that says what to do. */
export async function readInputFile(path: string, options: ReadInputFileOptions): Promise<Uint8Array> {
  // Opened without blocking (a FIFO with no writer would wait here for ever), then examined
  // through the open handle, so what was checked is what is read. ENOENT and EACCES are
  // worded by the CLI's system-error sentences.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return await readChecked(handle, path, options);
  } finally {
    await handle.close();
  }
}

async function readChecked(handle: FileHandle, path: string, options: ReadInputFileOptions): Promise<Uint8Array> {
  const stats = await handle.stat();
  if (!stats.isFile()) {
    throw new Error(`${path} is ${kindOf(stats)}, not ${options.what}: ${stats.isDirectory() ? 'name a file in it' : 'save its contents to a file first and name that file'}.`);
  }
  if (options.maxBytes !== undefined && stats.size > options.maxBytes) {
    throw new Error(`${path} is ${(stats.size / 2 ** 20).toFixed(1)} MiB, more than ${(options.maxBytes / 2 ** 20).toFixed(0)} MiB for ${options.what}: it was not read.`);
  }
  const buffer = new Uint8Array(stats.size);
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset === buffer.length ? buffer : buffer.subarray(0, offset);
}
