// Writes the copy of a model that llama.cpp can run correctly, leaving the original untouched:
// bitnet.cpp's I2_S files converted losslessly to TQ2_0 (Q2_0 for rows that are not whole
// 256-weight blocks), its architecture names renamed to llama.cpp's, and files that would run
// with the wrong feed-forward activation given the key that names it. Streams one tensor at a
// time (big tensors in chunks), so a 2B model is never held in memory, and writes to a
// `.partial` file renamed into place only when complete: a crash leaves no half model behind.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { GGML, I2_S } from './ggml-types.std';
import { GgufError, GgufValueType, gguf, type GgufFile, type GgufValue } from './gguf-format.std';
import { elementCount, tensorDataBytes } from './gguf-layout.std';
import { openRegularFile } from './gguf-reader.node';
import { ACTIVATION_KEY, BITNET_CPP_ARCHITECTURES, type ModelSummary } from './gguf-validate.std';
import { ggufHeader, type TensorHeader } from './gguf-writer.node';
import { fp16ScaleProblem, i2sElementsProblem, i2sScale, unpackI2S } from './i2s.std';
import { packQ2_0, packTQ2_0 } from './quantize.std';
import { printable } from './printable.std';

/** llama.cpp's llama_ftype numbers for the output (include/llama.h). */
const FTYPE_MOSTLY_TQ2_0 = 37;
const FTYPE_MOSTLY_Q2_0 = 41;
const CHUNK = 16 << 20;

interface PlannedTensor extends TensorHeader {
  /** Produces the output bytes; big copies go through `copy` in chunks instead. */
  produce?: () => Promise<Uint8Array>;
  copyFrom?: { offset: number; bytes: number };
}

export interface ConversionResult {
  path: string;
  /** What was done, in words, for the Models view and the CLI. */
  description: string;
  converted: number;
}

async function readAt(handle: FileHandle, offset: number, bytes: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(bytes);
  const { bytesRead } = await handle.read(buffer, 0, bytes, offset);
  if (bytesRead !== bytes) throw new GgufError(`The file ended while tensor data was read (byte ${offset + bytesRead}).`);
  return buffer;
}

