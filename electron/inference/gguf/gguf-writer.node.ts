// Writes GGUF v3: used to build test models at test time, the embedded default
// model, and the per-agent LoRA adapters. Tensors must already be encoded.
import { open } from 'node:fs/promises';
import { DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufError, GgufValueType, type GgufScalar, type GgufValue } from './gguf-format.std';
import { ggmlType, tensorBytes } from './ggml-types.std';

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

export async function writeGguf(path: string, metadata: Record<string, GgufValue>, tensors: TensorToWrite[]): Promise<void> {
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
    const type = ggmlType(tensor.type);
    if (!type) throw new GgufError(`Tensor ${tensor.name}: unknown type ${tensor.type}.`);
    const expected = tensorBytes(type, tensor.dims.reduce((a, b) => a * b, 1));
    if (tensor.data.length !== expected) throw new GgufError(`Tensor ${tensor.name}: ${tensor.data.length} bytes given, ${type.name} ${tensor.dims.join('×')} needs ${expected}.`);
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const d of tensor.dims) header.u64(d);
    header.u32(tensor.type);
    header.u64(offset);
    offsets.push(offset);
    offset = Math.ceil((offset + tensor.data.length) / alignment) * alignment;
  }
  const padTo = (length: number) => Buffer.alloc(Math.ceil(length / alignment) * alignment - length);
  const handle = await open(path, 'w');
  try {
    let position = 0;
    const write = async (buffer: Uint8Array) => {
      await handle.write(buffer, 0, buffer.length, position);
      position += buffer.length;
    };
    for (const part of header.parts) await write(part);
    await write(padTo(header.length));
    const dataStart = position;
    for (const [i, tensor] of tensors.entries()) {
      const target = dataStart + offsets[i]!;
      if (position < target) await write(Buffer.alloc(target - position));
      await write(tensor.data);
    }
    await write(padTo(position - dataStart));
  } finally {
    await handle.close();
  }
}
