// The model registry: GGUF files the user added, each validated and described when added.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { readGguf } from '../inference/gguf/gguf-reader.node';
import { validateModel } from '../inference/gguf/gguf-validate.std';

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
  /** Mean generation speed of its last 50 answers, or null before the first. */
  tokensPerSecond: number | null;
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
    tokensPerSecond: row.recent_tps ?? null,
  };
}

export class ModelRegistryError extends Error {
  override readonly name = 'ModelRegistryError';
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Validates the file (GgufError with the problem in words when it is unusable) and registers it. */
export async function addModel(db: BetterSqlite3.Database, file: string, at: number): Promise<RegisteredModel> {
  const path = resolve(file);
  const existing = db.prepare(`${SELECT} WHERE path = ?`).get(path) as ModelRow | undefined;
  if (existing) return toModel(existing);
  const summary = validateModel(await readGguf(path), path);
  const { size } = await stat(path);
  const sha256 = await sha256File(path);
  const first = (db.prepare('SELECT count(*) AS n FROM model').get() as { n: number }).n === 0;
  const id = Number(
    db
      .prepare(
        `INSERT INTO model (path, name, architecture, parameter_count, types, context_length, chat_template, sha256, size, warnings, is_default, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        path,
        summary.name ?? basename(path),
        summary.architecture,
        summary.parameterCount,
        JSON.stringify(summary.types),
        summary.contextLength,
        summary.chatTemplate ?? null,
        sha256,
        size,
        JSON.stringify(summary.warnings),
        first ? 1 : 0,
        at,
      ).lastInsertRowid,
  );
  return getModel(db, String(id))!;
}

export function listModels(db: BetterSqlite3.Database): RegisteredModel[] {
  return (db.prepare(`${SELECT} ORDER BY id`).all() as ModelRow[]).map(toModel);
}

/** A model by number, path or name. */
export function getModel(db: BetterSqlite3.Database, key: string): RegisteredModel | undefined {
  const row = (/^\d+$/.test(key) ? db.prepare(`${SELECT} WHERE id = ?`).get(Number(key)) : db.prepare(`${SELECT} WHERE path = ? OR name = ?`).get(resolve(key), key)) as
    | ModelRow
    | undefined;
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