function plan(file: GgufFile, summary: ModelSummary, handle: FileHandle, path: string): { metadata: Record<string, GgufValue>; tensors: PlannedTensor[]; description: string; converted: number } {
  const sourceArch = String(file.metadata.get('general.architecture')?.value);
  const rename = BITNET_CPP_ARCHITECTURES[sourceArch] ? sourceArch : undefined;
  const arch = summary.architecture;
  const metadata: Record<string, GgufValue> = {};
  for (const [key, value] of file.metadata) metadata[rename && key.startsWith(`${rename}.`) ? `${arch}.${key.slice(rename.length + 1)}` : key] = value;
  metadata['general.architecture'] = gguf.str(arch);
  if (arch === 'bitnet' && summary.activation) metadata[ACTIVATION_KEY] = gguf.str(summary.activation);
  const vocab = file.metadata.get('tokenizer.ggml.tokens')?.value;
  // Llama 3's tokenizer (BitNet b1.58 2B4T): bitnet.cpp's converter does not name its pre-tokenizer.
  if (file.metadata.get('tokenizer.ggml.model')?.value === 'gpt2' && !file.metadata.has('tokenizer.ggml.pre') && Array.isArray(vocab) && vocab.length === 128256) {
    metadata['tokenizer.ggml.pre'] = gguf.str('llama-bpe');
  }
  // bitnet keeps each tensor's float32 scale exactly in a `.scale` tensor its graph multiplies in
  // (blocks then carry d = 1); llama's graph has none, so there d is the scale rounded to fp16.
  const exactScales = arch === 'bitnet';
  const tensors: PlannedTensor[] = [];
  let converted = 0;
  let anyQ2 = false;
  for (const tensor of file.tensors) {
    const start = file.dataOffset + tensor.offset;
    const bytes = tensorDataBytes(tensor) as number;
    if (tensor.type !== I2_S) {
      tensors.push({ name: tensor.name, dims: tensor.dims, type: tensor.type, copyFrom: { offset: start, bytes } });
      continue;
    }
    converted++;
    const elements = elementCount(tensor);
    const layout = i2sElementsProblem(elements);
    if (layout) throw new GgufError(`${printable(path)}: the I2_S tensor ${printable(tensor.name)} ${layout}: the file is damaged or was not written by bitnet.cpp.`);
    const rowLength = tensor.dims[0]!;
    const type = rowLength % 256 === 0 ? GGML.TQ2_0 : rowLength % 64 === 0 ? GGML.Q2_0 : undefined;
    if (type === undefined) throw new GgufError(`${printable(path)}: the I2_S tensor ${printable(tensor.name)} has rows of ${rowLength} weights, which neither TQ2_0 (256) nor Q2_0 (64) blocks divide.`);
    anyQ2 ||= type === GGML.Q2_0;
    const produce = async () => {
      const packed = await readAt(handle, start, bytes);
      const scale = i2sScale(packed, elements);
      if (!Number.isFinite(scale) || scale < 0) throw new GgufError(`${printable(path)}: the I2_S tensor ${printable(tensor.name)} has the scale ${scale}: its data is damaged.`);
      const codes = unpackI2S(packed, elements);
      if ('badCodeAt' in codes) {
        throw new GgufError(
          `${printable(path)}: the I2_S tensor ${printable(tensor.name)} holds the code 3 at weight ${codes.badCodeAt}, which bitnet.cpp's x86 layout never writes: the file is damaged or packed another way (an ARM build's I2_S).`,
        );
      }
      // llama's graph multiplies by the block scale alone: it must survive fp16 (bitnet keeps it exactly).
      const lost = exactScales ? undefined : fp16ScaleProblem(scale);
      if (lost) {
        throw new GgufError(
          `${printable(path)}: the I2_S tensor ${printable(tensor.name)} ${lost}; a ${arch} model keeps block scales in fp16, so converting it would change its weights. It was not converted.`,
        );
      }
      const d = exactScales ? 1 : scale;
      return type === GGML.TQ2_0 ? packTQ2_0(codes, () => d) : packQ2_0(codes, () => d);
    };
    tensors.push({ name: tensor.name, dims: tensor.dims, type, produce });
    if (exactScales) {
      const scaleName = tensor.name.replace(/\.weight$/, '.scale');
      tensors.push({
        name: scaleName,
        dims: [1],
        type: GGML.F32,
        produce: async () => {
          const scale = new DataView((await readAt(handle, start + elements / 4, 4)).buffer).getFloat32(0, true);
          return new Uint8Array(Float32Array.of(scale).buffer);
        },
      });
    }
  }
  if (converted > 0) metadata['general.file_type'] = { type: GgufValueType.UINT32, value: anyQ2 ? FTYPE_MOSTLY_Q2_0 : FTYPE_MOSTLY_TQ2_0 };
  const source = printable(sourceArch);
  const description =
    converted > 0
      ? `bitnet.cpp's I2_S (${source}) to ${anyQ2 ? 'TQ2_0 and Q2_0' : 'TQ2_0'}, ${converted} ternary tensors, ${exactScales ? 'each scale kept exactly as a float32 .scale tensor' : 'each scale rounded to fp16'}`
      : `the same tensors, with ${ACTIVATION_KEY} = ${summary.activation} recorded`;
  metadata['lightseed.converted_from'] = gguf.str(description);
  return { metadata, tensors, description, converted };
}

/** Writes the runnable copy of `path` (whose summary asks for a conversion) to `output`. */
export async function convertModel(path: string, file: GgufFile, summary: ModelSummary, output: string): Promise<ConversionResult> {
  const partial = `${output}.partial`;
  const { handle: input } = await openRegularFile(path);
  let out: FileHandle | undefined;
  try {
    const { metadata, tensors, description, converted } = plan(file, summary, input, path);
    const { header, offsets, dataBytes } = ggufHeader(metadata, tensors);
    out = await open(partial, 'w');
    await out.write(header, 0, header.length, 0);
    for (const [i, tensor] of tensors.entries()) {
      let position = header.length + offsets[i]!;
      if (tensor.produce) {
        const data = await tensor.produce();
        await out.write(data, 0, data.length, position);
        continue;
      }
      const { offset, bytes } = tensor.copyFrom!;
      for (let done = 0; done < bytes; done += CHUNK) {
        const chunk = await readAt(input, offset + done, Math.min(CHUNK, bytes - done));
        await out.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      }
    }
    await out.truncate(header.length + dataBytes);
    await out.sync();
    await out.close();
    out = undefined;
    await rename(partial, output);
    return { path: output, description, converted };
  } catch (error) {
    // The conversion's own error is the one to report; a failed close of the partial file changes nothing.
    await out?.close().catch((closeError: unknown) => void closeError);
    await rm(partial, { force: true });
    throw error;
  } finally {
    await input.close();
  }
}
