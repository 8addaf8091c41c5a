// The one writer connection to LightSeed's SQLite file (better-sqlite3, WAL).
// Refuses foreign, corrupt and newer-than-app files before changing a single byte.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { unpackedPath } from '../paths/build-paths.node';
import { DisposedError } from '../../native-bridge/resource/disposed-error.std';
import { abiMismatch, DatabaseFromFutureError, NativeModuleAbiError, NotALightSeedDatabaseError } from './errors.std';
import { explainDatabaseError } from './database-errors.node';
import { migrate, migrations, type Migration } from './migrations.node';
import { scalar, writable, type WritableDB } from './sql.node';

/** 'LSED', written by migration 0001. */
export const APPLICATION_ID = 0x4c534544;

export interface OpenDatabaseOptions {
  /** Path of the database file; created with its folder when missing. */
  path: string;
  /** Migrations to apply. Default: the ones shipped with this build. */
  migrations?: readonly Migration[];
  /** Milliseconds to wait on a lock held by another process. Default 5000. */
  busyTimeoutMs?: number;
  /** A better-sqlite3 addon built for this runtime, used instead of the one in node_modules (the Electron app in development). */
  nativeBinding?: string;
}

export class Database implements AsyncDisposable {
  #db: BetterSqlite3.Database | undefined;

  private constructor(
    db: BetterSqlite3.Database,
    readonly path: string,
  ) {
    this.#db = db;
  }

  /** Opens (creating or migrating as needed) the database at `options.path`. */
  static async open(options: OpenDatabaseOptions): Promise<Database> {
    const list = options.migrations ?? migrations;
    mkdirSync(dirname(options.path), { recursive: true });
    let db: BetterSqlite3.Database;
    try {
      db = new BetterSqlite3(options.path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    } catch (error) {
      const abi = abiMismatch(error);
      if (abi) throw new NativeModuleAbiError(abi.builtFor, abi.runtimeNeeds, { cause: error });
      throw explainDatabaseError(error, options.path) ?? new NotALightSeedDatabaseError(`Cannot open ${options.path} as a database: ${(error as Error).message}`, { cause: error });
    }
    try {
      checkIdentity(db, options.path, list.length);
      // Nearest-neighbour search for memories (memory_vec); loading it does not touch the file.
      db.loadExtension(unpackedPath(sqliteVec.getLoadablePath()));
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL is durable against application crashes and keeps the database consistent across power loss.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // A statement that fires triggers (every agent insert and fitness change: migration 0009) keeps
      // a statement journal to undo itself; in a temporary file it cost more than the insert (63 against
      // 27 µs a row). Its size is the pages one statement touches.
      db.pragma('temp_store = MEMORY');
      migrate(db, list);
    } catch (error) {
      db.close();
      // A read-only file or a full disk met while opening or migrating (under MigrationError's cause) is said as such.
      throw explainDatabaseError(error, options.path) ?? error;
    }
    return new Database(db, options.path);
  }

  /** The better-sqlite3 handle, the one writer. Throws DisposedError after dispose(). */
  get connection(): WritableDB {
    if (!this.#db) throw new DisposedError(`Database ${this.path}`);
    return writable(this.#db);
  }

  get schemaVersion(): number {
    return this.connection.pragma('user_version', { simple: true }) as number;
  }

  get journalMode(): string {
    return this.connection.pragma('journal_mode', { simple: true }) as string;
  }

  get disposed(): boolean {
    return this.#db === undefined;
  }

  /**
   * Checkpoints the WAL into the main file and closes. Safe to call twice. A checkpoint that
   * cannot run (a read-only or full disk, another process reading) loses nothing: the WAL is
   * kept and SQLite replays it at the next open. So it never hides the error that ended the work.
   */
  dispose(): void {
    const db = this.#db;
    if (!db) return;
    this.#db = undefined;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      if (!explainDatabaseError(error, this.path)) throw error;
    } finally {
      db.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
  }
}

/** Reads only the header fields; throws before anything is written. */
function checkIdentity(db: BetterSqlite3.Database, path: string, appVersion: number): void {
  let applicationId: number;
  let userVersion: number;
  let objects: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    userVersion = db.pragma('user_version', { simple: true }) as number;
    objects = scalar(writable(db), 'SELECT count(*) FROM sqlite_schema');
  } catch (error) {
    // Only SQLITE_NOTADB means the file is no database; a read-only folder, a full disk or a
    // damaged page keep their own words (a good database is never called unreadable).
    const problem = (error as { code?: string }).code === 'SQLITE_NOTADB' ? undefined : explainDatabaseError(error, path);
    if (problem) throw problem;
    throw new NotALightSeedDatabaseError(
      `${path} is not an SQLite database (${(error as Error).message}). It was left untouched; pass a different --data-dir, or move it aside if it is not yours.`,
      { cause: error },
    );
  }
  const fresh = applicationId === 0 && userVersion === 0 && objects === 0;
  if (!fresh && applicationId !== APPLICATION_ID) {
    throw new NotALightSeedDatabaseError(
      `${path} is an SQLite database of another application (application_id ${applicationId}). It was left untouched; pass a different --data-dir.`,
    );
  }
  if (userVersion > appVersion) throw new DatabaseFromFutureError(path, userVersion, appVersion);
}
