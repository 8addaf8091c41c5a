// `file:PATH?bits=K`: a raw sample file, one sample per byte in the low K bits,
// the layout NIST's assessment tool reads.
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DisposedError } from '../resource/disposed-error.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import { SourceError, type SampleSource, type SourceInfo } from './source.std';

const CHUNK = 64 * 1024;

export async function openFileSource(parsed: ParsedSourceUri): Promise<SampleSource> {
  checkParams(parsed, ['bits']);
  const bits = intParam(parsed, 'bits', 8, 1, 8);
  const path = parsed.target;
  if (!path) throw new SourceError('config', 'A file source needs a path: file:PATH?bits=K.');
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new SourceError(error.code === 'EACCES' ? 'permission' : 'unreachable', `Cannot read the sample file ${path}: ${error.message}`, { cause: error });
  });
  if (!info.isFile()) throw new SourceError('config', `${path} is not a file.`);
  if (info.size === 0) throw new SourceError('config', `${path} is empty: there are no samples in it.`);
  // Identify the content, not the name: the same capture under another name is the same noise.
  const handle = await open(path);
  const head = Buffer.alloc(Math.min(CHUNK, info.size));
  await handle.read(head, 0, head.length, 0);
  await handle.close();
  const digest = createHash('sha256').update(head).update(String(info.size)).digest('hex').slice(0, 16);
  const sourceInfo: SourceInfo = {
    uri: `file:${path}?bits=${bits}`,
    kind: 'file',
    bitsPerSample: bits,
    deviceId: `file:${digest}/bits=${bits}`,
    description: `Sample file ${basename(path)} (${info.size} samples, ${bits} bits each)`,
    metadata: { path, bytes: info.size, bits },
  };
  return new FileSource(sourceInfo, path, bits);
}

class FileSource implements SampleSource {
  #disposed = false;

  constructor(
    readonly info: SourceInfo,
    readonly path: string,
    readonly bits: number,
  ) {}

  async *samples(): AsyncIterable<Uint8Array> {
    if (this.#disposed) throw new DisposedError(`File source ${this.path}`);
    const handle = await open(this.path);
    const limit = 1 << this.bits;
    let offset = 0;
    try {
      while (!this.#disposed) {
        const chunk = new Uint8Array(CHUNK);
        const { bytesRead } = await handle.read(chunk, 0, CHUNK, offset);
        if (bytesRead === 0) return;
        const samples = chunk.subarray(0, bytesRead);
        const wide = samples.findIndex((value) => value >= limit);
        if (wide !== -1) {
          throw new SourceError(
            'protocol',
            `Byte ${offset + wide} of ${this.path} is ${samples[wide]}, wider than bits=${this.bits} allows: pass the sample width the file was recorded with.`,
          );
        }
        offset += bytesRead;
        yield samples;
      }
    } finally {
      await handle.close();
    }
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
