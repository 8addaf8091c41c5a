// The database file's own health, outside the app's normal use: SQLite's integrity check and its
// online backup. Both open the file read-only and without migrating it, so they work on a file
// the app refuses to open (damaged, or from a newer LightSeed) and never change it.
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { unpackedPath } from '../paths/build-paths.node';
import { Database } from './database.node';
import { migrations as shipped, type Migration } from './migrations.node';

export interface IntegrityReport {
  ok: boolean;
  /** SQLite's findings (PRAGMA integrity_check), at most `limit` of them; empty when ok. */
  problems: string[];
}

function openReadOnly(path: string, nativeBinding?: string): BetterSqlite3.Database {
  if (!existsSync(path)) throw new Error(`There is no database at ${path} yet: nothing to check or back up.`);
  return new BetterSqlite3(path, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
}

/** PRAGMA integrity_check on the file at `path`: every page, index and constraint SQLite can verify. */
export function checkIntegrity(path: string, limit = 100, nativeBinding?: string): IntegrityReport {
  const db = openReadOnly(path, nativeBinding);
  try {
    let rows: string[];
    try {
      rows = db.prepare<unknown[], string>(`PRAGMA integrity_check(${Math.max(1, Math.floor(limit))})`).pluck().all();
    } catch (error) {
      // A damaged schema or table root stops the check itself: that is its finding.
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CORRUPT')) throw error;
      return { ok: false, problems: [`the check itself stopped at a damaged page (${(error as Error).message})`] };
    }
    const problems = rows.filter((row) => row !== 'ok');
    return { ok: problems.length === 0, problems };
  } finally {
    db.close();
  }
}

/**
 * A consistent copy of the database at `path` in `destination`, made with SQLite's online backup
 * API while other connections may go on writing. Refuses to overwrite a file.
 */
export async function backupDatabase(path: string, destination: string, onProgress?: (done: number, total: number) => void, nativeBinding?: string): Promise<{ pages: number }> {
  if (existsSync(destination)) throw new Error(`${destination} already exists: name a new file for the backup.`);
  const db = openReadOnly(path, nativeBinding);
  try {
    const result = await db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return 256; // pages per step
      },
    });
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}

export interface SalvagedTable {
  name: string;
  /** Rows copied into the new file. */
  copied: number;
  /** Rows that were read but that the new file refused (a damaged value breaking a constraint). */
  refused: number;
  /** Stretches of rows that could not be read (damaged pages), each skipped to the next row that reads. */
  unreadable: number;
}

export interface SalvageReport {
  version: number;
  tables: SalvagedTable[];
}

/** Rowid gaps tried when a scan stops at a damaged page: the next readable row lies past it. */
const SKIP_STEPS = Array.from({ length: 48 }, (_, k) => 2n ** BigInt(k));

/**
 * Copies every row that still reads from a damaged database into a new LightSeed database at
 * `destination`. A table scan that stops at a damaged page resumes past it (probing rowids
 * further on), so only the rows on damaged pages are lost. The damaged file is opened read-only
 * and never changed; the new file gets the same schema version, then the usual migrations.
 */
export async function salvageDatabase(path: string, destination: string, list: readonly Migration[] = shipped): Promise<SalvageReport> {
  if (existsSync(destination)) throw new Error(`${destination} already exists: name a new file for the salvaged database.`);
  const old = openReadOnly(path);
  try {
    old.loadExtension(unpackedPath(sqliteVec.getLoadablePath()));
    const version = old.pragma('user_version', { simple: true }) as number;
    if (version > list.length) throw new Error(`${path} was written by a newer LightSeed (schema version ${version}): salvage it with that version.`);
    const tables: SalvagedTable[] = [];
    {
      await using fresh = await Database.open({ path: destination, migrations: list.slice(0, version) });
      const db = fresh.connection;
      db.pragma('foreign_keys = OFF'); // rows arrive table by table; a parent may be among the lost
      // A vector table's rows are copied through the table itself; its shadow tables (NAME_chunks,
      // NAME_info…) are sqlite-vec's own and refuse writes.
      const virtual = db.prepare<unknown[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").pluck().all();
      const names = db
        .prepare<unknown[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rootpage")
        .pluck()
        .all()
        .filter((name) => !virtual.some((v) => name.startsWith(`${v}_`)));
      for (const name of names) tables.push(copyTable(old, db, name));
    }
    // Brought up to this build's schema by the usual path.
    (await Database.open({ path: destination, migrations: list })).dispose();
    return { version, tables };
  } finally {
    old.close();
  }
}

function copyTable(old: BetterSqlite3.Database, db: BetterSqlite3.Database, name: string): SalvagedTable {
  const columns = (db.prepare<unknown[], string>(`SELECT name FROM pragma_table_info(?)`).pluck().all(name)).map((column) => `"${column}"`);
  const report: SalvagedTable = { name, copied: 0, refused: 0, unreadable: 0 };
  // Raw rows of safe integers: the rowid first, then the columns as they are.
  let read: BetterSqlite3.Statement<unknown[], unknown[]>;
  let probe: BetterSqlite3.Statement;
  try {
    read = old.prepare<unknown[], unknown[]>(`SELECT rowid, ${columns.join(', ')} FROM "${name}" WHERE rowid >= ? ORDER BY rowid`).raw(true).safeIntegers(true);
    probe = old.prepare(`SELECT rowid FROM "${name}" WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck().safeIntegers(true);
  } catch {
    report.unreadable = 1; // the table's definition itself is damaged
    return report;
  }
  const write = db.prepare(`INSERT INTO "${name}" (rowid, ${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}, ?)`);
  // The next rowid to read: a scan that stops resumes here.
  let from = -(2n ** 63n);
  for (;;) {
    try {
      for (const row of read.iterate(from)) {
        from = (row[0] as bigint) + 1n;
        try {
          write.run(...row);
          report.copied++;
        } catch {
          report.refused++;
        }
      }
      return report;
    } catch {
      // A damaged page: find the next row that reads, further along.
      report.unreadable++;
      const reads = (from: bigint) => {
        try {
          probe.get(from);
          return true;
        } catch {
          return false;
        }
      };
      let low = from;
      const high = SKIP_STEPS.map((step) => from + step).find(reads);
      if (high === undefined) return report;
      // The smallest start whose seek no longer crosses the damaged page, so no good row after it is skipped.
      let good = high;
      while (good - low > 1n) {
        const middle = low + (good - low) / 2n;
        if (reads(middle)) good = middle;
        else low = middle;
      }
      from = good;
    }
  }
}
