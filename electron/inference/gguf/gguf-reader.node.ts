// Reads a GGUF file's header, metadata and tensor infos without loading tensor data.
// Every count and length is checked against the bytes that are left before anything is
// allocated, so a damaged or hostile header is refused in milliseconds with its byte
// position, never after gigabytes of allocation or inside llama.cpp (GGUF v3, ggml/docs/gguf.md;
// the rules mirror ggml's own reader, gguf.cpp).
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufError, GgufValueType, type GgufFile, type GgufScalar, type GgufTensorInfo, type GgufValue } from './gguf-format.std';
import { describeFileKind, printable } from './printable.std';

/** Strings longer than this are not metadata a model needs (chat templates are a few kB). */
const MAX_STRING = 16 << 20;
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;

/** Bytes each metadata value type occupies at least (strings: their u64 length). */
const MIN_SIZE: Record<number, number> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.STRING]: 8,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

class Cursor {
  #buffer = Buffer.alloc(0);
  #bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly path: string,
  ) {}

  get remaining(): number {
    return this.size - this.position;
  }

  corrupt(what: string, at = this.position): GgufError {
    return new GgufError(`${this.path} is damaged: ${what} (byte ${at}).`);
  }

  async #ensure(bytes: number): Promise<void> {
    if (bytes > this.remaining) {
      throw new GgufError(`${this.path} ends at byte ${this.size}, in the middle of its header (needed ${bytes} bytes at ${this.position}): the file is truncated.`);
    }
    const end = this.#bufferStart + this.#buffer.length;
    if (this.position >= this.#bufferStart && this.position + bytes <= end) return;
    const length = Math.min(Math.max(bytes, 1 << 20), this.remaining);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
    if (bytesRead < bytes) throw new GgufError(`${this.path} changed while it was read (${bytesRead} of ${bytes} bytes at ${this.position}).`);
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

  /** A u64 count or length: must fit a safe integer. */
  async u64(what: string): Promise<number> {
    const at = this.position;
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`${what} is ${value}`, at);
    return Number(value);
  }

  async string(what: string): Promise<string> {
    const at = this.position;
    const length = await this.u64(`the length of ${what}`);
    if (length > MAX_STRING || length > this.remaining) throw this.corrupt(`${what} claims ${length} bytes, ${this.remaining} are left: the file is truncated or damaged`, at);
    return (await this.bytes(length)).toString('utf8');
  }

  async scalar(type: GgufValueType, what: string): Promise<GgufScalar> {
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
      case GgufValueType.BOOL: {
        const at = this.position;
        const byte = (await this.bytes(1)).readUInt8(0);
        if (byte > 1) throw this.corrupt(`${what} is a boolean of value ${byte}`, at);
        return byte === 1;
      }
      case GgufValueType.STRING:
        return this.string(what);
      case GgufValueType.UINT64:
        return (await this.bytes(8)).readBigUInt64LE(0);
      case GgufValueType.INT64:
        return (await this.bytes(8)).readBigInt64LE(0);
      case GgufValueType.FLOAT64:
        return (await this.bytes(8)).readDoubleLE(0);
      default:
        throw this.corrupt(`${what} has the unknown value type ${type}`, this.position - 4);
    }
  }
}

/** Opens `path` for reading only if it is a regular file: a FIFO would block, a device never end. */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number; mtimeMs: number }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new GgufError(`Cannot open ${printable(path)}: ${why}.`, { cause: error });
  }
  if (!info.isFile()) throw new GgufError(`${printable(path)} is ${describeFileKind(info)}, not a model file.`);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: if the path became a FIFO since the check, open returns instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new GgufError(`Cannot open ${printable(path)}: ${(error as Error).message}`, { cause: error });
  }
  const opened = await handle.stat();
  if (!opened.isFile()) {
    await handle.close();
    throw new GgufError(`${printable(path)} is ${describeFileKind(opened)}, not a model file.`);
  }
  return { handle, size: opened.size, mtimeMs: opened.mtimeMs };
}

