// The model registry's rows: what each registered GGUF file is, where it lives, and what the
// engine measured on it. Only persistence: validating, converting and checking files is the
// model registry service's work (services/model-registry.node.ts), which hands this module the
// description it found.
import { resolve } from 'node:path';
import { scalar, type ReadableDB, type WritableDB } from './sql.node';

/** A registered model: what its file is, and what the registry and the engine know of it. */
export interface RegisteredModel extends Omit<ModelDescription, 'bitsPerWeight' | 'weightType'> {
  id: number;
  path: string;
  sha256: string;
  size: number;
  isDefault: boolean;
  addedAt: number;
  /** Null for models registered before they were measured. */
  bitsPerWeight: number | null;
  weightType: string | null;
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
  speeds: { threads: number; tokensPerSecond: number }[];
}

/** What a file is, as validation described it. */
export interface ModelDescription {
  name: string;
  architecture: string;
  parameterCount: number;
  types: Record<string, number>;
  contextLength: number;
  chatTemplate: string | null;
  warnings: string[];
  oneBit: boolean;
  bitsPerWeight: number;
  weightType: string;
  activation: string | null;
  expertCount: number;
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

/** The columns that describe a file. */
function describedColumns(description: ModelDescription) {
  return {
    name: description.name,
    architecture: description.architecture,
    parameter_count: description.parameterCount,
    types: JSON.stringify(description.types),
    context_length: description.contextLength,
    chat_template: description.chatTemplate,
    warnings: JSON.stringify(description.warnings),
    one_bit: description.oneBit ? 1 : 0,
    bits_per_weight: description.bitsPerWeight,
    weight_type: description.weightType,
    activation: description.activation,
    expert_count: description.expertCount,
  };
}

/** The model registered for this file, as its own path or as the file it was converted from. */
export function modelForFile(db: ReadableDB, file: string): RegisteredModel | undefined {
  const row = db.prepare<unknown[], ModelRow>(`${SELECT} WHERE path = @file OR converted_from = @file ORDER BY path = @file DESC LIMIT 1`).get({ file: resolve(file) });
  return row ? toModel(row) : undefined;
}

export interface NewModel {
  path: string;
  sha256: string;
  size: number;
  mtimeMs: number;
  addedAt: number;
  /** The file the user added, when `path` is LightSeed's runnable copy of it. */
  convertedFrom: string | null;
  conversion: string | null;
  description: ModelDescription;
}

/** Registers a model; the first one becomes the default. */
export function insertModel(db: WritableDB, model: NewModel): RegisteredModel {
  const first = scalar(db, 'SELECT count(*) FROM model') === 0;
  const id = Number(
    db
      .prepare(
        `INSERT INTO model (path, name, architecture, parameter_count, types, context_length, chat_template, sha256, size, warnings, is_default, added_at,
                            one_bit, bits_per_weight, weight_type, activation, expert_count, converted_from, conversion, mtime_ms)
         VALUES (@path, @name, @architecture, @parameter_count, @types, @context_length, @chat_template, @sha256, @size, @warnings, @is_default, @added_at,
                 @one_bit, @bits_per_weight, @weight_type, @activation, @expert_count, @converted_from, @conversion, @mtime_ms)`,
      )
      .run({
        ...describedColumns(model.description),
        path: model.path,
        sha256: model.sha256,
        size: model.size,
        is_default: first ? 1 : 0,
        added_at: model.addedAt,
        converted_from: model.convertedFrom,
        conversion: model.conversion,
        mtime_ms: model.mtimeMs,
      }).lastInsertRowid,
  );
  return getModel(db, String(id))!;
}

/** The modification time recorded when the file was last checked, or null before the first. */
export function recordedModificationTime(db: ReadableDB, id: number): number | null {
  return (db.prepare<unknown[], { mtime_ms: number | null }>('SELECT mtime_ms FROM model WHERE id = ?').get(id))?.mtime_ms ?? null;
}

/** Records a check of the file: its modification time, and where its content changed, what it is now. */
export function recordFileCheck(db: WritableDB, id: number, mtimeMs: number, changed?: { sha256: string; size: number; description: ModelDescription }): RegisteredModel {
  if (!changed) db.prepare('UPDATE model SET mtime_ms = ? WHERE id = ?').run(mtimeMs, id);
  else {
    db.prepare(
      `UPDATE model SET name = @name, architecture = @architecture, parameter_count = @parameter_count, types = @types, context_length = @context_length,
         chat_template = @chat_template, warnings = @warnings, one_bit = @one_bit, bits_per_weight = @bits_per_weight, weight_type = @weight_type,
         activation = @activation, expert_count = @expert_count, sha256 = @sha256, size = @size, mtime_ms = @mtime_ms WHERE id = @id`,
    ).run({ ...describedColumns(changed.description), sha256: changed.sha256, size: changed.size, mtime_ms: mtimeMs, id });
  }
  return getModel(db, String(id))!;
}

/** Points a model at the same file found at another path. */
export function moveModel(db: WritableDB, id: number, path: string): RegisteredModel | undefined {
  db.prepare('UPDATE model SET path = ? WHERE id = ?').run(resolve(path), id);
  return getModel(db, String(id));
}

/** Keeps what decoding measured for a model (no row changes for a model that is not registered). */
export function setThreadSpeeds(db: WritableDB, id: number, speeds: ThreadSpeeds | null): void {
  db.prepare('UPDATE model SET thread_speeds = ? WHERE id = ?').run(speeds === null ? null : JSON.stringify(speeds), id);
}

export function listModels(db: ReadableDB): RegisteredModel[] {
  return (db.prepare<unknown[], ModelRow>(`${SELECT} ORDER BY id`).all()).map(toModel);
}

/**
 * A model by what the user types, as agents are found: `#N` (as lists print it) or N, its own
 * path, the path it was converted from (what `models add` was given), or the name the list shows.
 */
export function getModel(db: ReadableDB, key: string): RegisteredModel | undefined {
  const row = /^#?\d+$/.test(key)
    ? db.prepare<unknown[], ModelRow>(`${SELECT} WHERE id = ?`).get(Number(key.replace('#', '')))
    : db
        .prepare<unknown[], ModelRow>(`${SELECT} WHERE path = @path OR converted_from = @path OR name = @key ORDER BY path = @path DESC, converted_from = @path DESC, id LIMIT 1`)
        .get({ path: resolve(key), key });
  return row ? toModel(row) : undefined;
}

export function defaultModel(db: ReadableDB): RegisteredModel | undefined {
  const row = db.prepare<unknown[], ModelRow>(`${SELECT} WHERE is_default = 1`).get();
  return row ? toModel(row) : undefined;
}

export function setDefaultModel(db: WritableDB, key: string): RegisteredModel {
  const model = getModel(db, key);
  if (!model) throw new ModelRegistryError(`There is no model "${key}": see \`lightseed models list\`.`);
  db.transaction(() => {
    db.prepare('UPDATE model SET is_default = 0 WHERE is_default = 1').run();
    db.prepare('UPDATE model SET is_default = 1 WHERE id = ?').run(model.id);
  })();
  return { ...model, isDefault: true };
}

/** Forgets a model (the file stays where it is). */
export function removeModel(db: WritableDB, key: string): RegisteredModel {
  const model = getModel(db, key);
  if (!model) throw new ModelRegistryError(`There is no model "${key}": see \`lightseed models list\`.`);
  db.prepare('DELETE FROM model WHERE id = ?').run(model.id);
  return model;
}
