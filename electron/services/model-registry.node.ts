// Registering GGUF files: each validated structurally, converted where llama.cpp needs another
// layout (bitnet.cpp's I2_S, or a 2B4T file that does not name its ReLU²), tried by llama.cpp
// itself, described and stored; and checked again before each load, so a file swapped on disk
// is validated again instead of trusted. The rows are the store's (store/models.node.ts).
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { WritableDB } from '../store/sql.node';
import { convertModel } from '../inference/gguf/convert-model.node';
import { GgufError } from '../inference/gguf/gguf-format.std';
import { readGguf } from '../inference/gguf/gguf-reader.node';
import { validateModel, type ModelSummary } from '../inference/gguf/gguf-validate.std';
import { printable } from '../inference/gguf/printable.std';
import { getModel, insertModel, modelForFile, moveModel, recordedModificationTime, recordFileCheck, setDefaultModel, type ModelDescription, type RegisteredModel } from '../store/models.node';
import { sha256File } from '../files/sha256-file.node';

export interface AddOptions {
  /**
   * A trial load by llama.cpp in the engine process (its own tensor checks, a context, one
   * token): rejects with llama.cpp's reason. Without it the structural checks alone decide.
   */
  check?: (path: string, summary: ModelSummary) => Promise<void>;
  /** Where runnable copies are written (the data folder's models/); without it, files that need one are refused. */
  convertDir?: string;
  /** The file's SHA-256 when the caller has just computed it (a verified download): not hashed twice. */
  sha256?: string;
}

/** What the store keeps of a validated file. */
function describe(summary: ModelSummary, name: string, warnings = summary.warnings): ModelDescription {
  return {
    name,
    architecture: summary.architecture,
    parameterCount: summary.parameterCount,
    types: summary.types,
    contextLength: summary.contextLength,
    chatTemplate: summary.chatTemplate ?? null,
    warnings,
    oneBit: summary.oneBit,
    bitsPerWeight: summary.bitsPerWeight,
    weightType: summary.weightType,
    activation: summary.activation ?? null,
    expertCount: summary.expertCount,
  };
}

/**
 * Validates the file (GgufError with the problem in words when it is unusable), writes the
 * runnable copy it needs, has llama.cpp try it, and registers it.
 */
export async function addModel(db: WritableDB, file: string, at: number, options: AddOptions = {}): Promise<RegisteredModel> {
  const original = resolve(file);
  const existing = modelForFile(db, original);
  if (existing) return existing;
  let path = original;
  let gguf = await readGguf(path);
  let summary = validateModel(gguf, path);
  let conversion: string | null = null;
  let written: string | undefined;
  const originalWarnings = summary.warnings;
  if (summary.conversion) {
    if (!options.convertDir) throw new GgufError(`${printable(path)} must be converted before llama.cpp can run it, and this registry has no folder to write the copy to.`);
    await mkdir(options.convertDir, { recursive: true });
    const suffix = summary.conversion.kind === 'i2s' ? 'tq2_0' : summary.conversion.activation;
    // Named by the original's content: two files that share a name (bitnet.cpp calls every one
    // ggml-model-i2_s.gguf) never share a copy, and the same weights are converted once.
    const contentHash = options.sha256 ?? (await sha256File(original));
    const output = join(options.convertDir, `${basename(path).replace(/\.gguf$/i, '')}.${contentHash.slice(0, 16)}.lightseed-${suffix}.gguf`);
    const same = modelForFile(db, output);
    if (same) return same; // these weights are registered already, converted from a file with the same content
    // convertModel writes OUTPUT.partial and renames it when whole.
    const result = await convertModel(path, gguf, summary, output);
    written = path = result.path;
    conversion = result.description;
    gguf = await readGguf(path);
    summary = validateModel(gguf, path);
    if (summary.conversion) throw new GgufError(`LightSeed's copy of ${printable(original)} still needs a conversion: this is a bug, please report it.`);
  }
  try {
    await options.check?.(path, summary);
  } catch (error) {
    if (written) await rm(written, { force: true });
    throw new GgufError(`${printable(original)} cannot be used: ${(error as Error).message}`, { cause: error });
  }
  const { size, mtimeMs } = await stat(path);
  const sha256 = !written && options.sha256 ? options.sha256 : await sha256File(path);
  const warnings = [...new Set([...originalWarnings.filter((w) => !/writes a copy/.test(w)), ...summary.warnings])];
  return insertModel(db, { path, sha256, size, mtimeMs, addedAt: at, convertedFrom: written ? original : null, conversion, description: describe(summary, summary.name ?? basename(original), warnings) });
}

/**
 * Checks a registered model's file before a load: the same size and modification time pass at
 * once; otherwise the file is hashed, and when its content changed it is validated again and
 * its description updated (GgufError when it is no longer usable, and then it is not loaded).
 */
export async function verifyModelFile(db: WritableDB, model: RegisteredModel): Promise<RegisteredModel> {
  let info;
  try {
    info = await stat(model.path);
  } catch (error) {
    throw new GgufError(`The model file ${printable(model.path)} is gone (${(error as NodeJS.ErrnoException).code ?? 'missing'}): add it again, or remove ${printable(model.name)} from the list.`, { cause: error });
  }
  if (info.isFile() && info.size === model.size && recordedModificationTime(db, model.id) === info.mtimeMs) return model;
  const summary = validateModel(await readGguf(model.path), model.path);
  if (summary.conversion) throw new GgufError(`${printable(model.path)} was replaced by a file that needs converting: add it again with models add.`);
  const sha256 = await sha256File(model.path);
  return recordFileCheck(db, model.id, info.mtimeMs, sha256 === model.sha256 ? undefined : { sha256, size: info.size, description: describe(summary, summary.name ?? model.name) });
}

/**
 * Points a registered model whose file is gone at `file`, if `file` is the same model
 * (same SHA-256): the embedded model moves with each install, and an AppImage mounts it
 * at a new path on every start. Undefined when the file differs.
 */
export async function relocateModel(db: WritableDB, id: number, file: string): Promise<RegisteredModel | undefined> {
  const model = getModel(db, String(id));
  const path = resolve(file);
  if (!model || (await sha256File(path)) !== model.sha256) return undefined;
  const other = getModel(db, path);
  if (other && other.id !== id) return model.isDefault ? setDefaultModel(db, String(other.id)) : other;
  return moveModel(db, id, path);
}
