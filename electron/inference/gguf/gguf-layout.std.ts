// Where each tensor's data lies. ggml's reader (gguf.cpp) requires tensors back to back in
// the order of their infos, each at the previous end padded to the alignment, rows whole
// blocks of their type; llama.cpp's loader then requires every tensor inside the file.
// Checking the same rules here names the damage instead of leaving it to llama.cpp.
import { BITNET_CPP_TYPES, ggmlType, I2_S, type GgmlType } from './ggml-types.std';
import type { GgufFile, GgufTensorInfo } from './gguf-format.std';
import { printable } from './printable.std';

export function elementCount(tensor: GgufTensorInfo): number {
  return tensor.dims.reduce((a, b) => a * b, 1);
}

/**
 * bitnet.cpp's I2_S: four 2-bit weights a byte, then one float32 scale for the whole
 * tensor, padded to 32 bytes (its ggml_nbytes: elements / 4 + 32).
 */
export function i2sBytes(elements: number): number {
  return elements / 4 + 32;
}

/** A tensor's type by id, or a bitnet.cpp type described in words; undefined when unknown. */
export function tensorType(id: number): GgmlType | { foreign: string } | undefined {
  const type = ggmlType(id);
  if (type) return type;
  const foreign = BITNET_CPP_TYPES[id];
  return foreign ? { foreign } : undefined;
}

/** Bytes of a tensor's data, or a problem in words. */
export function tensorDataBytes(tensor: GgufTensorInfo): number | string {
  const name = printable(tensor.name);
  const elements = elementCount(tensor);
  if (tensor.type === I2_S) {
    if (elements % 4 !== 0) return `the I2_S tensor ${name} has ${elements} weights, not a multiple of 4`;
    return i2sBytes(elements);
  }
  const type = tensorType(tensor.type);
  if (!type) return `tensor ${name} has the unknown type ${tensor.type}`;
  if ('foreign' in type) {
    return type.foreign === 'TL1'
      ? `tensor ${name} is in bitnet.cpp's TL1 layout, lookup tables tied to one machine's kernels that nothing else reads: get the model's I2_S GGUF instead (bitnet.cpp: python setup_env.py -md MODEL_DIR -q i2_s), or a TQ1_0/TQ2_0 file`
      : `tensor ${name} has bitnet.cpp's ${type.foreign} type, which holds activations, never weights: the file is damaged`;
  }
  if (tensor.dims[0]! % type.blockSize !== 0) return `tensor ${name} has rows of ${tensor.dims[0]} values, not a multiple of the ${type.name} block size ${type.blockSize}`;
  return (elements / type.blockSize) * type.typeSize;
}

/** Every problem with where the tensors' data lies, at most `limit` of them. */
export function layoutProblems(file: GgufFile, limit = 5): string[] {
  const problems: string[] = [];
  let expected = 0;
  for (const tensor of file.tensors) {
    if (problems.length >= limit) break;
    const bytes = tensorDataBytes(tensor);
    const name = printable(tensor.name);
    if (typeof bytes === 'string') {
      problems.push(bytes);
      continue;
    }
    if (tensor.offset !== expected) {
      problems.push(
        tensor.offset % file.alignment !== 0
          ? `tensor ${name} starts at offset ${tensor.offset}, not aligned to ${file.alignment} bytes`
          : `tensor ${name} starts at offset ${tensor.offset} where ${expected} was expected (tensors overlap or leave a gap)`,
      );
    }
    const end = file.dataOffset + tensor.offset + bytes;
    if (end > file.fileSize) problems.push(`tensor ${name} runs past the end of the file (byte ${end} of ${file.fileSize}): the file is truncated`);
    expected = Math.ceil((tensor.offset + bytes) / file.alignment) * file.alignment;
  }
  return problems;
}
