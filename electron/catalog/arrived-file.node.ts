// The file that arrived is the one the catalog entry describes: its architecture and its 1-bit
// weight format, read from the GGUF header before anything else is done with it. An entry
// without a published hash is otherwise only as good as the server that sent it.
import { GGML, I2_S } from '../inference/gguf/ggml-types.std';
import { readGguf } from '../inference/gguf/gguf-reader.node';
import type { CatalogEntry } from './catalog.std';

/** Undefined when the file matches the entry, else the difference in a sentence. */
export async function arrivedMismatch(path: string, entry: CatalogEntry): Promise<string | undefined> {
  const file = await readGguf(path);
  const architecture = file.metadata.get('general.architecture')?.value;
  if (typeof architecture === 'string' && architecture !== entry.architecture) {
    return `it is a ${architecture} model, where the catalog describes ${entry.title} as ${entry.architecture}`;
  }
  const format = entry.format === 'I2_S' ? I2_S : GGML[entry.format];
  if (format !== undefined && !file.tensors.some((tensor) => tensor.type === format)) {
    return `it holds no ${entry.format} weights, where the catalog describes ${entry.title} as ${entry.format}`;
  }
  return undefined;
}
