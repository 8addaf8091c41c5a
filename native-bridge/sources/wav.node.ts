// `wav:PATH?bits=K&channel=C`: replays a recorded capture (a CRT or radio-static rig
// recorded through a sound card) as the low K bits of one channel's 16-bit samples.
// The RIFF/WAVE parsing lives in wav-format.std.ts; this file is the shell: the file
// handle, the identity, and streaming the data chunk in pieces.
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DisposedError } from '../resource/disposed-error.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import { SourceError, type SampleSource, type SourceInfo } from './source.std';
import { lowBitsOfChannel, readWavLayout, WavFormatError, type WavLayout } from './wav-format.std';

export interface WavSourceOptions {
  /** Bytes of the data chunk read at a time, rounded down to whole frames. Default 64 KiB. */
  readChunkBytes?: number;
}

const DEFAULT_READ_CHUNK = 64 * 1024;
/** The identity hashes this much of the file (header and first samples) with its size. */
const IDENTITY_BYTES = 64 * 1024;

export async function openWavSource(parsed: ParsedSourceUri, options: WavSourceOptions = {}): Promise<SampleSource> {
  checkParams(parsed, ['bits', 'channel']);
  const bits = intParam(parsed, 'bits', 4, 1, 8);
  const channel = intParam(parsed, 'channel', 0, 0, 65535);
  if (!parsed.target) throw new SourceError('config', 'A wav source needs a path: wav:PATH?bits=K&channel=C.');
  const readChunkBytes = options.readChunkBytes ?? DEFAULT_READ_CHUNK;
  if (!Number.isInteger(readChunkBytes) || readChunkBytes < 1) throw new SourceError('config', `readChunkBytes must be a positive whole number, not ${readChunkBytes}.`);
  const path = resolve(parsed.target);

  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error);
  });
  if (!stats.isFile()) throw new SourceError('config', `${path} is not a file: give the path of a .wav recording.`);
  const handle = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw fileError(path, error);
  });
  try {
    const layout = await readWavLayout(readerFor(handle), stats.size).catch((error: unknown) => {
      if (!(error instanceof WavFormatError)) throw error;
      const what = error.problem === 'not-wav' ? 'is not a WAV file' : error.problem === 'unsupported' ? 'is a WAV file the wav source cannot read' : 'is a damaged WAV file';
      const advice = error.problem === 'not-wav' ? ' Record the capture as 16-bit PCM WAV, or replay raw samples with file:PATH?bits=K.' : '';
      throw new SourceError('config', `${path} ${what}: ${error.message}.${advice}`, { cause: error });
    });
    const { channels } = layout.format;
    if (channel >= channels) {
      const plural = channels === 1 ? '1 channel, so use channel=0' : `${channels} channels: use channel=0 to channel=${channels - 1}`;
      throw new SourceError('config', `${path} has ${plural} (the URI asks for channel=${channel}).`);
    }
    const head = new Uint8Array(Math.min(IDENTITY_BYTES, stats.size));
    await handle.read(head, 0, head.length, 0);
    // Identify the content, not the name: the same recording under another name is the
    // same noise, and its assessment applies (the same rule as file:).
    const digest = createHash('sha256').update(head).update(String(stats.size)).digest('hex').slice(0, 16);
    const info = describeWav(path, layout, bits, channel, digest);
    return new WavSource(info, path, handle, layout, bits, channel, readChunkBytes);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function describeWav(path: string, layout: WavLayout, bits: number, channel: number, digest: string): SourceInfo {
  const { sampleRate, channels } = layout.format;
  const durationSeconds = layout.frames / sampleRate;
  return {
    uri: `wav:${path}?bits=${bits}&channel=${channel}`,
    kind: 'wav',
    bitsPerSample: bits,
    // The bits taken and the channel shape the samples, so both belong to the identity.
    deviceId: `wav:${digest}/bits=${bits}/ch=${channel}`,
    description: `Recording ${path} (${sampleRate} Hz, ${channels} ${channels === 1 ? 'channel' : 'channels'}, channel ${channel}, low ${bits} ${bits === 1 ? 'bit' : 'bits'})`,
    metadata: {
      path,
      sampleRate,
      channels,
      channel,
      bits,
      frames: layout.frames,
      truncated: layout.truncated,
      durationSeconds,
    },
    nominalRate: sampleRate,
    ...(layout.truncated
      ? { note: `The recording was cut short: its data chunk declares ${layout.declaredDataBytes} bytes but the file holds ${layout.dataBytes}; the ${layout.frames} whole frames present are replayed.` }
      : {}),
  };
}

class WavSource implements SampleSource {
  readonly #handle: FileHandle;
  readonly #layout: WavLayout;
  readonly #bits: number;
  readonly #channel: number;
  readonly #readBytes: number;
  readonly #path: string;
  #iterated = false;
  #disposed = false;
  #closing: Promise<void> | undefined;

  constructor(
    readonly info: SourceInfo,
    path: string,
    handle: FileHandle,
    layout: WavLayout,
    bits: number,
    channel: number,
    readChunkBytes: number,
  ) {
    this.#path = path;
    this.#handle = handle;
    this.#layout = layout;
    this.#bits = bits;
    this.#channel = channel;
    // Whole frames per read, so no frame straddles two reads.
    const blockAlign = layout.format.blockAlign;
    this.#readBytes = Math.max(1, Math.floor(readChunkBytes / blockAlign)) * blockAlign;
  }

  samples(): AsyncIterable<Uint8Array> {
    if (this.#disposed) throw new DisposedError(`The wav source ${this.#path}`);
    if (this.#iterated) throw new Error('A source can be read only once.');
    this.#iterated = true;
    return this.#stream();
  }

  async *#stream(): AsyncGenerator<Uint8Array> {
    const { dataOffset, dataBytes, format } = this.#layout;
    const buffer = new Uint8Array(this.#readBytes);
    let done = 0;
    while (done < dataBytes && !this.#disposed) {
      const want = Math.min(this.#readBytes, dataBytes - done);
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.#handle.read(buffer, 0, want, dataOffset + done));
      } catch (error) {
        if (this.#disposed) return;
        throw new SourceError('disconnected', `Reading ${this.#path} failed after ${done / format.blockAlign} frames: ${(error as Error).message}. Check that the disk or share holding it is still there.`, { cause: error });
      }
      if (bytesRead < want) {
        // The layout was measured at open; a file that shrank since is not the recording that was identified.
        throw new SourceError('disconnected', `${this.#path} became shorter while it was replayed (expected ${dataBytes} bytes of samples, it ends after ${done + bytesRead}): do not edit a recording during a harvest.`);
      }
      done += bytesRead;
      if (this.#disposed) return;
      yield lowBitsOfChannel(buffer.subarray(0, bytesRead), format.blockAlign, this.#channel, this.#bits);
    }
  }

  dispose(): Promise<void> {
    this.#disposed = true;
    // An iteration in progress sees #disposed after its read and returns; the handle
    // closes once, however often dispose is called.
    this.#closing ??= this.#handle.close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function readerFor(handle: FileHandle): (offset: number, length: number) => Promise<Uint8Array> {
  return async (offset, length) => {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, offset);
    return bytes.subarray(0, bytesRead);
  };
}

function fileError(path: string, error: NodeJS.ErrnoException): SourceError {
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new SourceError('permission', `LightSeed may not read ${path} (${error.code}): give your user read access to the recording.`, { cause: error });
  }
  if (error.code === 'ENOENT') return new SourceError('unreachable', `There is no recording at ${path}: check the path.`, { cause: error });
  return new SourceError('unreachable', `Cannot read the recording ${path}: ${error.message}`, { cause: error });
}
