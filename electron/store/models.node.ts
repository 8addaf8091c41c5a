// The model registry: GGUF files the user added, each validated structurally, converted
// where llama.cpp needs another layout (bitnet.cpp's I2_S), tried by llama.cpp itself, and
// described when added; and checked again before each load, so a file swapped on disk is
// validated again instead of trusted.
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { convertModel } from '../inference/gguf/convert-model.node';
import { GgufError } from '../inference/gguf/gguf-format.std';
import { readGguf } from '../inference/gguf/gguf-reader.node';
import { validateModel, type ModelSummary } from '../inference/gguf/gguf-validate.std';
import { printable } from '../inference/gguf/printable.std';
import type { ThreadSpeed } from '../inference/thread-choice.std';
import { sha256File } from './sha256-file.node';

export interface RegisteredModel {
  id: number;
  path: string;
  name: string;
  architecture: string;
  parameterCount: number;
  types: Record<string, number>;
  contextLength: number;
  chatTemplate: string | null;
  sha256: string;
  size: number;
  warnings: string[];
  isDefault: boolean;
  addedAt: number;
  oneBit: boolean;
  bitsPerWeight: number | null;
  weightType: string | null;
  activation: string | null;
  expertCount: number;
  convertedFrom: string | null;
  conversion: string | null;
  /** Mean generation speed of its last 50 answers, or null before the first. */
  tokensPerSecond: number | null;
  /** Decoding speed at each thread count, measured when it first loaded on `machine`. */
  threadSpeeds: ThreadSpeeds | null;
}

export interface ThreadSpeeds {
  machine: string;
  build: 'lightseed' | 'prebuilt';
  /** The count chosen from them. */
  threads: number;
  speeds: ThreadSpeed[];
}

interface ModelRow {
  id: number;
  path: string;
  name: string;
  architecture: string;
  parameter_count: number;
  types: string;
  context_length: number;
  chat_template: string | null;
  sha256: string;
  size: number;
  warnings: string;
  is_default: number;
  added_at: number;
  one_bit: number;
  bits_per_weight: number | null;
  weight_type: string | null;
  activation: string | null;
  expert_count: number;
  converted_from: string | null;
  conversion: string | null;
  mtime_ms: number | null;
  thread_speeds: string | null;
}

/** Every model query selects the row and the speed of its recent answers. */
const SELECT = `SELECT model.*, (SELECT avg(tps) FROM (SELECT tokens_per_second AS tps FROM message WHERE message.model = model.name AND tokens_per_second IS NOT NULL ORDER BY id DESC LIMIT 50)) AS recent_tps FROM model`;

function toModel(row: ModelRow & { recent_tps?: number | null }): RegisteredModel {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    architecture: row.architecture,
    parameterCount: row.parameter_count,
    types: JSON.parse(row.types) as Record<string, number>,
    contextLength: row.context_length,
    chatTemplate: row.chat_template,
    sha256: row.sha256,
    size: row.size,
    warnings: JSON.parse(row.warnings) as string[],
    isDefault: row.is_default === 1,
    addedAt: row.added_at,
    oneBit: row.one_bit === 1,
    bitsPerWeight: row.bits_per_weight,
    weightType: row.weight_type,
    activation: row.activation,
    expertCount: row.expert_count,
    convertedFrom: row.converted_from,
    conversion: row.conversion,
    tokensPerSecond: row.recent_tps ?? null,
    threadSpeeds: row.thread_speeds === null ? null : (JSON.parse(row.thread_speeds) as ThreadSpeeds),
  };
}

export class ModelRegistryError extends Error {
  override readonly name = 'ModelRegistryError';
}

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

/** The columns that describe a file, from its validated summary. */
function describedColumns(summary: ModelSummary, name: string) {
  return {
    name,
    architecture: summary.architecture,
    parameter_count: summary.parameterCount,
    types: JSON.stringify(summary.types),
    context_length: summary.contextLength,
    chat_template: summary.chatTemplate ?? null,
    warnings: JSON.stringify(summary.warnings),
    one_bit: summary.oneBit ? 1 : 0,
    bits_per_weight: summary.bitsPerWeight,
    weight_type: summary.weightType,
    activation: summary.activation ?? null,
    expert_count: summary.expertCount,
  };
}

/**
 * Validates the file (GgufError with the problem in words when it is unusable), writes the
 * runnable copy it needs, has llama.cpp try it, and registers it.
 */
export async function addModel(db: BetterSqlite3.Database, file: string, at: number, options: AddOptions = {}): Promise<RegisteredModel> {
  const original = resolve(file);
  const existing = db.prepare(`${SELECT} WHERE path = ? OR converted_from = ?`).get(original, original) as ModelRow | undefined;
  if (existing) return toModel(existing);
  let path = original;
  let gguf = await readGguf(path);
  let summary = validateModel(gguf, path);
  let conversion: string | undefined;
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
    const same = db.prepare(`${SELECT} WHERE path = ?`).get(output) as ModelRow | undefined;
    if (same) return toModel(same); // these weights are registered already, converted from a file with the same content
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
  const first = (db.prepare('SELECT count(*) AS n FROM model').get() as { n: number }).n === 0;
  const columns = describedColumns({ ...summary, warnings: [...new Set([...originalWarnings.filter((w) => !/writes a copy/.test(w)), ...summary.warnings])] }, summary.name ?? basename(original));
  const id = Number(
    db
      .prepare(
        `INSERT INTO model (path, name, architecture, parameter_count, types, context_length, chat_template, sha256, size, warnings, is_default, added_at,
                            one_bit, bits_per_weight, weight_type, activation, expert_count, converted_from, conversion, mtime_ms)
         VALUES (@path, @name, @architecture, @parameter_count, @types, @context_length, @chat_template, @sha256, @size, @warnings, @is_default, @added_at,
                 @one_bit, @bits_per_weight, @weight_type, @activation, @expert_count, @converted_from, @conversion, @mtime_ms)`,
      )
      .run({ ...columns, path, sha256, size, is_default: first ? 1 : 0, added_at: at, converted_from: written ? original : null, conversion: conversion ?? null, mtime_ms: mtimeMs }).lastInsertRowid,
  );
  return getModel(db, String(id))!;
}

