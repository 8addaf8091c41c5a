// Numbered SQL migrations: `NNNN-name.sql` files applied in order, each in its own
// transaction together with the `PRAGMA user_version` bump, so a crash leaves the
// database at the last complete version.
import type BetterSqlite3 from 'better-sqlite3';
import { decayedFitness } from '../agents/fitness.std';
import { MigrationError } from './errors.std';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /(?:^|\/)(\d{4})-([a-z0-9-]+)\.sql$/;

/** Turns `{ path: sql }` into an ordered list, refusing gaps, duplicates and odd names. */
export function parseMigrationFiles(files: Record<string, string>): Migration[] {
  const list = Object.entries(files).map(([path, sql]) => {
    const match = FILE_NAME.exec(path);
    if (!match) throw new MigrationError(`Migration file ${path} is not named NNNN-name.sql.`);
    return { version: Number(match[1]), name: match[2]!, sql };
  });
  list.sort((a, b) => a.version - b.version);
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(`Migrations must be numbered 1, 2, 3… without gaps or repeats; found ${migration.version} at position ${index + 1}.`);
    }
  });
  return list;
}

/** The migrations shipped with this build (bundled as text by Vite). */
export const migrations: readonly Migration[] = parseMigrationFiles(
  import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true }),
);

export const LATEST_SCHEMA_VERSION = migrations.length;

/**
 * The app's functions that the schema calls, registered on every connection before the migrations
 * run: decayed_fitness(fitness, fitness_at, now[, tau]) is the fitness decay as SQL sees it (the
 * same function, not the formula written again); migration 0009's triggers use it with the default τ.
 */
export function registerSchemaFunctions(db: BetterSqlite3.Database): void {
  db.function('decayed_fitness', { deterministic: true, varargs: true }, (fitness, fitnessAt, now, tau) =>
    decayedFitness(Number(fitness), Number(fitnessAt), Number(now), tau === undefined ? undefined : Number(tau)),
  );
}

/** Applies every migration newer than the file's user_version, after registering the schema's functions. Returns the versions before and after. */
export function migrate(db: BetterSqlite3.Database, list: readonly Migration[] = migrations): { from: number; to: number } {
  registerSchemaFunctions(db);
  const from = db.pragma('user_version', { simple: true }) as number;
  for (const migration of list) {
    if (migration.version <= from) continue;
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply();
    } catch (error) {
      throw new MigrationError(
        `Migration ${String(migration.version).padStart(4, '0')}-${migration.name} failed and was rolled back; the database stays at version ${migration.version - 1}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return { from, to: db.pragma('user_version', { simple: true }) as number };
}