export async function readGguf(path: string): Promise<GgufFile> {
  const { handle, size } = await openRegularFile(path);
  const shown = printable(path);
  try {
    const cursor = new Cursor(handle, size, shown);
    if (size < 24 || (await cursor.u32()) !== GGUF_MAGIC) throw new GgufError(`${shown} is not a GGUF model file (it does not start with "GGUF").`);
    const version = await cursor.u32();
    if (version !== 2 && version !== 3) throw new GgufError(`${shown} is GGUF version ${version}; LightSeed reads versions 2 and 3.`);
    const tensorCount = await cursor.u64('the tensor count');
    const kvCount = await cursor.u64('the metadata count');
    // A metadata pair takes at least 13 bytes (key length, value type, one byte), a tensor info 32.
    if (kvCount * 13 > cursor.remaining) throw cursor.corrupt(`it declares ${kvCount} metadata keys, more than its ${size} bytes can hold: the file is truncated or damaged`, 16);
    if (tensorCount * 32 > cursor.remaining) throw cursor.corrupt(`it declares ${tensorCount} tensors, more than its ${size} bytes can hold: the file is truncated or damaged`, 8);
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const keyAt = cursor.position;
      const key = await cursor.string(`metadata key ${i + 1}`);
      if (metadata.has(key)) throw cursor.corrupt(`the metadata key ${printable(key)} appears twice`, keyAt);
      const shownKey = `the metadata value ${printable(key)}`;
      const type = (await cursor.u32()) as GgufValueType;
      if (type === GgufValueType.ARRAY) {
        const itemType = (await cursor.u32()) as Exclude<GgufValueType, GgufValueType.ARRAY>;
        const minimum = MIN_SIZE[itemType];
        if (minimum === undefined) throw cursor.corrupt(`${shownKey} is an array of the unknown type ${itemType}`, cursor.position - 4);
        const countAt = cursor.position;
        const count = await cursor.u64(`the length of ${shownKey}`);
        if (count * minimum > cursor.remaining) throw cursor.corrupt(`${shownKey} claims ${count} items, more than the ${cursor.remaining} bytes left: the file is truncated or damaged`, countAt);
        const values: GgufScalar[] = new Array(count);
        for (let j = 0; j < count; j++) values[j] = await cursor.scalar(itemType, shownKey);
        metadata.set(key, { type, itemType, value: values });
      } else {
        metadata.set(key, { type, value: await cursor.scalar(type, shownKey) } as GgufValue);
      }
    }
    const alignmentEntry = metadata.get('general.alignment');
    let alignment = DEFAULT_ALIGNMENT;
    if (alignmentEntry) {
      const value = alignmentEntry.value;
      if (alignmentEntry.type !== GgufValueType.UINT32 || typeof value !== 'number') throw new GgufError(`${shown} is damaged: general.alignment is not a 32-bit unsigned number.`);
      if (value === 0 || (value & (value - 1)) !== 0) throw new GgufError(`${shown} is damaged: general.alignment is ${value}, not a power of two.`);
      alignment = value;
    }
    const tensors: GgufTensorInfo[] = [];
    const names = new Set<string>();
    for (let i = 0; i < tensorCount; i++) {
      const nameAt = cursor.position;
      const name = await cursor.string(`the name of tensor ${i + 1}`);
      if (names.has(name)) throw cursor.corrupt(`the tensor name ${printable(name)} appears twice`, nameAt);
      names.add(name);
      const shownName = `tensor ${printable(name)}`;
      const nDims = await cursor.u32();
      if (nDims < 1 || nDims > MAX_DIMS) throw cursor.corrupt(`${shownName} has ${nDims} dimensions (1 to ${MAX_DIMS} allowed)`, cursor.position - 4);
      const dims: number[] = [];
      let elements = 1;
      for (let d = 0; d < nDims; d++) {
        const at = cursor.position;
        const n = await cursor.u64(`dimension ${d} of ${shownName}`);
        elements *= n;
        if (n === 0) throw cursor.corrupt(`${shownName} has a dimension of 0`, at);
        if (elements > Number.MAX_SAFE_INTEGER) throw cursor.corrupt(`${shownName} has more elements than any file can hold`, at);
        dims.push(n);
      }
      const type = await cursor.u32();
      const offset = await cursor.u64(`the data offset of ${shownName}`);
      tensors.push({ name, dims, type, offset });
    }
    const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
    return { version, metadata, tensors, alignment, dataOffset, fileSize: size };
  } finally {
    await handle.close();
  }
}
