// Writes GGUF v3: used to build test models at test time, the embedded default
// model, and the per-agent LoRA adapters. Tensors must already be encoded.
import { open } from 'node:fs/promises';
import { DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufError, GgufValueType, type GgufScalar, type GgufValue } from './gguf-format.std';
import { tensorDataBytes } from './gguf-layout.std';

export interface TensorToWrite {
  name: string;
  /** ne[0] first (the row length). */
  dims: number[];
  type: number;
  /** Encoded bytes (see quantize.std.ts). */
  data: Uint8Array;
}

class Builder {
  readonly parts: Buffer[] = [];
  length = 0;

  push(buffer: Buffer): void {
    this.parts.push(buffer);
    this.length += buffer.length;
  }

  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    this.push(b);
  }

  u64(value: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  scalar(type: GgufValueType, value: GgufScalar): void {
    const b = Buffer.alloc(8);
    switch (type) {
      case GgufValueType.UINT8:
        return this.push(Buffer.of(Number(value)));
      case GgufValueType.INT8:
        b.writeInt8(Number(value));
        return this.push(b.subarray(0, 1));
      case GgufValueType.UINT16:
        b.writeUInt16LE(Number(value));
        return this.push(b.subarray(0, 2));
      case GgufValueType.INT16:
        b.writeInt16LE(Number(value));
        return this.push(b.subarray(0, 2));
      case GgufValueType.UINT32:
        return this.u32(Number(value));
      case GgufValueType.INT32:
        b.writeInt32LE(Number(value));
        return this.push(b.subarray(0, 4));
      case GgufValueType.FLOAT32:
        b.writeFloatLE(Number(value));
        return this.push(b.subarray(0, 4));
      case GgufValueType.BOOL:
        return this.push(Buffer.of(value ? 1 : 0));
      case GgufValueType.STRING:
        return this.string(String(value));
      case GgufValueType.UINT64:
        return this.u64(BigInt(value as number | bigint));
      case GgufValueType.INT64:
        b.writeBigInt64LE(BigInt(value as number | bigint));
        return this.push(b);
      case GgufValueType.FLOAT64:
        b.writeDoubleLE(Number(value));
        return this.push(b);
      default:
        throw new GgufError(`Cannot write a metadata value of type ${type}.`);
    }
  }
}

export interface TensorHeader {
  name: string;
  dims: number[];
  type: number;
}

/**
 * The header of a GGUF v3 file for these tensors, padded to the alignment, and where each
 * tensor's data starts relative to the data section (back to back, each padded).
 */
export function ggufHeader(metadata: Record<string, GgufValue>, tensors: TensorHeader[]): { header: Buffer; offsets: number[]; dataBytes: number; alignment: number } {
  const alignmentValue = metadata['general.alignment']?.value;
  const alignment = typeof alignmentValue === 'number' ? alignmentValue : DEFAULT_ALIGNMENT;
  const header = new Builder();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    header.string(key);
    header.u32(value.type);
    if (value.type === GgufValueType.ARRAY) {
      header.u32(value.itemType);
      header.u64(value.value.length);
      for (const item of value.value) header.scalar(value.itemType, item);
    } else {
      header.scalar(value.type, value.value);
    }
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    const bytes = tensorDataBytes({ ...tensor, offset: 0 });
    if (typeof bytes === 'string') throw new GgufError(`Cannot write ${bytes}.`);
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const d of tensor.dims) header.u64(d);
    header.u32(tensor.type);
    header.u64(offset);
    offsets.push(offset);
    offset = Math.ceil((offset + bytes) / alignment) * alignment;
  }
  header.push(Buffer.alloc(Math.ceil(header.length / alignment) * alignment - header.length));
  return { header: Buffer.concat(header.parts), offsets, dataBytes: offset, alignment };
}

export async function writeGguf(path: string, metadata: Record<string, GgufValue>, tensors: TensorToWrite[]): Promise<void> {
  for (const tensor of tensors) {
    const expected = tensorDataBytes({ ...tensor, offset: 0 });
    if (typeof expected === 'string') throw new GgufError(`Cannot write ${expected}.`);
    if (tensor.data.length !== expected) throw new GgufError(`Tensor ${tensor.name}: ${tensor.data.length} bytes given, type ${tensor.type} ${tensor.dims.join('×')} needs ${expected}.`);
  }
  const { header, offsets, dataBytes } = ggufHeader(metadata, tensors);
  const handle = await open(path, 'w');
  try {
    await handle.write(header, 0, header.length, 0);
    for (const [i, tensor] of tensors.entries()) await handle.write(tensor.data, 0, tensor.data.length, header.length + offsets[i]!);
    await handle.truncate(header.length + dataBytes);
  } finally {
    await handle.close();
  }
}