/**
 * Checks a registered model's file before a load: the same size and modification time pass at
 * once; otherwise the file is hashed, and when its content changed it is validated again and
 * its description updated (GgufError when it is no longer usable, and then it is not loaded).
 */
export async function verifyModelFile(db: BetterSqlite3.Database, model: RegisteredModel): Promise<RegisteredModel> {
  let info;
  try {
    info = await stat(model.path);
  } catch (error) {
    throw new GgufError(`The model file ${printable(model.path)} is gone (${(error as NodeJS.ErrnoException).code ?? 'missing'}): add it again, or remove ${printable(model.name)} from the list.`, { cause: error });
  }
  const row = db.prepare('SELECT mtime_ms FROM model WHERE id = ?').get(model.id) as { mtime_ms: number | null } | undefined;
  if (info.isFile() && info.size === model.size && row?.mtime_ms === info.mtimeMs) return model;
  const summary = validateModel(await readGguf(model.path), model.path);
  if (summary.conversion) throw new GgufError(`${printable(model.path)} was replaced by a file that needs converting: add it again with models add.`);
  const sha256 = await sha256File(model.path);
  if (sha256 === model.sha256) {
    db.prepare('UPDATE model SET mtime_ms = ? WHERE id = ?').run(info.mtimeMs, model.id);
  } else {
    const columns = describedColumns(summary, summary.name ?? model.name);
    db.prepare(
      `UPDATE model SET name = @name, architecture = @architecture, parameter_count = @parameter_count, types = @types, context_length = @context_length,
         chat_template = @chat_template, warnings = @warnings, one_bit = @one_bit, bits_per_weight = @bits_per_weight, weight_type = @weight_type,
         activation = @activation, expert_count = @expert_count, sha256 = @sha256, size = @size, mtime_ms = @mtime_ms WHERE id = @id`,
    ).run({ ...columns, sha256, size: info.size, mtime_ms: info.mtimeMs, id: model.id });
  }
  return getModel(db, String(model.id))!;
}

/** Keeps what decoding measured for a model (no row changes for a model that is not registered). */
export function setThreadSpeeds(db: BetterSqlite3.Database, id: number, speeds: ThreadSpeeds | null): void {
  db.prepare('UPDATE model SET thread_speeds = ? WHERE id = ?').run(speeds === null ? null : JSON.stringify(speeds), id);
}

export function listModels(db: BetterSqlite3.Database): RegisteredModel[] {
  return (db.prepare(`${SELECT} ORDER BY id`).all() as ModelRow[]).map(toModel);
}

/** A model by number, path or name. */
/**
 * A model by what the user types, as agents are found: `#N` (as lists print it) or N, its own
 * path, the path it was converted from (what `models add` was given), or the name the list shows.
 */
export function getModel(db: BetterSqlite3.Database, key: string): RegisteredModel | undefined {
  const row = (
    /^#?\d+$/.test(key)
      ? db.prepare(`${SELECT} WHERE id = ?`).get(Number(key.replace('#', '')))
      : db.prepare(`${SELECT} WHERE path = @path OR converted_from = @path OR name = @key ORDER BY path = @path DESC, converted_from = @path DESC, id LIMIT 1`).get({ path: resolve(key), key })
  ) as ModelRow | undefined;
  return row ? toModel(row) : undefined;
}

export function defaultModel(db: BetterSqlite3.Database): RegisteredModel | undefined {
  const row = db.prepare(`${SELECT} WHERE is_default = 1`).get() as ModelRow | undefined;
  return row ? toModel(row) : undefined;
}

export function setDefaultModel(db: BetterSqlite3.Database, key: string): RegisteredModel {
  const model = getModel(db, key);
  if (!model) throw new ModelRegistryError(`There is no model "${key}": see \`lightseed models list\`.`);
  db.transaction(() => {
    db.prepare('UPDATE model SET is_default = 0 WHERE is_default = 1').run();
    db.prepare('UPDATE model SET is_default = 1 WHERE id = ?').run(model.id);
  })();
  return { ...model, isDefault: true };
}

/**
 * Points a registered model whose file is gone at `file`, if `file` is the same model
 * (same SHA-256): the embedded model moves with each install, and an AppImage mounts it
 * at a new path on every start. Undefined when the file differs.
 */
export async function relocateModel(db: BetterSqlite3.Database, id: number, file: string): Promise<RegisteredModel | undefined> {
  const model = getModel(db, String(id));
  const path = resolve(file);
  if (!model || (await sha256File(path)) !== model.sha256) return undefined;
  const other = getModel(db, path);
  if (other && other.id !== id) return model.isDefault ? setDefaultModel(db, String(other.id)) : other;
  db.prepare('UPDATE model SET path = ? WHERE id = ?').run(path, id);
  return getModel(db, String(id));
}

/** Forgets a model (the file stays where it is). */
export function removeModel(db: BetterSqlite3.Database, key: string): RegisteredModel {
  const model = getModel(db, key);
  if (!model) throw new ModelRegistryError(`There is no model "${key}": see \`lightseed models list\`.`);
  db.prepare('DELETE FROM model WHERE id = ?').run(model.id);
  return model;
}
