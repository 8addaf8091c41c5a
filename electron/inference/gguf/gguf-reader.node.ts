// Reads a GGUF file's header, metadata and tensor infos without loading tensor data,
// checking every length against the file so a truncated or corrupt file is a clear
// error here instead of an abort inside llama.cpp.
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufError, GgufValueType, type GgufFile, type GgufScalar, type GgufTensorInfo, type GgufValue } from './gguf-format.std';

/** Limits that keep a hostile header from exhausting memory. */
const MAX_STRING = 16 << 20;
const MAX_ARRAY = 64 << 20;
const MAX_COUNT = 1 << 24;

class Cursor {
  #buffer = Buffer.alloc(0);
  #bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly path: string,
  ) {}

  async #ensure(bytes: number): Promise<void> {
    if (this.position + bytes > this.size) {
      throw new GgufError(`${this.path} ends at byte ${this.size}, in the middle of its header (needed ${bytes} bytes at ${this.position}): the file is truncated.`);
    }
    const end = this.#bufferStart + this.#buffer.length;
    if (this.position >= this.#bufferStart && this.position + bytes <= end) return;
    const length = Math.min(Math.max(bytes, 1 << 20), this.size - this.position);
    const buffer = Buffer.alloc(length);
    await this.handle.read(buffer, 0, length, this.position);
    this.#buffer = buffer;
    this.#bufferStart = this.position;
  }

  async bytes(n: number): Promise<Buffer> {
    await this.#ensure(n);
    const start = this.position - this.#bufferStart;
    this.position += n;
    return this.#buffer.subarray(start, start + n);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async u64(): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError(`${this.path} has a length of ${value} at byte ${this.position - 8}: the file is corrupt.`);
    return Number(value);
  }

  async string(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_STRING) throw new GgufError(`${this.path} declares a ${length}-byte string at byte ${this.position - 8}: the file is corrupt.`);
    return (await this.bytes(length)).toString('utf8');
  }

  async scalar(type: GgufValueType): Promise<GgufScalar> {
    switch (type) {
      case GgufValueType.UINT8:
        return (await this.bytes(1)).readUInt8(0);
      case GgufValueType.INT8:
        return (await this.bytes(1)).readInt8(0);
      case GgufValueType.UINT16:
        return (await this.bytes(2)).readUInt16LE(0);
      case GgufValueType.INT16:
        return (await this.bytes(2)).readInt16LE(0);
      case GgufValueType.UINT32:
        return (await this.bytes(4)).readUInt32LE(0);
      case GgufValueType.INT32:
        return (await this.bytes(4)).readInt32LE(0);
      case GgufValueType.FLOAT32:
        return (await this.bytes(4)).readFloatLE(0);
      case GgufValueType.BOOL:
        return (await this.bytes(1)).readUInt8(0) !== 0;
      case GgufValueType.STRING:
        return this.string();
      case GgufValueType.UINT64:
        return (await this.bytes(8)).readBigUInt64LE(0);
      case GgufValueType.INT64:
        return (await this.bytes(8)).readBigInt64LE(0);
      case GgufValueType.FLOAT64:
        return (await this.bytes(8)).readDoubleLE(0);
      default:
        throw new GgufError(`${this.path} has a metadata value of unknown type ${type} at byte ${this.position}: the file is corrupt or from a newer GGUF.`);
    }
  }
}

export async function readGguf(path: string): Promise<GgufFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new GgufError(`Cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const size = (await handle.stat()).size;
    const cursor = new Cursor(handle, size, path);
    if (size < 24 || (await cursor.u32()) !== GGUF_MAGIC) throw new GgufError(`${path} is not a GGUF model file (it does not start with "GGUF").`);
    const version = await cursor.u32();
    if (version !== 2 && version !== 3) throw new GgufError(`${path} is GGUF version ${version}; LightSeed reads versions 2 and 3.`);
    const tensorCount = await cursor.u64();
    const kvCount = await cursor.u64();
    if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT) throw new GgufError(`${path} declares ${tensorCount} tensors and ${kvCount} metadata keys: the file is corrupt.`);
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await cursor.string();
      const type = (await cursor.u32()) as GgufValueType;
      if (type === GgufValueType.ARRAY) {
        const itemType = (await cursor.u32()) as Exclude<GgufValueType, GgufValueType.ARRAY>;
        const count = await cursor.u64();
        if (count > MAX_ARRAY || itemType === (GgufValueType.ARRAY as number)) throw new GgufError(`${path}: the metadata array "${key}" is malformed.`);
        const values: GgufScalar[] = new Array(count);
        for (let j = 0; j < count; j++) values[j] = await cursor.scalar(itemType);
        metadata.set(key, { type, itemType, value: values });
      } else {
        metadata.set(key, { type, value: await cursor.scalar(type) } as GgufValue);
      }
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await cursor.string();
      const nDims = await cursor.u32();
      if (nDims < 1 || nDims > 4) throw new GgufError(`${path}: tensor "${name}" has ${nDims} dimensions (1 to 4 allowed).`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await cursor.u64());
      const type = await cursor.u32();
      const offset = await cursor.u64();
      tensors.push({ name, dims, type, offset });
    }
    const alignmentValue = metadata.get('general.alignment')?.value;
    const alignment = typeof alignmentValue === 'number' && alignmentValue > 0 ? alignmentValue : DEFAULT_ALIGNMENT;
    const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
    return { version, metadata, tensors, alignment, dataOffset, fileSize: size };
  } finally {
    await handle.close();
  }
}
