// The store's handles and typed statements. Reads and writes take different handle types
// (after Signal Desktop's ReadableDB/WritableDB): a function that only reads says so in its
// signature, and cannot call one that writes. LightSeed has one connection, the one writer
// (SQLite in WAL mode), so both are that connection, told apart by type alone. Rows are typed
// where the SQL is written (prepare<Params, Row>), and each topic converts them in one place
// (toAgent, toMessage, toModel, …), instead of casting what get() and all() return.
import type BetterSqlite3 from 'better-sqlite3';

declare const reads: unique symbol;
declare const writes: unique symbol;

/** A connection store functions may only read through. */
export type ReadableDB = BetterSqlite3.Database & { readonly [reads]: true };
/** The writer connection: every store function may use it. */
export type WritableDB = ReadableDB & { readonly [writes]: true };

/** A connection to a migrated LightSeed database, as the writer (Database.connection; tests' own handles). */
export function writable(db: BetterSqlite3.Database): WritableDB {
  return db as WritableDB;
}

/** The single number an aggregate (count, sum) returns: it always returns a row. */
export function scalar(db: ReadableDB, sql: string, ...params: unknown[]): number {
  const value = db.prepare<unknown[], number>(sql).pluck().get(...params);
  if (typeof value !== 'number') throw new Error(`The aggregate ${sql} returned no number.`);
  return value;
}
